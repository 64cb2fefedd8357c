// Variable-length columns in lt_gather (list / large_list of numeric, binary, large_binary, utf8,
// large_utf8): rows are copied from each source batch into chunks the gather owns, remembered per
// destination row, and laid out as offsets + values when an output is finished (its size is known
// only then). The copy calls of one gather may run concurrently for disjoint destination rows: each
// writes only its own rows' entries, and chunks are added under a lock.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "column.hpp"
#include "jagged.hpp"

namespace lt {

// The layout of one variable-length output column (from the first source batch).
struct VarLayout {
  bool bytes = false;     // binary / utf8 (items are bytes); else a list of `item`
  bool large = false;     // 64-bit offsets
  Elem item = Elem::U8;   // list item type (numeric; bool items are not supported)
  int64_t item_size = 1;  // bytes per item
  std::string item_format;
};

// The layout of variable-length column `j` (described from a source batch), or an error naming the
// column when its items are bool (bit-packed: not gathered).
VarLayout var_layout(const JaggedView& j, const char* item_format);

// Where the copied rows of one variable-length column of one output live: per output row, its
// items (in a chunk), their count (-1: a null row) and, when the source had null items, one validity byte per item
// (lists only: binary and utf8 items have no validity, and item_valid stays empty).
struct VarRows {
  std::vector<const char*> data;
  std::vector<const uint8_t*> item_valid;
  std::vector<int64_t> items;
  bool sized = false;
  void resize(int64_t rows, bool list_items);
};

// Bytes a chunk or a finished values buffer holds past its end, so a short row is copied with one
// fixed-size (inlined) copy that may run over into the next row's bytes or this slack.
constexpr int64_t kVarSlack = 32;

// Copies `bytes` bytes from src to dst; a row of at most kVarSlack bytes is copied as 16 or 32 bytes (one
// inlined copy, no call) when `may_over` says both sides have that many readable / writable bytes.
inline void copy_var_bytes(char* dst, const char* src, int64_t bytes, bool may_over) {
  if (may_over && bytes <= 16) {
    std::memcpy(dst, src, 16);
  } else if (may_over && bytes <= kVarSlack) {
    std::memcpy(dst, src, 32);
  } else {
    std::memcpy(dst, src, static_cast<size_t>(bytes));
  }
}

// Memory holding copied rows until the gather is released (owned by the gather; thread-safe add).
class VarChunks {
 public:
  char* add(size_t bytes);

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<char[]>> chunks_;
};

// One row to copy: source row, and the output row's entries.
struct VarMove {
  int64_t src_row;
  VarRows* out;
  int64_t out_row;
};

// Copies the moves' rows of source column `j` into one new chunk and points each output row at
// its copy. A null source row is copied as no items, recorded as -1 items: its validity bit is
// cleared by finish_var (not here: copies run concurrently, and an atomic bit operation per null row
// stalls the copies' loads).
void copy_var_rows(const JaggedView& j, const VarLayout& l, VarChunks& chunks, const VarMove* moves, size_t n);

// The buffers of one finished variable-length column, owned (malloc'ed) until freed.
struct VarBuffers {
  void* offsets = nullptr;
  void* values = nullptr;
  void* item_validity = nullptr;  // null when no item is null
  int64_t n_items = 0;
  int64_t item_nulls = 0;
  VarBuffers() = default;
  VarBuffers(const VarBuffers&) = delete;
  VarBuffers& operator=(const VarBuffers&) = delete;
  VarBuffers(VarBuffers&& o) noexcept;
  VarBuffers& operator=(VarBuffers&& o) noexcept;
  ~VarBuffers();
};

// Sets offset i of an offsets buffer (32- or 64-bit per `large`) to v.
inline void put_offset(void* offsets, bool large, int64_t i, int64_t v) {
  if (large) {
    static_cast<int64_t*>(offsets)[i] = v;
  } else {
    static_cast<int32_t*>(offsets)[i] = static_cast<int32_t>(v);
  }
}

// Buffers for `rows` rows of `total` items in all: offsets (rows + 1, 32- or 64-bit per the layout), values (+
// kVarSlack bytes) and, with `item_validity`, item validity bits all set. A non-large column whose items exceed
// 2^31 - 1 is an error naming `column`.
VarBuffers var_buffers(int64_t rows, int64_t total, const VarLayout& l, bool item_validity, const std::string& column);

// Lays out `rows` rows of `r` as offsets (32- or 64-bit per the layout) + values (+ item validity
// bits), and clears the bit of every null row in the output's row `validity` (rows copied from null
// source rows: -1 items). A non-large column whose items exceed 2^31 - 1 is an error naming `column`.
VarBuffers finish_var(const VarRows& r, int64_t rows, const VarLayout& l, const std::string& column,
                      uint8_t* validity);

}  // namespace lt
