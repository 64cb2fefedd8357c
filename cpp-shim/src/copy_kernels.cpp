#include "copy_kernels.hpp"

#include <cstring>
#include <type_traits>

#include "convert.hpp"

namespace lt {
namespace {

template <typename Dst, typename Get>
void copy_loop(const ColumnView& c, Dst* out, int64_t ks, int64_t rs, bool use_validity, Dst fill, Get get) {
  const int64_t w = c.width;
  if (!use_validity || (c.row_validity == nullptr && c.item_validity == nullptr)) {
    // No value can be null here: a branch-free loop the compiler can vectorise.
    for (int64_t r = 0; r < c.rows; ++r) {
      for (int64_t k = 0; k < w; ++k) out[k * ks + r * rs] = store<Dst>(get(c.first + r * w + k));
    }
    return;
  }
  for (int64_t r = 0; r < c.rows; ++r) {
    const bool row_ok = !use_validity || c.row_validity == nullptr || bit_set(c.row_validity, c.row_validity_first + r);
    for (int64_t k = 0; k < w; ++k) {
      const int64_t item = r * w + k;
      bool ok = row_ok;
      if (ok && use_validity && c.item_validity != nullptr) ok = bit_set(c.item_validity, c.item_validity_first + item);
      out[k * ks + r * rs] = ok ? store<Dst>(get(c.first + item)) : fill;
    }
  }
}

// A numeric column into a contiguous destination row of its own type: one memcpy.
template <typename Src, typename Dst>
bool same_type_memcpy(const ColumnView& c, Dst* out, int64_t rs, bool use_validity) {
  if constexpr (std::is_same_v<Src, Dst>) {
    const bool maybe_null = use_validity && (c.row_validity != nullptr || c.item_validity != nullptr);
    if (c.width == 1 && rs == 1 && !maybe_null && c.rows > 0) {
      std::memcpy(out, static_cast<const Src*>(c.values) + c.first, static_cast<size_t>(c.rows) * sizeof(Src));
      return true;
    }
  }
  (void)c, (void)out, (void)rs, (void)use_validity;
  return false;
}

template <typename Dst>
void copy_to(const ColumnView& c, Dst* out, int64_t ks, int64_t rs, bool use_validity, double fill_value) {
  const Dst fill = store<Dst>(fill_value);
  const void* v = c.values;
  switch (c.elem) {
#define LT_CASE(E, T) \
  case Elem::E: \
    if (!same_type_memcpy<T>(c, out, rs, use_validity)) { \
      copy_loop(c, out, ks, rs, use_validity, fill, [p = static_cast<const T*>(v)](int64_t i) { return load(p[i]); }); \
    } \
    break;
    LT_CASE(I8, int8_t)
    LT_CASE(U8, uint8_t)
    LT_CASE(I16, int16_t)
    LT_CASE(U16, uint16_t)
    LT_CASE(I32, int32_t)
    LT_CASE(U32, uint32_t)
    LT_CASE(I64, int64_t)
    LT_CASE(U64, uint64_t)
    LT_CASE(F16, Half)
    LT_CASE(F32, float)
    LT_CASE(F64, double)
#undef LT_CASE
    case Elem::Bool:
      copy_loop(c, out, ks, rs, use_validity, fill,
                [p = static_cast<const uint8_t*>(v)](int64_t i) { return bit_set(p, i) ? 1 : 0; });
      break;
  }
}

}  // namespace

void copy_column(const ColumnView& c, Elem dst, void* out, int64_t ks, int64_t rs, bool use_validity, double fill) {
  switch (dst) {
    case Elem::I8: copy_to(c, static_cast<int8_t*>(out), ks, rs, use_validity, fill); break;
    case Elem::U8: copy_to(c, static_cast<uint8_t*>(out), ks, rs, use_validity, fill); break;
    case Elem::I16: copy_to(c, static_cast<int16_t*>(out), ks, rs, use_validity, fill); break;
    case Elem::U16: copy_to(c, static_cast<uint16_t*>(out), ks, rs, use_validity, fill); break;
    case Elem::I32: copy_to(c, static_cast<int32_t*>(out), ks, rs, use_validity, fill); break;
    case Elem::U32: copy_to(c, static_cast<uint32_t*>(out), ks, rs, use_validity, fill); break;
    case Elem::I64: copy_to(c, static_cast<int64_t*>(out), ks, rs, use_validity, fill); break;
    case Elem::U64: copy_to(c, static_cast<uint64_t*>(out), ks, rs, use_validity, fill); break;
    case Elem::F16: copy_to(c, static_cast<Half*>(out), ks, rs, use_validity, fill); break;
    case Elem::F32: copy_to(c, static_cast<float*>(out), ks, rs, use_validity, fill); break;
    case Elem::F64: copy_to(c, static_cast<double*>(out), ks, rs, use_validity, fill); break;
    case Elem::Bool: copy_to(c, static_cast<bool*>(out), ks, rs, use_validity, fill); break;
  }
}

}  // namespace lt
