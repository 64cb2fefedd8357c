// libFuzzer target for the C API's input validation: decodes the input into a
// (possibly malformed) Arrow C struct tree, imports it along one of the import
// paths (also the misuse ones: NULL out, NULL schema, released array, a shared
// lt_schema), checks that every array and the schema were released exactly
// once, and converts every column. Buffers are always as large as the declared offset + length (the C
// Data Interface cannot describe buffer sizes, so that part is a contract);
// everything else — formats, counts, null pointers, negative or overflowing
// numbers, child mismatches — is fuzzed. libtorch is loaded from
// $LT_LIBTORCH (default native/build/libtorch/libtorch_cpu.so) when present.
#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "arrow_fixtures.hpp"
#include "lance_torch.h"

namespace {

struct Input {
  const uint8_t* p;
  size_t n;
  uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
};

const char* const kFormats[] = {"c", "C", "s", "S", "i", "I", "l", "L", "e", "f", "g", "b", "u",
                                "+s", "+w:2", "+w:1", "+w:0", "+w:x", "+w:", "+l", "zz", "", "+w:3", "n"};

int64_t small_number(Input& in, int64_t max) {
  const uint8_t mode = in.byte();
  if (mode < 200) return mode % (max + 1);
  if (mode < 230) return -static_cast<int64_t>(mode % 5) - 1;
  if (mode < 250) return INT64_MAX - (mode % 3);
  return INT64_MIN;
}

// A buffer of at least `bytes` bytes filled from the input, or a null buffer.
std::vector<uint8_t> buffer(Input& in, int64_t slots, bool present) {
  if (!present) return {};
  const int64_t safe = (slots < 0 || slots > 4096) ? 0 : slots;  // invalid sizes are rejected before use
  std::vector<uint8_t> b(static_cast<size_t>(safe * 8 + 16));
  for (auto& x : b) x = in.byte();
  return b;
}

fx::Col column(Input& in, int depth) {
  const char* fmt = kFormats[in.byte() % (sizeof kFormats / sizeof kFormats[0])];
  const int64_t length = small_number(in, 40);
  const int64_t offset = small_number(in, 8);
  int64_t null_count = static_cast<int64_t>(in.byte() % 6) - 1;
  const uint8_t flags = in.byte();
  const int64_t n_buffers = flags % 4;
  const int64_t slots = (length >= 0 && offset >= 0 && length < 4096 && offset < 4096) ? length + offset : -1;
  std::vector<std::vector<uint8_t>> bufs;
  for (int64_t i = 0; i < n_buffers; ++i) bufs.push_back(buffer(in, slots, ((flags >> (2 + i)) & 1) != 0));
  std::vector<ArrowArray*> kids;
  std::vector<ArrowSchema*> skids;
  const int64_t n_kids = (depth < 3 && fmt[0] == '+') ? in.byte() % 3 : 0;
  for (int64_t i = 0; i < n_kids; ++i) {
    fx::Col k = column(in, depth + 1);
    kids.push_back(k.array);
    skids.push_back(k.schema);
  }
  if (in.byte() % 8 == 0 && !skids.empty()) {  // schema/array child count mismatch
    skids.back()->release(skids.back());
    delete skids.back();
    skids.pop_back();
  }
  fx::Col c{fx::new_array(length, offset, null_count, std::move(bufs), std::move(kids)),
            fx::new_schema(fmt, "c" + std::to_string(depth), std::move(skids))};
  if (in.byte() % 16 == 0 && c.array->n_buffers > 0) c.array->buffers = nullptr;
  return c;
}

// Arrays in the tree (each released exactly once, whatever the import does).
int64_t count_arrays(const ArrowArray* a) {
  int64_t n = 1;
  for (int64_t i = 0; i < a->n_children; ++i) n += a->children[i] != nullptr ? count_arrays(a->children[i]) : 0;
  return n;
}

// How the batch reaches the shim: the contract says every path consumes its inputs, also on error.
enum class Path { Import, NullOut, NullSchema, ReleasedArray, WithSchema, WithSchemaNullOut, Count };

int import_via(Path path, ArrowArray* a, ArrowSchema* s, lt_batch** b) {
  switch (path) {
    case Path::NullOut: return lt_batch_import(a, s, nullptr);
    case Path::NullSchema: s->release(s); return lt_batch_import(a, nullptr, b);
    case Path::ReleasedArray: a->release(a); return lt_batch_import(a, s, b);
    case Path::WithSchema:
    case Path::WithSchemaNullOut: {
      lt_schema* ls = nullptr;
      if (lt_schema_import(s, &ls) != LT_OK) {
        a->release(a);
        return LT_ERR_INVALID_ARGUMENT;
      }
      const int rc = lt_batch_import_with_schema(a, ls, path == Path::WithSchema ? b : nullptr);
      lt_schema_release(ls);
      return rc;
    }
    default: return lt_batch_import(a, s, b);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* path = std::getenv("LT_LIBTORCH");
  std::string p = path != nullptr ? path : "native/build/libtorch/libtorch_cpu.so";
  if (lt_init(p.c_str()) != LT_OK) fprintf(stderr, "fuzz: running without libtorch (%s)\n", lt_last_error());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  const Path path = static_cast<Path>(in.byte() % static_cast<int>(Path::Count));
  const int64_t rows = small_number(in, 40);
  const int64_t offset = small_number(in, 4);
  std::vector<fx::Col> cols;
  const int n = in.byte() % 4;
  for (int i = 0; i < n; ++i) cols.push_back(column(in, 1));
  ArrowArray a;
  ArrowSchema s;
  fx::make_batch(&a, &s, rows, cols, offset);
  if (in.byte() % 16 == 0) s.format = "+w:2";
  const uint8_t top = in.byte();
  if ((top & 3) != 0 && rows >= 0 && offset >= 0 && rows <= 40 && offset <= 4) {  // a top-level validity bitmap
    auto* h = static_cast<fx::ArrayHolder*>(a.private_data);
    h->data[0] = buffer(in, (rows + offset) / 64 + 1, true);
    h->ptrs[0] = h->data[0].data();
    a.null_count = static_cast<int64_t>(top >> 6) - 1;  // -1, 0, 1 or 2
  }
  ArrowArray kid_copy{};  // a child marked released: the fuzzer releases it itself afterwards
  if (top % 32 == 4 && a.n_children > 0) {
    kid_copy = *a.children[0];
    a.children[0]->release = nullptr;
  }
  const int64_t arrays = count_arrays(&a);
  const int64_t arrays_before = fx::g_array_releases;
  const int64_t schemas_before = fx::g_schema_releases;
  lt_batch* b = nullptr;
  const int rc = import_via(path, &a, &s, &b);
  if (a.release != nullptr || s.release != nullptr) abort();  // must be consumed on every path
  if (rc != LT_OK) {
    if (b != nullptr) abort();
    if (kid_copy.release != nullptr) kid_copy.release(&kid_copy);
    if (fx::g_array_releases - arrays_before != arrays || fx::g_schema_releases - schemas_before != 1) abort();
    return 0;
  }
  if (kid_copy.release != nullptr || path != Path::Import && path != Path::WithSchema) abort();  // must be rejected
  std::vector<AtenTensorHandle> out;
  std::vector<int64_t> idx;
  for (int64_t c = -1; c <= lt_batch_num_columns(b); ++c) {
    const uint8_t o = in.byte();
    lt_column_options opt{o & 1, (o >> 1) & 1, static_cast<double>(o) - 100.0};
    AtenTensorHandle t = nullptr;
    if (lt_batch_column_tensor(b, c, (o & 4) ? nullptr : &opt, &t) == LT_OK) out.push_back(t);
    idx.push_back(c);
  }
  AtenTensorHandle t = nullptr;
  const int32_t dtype = static_cast<int32_t>(in.byte() % 20) - 1;
  if (lt_batch_stack_columns(b, idx.data() + 1, static_cast<int64_t>(idx.size()) - 2, dtype, &t) == LT_OK) {
    out.push_back(t);
  }
  lt_batch_release(b);
  for (AtenTensorHandle h : out) lt_tensor_delete(h);
  lt_stats_t st{};
  lt_stats(&st);
  if (st.batches_imported != st.batches_released || st.tensors_created != st.tensors_freed) abort();
  if (fx::g_array_releases - arrays_before != arrays || fx::g_schema_releases - schemas_before != 1) abort();
  return 0;
}
