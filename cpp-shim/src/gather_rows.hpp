// The row and bit copies both kinds of gather use (gather_copy.cpp: source by source; gather_fragments.cpp:
// position after position). Bits are written with atomic byte operations: copies of several threads may share a
// bitmap byte.
#pragma once

#include <cstdint>
#include <cstring>

namespace lt::gather {

inline void clear_bit(char* bits, int64_t i) {
  __atomic_fetch_and(reinterpret_cast<uint8_t*>(bits) + (i >> 3), static_cast<uint8_t>(~(1u << (i & 7))),
                     __ATOMIC_RELAXED);
}

inline void put_bit(char* bits, int64_t i, bool on) {
  auto* p = reinterpret_cast<uint8_t*>(bits) + (i >> 3);
  const auto m = static_cast<uint8_t>(1u << (i & 7));
  if (on) {
    __atomic_fetch_or(p, m, __ATOMIC_RELAXED);
  } else {
    __atomic_fetch_and(p, static_cast<uint8_t>(~m), __ATOMIC_RELAXED);
  }
}

// Copies `bytes` bytes; constant sizes for the common row widths so the compiler inlines them.
inline void copy_row(char* dst, const char* src, int64_t bytes) {
  switch (bytes) {
    case 1: std::memcpy(dst, src, 1); return;
    case 2: std::memcpy(dst, src, 2); return;
    case 4: std::memcpy(dst, src, 4); return;
    case 8: std::memcpy(dst, src, 8); return;
    case 16: std::memcpy(dst, src, 16); return;
    case 32: std::memcpy(dst, src, 32); return;
    case 64: std::memcpy(dst, src, 64); return;
    default: std::memcpy(dst, src, static_cast<size_t>(bytes)); return;
  }
}

}  // namespace lt::gather
