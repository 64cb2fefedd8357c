// lt_batch_column_tensor and lt_batch_stack_columns: zero-copy views via
// torch_from_blob (each holding one batch reference) or one copy via
// aoti_torch_empty_strided.
#include <memory>
#include <string>
#include <vector>

#include "batch.hpp"
#include "column.hpp"
#include "copy_kernels.hpp"
#include "errors.hpp"
#include "sizes.hpp"
#include "torch_api.hpp"
#include "views.hpp"

namespace lt {

static thread_local int64_t tl_deleter_runs = 0;

// Storage deleter of every zero-copy tensor: runs once, on the thread that frees the storage.
static void storage_deleter(void* /*data*/, void* ctx) noexcept {
  ++tl_deleter_runs;
  counters().freed.fetch_add(1, std::memory_order_relaxed);
  batch_unref(static_cast<lt_batch*>(ctx));
}

AtenTensorHandle make_view(lt_batch* b, const void* data, int64_t ndim, const int64_t* sizes, const int64_t* strides,
                           int32_t dtype) {
  const TorchApi& t = torch_api();
  batch_ref(b);
  counters().created.fetch_add(1, std::memory_order_relaxed);
  const int64_t before = tl_deleter_runs;
  AtenTensorHandle h = nullptr;
  const int rc = t.from_blob(const_cast<void*>(data), ndim, sizes, strides, 0, dtype, t.device_cpu, -1, &h,
                             t.layout_strided, nullptr, 0, &storage_deleter, b);
  if (rc != 0 || h == nullptr) {
    // If libtorch already ran the deleter while failing, the reference is gone.
    if (tl_deleter_runs == before) {
      counters().freed.fetch_add(1, std::memory_order_relaxed);
      batch_unref(b);
    }
    if (h != nullptr) t.delete_tensor(h);
    throw Error(LT_ERR_TORCH, "libtorch torch_from_blob failed: " + torch_error_text());
  }
  return h;
}

namespace {

std::string label(const ColumnView& c) { return "column '" + c.name + "' (format '" + c.format + "')"; }

// fills[i]: the value written for the nulls of cols[i] (read only where use_validity and the column has nulls).
AtenTensorHandle make_copy(const std::vector<ColumnView>& cols, Elem dst, int64_t ndim, const int64_t* sizes,
                           int64_t ks, int64_t rs, int64_t col_step, bool use_validity,
                           const std::vector<double>& fills) {
  const int64_t esize = dst == Elem::Bool ? 1 : elem_size(dst);
  int64_t bytes = esize;
  for (int64_t d = 0; d < ndim; ++d) bytes = mul_size(bytes, sizes[d], "tensor copy");
  check_output_bytes(bytes, (cols.size() == 1 ? "" : std::to_string(cols.size()) + " columns from ") +
                                label(cols[0]) + ": copy as " + elem_name(dst));
  void* data = nullptr;
  HandleGuard g{torch_empty(ndim, sizes, elem_dtype(dst), &data)};
  int64_t items = 0;
  char* p = static_cast<char*>(data);
  for (size_t i = 0; i < cols.size(); ++i) {
    const ColumnView& c = cols[i];
    copy_column(c, dst, p, ks, rs, use_validity, fills[i]);
    p += c.width * col_step * esize;
    items += c.rows * c.width;
  }
  counters().copied.fetch_add(1, std::memory_order_relaxed);
  counters().bytes.fetch_add(items * esize, std::memory_order_relaxed);
  return g.release();
}

int32_t require_dtype(const ColumnView& c, Elem e) {
  const int32_t d = elem_dtype(e);
  if (d < 0) fail(label(c) + ": this libtorch has no " + elem_name(e) + " dtype");
  return d;
}

lt_batch* check_batch(lt_batch* b, AtenTensorHandle* out, const char* fn) {
  if (out == nullptr) fail(std::string(fn) + ": out is null");
  *out = nullptr;
  if (b == nullptr) fail(std::string(fn) + ": batch is null");
  return b;
}

void column_tensor(lt_batch* b, int64_t col, const lt_column_options* o, AtenTensorHandle* out) {
  check_batch(b, out, "lt_batch_column_tensor");
  require_unpacked(b, "lt_batch_column_tensor");
  const ColumnView c = describe_column(&b->array, &b->schema, col);
  const bool cm = o != nullptr && o->column_major != 0;
  const bool fill = o != nullptr && o->fill_nulls != 0;
  const int32_t dtype = require_dtype(c, c.elem);
  const int64_t nulls = c.null_rows + c.null_items;
  if (nulls > 0 && !fill) {
    fail(label(c) + " has " + std::to_string(nulls) + " null value(s) (" + std::to_string(c.null_rows) +
         " null rows, " + std::to_string(c.null_items) + " null list items); give a fill value");
  }
  const int64_t R = c.rows, D = c.width;
  int64_t sizes[2], strides[2], ndim = 2, ks = 0, rs = 1;
  if (c.fixed_list && cm) {
    sizes[0] = D; sizes[1] = R; strides[0] = 1; strides[1] = D; ks = R; rs = 1;
  } else if (c.fixed_list) {
    sizes[0] = R; sizes[1] = D; strides[0] = D; strides[1] = 1; ks = 1; rs = D;
  } else if (cm) {
    sizes[0] = 1; sizes[1] = R; strides[0] = R > 0 ? R : 1; strides[1] = 1;
  } else {
    ndim = 1; sizes[0] = R; strides[0] = 1;
  }
  if (c.elem == Elem::Bool || nulls > 0 || R * D == 0) {
    // For the copy, the (r, k) -> offset mapping of a contiguous tensor of this shape.
    *out = make_copy({c}, c.elem, ndim, sizes, ks, rs, 0, nulls > 0, {fill ? o->fill_value : 0.0});
    return;
  }
  const char* data = static_cast<const char*>(c.values) + c.first * elem_size(c.elem);
  *out = make_view(b, data, ndim, sizes, strides, dtype);
}

Elem promote(const std::vector<ColumnView>& cols) {
  bool same = true, any_float = false, any_non_float = false;
  Elem widest_float = Elem::F16;
  for (const ColumnView& c : cols) {
    same = same && c.elem == cols[0].elem;
    if (elem_is_float(c.elem)) {
      any_float = true;
      if (elem_size(c.elem) > elem_size(widest_float)) widest_float = c.elem;
    } else {
      any_non_float = true;
    }
  }
  if (same) return cols[0].elem;
  if (any_float) return (any_non_float && widest_float == Elem::F16) ? Elem::F32 : widest_float;
  return Elem::I64;
}

void stack_columns(lt_batch* b, const int64_t* idx, int64_t n, int32_t dtype, const int32_t* fill_nulls,
                   const double* fill_values, AtenTensorHandle* out) {
  check_batch(b, out, "lt_batch_stack_columns");
  require_unpacked(b, "lt_batch_stack_columns");
  if (idx == nullptr || n <= 0) fail("lt_batch_stack_columns: need at least one column");
  if (n > b->array.n_children * 64 + 64) fail("lt_batch_stack_columns: too many columns");
  if (fill_nulls != nullptr && fill_values == nullptr) fail("lt_batch_stack_columns_filled: fill values are null");
  std::vector<ColumnView> cols;
  std::vector<double> fills(static_cast<size_t>(n), 0.0);
  cols.reserve(static_cast<size_t>(n));
  int64_t C = 0;
  bool any_nulls = false;
  for (int64_t i = 0; i < n; ++i) {
    cols.push_back(describe_column(&b->array, &b->schema, idx[i]));
    const ColumnView& c = cols.back();
    const int64_t nulls = c.null_rows + c.null_items;
    const bool fill = fill_nulls != nullptr && fill_nulls[i] != 0;
    if (nulls > 0 && !fill) {
      fail(label(c) + " has " + std::to_string(nulls) + " null value(s) (" + std::to_string(c.null_rows) +
           " null rows, " + std::to_string(c.null_items) + " null list items); give a fill value");
    }
    if (fill) fills[static_cast<size_t>(i)] = fill_values[i];
    any_nulls = any_nulls || nulls > 0;
    C += c.width;
  }
  Elem target;
  if (dtype == -1) {
    target = promote(cols);
  } else if (!dtype_elem(dtype, &target)) {
    fail("lt_batch_stack_columns: unsupported torch dtype code " + std::to_string(dtype));
  }
  const int32_t tcode = require_dtype(cols[0], target);
  const int64_t R = b->array.length;
  const ColumnView& c0 = cols[0];
  if (n == 1 && !any_nulls && c0.elem == target && c0.elem != Elem::Bool && R > 0) {
    const int64_t sizes[2] = {c0.width, R};
    const int64_t strides[2] = {c0.fixed_list ? 1 : R, c0.fixed_list ? c0.width : 1};
    const char* data = static_cast<const char*>(c0.values) + c0.first * elem_size(c0.elem);
    *out = make_view(b, data, 2, sizes, strides, tcode);
    return;
  }
  const int64_t sizes[2] = {C, R};
  // Plain columns of the target type that lie back to back in memory (as a read planner's gathered batch lays
  // them out) already are the (C, R) tensor: a view, no copy.
  bool adjacent = R > 0 && !any_nulls && target != Elem::Bool;
  const int64_t es = adjacent ? elem_size(target) : 0;
  const char* base = static_cast<const char*>(c0.values) + c0.first * es;
  for (int64_t i = 0; adjacent && i < n; ++i) {
    const ColumnView& c = cols[static_cast<size_t>(i)];
    adjacent = c.elem == target && !c.fixed_list && c.values != nullptr &&
               static_cast<const char*>(c.values) + c.first * es == base + i * R * es;
  }
  if (adjacent) {
    const int64_t strides[2] = {R, 1};
    *out = make_view(b, base, 2, sizes, strides, tcode);
    return;
  }
  *out = make_copy(cols, target, 2, sizes, R, 1, R, any_nulls, fills);
}

}  // namespace
}  // namespace lt

