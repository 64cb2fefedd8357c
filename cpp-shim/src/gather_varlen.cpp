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

void VarRows::resize(int64_t rows) {
  data.assign(static_cast<size_t>(rows), nullptr);
  item_valid.assign(static_cast<size_t>(rows), nullptr);
  items.assign(static_cast<size_t>(rows), 0);
}

char* VarChunks::add(size_t bytes) {
  std::unique_ptr<char[]> c(new char[std::max<size_t>(bytes, 1)]);
  char* p = c.get();
  std::lock_guard<std::mutex> lock(mu_);
  chunks_.push_back(std::move(c));
  return p;
}

void copy_var_rows(const JaggedView& j, const VarLayout& l, VarChunks& chunks, const VarMove* moves, size_t n) {
  if (n == 0) return;
  // Item index (in the items' own buffers) of row r's first item: items.first is that of the first row.
  const int64_t base = j.items.first - j.begin;
  const bool item_nulls = j.item_nulls > 0;
  int64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t r = moves[i].src_row;
    if (j.row_valid(r)) total += j.offset(r + 1) - j.offset(r);
  }
  const int64_t es = l.item_size;
  char* chunk = chunks.add(static_cast<size_t>(total * es + (item_nulls ? total : 0)));
  char* at = chunk;
  uint8_t* valid_at = reinterpret_cast<uint8_t*>(chunk + total * es);
  const auto* src = static_cast<const char*>(j.items.values);
  for (size_t i = 0; i < n; ++i) {
    const VarMove& m = moves[i];
    const int64_t r = m.src_row;
    const int64_t len = j.row_valid(r) ? j.offset(r + 1) - j.offset(r) : 0;
    const int64_t first = base + j.offset(r);
    std::memcpy(at, src + first * es, static_cast<size_t>(len * es));
    const auto row = static_cast<size_t>(m.out_row);
    m.out->data[row] = at;
    m.out->items[row] = len;
    at += len * es;
    if (item_nulls) {
      for (int64_t k = 0; k < len; ++k) valid_at[k] = bit_set(j.items.row_validity, first + k) ? 1 : 0;
      m.out->item_valid[row] = valid_at;
      valid_at += len;
    } else {
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

VarBuffers finish_var(const VarRows& r, int64_t rows, const VarLayout& l, const std::string& column) {
  int64_t total = 0;
  bool any_item_nulls = false;
  for (int64_t i = 0; i < rows; ++i) {
    total += r.items[static_cast<size_t>(i)];
    any_item_nulls = any_item_nulls || r.item_valid[static_cast<size_t>(i)] != nullptr;
  }
  if (!l.large && total > INT32_MAX) {
    fail("lt_gather: column '" + column + "': " + std::to_string(total) +
         " items in one output batch overflow 32-bit offsets (use the large type or smaller batches)");
  }
  VarBuffers b;
  b.n_items = total;
  b.offsets = alloc_aligned((rows + 1) * (l.large ? 8 : 4));
  b.values = alloc_aligned(total * l.item_size);
  if (any_item_nulls) {
    b.item_validity = alloc_aligned((total + 7) / 8);
    std::memset(b.item_validity, 0xFF, static_cast<size_t>((total + 7) / 8));
  }
  auto* out = static_cast<char*>(b.values);
  auto* bits = static_cast<uint8_t*>(b.item_validity);
  int64_t off = 0;
  for (int64_t i = 0; i < rows; ++i) {
    if (l.large) {
      static_cast<int64_t*>(b.offsets)[i] = off;
    } else {
      static_cast<int32_t*>(b.offsets)[i] = static_cast<int32_t>(off);
    }
    const auto row = static_cast<size_t>(i);
    const int64_t len = r.items[row];
    if (len > 0) std::memcpy(out + off * l.item_size, r.data[row], static_cast<size_t>(len * l.item_size));
    if (r.item_valid[row] != nullptr) {
      for (int64_t k = 0; k < len; ++k) {
        if (r.item_valid[row][k] == 0) {
          bits[(off + k) >> 3] &= static_cast<uint8_t>(~(1u << ((off + k) & 7)));
          ++b.item_nulls;
        }
      }
    }
    off += len;
  }
  if (l.large) {
    static_cast<int64_t*>(b.offsets)[rows] = off;
  } else {
    static_cast<int32_t*>(b.offsets)[rows] = static_cast<int32_t>(off);
  }
  return b;
}

}  // namespace lt
