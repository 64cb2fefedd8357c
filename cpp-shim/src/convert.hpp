// Element conversion for the copying paths (bool unpack, null fill, gather,
// dtype cast): IEEE half <-> float and saturating float -> integer casts.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace lt {

struct Half {
  uint16_t bits;
};

inline float half_to_float(Half h) {
  const uint32_t sign = (h.bits & 0x8000u) << 16;
  const uint32_t exp = (h.bits >> 10) & 0x1f;
  const uint32_t man = h.bits & 0x3ff;
  uint32_t out;
  if (exp == 0) {
    if (man == 0) {
      out = sign;
    } else {  // subnormal: value = man * 2^-24
      float f = std::ldexp(static_cast<float>(man), -24);
      return sign ? -f : f;
    }
  } else if (exp == 0x1f) {
    out = sign | 0x7f800000u | (man << 13);
  } else {
    out = sign | ((exp + 112) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &out, sizeof f);
  return f;
}

inline Half float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) return Half{static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u))};
  if (abs >= 0x477ff000u) return Half{static_cast<uint16_t>(sign | 0x7c00u)};  // rounds to >= 65520: inf
  if (abs < 0x38800000u) {  // below the smallest normal half: subnormal or zero
    float a;
    std::memcpy(&a, &abs, sizeof a);
    const float scaled = a * 16777216.0f;  // 2^24
    return Half{static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(scaled)))};
  }
  const uint32_t exp = (abs >> 23) - 112;
  uint32_t man = abs & 0x7fffffu;
  uint32_t h = (exp << 10) | (man >> 13);
  const uint32_t rest = man & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // round to nearest even
  return Half{static_cast<uint16_t>(sign | h)};
}

template <typename T>
struct Wide {  // arithmetic type used to read T
  using type = T;
};
template <>
struct Wide<Half> {
  using type = float;
};

template <typename T>
inline typename Wide<T>::type load(const T& v) {
  return v;
}
template <>
inline float load<Half>(const Half& v) {
  return half_to_float(v);
}

// Converts an arithmetic value to Dst; float -> integer saturates, NaN -> 0.
template <typename Dst, typename V>
inline Dst store(V v) {
  if constexpr (std::is_same_v<Dst, Half>) {
    return float_to_half(static_cast<float>(v));
  } else if constexpr (std::is_same_v<Dst, bool>) {
    return v != 0;
  } else if constexpr (std::is_integral_v<Dst> && std::is_floating_point_v<V>) {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<V>(std::numeric_limits<Dst>::min())) return std::numeric_limits<Dst>::min();
    if (v >= static_cast<V>(std::numeric_limits<Dst>::max())) return std::numeric_limits<Dst>::max();
    return static_cast<Dst>(v);
  } else {
    return static_cast<Dst>(v);
  }
}

}  // namespace lt
