// Variable-length columns in lt_gather: see gather_varlen.hpp.
#include "gather_varlen.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "errors.hpp"

namespace lt {
namespace {

constexpr int64_t kAlign = 64;

void* alloc_aligned(int64_t bytes) {
  const int64_t size = std::max<int64_t>(kAlign, (bytes + kAlign - 1) / kAlign * kAlign);
  void* p = std::aligned_alloc(kAlign, static_cast<size_t>(size));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

VarLayout var_layout(const JaggedView& j, const char* item_format) {
  VarLayout l;
  l.bytes = j.bytes;
  l.large = j.large;
  l.item = j.items.elem;
  if (l.item == Elem::Bool) {
    fail("lt_gather: " + j.label() + ": list<bool> columns are not gathered (bit-packed items)");
  }
  l.item_size = elem_size(l.item);
  if (!l.bytes && item_format != nullptr) l.item_format = item_format;
  return l;
}

void VarRows::resize(int64_t rows, bool list_items) {
  data.assign(static_cast<size_t>(rows), nullptr);
  if (list_items) item_valid.assign(static_cast<size_t>(rows), nullptr);
  items.assign(static_cast<size_t>(rows), 0);
  sized = true;
}

char* VarChunks::add(size_t bytes) {
  std::unique_ptr<char[]> c(new char[std::max<size_t>(bytes, 1)]);
  char* p = c.get();
  std::lock_guard<std::mutex> lock(mu_);
  chunks_.push_back(std::move(c));
  return p;
}

namespace {

// Moves ahead whose source offsets (first pass) and bytes (second pass) copy_var_rows prefetches: the rows are
// random within a source batch, so every row costs a cache miss in its offsets and one in its bytes; asking
// early keeps several in flight.
constexpr size_t kVarPrefetch = 16;

}  // namespace

void copy_var_rows(const JaggedView& j, const VarLayout& l, VarChunks& chunks, const VarMove* moves, size_t n) {
  if (n == 0) return;
  // Item index (in the items' own buffers) of row r's first item: items.first is that of the first row.
  const int64_t base = j.items.first - j.begin;
  const bool item_nulls = j.item_nulls > 0;
  const int64_t es = l.item_size;
  // Pass 1: every row's first item and length (the offsets' misses, prefetched ahead).
  std::unique_ptr<int64_t[]> first(new int64_t[2 * n]);
  int64_t* len = first.get() + n;
  const int64_t osize = j.large ? 8 : 4;
  const char* offsets = static_cast<const char*>(j.offsets) + j.offsets_first * osize;
  int64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i + kVarPrefetch < n) __builtin_prefetch(offsets + moves[i + kVarPrefetch].src_row * osize);
    const int64_t r = moves[i].src_row;
    const int64_t f = j.offset(r);
    // A null row is copied as no items and marked with -1 items (finish_var clears its validity bit).
    const bool valid = j.null_rows == 0 || j.row_valid(r);
    const int64_t k = valid ? j.offset(r + 1) - f : 0;
    first[i] = base + f;
    len[i] = valid ? k : -1;
    total += k;
  }
  // Rows whose bytes end kVarSlack before the source's last item may be read past their end.
  const int64_t src_end = (base + j.end) * es;
  char* chunk = chunks.add(static_cast<size_t>(total * es + kVarSlack + (item_nulls ? total : 0)));
  char* at = chunk;
  uint8_t* valid_at = reinterpret_cast<uint8_t*>(chunk + total * es + kVarSlack);
  const auto* src = static_cast<const char*>(j.items.values);
  // Pass 2: the bytes, prefetched ahead, into the chunk in move order.
  for (size_t i = 0; i < n; ++i) {
    if (i + kVarPrefetch < n) __builtin_prefetch(src + first[i + kVarPrefetch] * es);
    const VarMove& m = moves[i];
    const int64_t n_items = std::max<int64_t>(len[i], 0);
    const int64_t bytes = n_items * es;
    const int64_t from = first[i] * es;
    copy_var_bytes(at, src + from, bytes, from + kVarSlack <= src_end);
    const auto row = static_cast<size_t>(m.out_row);
    m.out->data[row] = at;
    m.out->items[row] = len[i];
    at += bytes;
    if (item_nulls) {
      const int64_t f = first[i];
      for (int64_t k = 0; k < n_items; ++k) valid_at[k] = bit_set(j.items.row_validity, f + k) ? 1 : 0;
      m.out->item_valid[row] = valid_at;
      valid_at += n_items;
    } else if (!m.out->item_valid.empty()) {
      m.out->item_valid[row] = nullptr;
    }
  }
}

VarBuffers::VarBuffers(VarBuffers&& o) noexcept
    : offsets(std::exchange(o.offsets, nullptr)),
      values(std::exchange(o.values, nullptr)),
      item_validity(std::exchange(o.item_validity, nullptr)),
      n_items(o.n_items),
      item_nulls(o.item_nulls) {}

VarBuffers& VarBuffers::operator=(VarBuffers&& o) noexcept {
  if (this != &o) {
    std::free(offsets);
    std::free(values);
    std::free(item_validity);
    offsets = std::exchange(o.offsets, nullptr);
    values = std::exchange(o.values, nullptr);
    item_validity = std::exchange(o.item_validity, nullptr);
    n_items = o.n_items;
    item_nulls = o.item_nulls;
  }
  return *this;
}

VarBuffers::~VarBuffers() {
  std::free(offsets);
  std::free(values);
  std::free(item_validity);
}

VarBuffers var_buffers(int64_t rows, int64_t total, const VarLayout& l, bool item_validity,
                       const std::string& column) {
  if (!l.large && total > INT32_MAX) {
    fail("lt_gather: column '" + column + "': " + std::to_string(total) +
         " items in one output batch overflow 32-bit offsets (use the large type or smaller batches)");
  }
  VarBuffers b;
  b.n_items = total;
  b.offsets = alloc_aligned((rows + 1) * (l.large ? 8 : 4));
  // kVarSlack bytes past the values, so that short rows are copied with one fixed-size copy (see copy_var_bytes).
  b.values = alloc_aligned(total * l.item_size + kVarSlack);
  if (item_validity) {
    b.item_validity = alloc_aligned((total + 7) / 8);
    std::memset(b.item_validity, 0xFF, static_cast<size_t>((total + 7) / 8));
  }
  return b;
}

VarBuffers finish_var(const VarRows& r, int64_t rows, const VarLayout& l, const std::string& column,
                      uint8_t* validity) {
  int64_t total = 0;
  bool any_item_nulls = false;
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t n = r.items[static_cast<size_t>(i)];
    if (n < 0) {
      validity[i >> 3] &= static_cast<uint8_t>(~(1u << (i & 7)));  // a null row (no items)
    } else {
      total += n;
    }
  }
  for (const uint8_t* v : r.item_valid) any_item_nulls = any_item_nulls || v != nullptr;
  VarBuffers b = var_buffers(rows, total, l, any_item_nulls, column);
  auto* out = static_cast<char*>(b.values);
  auto* bits = static_cast<uint8_t*>(b.item_validity);
  const int64_t es = l.item_size;
  int64_t off = 0;
  for (int64_t i = 0; i < rows; ++i) {
    put_offset(b.offsets, l.large, i, off);
    const auto row = static_cast<size_t>(i);
    const int64_t len = std::max<int64_t>(r.items[row], 0);
    // A row's copy in a chunk is followed by kVarSlack readable bytes (the chunk's slack at worst).
    if (len > 0) copy_var_bytes(out + off * es, r.data[row], len * es, true);
    if (any_item_nulls && r.item_valid[row] != nullptr) {
      for (int64_t k = 0; k < len; ++k) {
        if (r.item_valid[row][k] == 0) {
          bits[(off + k) >> 3] &= static_cast<uint8_t>(~(1u << ((off + k) & 7)));
          ++b.item_nulls;
        }
      }
    }
    off += len;
  }
  put_offset(b.offsets, l.large, rows, off);
  return b;
}

}  // namespace lt
