// Synthetic Arrow C Data Interface arrays for the shim's C++ tests and fuzzer:
// heap-owned buffers, release callbacks that count how often they run.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "lance_torch_arrow_c.h"

namespace fx {

inline int64_t g_array_releases = 0;   // top-level and child arrays released
inline int64_t g_schema_releases = 0;  // top-level schemas (make_batch) released

struct ArrayHolder {
  std::vector<std::vector<uint8_t>> data;
  std::vector<const void*> ptrs;
  std::vector<ArrowArray*> kids;
};

struct SchemaHolder {
  std::string format, name;
  std::vector<ArrowSchema*> kids;
  bool top = false;
};

inline void release_array(ArrowArray* a) {
  auto* h = static_cast<ArrayHolder*>(a->private_data);
  for (ArrowArray* k : h->kids) {
    if (k == nullptr) continue;
    if (k->release != nullptr) k->release(k);
    delete k;
  }
  delete h;
  a->release = nullptr;
  ++g_array_releases;
}

inline void release_schema(ArrowSchema* s) {
  auto* h = static_cast<SchemaHolder*>(s->private_data);
  for (ArrowSchema* k : h->kids) {
    if (k == nullptr) continue;
    if (k->release != nullptr) k->release(k);
    delete k;
  }
  if (h->top) ++g_schema_releases;
  delete h;
  s->release = nullptr;
}

// Fills *out with an array owning `buffers` (an empty vector = a null buffer pointer) and children.
inline void make_array(ArrowArray* out, int64_t length, int64_t offset, int64_t null_count,
                       std::vector<std::vector<uint8_t>> buffers, std::vector<ArrowArray*> kids = {}) {
  auto* h = new ArrayHolder();
  h->data = std::move(buffers);
  for (auto& b : h->data) h->ptrs.push_back(b.empty() ? nullptr : b.data());
  h->kids = std::move(kids);
  std::memset(out, 0, sizeof *out);
  out->length = length;
  out->offset = offset;
  out->null_count = null_count;
  out->n_buffers = static_cast<int64_t>(h->ptrs.size());
  out->buffers = h->ptrs.empty() ? nullptr : h->ptrs.data();
  out->n_children = static_cast<int64_t>(h->kids.size());
  out->children = h->kids.empty() ? nullptr : h->kids.data();
  out->release = &release_array;
  out->private_data = h;
}

inline ArrowArray* new_array(int64_t length, int64_t offset, int64_t null_count,
                             std::vector<std::vector<uint8_t>> buffers, std::vector<ArrowArray*> kids = {}) {
  auto* a = new ArrowArray();
  make_array(a, length, offset, null_count, std::move(buffers), std::move(kids));
  return a;
}

inline void make_schema(ArrowSchema* out, const std::string& format, const std::string& name,
                        std::vector<ArrowSchema*> kids = {}) {
  auto* h = new SchemaHolder{format, name, std::move(kids)};
  std::memset(out, 0, sizeof *out);
  out->format = h->format.c_str();
  out->name = h->name.c_str();
  out->flags = ARROW_FLAG_NULLABLE;
  out->n_children = static_cast<int64_t>(h->kids.size());
  out->children = h->kids.empty() ? nullptr : h->kids.data();
  out->release = &release_schema;
  out->private_data = h;
}

inline ArrowSchema* new_schema(const std::string& format, const std::string& name, std::vector<ArrowSchema*> kids = {}) {
  auto* s = new ArrowSchema();
  make_schema(s, format, name, std::move(kids));
  return s;
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> out(v.size() * sizeof(T) + 1);  // +1: never empty (empty = null buffer)
  if (!v.empty()) std::memcpy(out.data(), v.data(), v.size() * sizeof(T));
  return out;
}

// Validity bitmap of n bits with the given rows null.
inline std::vector<uint8_t> bitmap(int64_t n, const std::vector<int64_t>& nulls) {
  std::vector<uint8_t> b(static_cast<size_t>(n / 8 + 1), 0xff);
  for (int64_t i : nulls) b[i / 8] &= static_cast<uint8_t>(~(1u << (i % 8)));
  return b;
}

// A batch column: its array and schema (both heap, handed to the struct parent).
struct Col {
  ArrowArray* array;
  ArrowSchema* schema;
};

// Builds the top-level struct pair ("+s") of `length` rows from columns.
inline void make_batch(ArrowArray* array, ArrowSchema* schema, int64_t length, const std::vector<Col>& cols,
                       int64_t offset = 0) {
  std::vector<ArrowArray*> ak;
  std::vector<ArrowSchema*> sk;
  for (const Col& c : cols) {
    ak.push_back(c.array);
    sk.push_back(c.schema);
  }
  make_array(array, length, offset, 0, {std::vector<uint8_t>()}, ak);
  make_schema(schema, "+s", "", sk);
  static_cast<SchemaHolder*>(schema->private_data)->top = true;
}

}  // namespace fx
