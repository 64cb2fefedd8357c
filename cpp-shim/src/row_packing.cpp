// lt_pack_rows: several fixed-width columns' values interleaved row by row (a disk-cache block of packed rows, whose
// columns lt_batch_pack_column then marks): a random gather of such a block loads one cache line a row, where
// separate columns cost one line per column. lt_pack_slots: a binary / utf8 column's row slots in those rows (length
// and short bytes inline, else the start of its bytes; lt_batch_slot_column), so that a short value costs one line,
// not its offsets' line and its bytes' line. See lance_torch.h.
#include <climits>
#include <cstring>
#include <string>

#include "batch.hpp"
#include "column.hpp"
#include "errors.hpp"
#include "gather_rows.hpp"
#include "lance_torch.h"

namespace {

void pack_rows(void* dst, int64_t stride, const void* const* srcs, const int64_t* bytes, const int64_t* at,
               int64_t n_cols, int64_t rows) {
  if (rows < 0 || n_cols <= 0 || stride <= 0) lt::fail("lt_pack_rows: bad row count, columns or stride");
  if (rows == 0) return;
  if (dst == nullptr || srcs == nullptr || bytes == nullptr || at == nullptr) lt::fail("lt_pack_rows: null argument");
  if (rows > INT64_MAX / stride) lt::fail("lt_pack_rows: rows * stride overflows");
  for (int64_t c = 0; c < n_cols; ++c) {
    if (srcs[c] == nullptr || bytes[c] <= 0 || at[c] < 0 || at[c] > stride - bytes[c]) {
      lt::fail("lt_pack_rows: column " + std::to_string(c) + " does not fit the row (" + std::to_string(bytes[c]) +
               " bytes at " + std::to_string(at[c]) + " of " + std::to_string(stride) + ")");
    }
  }
  auto* out = static_cast<char*>(dst);
  // column by column: each source is read in order and each row's bytes of it written once (every store lands in
  // lines the previous column just wrote while the block's rows stay in cache; a 64k-row block of 20-byte rows is
  // 1.3 MB)
  for (int64_t c = 0; c < n_cols; ++c) {
    const auto* in = static_cast<const char*>(srcs[c]);
    const int64_t b = bytes[c];
    char* o = out + at[c];
    for (int64_t r = 0; r < rows; ++r) lt::gather::copy_row(o + r * stride, in + r * b, b);
  }
}

void pack_slots(void* dst, int64_t stride, int64_t at, const void* offsets, int32_t large, const void* data,
                const uint8_t* validity, int64_t rows) {
  if (rows < 0 || stride < lt::kSlotBytes || at < 0 || at > stride - lt::kSlotBytes) {
    lt::fail("lt_pack_slots: bad row count, stride or place");
  }
  if (rows == 0) return;
  if (dst == nullptr || offsets == nullptr) lt::fail("lt_pack_slots: null argument");
  if (rows > INT64_MAX / stride) lt::fail("lt_pack_slots: rows * stride overflows");
  auto offset = [&](int64_t r) {
    return large ? static_cast<const int64_t*>(offsets)[r] : int64_t{static_cast<const int32_t*>(offsets)[r]};
  };
  char* out = static_cast<char*>(dst) + at;
  for (int64_t r = 0; r < rows; ++r, out += stride) {
    char slot[lt::kSlotBytes] = {};
    const int64_t o = offset(r);
    const int64_t len = offset(r + 1) - o;
    if (validity != nullptr && !lt::bit_set(validity, r)) {
      const uint32_t null = lt::kNullSlot;
      std::memcpy(slot, &null, 4);
    } else if (len < 0 || len >= int64_t{lt::kNullSlot} || o < 0) {
      lt::fail("lt_pack_slots: row " + std::to_string(r) + " has " + std::to_string(len) + " bytes at " +
               std::to_string(o));
    } else {
      const auto l = static_cast<uint32_t>(len);
      std::memcpy(slot, &l, 4);
      if (len <= lt::kSlotInline) {
        if (len > 0) {
          if (data == nullptr) lt::fail("lt_pack_slots: null data");
          std::memcpy(slot + 4, static_cast<const char*>(data) + o, static_cast<size_t>(len));
        }
      } else {
        const auto start = static_cast<uint64_t>(o);
        std::memcpy(slot + 8, &start, 8);
      }
    }
    std::memcpy(out, slot, lt::kSlotBytes);
  }
}

}  // namespace

extern "C" {

LT_API int lt_pack_rows(void* dst, int64_t stride, const void* const* srcs, const int64_t* bytes, const int64_t* at,
                        int64_t n_cols, int64_t rows) {
  return lt::guarded([&] { pack_rows(dst, stride, srcs, bytes, at, n_cols, rows); });
}

LT_API int lt_pack_slots(void* dst, int64_t stride, int64_t at, const void* offsets, int32_t large, const void* data,
                         const uint8_t* validity, int64_t rows) {
  return lt::guarded([&] { pack_slots(dst, stride, at, offsets, large, data, validity, rows); });
}

}  // extern "C"
