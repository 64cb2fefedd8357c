// lt_pack_rows: several fixed-width columns' values interleaved row by row (a disk-cache block of packed rows, whose
// columns lt_batch_pack_column then marks): a random gather of such a block loads one cache line a row, where
// separate columns cost one line per column. See lance_torch.h.
#include <climits>
#include <cstring>
#include <string>

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

}  // namespace

extern "C" {

LT_API int lt_pack_rows(void* dst, int64_t stride, const void* const* srcs, const int64_t* bytes, const int64_t* at,
                        int64_t n_cols, int64_t rows) {
  return lt::guarded([&] { pack_rows(dst, stride, srcs, bytes, at, n_cols, rows); });
}

}  // extern "C"
