// Error reporting for the shim: a typed C++ exception inside, a status code and
// a thread-local message at the C boundary. Nothing throws across extern "C".
#pragma once

#include <stdexcept>
#include <string>

#include "lance_torch.h"

namespace lt {

class Error : public std::runtime_error {
 public:
  Error(lt_status code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  lt_status code() const noexcept { return code_; }

 private:
  lt_status code_;
};

[[noreturn]] inline void fail(const std::string& msg) { throw Error(LT_ERR_INVALID_ARGUMENT, msg); }
[[noreturn]] inline void fail_state(const std::string& msg) { throw Error(LT_ERR_STATE, msg); }

void set_error(const std::string& msg) noexcept;
void clear_error() noexcept;

// Runs body; converts any exception into a status code plus lt_last_error text.
template <typename F>
int guarded(F&& body) noexcept {
  try {
    clear_error();
    body();
    return LT_OK;
  } catch (const Error& e) {
    set_error(e.what());
    return e.code();
  } catch (const std::bad_alloc&) {
    set_error("out of memory");
    return LT_ERR_INTERNAL;
  } catch (const std::exception& e) {
    set_error(std::string("internal error: ") + e.what());
    return LT_ERR_INTERNAL;
  } catch (...) {
    set_error("internal error: unknown exception");
    return LT_ERR_INTERNAL;
  }
}

}  // namespace lt
