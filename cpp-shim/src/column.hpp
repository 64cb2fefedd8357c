// What the shim knows about one column of an imported batch: its element type,
// list width, and where its values and validity bits live (after applying the
// struct, list and child offsets of the Arrow C Data Interface).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "lance_torch.h"

namespace lt {

enum class Elem { I8, U8, I16, U16, I32, U32, I64, U64, F16, F32, F64, Bool };

// Bytes per element; 0 for bit-packed bool.
int64_t elem_size(Elem e);
const char* elem_name(Elem e);
bool elem_is_float(Elem e);
// torch ScalarType code for e, -1 if this libtorch lacks it (resolves torch).
int32_t elem_dtype(Elem e);
// Inverse of elem_dtype; false when the code is not one we produce.
bool dtype_elem(int32_t dtype, Elem* out);

struct ColumnView {
  std::string name;
  std::string format;
  Elem elem = Elem::I8;
  bool fixed_list = false;
  int64_t width = 1;           // D for FixedSizeList<.., D>, 1 otherwise
  int64_t rows = 0;            // R
  const void* values = nullptr;  // values buffer base
  int64_t first = 0;           // element (bit for bool) index of row 0 / item 0 in values
  const uint8_t* row_validity = nullptr;   // bitmap of the column (or list) array, may be null
  int64_t row_validity_first = 0;
  const uint8_t* item_validity = nullptr;  // bitmap of the list child, may be null
  int64_t item_validity_first = 0;
  int64_t null_rows = 0;       // nulls in the column array
  int64_t null_items = 0;      // nulls in the list child within the viewed range
  // Bytes from one row's values to the next row's (not bool): width * element size, or more for a column of a
  // batch whose rows are packed (lt_batch_pack_column; see lt::batch_column).
  int64_t stride = 0;
};

// Parses an Arrow format string into an element type; false if not numeric/bool.
bool parse_elem(const char* format, Elem* out);

// Validates the generic C Data Interface invariants of a (schema, array) pair
// recursively (pointers, counts, lengths, offsets); throws lt::Error naming where.
void validate_tree(const ArrowArray* a, const ArrowSchema* s, const std::string& where, int depth);

// The array of column `col` of the top-level struct; throws lt::Error unless `col` indexes one.
const ArrowArray* column_array(const ArrowArray* top, int64_t col);

// Resolves column `col` of the top-level struct (validated by validate_tree);
// throws lt::Error naming the column and its format when it is not a numeric,
// bool or FixedSizeList<numeric|bool> column.
ColumnView describe_column(const ArrowArray* top, const ArrowSchema* top_schema, int64_t col);

inline bool bit_set(const uint8_t* bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

// Clear bits (nulls of a validity bitmap) among bits [first, first + n); when first_clear is given and there is one,
// *first_clear = the index (from first) of the first. 64 bits at a time (popcount, and the lowest clear bit of the
// first word that has one), bit by bit only up to a byte boundary and at the end: a branch per bit is mispredicted
// at every null row.
inline int64_t count_clear_bits(const uint8_t* bits, int64_t first, int64_t n, int64_t* first_clear = nullptr) {
  int64_t clear = 0;
  int64_t i = 0;
  const auto one = [&](int64_t k) {
    if (!bit_set(bits, first + k) && clear++ == 0 && first_clear != nullptr) *first_clear = k;
  };
  for (; i < n && ((first + i) & 7) != 0; ++i) one(i);
  for (; i + 64 <= n; i += 64) {
    uint64_t w;
    std::memcpy(&w, bits + ((first + i) >> 3), 8);
    w = ~w;  // set bits: the clear ones (Arrow bitmaps are little-endian: bit k of the word is bit first + i + k)
    if (w != 0) {
      if (clear == 0 && first_clear != nullptr) *first_clear = i + __builtin_ctzll(w);
      clear += __builtin_popcountll(w);
    }
  }
  for (; i < n; ++i) one(i);
  return clear;
}

}  // namespace lt
