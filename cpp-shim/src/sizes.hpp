// Output sizes: what the shim allocates for a caller is sized with these helpers
// (overflow-checked) and bounded by LT_MAX_OUTPUT_BYTES before anything is
// allocated, so a size that wrapped or cannot be meant fails with an lt::Error
// naming the output and the size instead of allocating (or stalling).
#pragma once

#include <cstdint>
#include <string>

#include "errors.hpp"
#include "lance_torch.h"

namespace lt {

// a * b for sizes (a, b >= 0); fails naming `what` when the product overflows 64 bits.
inline int64_t mul_size(int64_t a, int64_t b, const char* what) {
  int64_t r = 0;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r)) {
    fail(std::string(what) + ": size " + std::to_string(a) + " x " + std::to_string(b) + " overflows 64 bits");
  }
  return r;
}

// a + b for sizes (a, b >= 0); fails naming `what` when the sum overflows 64 bits.
inline int64_t add_size(int64_t a, int64_t b, const char* what) {
  int64_t r = 0;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &r)) {
    fail(std::string(what) + ": size " + std::to_string(a) + " + " + std::to_string(b) + " overflows 64 bits");
  }
  return r;
}

// Fails unless `bytes` (what one call allocates for its outputs) is within LT_MAX_OUTPUT_BYTES; `what` names the
// output (column, shape).
inline void check_output_bytes(int64_t bytes, const std::string& what) {
  if (bytes > LT_MAX_OUTPUT_BYTES) {
    fail(what + " needs " + std::to_string(bytes) + " bytes, beyond the limit of " +
         std::to_string(LT_MAX_OUTPUT_BYTES) + " bytes per call (LT_MAX_OUTPUT_BYTES)");
  }
}

}  // namespace lt
