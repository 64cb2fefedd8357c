// lt_batch_column_padded: a variable-length column padded or truncated to one
// length in one pass, with the kept lengths and an attention mask.
#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

#include "batch.hpp"
#include "copy_kernels.hpp"
#include "errors.hpp"
#include "jagged.hpp"
#include "sizes.hpp"
#include "torch_api.hpp"
#include "views.hpp"

namespace lt {
namespace {

// Fills n slots of esize bytes at dst with the pattern at one.
void fill_slots(char* dst, const char* one, int64_t n, int64_t esize) {
  if (n <= 0) return;
  switch (esize) {
    case 1: std::memset(dst, one[0], static_cast<size_t>(n)); return;
    case 2: { uint16_t v; std::memcpy(&v, one, 2); std::fill_n(reinterpret_cast<uint16_t*>(dst), n, v); return; }
    case 4: { uint32_t v; std::memcpy(&v, one, 4); std::fill_n(reinterpret_cast<uint32_t*>(dst), n, v); return; }
    default: { uint64_t v; std::memcpy(&v, one, 8); std::fill_n(reinterpret_cast<uint64_t*>(dst), n, v); return; }
  }
}

int64_t pad_length(const JaggedView& j, const lt_pad_options& o, bool fill) {
  if (!o.to_batch_max) {
    if (o.length <= 0) fail(j.label() + ": pad length must be > 0, got " + std::to_string(o.length));
    if (o.length > INT32_MAX) fail(j.label() + ": pad length " + std::to_string(o.length) + " beyond int32");
    return o.length;
  }
  if (o.length < 0) fail(j.label() + ": pad length cap must be >= 0 (0: none), got " + std::to_string(o.length));
  int64_t longest = 0, at = -1;
  for (int64_t r = 0; r < j.rows; ++r) {
    if (fill && !j.row_valid(r)) continue;
    const int64_t n = j.offset(r + 1) - j.offset(r);
    if (n > longest) {
      longest = n;
      at = r;
    }
  }
  if (o.length > 0) return std::min(longest, std::min<int64_t>(o.length, INT32_MAX));
  if (longest > INT32_MAX) {
    fail(j.label() + " row " + std::to_string(j.row_start + at) + ": length " + std::to_string(longest) +
         " beyond int32; give a pad length cap");
  }
  return longest;
}

AtenTensorHandle fresh(int64_t ndim, const int64_t* sizes, Elem e, int64_t bytes, void** data) {
  AtenTensorHandle h = torch_empty(ndim, sizes, elem_dtype(e), data);
  counters().copied.fetch_add(1, std::memory_order_relaxed);
  counters().bytes.fetch_add(bytes, std::memory_order_relaxed);
  return h;
}

void column_padded(lt_batch* b, int64_t col, const lt_pad_options* o, AtenTensorHandle* padded_out,
                   AtenTensorHandle* lengths_out, AtenTensorHandle* mask_out) {
  if (padded_out == nullptr || lengths_out == nullptr || mask_out == nullptr) fail("lt_batch_column_padded: out is null");
  *padded_out = *lengths_out = *mask_out = nullptr;
  if (b == nullptr) fail("lt_batch_column_padded: batch is null");
  if (o == nullptr) fail("lt_batch_column_padded: options are null");
  const bool fill = o->fill_nulls != 0;
  const JaggedView j = describe_jagged(&b->array, &b->schema, col, o->row_start, o->row_count);
  check_jagged_nulls(j, fill);
  const ColumnView& it = j.items;
  if (elem_dtype(it.elem) < 0) fail(j.label() + ": this libtorch has no " + std::string(elem_name(it.elem)) + " dtype");
  const int64_t L = pad_length(j, *o, fill), R = j.rows;
  const int64_t esize = it.elem == Elem::Bool ? 1 : elem_size(it.elem);
  // Sized up front: padded (R, L) items, mask (R, L) bools, lengths (R) int64.
  const int64_t cells = mul_size(R, L, "lt_batch_column_padded");
  const int64_t padded_bytes = mul_size(cells, esize, "lt_batch_column_padded");
  check_output_bytes(add_size(add_size(padded_bytes, cells, "lt_batch_column_padded"),
                              mul_size(R, 8, "lt_batch_column_padded"), "lt_batch_column_padded"),
                     j.label() + ": padded output of " + std::to_string(R) + " rows x length " + std::to_string(L) +
                         " (" + elem_name(it.elem) + ", plus mask and lengths)");
  const int64_t sizes2[2] = {R, L}, sizes1[1] = {R};
  void *pp = nullptr, *lp = nullptr, *mp = nullptr;
  HandleGuard padded{fresh(2, sizes2, it.elem, padded_bytes, &pp)};
  HandleGuard lengths{fresh(1, sizes1, Elem::I64, R * 8, &lp)};
  HandleGuard mask{fresh(2, sizes2, Elem::Bool, cells, &mp)};
  char pad_one[8] = {0};
  {
    double v = o->pad_value;
    ColumnView pv;
    pv.elem = Elem::F64;
    pv.values = &v;
    pv.rows = 1;
    copy_column(pv, it.elem, pad_one, 0, 1, false, 0.0);
  }
  char* dst = static_cast<char*>(pp);
  auto* len = static_cast<int64_t*>(lp);
  auto* m = static_cast<uint8_t*>(mp);
  for (int64_t r = 0; r < R; ++r) {
    const int64_t n = j.row_valid(r) ? std::min(j.offset(r + 1) - j.offset(r), L) : 0;
    if (n > 0) {
      ColumnView row = it;
      row.rows = n;
      row.first = it.first + (j.offset(r) - j.begin);
      row.row_validity_first = it.row_validity_first + (j.offset(r) - j.begin);
      copy_column(row, it.elem, dst, 0, 1, fill, o->fill_value);
    }
    fill_slots(dst + n * esize, pad_one, L - n, esize);
    std::memset(m, 1, static_cast<size_t>(n));
    std::memset(m + n, 0, static_cast<size_t>(L - n));
    len[r] = n;
    dst += L * esize;
    m += L;
  }
  *padded_out = padded.release();
  *lengths_out = lengths.release();
  *mask_out = mask.release();
}

}  // namespace
}  // namespace lt

extern "C" {

LT_API int lt_batch_column_padded(lt_batch* batch, int64_t col, const lt_pad_options* options,
                                  AtenTensorHandle* padded, AtenTensorHandle* lengths, AtenTensorHandle* mask) {
  return lt::guarded([&] { lt::column_padded(batch, col, options, padded, lengths, mask); });
}

}  // extern "C"
