// Variable-length columns (list / large_list of numeric or bool, binary,
// large_binary, utf8, large_utf8): where the offsets, validity and child values
// of a range of rows live, after applying the struct, array and child offsets.
#pragma once

#include <cstdint>
#include <string>

#include "column.hpp"
#include "lance_torch.h"

namespace lt {

struct JaggedView {
  std::string name;
  std::string format;
  bool bytes = false;          // binary / utf8: items are the data bytes (uint8)
  bool large = false;          // 64-bit offsets (large_list, large_binary, large_utf8)
  int64_t row_start = 0;       // first viewed row, relative to the batch (for messages)
  int64_t rows = 0;            // viewed rows
  const void* offsets = nullptr;  // offsets buffer base
  int64_t offsets_first = 0;   // index of the first viewed row in the offsets buffer
  const uint8_t* row_validity = nullptr;
  int64_t row_validity_first = 0;
  int64_t null_rows = 0;       // null rows in the viewed range
  int64_t first_null_row = -1; // batch row of the first of them
  int64_t begin = 0, end = 0;  // offsets[first row] and offsets[one past the last row]
  // The child items [begin, end) as a flat column (rows = end - begin, width 1, first at item begin),
  // with the child's validity; item_nulls counts nulls among them.
  ColumnView items;
  int64_t item_nulls = 0;
  int64_t first_null_item_row = -1;  // batch row holding the first null item
  // Every null row has no items (set by batch_jagged only; false elsewhere): a row with items is then valid
  // without reading its validity bit.
  bool null_rows_empty = false;
  // Every row without items is null (set by batch_jagged only): such a row is then null without that read.
  bool empty_rows_null = false;

  // offsets[first row + r], 0 <= r <= rows (validated).
  int64_t offset(int64_t r) const {
    return large ? static_cast<const int64_t*>(offsets)[offsets_first + r]
                 : static_cast<const int32_t*>(offsets)[offsets_first + r];
  }
  bool row_valid(int64_t r) const {
    return row_validity == nullptr || bit_set(row_validity, row_validity_first + r);
  }
  std::string label() const { return "column '" + name + "' (format '" + format + "')"; }
};

// Whether an Arrow format is one describe_jagged accepts as variable-length.
bool is_jagged_format(const char* format);

// Resolves rows [row_start, row_start + row_count) of column `col` (row_count <= 0: to the end); validates
// offsets (monotonic, within the child) and throws lt::Error naming the column (and row) when the column is not
// a supported variable-length column or is malformed. `built`: the batch's lt_batch::varlen_built (its offsets
// ascend by construction: the per-row monotonic check is skipped, the bounds are still checked).
JaggedView describe_jagged(const ArrowArray* top, const ArrowSchema* top_schema, int64_t col, int64_t row_start,
                           int64_t row_count, bool built = false);

// describe_jagged of every row of column `col` of batch `b`, made once per batch and column and kept with the
// batch (a batch is immutable): the validation is paid once, not per gather call. Valid while `b` lives.
const JaggedView& batch_jagged(const lt_batch* b, int64_t col);

// Null rows / null items without fill are an error naming the column, the count and the first row.
void check_jagged_nulls(const JaggedView& j, bool fill);

}  // namespace lt
