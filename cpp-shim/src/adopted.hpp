// The one way the shim takes ownership of an Arrow C struct a caller hands over
// (ArrowSchema, ArrowArray, ArrowArrayStream): the C Data Interface's move
// (the struct copied, the caller's marked released), then exactly one call of
// its release callback, by whichever owner holds it last.
#pragma once

#include <cstring>

#include "lance_torch.h"

namespace lt {

// Owns one Arrow C struct. It *is* the struct (fields read as usual, a pointer to it converts to T*), plus the
// ownership: the destructor (or reset) calls release once; moving an Adopted hands the struct over. An Adopted
// made from null or from a released struct holds nothing (live() is false).
template <typename T>
class Adopted : public T {
 public:
  Adopted() noexcept { clear(); }

  // Takes *src over: from here on this owns it and src is left released (release == NULL), also when the caller
  // goes on to fail: a struct passed to an adopting function is consumed on every path.
  explicit Adopted(T* src) noexcept {
    clear();
    if (src != nullptr && src->release != nullptr) {
      std::memcpy(static_cast<T*>(this), src, sizeof(T));
      src->release = nullptr;
    }
  }

  Adopted(Adopted&& other) noexcept : Adopted(static_cast<T*>(&other)) {}

  Adopted& operator=(Adopted&& other) noexcept {
    if (this != &other) {
      reset();
      std::memcpy(static_cast<T*>(this), static_cast<T*>(&other), sizeof(T));
      other.T::release = nullptr;
    }
    return *this;
  }

  Adopted(const Adopted&) = delete;
  Adopted& operator=(const Adopted&) = delete;

  ~Adopted() { reset(); }

  bool live() const noexcept { return this->T::release != nullptr; }

  // Releases the struct now (once); afterwards this holds nothing.
  void reset() noexcept {
    if (this->T::release != nullptr) this->T::release(this);
    this->T::release = nullptr;
  }

 private:
  void clear() noexcept { std::memset(static_cast<T*>(this), 0, sizeof(T)); }
};

}  // namespace lt