extern "C" {

LT_API int lt_tensor_delete(AtenTensorHandle tensor) {
  return lt::guarded([&] {
    if (tensor == nullptr) lt::fail("lt_tensor_delete: tensor is null");
    if (lt::torch_api().delete_tensor(tensor) != 0) {
      throw lt::Error(LT_ERR_TORCH, "libtorch delete_tensor_object failed: " + lt::torch_error_text());
    }
  });
}

LT_API int lt_batch_column_tensor(lt_batch* batch, int64_t col, const lt_column_options* options,
                                  AtenTensorHandle* out) {
  return lt::guarded([&] { lt::column_tensor(batch, col, options, out); });
}

LT_API int lt_batch_stack_columns(lt_batch* batch, const int64_t* cols, int64_t n_cols, int32_t dtype,
                                  AtenTensorHandle* out) {
  return lt::guarded([&] { lt::stack_columns(batch, cols, n_cols, dtype, nullptr, nullptr, out); });
}

LT_API int lt_batch_stack_columns_filled(lt_batch* batch, const int64_t* cols, int64_t n_cols, int32_t dtype,
                                         const int32_t* fill_nulls, const double* fill_values, AtenTensorHandle* out) {
  return lt::guarded([&] { lt::stack_columns(batch, cols, n_cols, dtype, fill_nulls, fill_values, out); });
}

}  // extern "C"
