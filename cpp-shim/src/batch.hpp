// The imported batch: owns the moved Arrow structs and a reference count shared
// by the caller's handle and every zero-copy tensor's storage deleter.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "adopted.hpp"
#include "column.hpp"
#include "lance_torch.h"

namespace lt {
struct JaggedView;
}

struct lt_batch {
  lt::Adopted<ArrowArray> array;
  lt::Adopted<ArrowSchema> schema;
  std::atomic<int64_t> refs{1};
  std::vector<std::string> names;
  int64_t bytes = 0;  // estimate of the Arrow memory it keeps alive (counted in Counters::live_bytes)
  // Whole-batch views of its variable-length columns, described (offsets validated, nulls counted) on first use
  // and kept: a gather reads a cached batch many times, a few rows at a time (lt::batch_jagged).
  mutable std::mutex jagged_mu;
  mutable std::vector<std::shared_ptr<const lt::JaggedView>> jagged;
  // Made by lt_gather_finish: its variable-length columns were laid out by the gather, so their offsets ascend
  // within the buffers and a null row holds no items, by construction (describing them skips those checks).
  bool varlen_built = false;
  // Per column, bytes between rows of a row-packed column (lt_batch_pack_column), 0 for a contiguous one; empty when
  // no column is packed. Set before the batch is shared, read-only afterwards.
  std::vector<int64_t> row_stride;
  // Per column, the row slots of a binary / utf8 column (lt_batch_slot_column): slot r at slots + r * slot_stride,
  // null where none; empty when no column has them. Set before the batch is shared, read-only afterwards.
  std::vector<const char*> slots;
  std::vector<int64_t> slot_stride;

  ~lt_batch() {
    array.reset();  // the array first, then its schema
    schema.reset();
  }
};

namespace lt {

struct Counters {
  std::atomic<int64_t> imported{0}, released{0}, created{0}, freed{0}, copied{0}, bytes{0};
  std::atomic<int64_t> live_bytes{0};  // sum of lt_batch::bytes of the batches not yet released
};
Counters& counters();

void batch_ref(lt_batch* b);
// Drops one reference; the last one releases the Arrow structs and frees b.
void batch_unref(lt_batch* b) noexcept;

// lt_batch_import for the shim's own callers (the stream, the gather, lt_batch_import_with_schema): adopts both
// structs (released on every failure, else by the batch's last reference), validates them and sets *out to a new
// batch holding one reference. Throws lt::Error naming what is wrong ("lt_batch_import: ...").
void import_batch(ArrowArray* array, ArrowSchema* schema, lt_batch** out);

// Column `col` of b (describe_column), with its row stride when b's rows are packed: what a gather reads.
ColumnView batch_column(const lt_batch* b, int64_t col);

// The row slots of column `col` of b (lt_batch_slot_column) and their stride, or {nullptr, 0}.
inline std::pair<const char*, int64_t> batch_slots(const lt_batch* b, int64_t col) {
  if (b->slots.empty() || b->slots[static_cast<size_t>(col)] == nullptr) return {nullptr, 0};
  return {b->slots[static_cast<size_t>(col)], b->slot_stride[static_cast<size_t>(col)]};
}

// A slot: bytes [0, 4) the row's length in bytes (uint32, little-endian; kNullSlot for a null row), then its bytes
// in [4, 16) when it has at most kSlotInline, else bytes [8, 16) its start in the column's data buffer (uint64: the
// row's offset as the offsets buffer holds it).
constexpr int64_t kSlotBytes = 16;
constexpr int64_t kSlotInline = 12;
constexpr uint32_t kNullSlot = 0xFFFFFFFFu;

// Fails, naming fn, when some column of b is row-packed: views that read a column's values as one contiguous run
// (tensors over the batch, lt_batch_export_array) would read other columns' bytes.
void require_unpacked(const lt_batch* b, const char* fn);

}  // namespace lt
