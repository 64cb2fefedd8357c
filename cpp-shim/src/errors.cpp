#include "errors.hpp"

namespace {
thread_local std::string tl_last_error;
}

namespace lt {

void set_error(const std::string& msg) noexcept {
  try {
    tl_last_error = msg;
  } catch (...) {
    tl_last_error.clear();
  }
}

void clear_error() noexcept { tl_last_error.clear(); }

}  // namespace lt

extern "C" LT_API const char* lt_last_error(void) { return tl_last_error.c_str(); }
