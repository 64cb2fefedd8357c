// Variable-length columns: describe_jagged (offsets, validity and child items of
// a row range, validated) and lt_batch_column_jagged (values + offsets tensors,
// the layout of torch's jagged nested tensors).
#include "jagged.hpp"

#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "batch.hpp"
#include "copy_kernels.hpp"
#include "errors.hpp"
#include "sizes.hpp"
#include "torch_api.hpp"
#include "views.hpp"

namespace lt {
namespace {

bool is_list(const char* f) { return std::strcmp(f, "+l") == 0 || std::strcmp(f, "+L") == 0; }
bool is_bytes(const char* f) {
  return std::strcmp(f, "z") == 0 || std::strcmp(f, "Z") == 0 || std::strcmp(f, "u") == 0 || std::strcmp(f, "U") == 0;
}
bool is_nested(const char* f) { return f[0] == '+'; }

void check_offsets(const JaggedView& j) {
  if (j.begin < 0) fail(j.label() + " row " + std::to_string(j.row_start) + ": negative offset " + std::to_string(j.begin));
  for (int64_t r = 0; r < j.rows; ++r) {
    if (j.offset(r + 1) < j.offset(r)) {
      fail(j.label() + " row " + std::to_string(j.row_start + r) + ": offsets decrease (" + std::to_string(j.offset(r)) +
           " then " + std::to_string(j.offset(r + 1)) + ")");
    }
  }
}

}  // namespace

bool is_jagged_format(const char* f) { return f != nullptr && (is_list(f) || is_bytes(f)); }

JaggedView describe_jagged(const ArrowArray* top, const ArrowSchema* top_schema, int64_t col, int64_t row_start,
                           int64_t row_count, bool built) {
  const ArrowArray* a = column_array(top, col);
  const ArrowSchema* s = top_schema->children[col];
  JaggedView j;
  j.name = s->name != nullptr ? s->name : "";
  j.format = s->format;
  if (!is_jagged_format(s->format)) {
    fail(j.label() + ": not a variable-length column (list<numeric>, large_list<numeric>, binary, large_binary, "
         "utf8 or large_utf8)");
  }
  if (s->dictionary != nullptr || a->dictionary != nullptr) fail(j.label() + ": dictionary-encoded columns are not supported");
  if (row_start < 0 || row_start > top->length) {
    fail(j.label() + ": row start " + std::to_string(row_start) + " outside the batch of " + std::to_string(top->length) + " rows");
  }
  if (row_count <= 0) row_count = top->length - row_start;
  if (row_count > top->length - row_start) {
    fail(j.label() + ": rows [" + std::to_string(row_start) + ", " + std::to_string(row_start + row_count) +
         ") outside the batch of " + std::to_string(top->length) + " rows");
  }
  if (a->length < top->offset + top->length) {
    fail(j.label() + ": child length " + std::to_string(a->length) + " shorter than struct offset+length");
  }
  j.row_start = row_start;
  j.rows = row_count;
  j.large = s->format[0] == '+' ? s->format[1] == 'L' : (s->format[0] == 'Z' || s->format[0] == 'U');
  j.bytes = is_bytes(s->format);
  const int64_t row0 = top->offset + a->offset + row_start;
  const int64_t want_buffers = j.bytes ? 3 : 2;
  if (a->n_buffers != want_buffers) {
    fail(j.label() + ": expected " + std::to_string(want_buffers) + " buffers, got " + std::to_string(a->n_buffers));
  }
  if (a->n_children != (j.bytes ? 0 : 1)) {
    fail(j.label() + ": expected " + std::to_string(j.bytes ? 0 : 1) + " children, got " + std::to_string(a->n_children));
  }
  j.row_validity = static_cast<const uint8_t*>(a->buffers[0]);
  j.row_validity_first = row0;
  if (j.row_validity == nullptr && a->null_count > 0) {
    fail(j.label() + ": null_count " + std::to_string(a->null_count) + " but no validity buffer");
  }
  j.offsets = a->buffers[1];
  j.offsets_first = row0;
  if (j.offsets == nullptr) {
    if (a->length > 0) fail(j.label() + ": offsets buffer is null");
  } else {
    j.begin = j.offset(0);
    j.end = j.offset(j.rows);
    if (built) {
      if (j.begin < 0 || j.end < j.begin) fail(j.label() + ": offsets out of order");
    } else {
      check_offsets(j);
    }
  }
  if (a->null_count != 0 && j.row_validity != nullptr) {
    int64_t first = -1;
    j.null_rows = count_clear_bits(j.row_validity, row0, j.rows, &first);
    if (j.null_rows > 0) j.first_null_row = row_start + first;
  }
  ColumnView& it = j.items;
  it.name = j.name;
  it.format = j.format;
  it.width = 1;
  it.rows = j.end - j.begin;
  if (j.bytes) {
    it.elem = Elem::U8;
    it.values = a->buffers[2];
    it.first = j.begin;
  } else {
    const ArrowArray* ca = a->children[0];
    const ArrowSchema* cs = s->children[0];
    if (is_nested(cs->format)) {
      fail(j.label() + ": list items of type '" + cs->format + "' are nested lists or structs; only one level of "
           "list<numeric> is supported");
    }
    if (!parse_elem(cs->format, &it.elem)) {
      fail(j.label() + ": list item type '" + cs->format + "' is not numeric");
    }
    if (cs->dictionary != nullptr) fail(j.label() + ": dictionary-encoded list items are not supported");
    if (ca->n_buffers != 2 || ca->n_children != 0) fail(j.label() + ": malformed list item array");
    if (j.end > ca->length) {
      fail(j.label() + " row " + std::to_string(row_start + j.rows - 1) + ": offset " + std::to_string(j.end) +
           " beyond the " + std::to_string(ca->length) + " list items");
    }
    it.values = ca->buffers[1];
    it.first = ca->offset + j.begin;
    it.row_validity = static_cast<const uint8_t*>(ca->buffers[0]);
    it.row_validity_first = it.first;
    if (it.row_validity == nullptr && ca->null_count > 0) {
      fail(j.label() + ": list items have null_count " + std::to_string(ca->null_count) + " but no validity buffer");
    }
    if (ca->null_count != 0 && it.row_validity != nullptr) {
      int64_t first = -1;
      j.item_nulls = count_clear_bits(it.row_validity, it.first, it.rows, &first);
      if (j.item_nulls > 0) {
        int64_t r = 0;
        while (r + 1 < j.rows && j.offset(r + 1) - j.begin <= first) ++r;
        j.first_null_item_row = row_start + r;
      }
    }
  }
  if (it.values == nullptr && it.rows > 0) fail(j.label() + ": values buffer is null");
  return j;
}

namespace {
bool null_rows_hold_items(const JaggedView& j);
}  // namespace

const JaggedView& batch_jagged(const lt_batch* b, int64_t col) {
  std::lock_guard<std::mutex> lock(b->jagged_mu);
  if (col < 0 || col >= b->array.n_children) fail("lt_batch: column " + std::to_string(col) + " out of range");
  if (b->jagged.empty()) b->jagged.resize(static_cast<size_t>(b->array.n_children));
  auto& memo = b->jagged[static_cast<size_t>(col)];
  if (!memo) {
    JaggedView j = describe_jagged(&b->array, &b->schema, col, 0, 0, b->varlen_built);
    j.null_rows_empty = b->varlen_built || !null_rows_hold_items(j);
    j.empty_rows_null = j.null_rows > 0;
    for (int64_t r = 0; r < j.rows && j.empty_rows_null; ++r) {
      if (j.offset(r + 1) == j.offset(r) && j.row_valid(r)) j.empty_rows_null = false;
    }
    memo = std::make_shared<const JaggedView>(std::move(j));
  }
  return *memo;
}

void check_jagged_nulls(const JaggedView& j, bool fill) {
  if (fill) return;
  if (j.null_rows > 0) {
    fail(j.label() + " has " + std::to_string(j.null_rows) + " null row(s), the first at row " +
         std::to_string(j.first_null_row) + "; give a fill value (null rows become empty)");
  }
  if (j.item_nulls > 0) {
    fail(j.label() + " has " + std::to_string(j.item_nulls) + " null list item(s), the first in row " +
         std::to_string(j.first_null_item_row) + "; give a fill value");
  }
}

namespace {

int32_t dtype_of(const JaggedView& j, Elem e) {
  const int32_t d = elem_dtype(e);
  if (d < 0) fail(j.label() + ": this libtorch has no " + std::string(elem_name(e)) + " dtype");
  return d;
}

AtenTensorHandle fresh(const JaggedView& j, int64_t n, int32_t dtype, int64_t esize, void** data) {
  check_output_bytes(mul_size(n, esize, "lt_batch_column_jagged"), j.label() + ": copy of " + std::to_string(n) + " items");
  const int64_t sizes[1] = {n};
  AtenTensorHandle h = torch_empty(1, sizes, dtype, data);
  counters().copied.fetch_add(1, std::memory_order_relaxed);
  counters().bytes.fetch_add(n * esize, std::memory_order_relaxed);
  return h;
}

template <typename O>
void write_offsets(const JaggedView& j, bool drop_null_rows, O* out) {
  int64_t pos = 0;
  out[0] = 0;
  for (int64_t r = 0; r < j.rows; ++r) {
    if (!drop_null_rows || j.row_valid(r)) pos += j.offset(r + 1) - j.offset(r);
    out[r + 1] = static_cast<O>(pos);
  }
}

// Rows whose slot is null but not empty (only they force a compacting copy of the values).
bool null_rows_hold_items(const JaggedView& j) {
  if (j.null_rows == 0) return false;
  for (int64_t r = 0; r < j.rows; ++r) {
    if (!j.row_valid(r) && j.offset(r + 1) != j.offset(r)) return true;
  }
  return false;
}

void column_jagged(lt_batch* b, int64_t col, const lt_jagged_options* o, AtenTensorHandle* values_out,
                   AtenTensorHandle* offsets_out) {
  if (values_out == nullptr || offsets_out == nullptr) fail("lt_batch_column_jagged: out is null");
  *values_out = nullptr;
  *offsets_out = nullptr;
  if (b == nullptr) fail("lt_batch_column_jagged: batch is null");
  const bool fill = o != nullptr && o->fill_nulls != 0;
  const JaggedView j = describe_jagged(&b->array, &b->schema, col, o != nullptr ? o->row_start : 0,
                                       o != nullptr ? o->row_count : 0, b->varlen_built);
  check_jagged_nulls(j, fill);
  const ColumnView& it = j.items;
  const int32_t vdtype = dtype_of(j, it.elem);
  const int32_t odtype = dtype_of(j, j.large ? Elem::I64 : Elem::I32);
  const int64_t osize = j.large ? 8 : 4;
  const bool compact = !b->varlen_built && null_rows_hold_items(j);  // a gather's null rows hold no items
  const bool copy_values = compact || it.elem == Elem::Bool || j.item_nulls > 0 || it.rows == 0;
  HandleGuard offsets{nullptr};
  if (!compact && j.begin == 0 && j.offsets != nullptr) {
    const int64_t sizes[1] = {j.rows + 1}, strides[1] = {1};
    offsets.h = make_view(b, static_cast<const char*>(j.offsets) + j.offsets_first * osize, 1, sizes, strides, odtype);
  } else {
    void* p = nullptr;
    offsets.h = fresh(j, j.rows + 1, odtype, osize, &p);
    if (j.large) {
      write_offsets(j, compact, static_cast<int64_t*>(p));
    } else {
      write_offsets(j, compact, static_cast<int32_t*>(p));
    }
  }
  HandleGuard values{nullptr};
  const int64_t esize = it.elem == Elem::Bool ? 1 : elem_size(it.elem);
  if (!copy_values) {
    const int64_t sizes[1] = {it.rows}, strides[1] = {1};
    values.h = make_view(b, static_cast<const char*>(it.values) + it.first * esize, 1, sizes, strides, vdtype);
  } else if (!compact) {
    void* p = nullptr;
    values.h = fresh(j, it.rows, vdtype, esize, &p);
    if (it.rows > 0) copy_column(it, it.elem, p, 0, 1, fill, fill ? o->fill_value : 0.0);
  } else {
    int64_t total = 0;
    for (int64_t r = 0; r < j.rows; ++r) total += j.row_valid(r) ? j.offset(r + 1) - j.offset(r) : 0;
    void* p = nullptr;
    values.h = fresh(j, total, vdtype, esize, &p);
    char* dst = static_cast<char*>(p);
    for (int64_t r = 0; r < j.rows; ++r) {
      const int64_t n = j.offset(r + 1) - j.offset(r);
      if (!j.row_valid(r) || n == 0) continue;
      ColumnView row = it;
      row.rows = n;
      row.first = it.first + (j.offset(r) - j.begin);
      row.row_validity_first = it.row_validity_first + (j.offset(r) - j.begin);
      copy_column(row, it.elem, dst, 0, 1, fill, o->fill_value);
      dst += n * esize;
    }
  }
  *values_out = values.release();
  *offsets_out = offsets.release();
}

}  // namespace
}  // namespace lt

extern "C" {

LT_API int lt_batch_column_jagged(lt_batch* batch, int64_t col, const lt_jagged_options* options,
                                  AtenTensorHandle* values, AtenTensorHandle* offsets) {
  return lt::guarded([&] { lt::column_jagged(batch, col, options, values, offsets); });
}

}  // extern "C"
