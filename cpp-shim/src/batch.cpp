#include "batch.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

#include "column.hpp"
#include "errors.hpp"
#include "jagged.hpp"

namespace lt {

Counters& counters() {
  static Counters c;
  return c;
}

void batch_ref(lt_batch* b) { b->refs.fetch_add(1, std::memory_order_relaxed); }

void batch_unref(lt_batch* b) noexcept {
  if (b->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  b->array.reset();  // released before the counters say so (a reader of the counters may then check the producer)
  b->schema.reset();
  counters().released.fetch_add(1, std::memory_order_relaxed);
  counters().live_bytes.fetch_sub(b->bytes, std::memory_order_relaxed);
  delete b;
}

}  // namespace lt

namespace {

// Bytes an (already validated) array keeps alive, estimated from lengths and formats alone (buffer contents are never
// read): validity bitmaps, fixed-width values, offsets of variable-width arrays, and children. Data buffers of
// variable-width arrays are not counted (their size is only in the offsets).
int64_t estimate_bytes(const ArrowArray* a, const ArrowSchema* s, int depth) {
  if (depth > 64) return 0;
  const int64_t n = a->offset + a->length;
  int64_t bytes = (a->n_buffers > 0 && a->buffers[0] != nullptr) ? (n + 7) / 8 : 0;
  lt::Elem e;
  if (lt::parse_elem(s->format, &e)) {
    bytes += e == lt::Elem::Bool ? (n + 7) / 8 : n * lt::elem_size(e);
  } else if (s->format[0] != '\0' && s->format[1] == '\0') {
    switch (s->format[0]) {
      case 'u': case 'z': bytes += (n + 1) * 4; break;
      case 'U': case 'Z': bytes += (n + 1) * 8; break;
      default: break;
    }
  }
  for (int64_t i = 0; i < a->n_children; ++i) bytes += estimate_bytes(a->children[i], s->children[i], depth + 1);
  return bytes;
}

// The struct's own nulls in [offset, offset + length): the bitmap decides when
// null_count is -1 ("not computed"), as the C Data Interface allows.
int64_t struct_nulls(const ArrowArray& a) {
  if (a.null_count == 0 || a.n_buffers < 1 || a.buffers[0] == nullptr) return a.null_count > 0 ? a.null_count : 0;
  const uint8_t* bits = static_cast<const uint8_t*>(a.buffers[0]);
  int64_t nulls = 0;
  for (int64_t i = a.offset; i < a.offset + a.length; ++i) nulls += lt::bit_set(bits, i) ? 0 : 1;
  return nulls;
}


// lt_batch_export_array: a shallow ArrowArray over the batch holding one reference.
struct ExportHolder {
  lt_batch* batch;
};

void release_export(ArrowArray* a) {
  auto* h = static_cast<ExportHolder*>(a->private_data);
  lt::batch_unref(h->batch);
  delete h;
  a->release = nullptr;
}

void export_array(lt_batch* b, ArrowArray* out) {
  if (out == nullptr) lt::fail("lt_batch_export_array: out is null");
  if (b == nullptr) lt::fail("lt_batch_export_array: batch is null");
  lt::require_unpacked(b, "lt_batch_export_array");
  auto* h = new ExportHolder{b};
  lt::batch_ref(b);
  std::memcpy(out, &b->array, sizeof(ArrowArray));
  out->private_data = h;
  out->release = &release_export;
}

// Payload bytes of the viewed rows: values (and list items) plus validity bitmaps.
int64_t batch_buffer_bytes(const lt_batch* b) {
  int64_t total = 0;
  for (int64_t i = 0; i < b->array.n_children; ++i) {
    if (lt::is_jagged_format(b->schema.children[i]->format)) {
      const lt::JaggedView j = lt::describe_jagged(&b->array, &b->schema, i, 0, 0);
      const int64_t es = j.bytes ? 1 : lt::elem_size(j.items.elem);
      total += (j.end - j.begin) * es + (j.rows + 1) * (j.large ? 8 : 4);
      if (j.row_validity != nullptr) total += (j.rows + 7) / 8;
      if (j.items.row_validity != nullptr) total += (j.end - j.begin + 7) / 8;
      continue;
    }
    const lt::ColumnView v = lt::describe_column(&b->array, &b->schema, i);
    total += v.elem == lt::Elem::Bool ? (v.rows * v.width + 7) / 8 : v.rows * v.width * lt::elem_size(v.elem);
    if (v.row_validity != nullptr) total += (v.rows + 7) / 8;
    if (v.item_validity != nullptr) total += (v.rows * v.width + 7) / 8;
  }
  return total;
}

}  // namespace

namespace lt {

ColumnView batch_column(const lt_batch* b, int64_t col) {
  ColumnView v = describe_column(&b->array, &b->schema, col);
  if (!b->row_stride.empty() && b->row_stride[static_cast<size_t>(col)] != 0) {
    v.stride = b->row_stride[static_cast<size_t>(col)];
  }
  return v;
}

void require_unpacked(const lt_batch* b, const char* fn) {
  if (!b->row_stride.empty()) {
    fail(std::string(fn) + ": the batch's rows are packed (a disk-cache block): only gathers read it");
  }
}

void pack_column(lt_batch* b, int64_t col, int64_t stride) {
  if (b == nullptr) fail("lt_batch_pack_column: batch is null");
  if (col < 0 || col >= b->array.n_children) fail("lt_batch_pack_column: column index out of range");
  if (lt::is_jagged_format(b->schema.children[col]->format)) {
    fail("lt_batch_pack_column: column '" + b->names[static_cast<size_t>(col)] + "' is not fixed-width");
  }
  const ColumnView v = describe_column(&b->array, &b->schema, col);
  if (v.elem == Elem::Bool) fail("lt_batch_pack_column: column '" + v.name + "' is bool (bit-packed)");
  if (v.first != 0) fail("lt_batch_pack_column: column '" + v.name + "' does not start at offset 0");
  if (stride < v.stride || stride > (INT64_MAX >> 2) / std::max<int64_t>(b->array.length, 1)) {
    fail("lt_batch_pack_column: stride " + std::to_string(stride) + " for column '" + v.name + "' of " +
         std::to_string(v.stride) + " bytes a row");
  }
  if (b->row_stride.empty()) b->row_stride.assign(static_cast<size_t>(b->array.n_children), 0);
  b->row_stride[static_cast<size_t>(col)] = stride;
}

void slot_column(lt_batch* b, int64_t col, const void* slots, int64_t stride) {
  if (b == nullptr) fail("lt_batch_slot_column: batch is null");
  if (col < 0 || col >= b->array.n_children) fail("lt_batch_slot_column: column index out of range");
  const std::string& name = b->names[static_cast<size_t>(col)];
  if (!lt::is_jagged_format(b->schema.children[col]->format) || !batch_jagged(b, col).bytes) {
    fail("lt_batch_slot_column: column '" + name + "' is not binary or utf8");
  }
  if (batch_jagged(b, col).offsets_first != 0) fail("lt_batch_slot_column: column '" + name + "' is sliced");
  if (stride < kSlotBytes || stride > (INT64_MAX >> 2) / std::max<int64_t>(b->array.length, 1)) {
    fail("lt_batch_slot_column: stride " + std::to_string(stride) + " for column '" + name + "'");
  }
  if (slots == nullptr && b->array.length > 0) fail("lt_batch_slot_column: slots are null");
  if (b->slots.empty()) {
    b->slots.assign(static_cast<size_t>(b->array.n_children), nullptr);
    b->slot_stride.assign(static_cast<size_t>(b->array.n_children), 0);
  }
  b->slots[static_cast<size_t>(col)] = static_cast<const char*>(slots);
  b->slot_stride[static_cast<size_t>(col)] = stride;
}

void import_batch(ArrowArray* array, ArrowSchema* schema, lt_batch** out) {
  // Owned from here on, so every failure releases the structs exactly once (a failed import is not counted in the
  // stats: the batch is deleted directly).
  Adopted<ArrowArray> adopted_array(array);
  Adopted<ArrowSchema> adopted_schema(schema);
  if (out == nullptr) fail("lt_batch_import: out is null");
  *out = nullptr;
  if (array == nullptr || schema == nullptr) fail("lt_batch_import: array or schema is null");
  if (!adopted_array.live() || !adopted_schema.live()) {
    fail("lt_batch_import: array or schema is already released");
  }
  auto b = std::make_unique<lt_batch>();
  b->array = std::move(adopted_array);
  b->schema = std::move(adopted_schema);
  validate_tree(&b->array, &b->schema, "batch", 0);
  if (std::strcmp(b->schema.format, "+s") != 0) {
    fail(std::string("lt_batch_import: expected a struct ('+s') record batch, got format '") + b->schema.format +
         "'");
  }
  const int64_t nulls = struct_nulls(b->array);
  if (nulls > 0) fail("lt_batch_import: top-level struct has " + std::to_string(nulls) + " null rows");
  for (int64_t i = 0; i < b->array.n_children; ++i) {
    const char* n = b->schema.children[i]->name;
    b->names.emplace_back(n != nullptr ? n : "");
  }
  b->bytes = estimate_bytes(&b->array, &b->schema, 0);
  *out = b.release();
  counters().imported.fetch_add(1, std::memory_order_relaxed);
  counters().live_bytes.fetch_add((*out)->bytes, std::memory_order_relaxed);
}

}  // namespace lt

extern "C" {

LT_API int lt_batch_import(struct ArrowArray* array, struct ArrowSchema* schema, lt_batch** out) {
  return lt::guarded([&] { lt::import_batch(array, schema, out); });
}

LT_API void lt_batch_release(lt_batch* batch) {
  if (batch != nullptr) lt::batch_unref(batch);
}

LT_API int64_t lt_batch_num_rows(const lt_batch* b) {
  if (b == nullptr) {
    lt::set_error("lt_batch_num_rows: batch is null");
    return -1;
  }
  return b->array.length;
}

LT_API int64_t lt_batch_num_columns(const lt_batch* b) {
  if (b == nullptr) {
    lt::set_error("lt_batch_num_columns: batch is null");
    return -1;
  }
  return static_cast<int64_t>(b->names.size());
}

LT_API const char* lt_batch_column_name(const lt_batch* b, int64_t col) {
  if (b == nullptr || col < 0 || col >= static_cast<int64_t>(b->names.size())) {
    lt::set_error("lt_batch_column_name: null batch or column index out of range");
    return nullptr;
  }
  return b->names[col].c_str();
}

LT_API const char* lt_batch_column_format(const lt_batch* b, int64_t col) {
  if (b == nullptr || col < 0 || col >= static_cast<int64_t>(b->names.size())) {
    lt::set_error("lt_batch_column_format: null batch or column index out of range");
    return nullptr;
  }
  return b->schema.children[col]->format;
}

LT_API int64_t lt_batch_column_index(const lt_batch* b, const char* name) {
  if (b == nullptr || name == nullptr) return -1;
  for (size_t i = 0; i < b->names.size(); ++i) {
    if (b->names[i] == name) return static_cast<int64_t>(i);
  }
  return -1;
}

LT_API void lt_stats(lt_stats_t* out) {
  if (out == nullptr) return;
  lt::Counters& c = lt::counters();
  out->batches_imported = c.imported.load();
  out->batches_released = c.released.load();
  out->tensors_created = c.created.load();
  out->tensors_freed = c.freed.load();
  out->tensors_copied = c.copied.load();
  out->bytes_copied = c.bytes.load();
  out->bytes_live = c.live_bytes.load();
}


LT_API int lt_batch_pack_column(lt_batch* batch, int64_t col, int64_t stride) {
  return lt::guarded([&] { lt::pack_column(batch, col, stride); });
}

LT_API int lt_batch_slot_column(lt_batch* batch, int64_t col, const void* slots, int64_t stride) {
  return lt::guarded([&] { lt::slot_column(batch, col, slots, stride); });
}

LT_API int lt_batch_export_array(lt_batch* batch, struct ArrowArray* out) {
  return lt::guarded([&] { export_array(batch, out); });
}

LT_API int64_t lt_batch_buffer_bytes(const lt_batch* batch) {
  int64_t n = -1;
  const int rc = lt::guarded([&] {
    if (batch == nullptr) lt::fail("lt_batch_buffer_bytes: batch is null");
    n = batch_buffer_bytes(batch);
  });
  return rc == LT_OK ? n : -1;
}

}  // extern "C"
