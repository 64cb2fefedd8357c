// C++ test of the lance-torch C API without a JVM: loads libtorch itself,
// builds synthetic Arrow C arrays, checks zero-copy, values, errors and
// exactly-once release. Usage: shim_test /path/to/libtorch_cpu.so
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "arrow_fixtures.hpp"
#include "check.hpp"
#include "lance_torch.h"
#include "tensor_inspect.hpp"

namespace {

using namespace tx;

fx::Col f32_col(const char* name, std::vector<float> v, int64_t offset, const std::vector<int64_t>& nulls = {}) {
  int64_t n = static_cast<int64_t>(v.size());
  auto validity = nulls.empty() ? std::vector<uint8_t>() : fx::bitmap(n, nulls);
  return {fx::new_array(n - offset, offset, static_cast<int64_t>(nulls.size()), {validity, fx::bytes_of(v)}),
          fx::new_schema("f", name)};
}

fx::Col i64_list_col(const char* name, int64_t rows, int64_t d) {
  std::vector<int64_t> items;
  for (int64_t i = 0; i < rows * d; ++i) items.push_back(100 * (i / d) + i % d);
  auto* child = fx::new_array(rows * d, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(items)});
  auto* a = fx::new_array(rows, 0, 0, {std::vector<uint8_t>()}, {child});
  return {a, fx::new_schema("+w:" + std::to_string(d), name, {fx::new_schema("l", "item")})};
}

lt_batch* import_or_die(ArrowArray* a, ArrowSchema* s) {
  lt_batch* b = nullptr;
  if (lt_batch_import(a, s, &b) != LT_OK) {
    std::fprintf(stderr, "import failed: %s\n", lt_last_error());
    std::exit(1);
  }
  return b;
}

void test_without_torch() {
  ArrowArray a;
  ArrowSchema s;
  fx::make_batch(&a, &s, 3, {f32_col("x", {1, 2, 3}, 0)});
  lt_batch* b = import_or_die(&a, &s);
  AtenTensorHandle t = nullptr;
  CHECK_ERR(lt_batch_column_tensor(b, 0, nullptr, &t), LT_ERR_STATE, "libtorch is not loaded");
  CHECK(t == nullptr);
  CHECK(lt_batch_num_rows(b) == 3);
  lt_batch_release(b);
}

void test_zero_copy_and_values() {
  const lt_stats_t before = stats();
  ArrowArray a;
  ArrowSchema s;
  fx::Col x = f32_col("x", {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}, 2);  // child offset 2, 4 rows
  const char* base = static_cast<const char*>(x.array->buffers[1]);
  fx::make_batch(&a, &s, 3, {x, i64_list_col("emb", 4, 3)}, 1);  // struct offset 1, 3 rows
  lt_batch* b = import_or_die(&a, &s);
  CHECK(a.release == nullptr && s.release == nullptr);  // moved
  CHECK(lt_batch_num_columns(b) == 2);
  CHECK(std::strcmp(lt_batch_column_name(b, 1), "emb") == 0);
  CHECK(lt_batch_column_index(b, "emb") == 1);
  CHECK(lt_batch_column_index(b, "nope") == -1);

  AtenTensorHandle t = nullptr;
  CHECK(lt_batch_column_tensor(b, 0, nullptr, &t) == LT_OK);
  CHECK(data(t) == base + 3 * sizeof(float));  // struct offset 1 + child offset 2
  CHECK(sizes(t) == std::vector<int64_t>{3});
  CHECK(static_cast<float*>(data(t))[2] == 5.5f);
  CHECK(dtype(t) == T.dtype_float32());

  AtenTensorHandle rm = nullptr, cm = nullptr, st = nullptr;
  lt_column_options col_major{1, 0, 0.0};
  CHECK(lt_batch_column_tensor(b, 1, nullptr, &rm) == LT_OK);
  CHECK(lt_batch_column_tensor(b, 1, &col_major, &cm) == LT_OK);
  int64_t one = 1;
  CHECK(lt_batch_stack_columns(b, &one, 1, -1, &st) == LT_OK);
  CHECK((sizes(rm) == std::vector<int64_t>{3, 3}) && (strides(rm) == std::vector<int64_t>{3, 1}));
  CHECK((sizes(cm) == std::vector<int64_t>{3, 3}) && (strides(cm) == std::vector<int64_t>{1, 3}));
  CHECK(data(rm) == data(cm) && data(cm) == data(st));
  CHECK(static_cast<int64_t*>(data(rm))[0] == 100);  // row 1 of the list column, item 0
  CHECK(static_cast<int64_t*>(data(rm))[2 * 3 + 1] == 301);

  lt_batch_release(b);
  const int64_t releases_before = fx::g_schema_releases;
  lt_tensor_delete(rm);
  lt_tensor_delete(cm);
  lt_tensor_delete(t);
  CHECK(fx::g_schema_releases == releases_before);  // st still holds the batch
  std::thread other([&] { lt_tensor_delete(st); });
  other.join();
  CHECK(fx::g_schema_releases == releases_before + 1);
  const lt_stats_t after = stats();
  CHECK(after.batches_imported - before.batches_imported == 1);
  CHECK(after.batches_released - before.batches_released == 1);
  CHECK(after.tensors_created - before.tensors_created == 4);
  CHECK(after.tensors_freed - before.tensors_freed == 4);
}

void test_bool_nulls_and_stack() {
  ArrowArray a;
  ArrowSchema s;
  std::vector<uint8_t> bits = {0x05, 0};  // rows 0 and 2 true
  fx::Col flags{fx::new_array(4, 0, 0, {std::vector<uint8_t>(), bits}), fx::new_schema("b", "flag")};
  fx::make_batch(&a, &s, 4, {flags, f32_col("x", {1, 2, 3, 4}, 0, {1}), f32_col("y", {5, 6, 7, 8}, 0),
                            {fx::new_array(4, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(std::vector<int32_t>{9, 8, 7, 6})}),
                             fx::new_schema("i", "n")}});
  lt_batch* b = import_or_die(&a, &s);
  AtenTensorHandle t = nullptr;
  CHECK(lt_batch_column_tensor(b, 0, nullptr, &t) == LT_OK);
  CHECK(dtype(t) == T.dtype_bool());
  const uint8_t* v = static_cast<const uint8_t*>(data(t));
  CHECK(v[0] == 1 && v[1] == 0 && v[2] == 1 && v[3] == 0);
  lt_tensor_delete(t);

  CHECK_ERR(lt_batch_column_tensor(b, 1, nullptr, &t), LT_ERR_INVALID_ARGUMENT, "column 'x' (format 'f') has 1 null");
  lt_column_options fill{0, 1, -9.0};
  CHECK(lt_batch_column_tensor(b, 1, &fill, &t) == LT_OK);
  const float* f = static_cast<const float*>(data(t));
  CHECK(f[0] == 1 && f[1] == -9 && f[2] == 3);
  lt_tensor_delete(t);

  int64_t yn[2] = {2, 3};
  CHECK(lt_batch_stack_columns(b, yn, 2, -1, &t) == LT_OK);
  CHECK(dtype(t) == T.dtype_float32());
  CHECK(sizes(t) == (std::vector<int64_t>{2, 4}));
  f = static_cast<const float*>(data(t));
  CHECK(f[0] == 5 && f[3] == 8 && f[4] == 9 && f[7] == 6);
  lt_tensor_delete(t);
  CHECK(lt_batch_stack_columns(b, yn, 2, T.dtype_float64(), &t) == LT_OK);
  CHECK(dtype(t) == T.dtype_float64() && static_cast<const double*>(data(t))[5] == 8.0);
  lt_tensor_delete(t);
  int64_t with_nulls[2] = {2, 1};
  CHECK_ERR(lt_batch_stack_columns(b, with_nulls, 2, -1, &t), LT_ERR_INVALID_ARGUMENT, "'x'");
  // per-column fills: x's null becomes -9 (y has no nulls; its fill is not used); a fill only on y leaves x an error
  const int32_t fill_on[2] = {1, 1}, fill_y_only[2] = {1, 0};
  const double fill_values[2] = {100.0, -9.0};
  CHECK(lt_batch_stack_columns_filled(b, with_nulls, 2, -1, fill_on, fill_values, &t) == LT_OK);
  CHECK(dtype(t) == T.dtype_float32());
  f = static_cast<const float*>(data(t));
  CHECK(f[0] == 5 && f[3] == 8 && f[4] == 1 && f[5] == -9 && f[6] == 3);
  lt_tensor_delete(t);
  CHECK_ERR(lt_batch_stack_columns_filled(b, with_nulls, 2, -1, fill_y_only, fill_values, &t),
            LT_ERR_INVALID_ARGUMENT, "column 'x' (format 'f') has 1 null value(s)");
  CHECK_ERR(lt_batch_stack_columns_filled(b, with_nulls, 2, -1, fill_on, nullptr, &t), LT_ERR_INVALID_ARGUMENT,
            "fill values are null");
  int64_t x_only = 1;
  CHECK(lt_batch_stack_columns_filled(b, &x_only, 1, -1, fill_on + 1, fill_values + 1, &t) == LT_OK);
  CHECK(sizes(t) == (std::vector<int64_t>{1, 4}) && static_cast<const float*>(data(t))[1] == -9);
  lt_tensor_delete(t);
  CHECK_ERR(lt_batch_stack_columns(b, yn, 2, 12345, &t), LT_ERR_INVALID_ARGUMENT, "unsupported torch dtype");
  CHECK_ERR(lt_batch_stack_columns(b, yn, 0, -1, &t), LT_ERR_INVALID_ARGUMENT, "at least one column");
  int64_t bad = 7;
  CHECK_ERR(lt_batch_stack_columns(b, &bad, 1, -1, &t), LT_ERR_INVALID_ARGUMENT, "out of range");
  lt_batch_release(b);
}

// Imports a one-column batch built by `make`, expects the import or the column to fail with `needle`.
template <typename Make>
void expect_rejected(const char* what, Make make, bool at_import, const char* needle) {
  const int64_t arrays = fx::g_schema_releases;
  ArrowArray a;
  ArrowSchema s;
  make(&a, &s);
  lt_batch* b = nullptr;
  int rc = lt_batch_import(&a, &s, &b);
  if (at_import) {
    ++g_checks;
    if (rc != LT_ERR_INVALID_ARGUMENT || b != nullptr || std::strstr(lt_last_error(), needle) == nullptr) {
      ++g_failures;
      std::fprintf(stderr, "FAIL %s: import rc=%d '%s', wanted '%s'\n", what, rc, lt_last_error(), needle);
    }
  } else {
    CHECK(rc == LT_OK);
    AtenTensorHandle t = nullptr;
    rc = lt_batch_column_tensor(b, 0, nullptr, &t);
    ++g_checks;
    if (rc != LT_ERR_INVALID_ARGUMENT || t != nullptr || std::strstr(lt_last_error(), needle) == nullptr) {
      ++g_failures;
      std::fprintf(stderr, "FAIL %s: column rc=%d '%s', wanted '%s'\n", what, rc, lt_last_error(), needle);
    }
    lt_batch_release(b);
  }
  CHECK(a.release == nullptr && s.release == nullptr);
  ++g_checks;
  if (fx::g_schema_releases != arrays + 1) {
    ++g_failures;
    std::fprintf(stderr, "FAIL %s: schema released %lld times\n", what, (long long)(fx::g_schema_releases - arrays));
  }
}

void test_malformed() {
  lt_batch* b = nullptr;
  ArrowArray a;
  ArrowSchema s;
  CHECK_ERR(lt_batch_import(nullptr, nullptr, &b), LT_ERR_INVALID_ARGUMENT, "null");
  fx::make_batch(&a, &s, 1, {f32_col("x", {1}, 0)});
  CHECK_ERR(lt_batch_import(&a, &s, nullptr), LT_ERR_INVALID_ARGUMENT, "out is null");
  CHECK(a.release == nullptr && s.release == nullptr);  // consumed even when out is null
  CHECK_ERR(lt_batch_import(&a, &s, &b), LT_ERR_INVALID_ARGUMENT, "already released");
  CHECK_ERR(lt_batch_column_tensor(nullptr, 0, nullptr, reinterpret_cast<AtenTensorHandle*>(&b)),
            LT_ERR_INVALID_ARGUMENT, "batch is null");
  CHECK(lt_batch_num_rows(nullptr) == -1);
  CHECK(lt_batch_column_name(nullptr, 0) == nullptr);

  using fx::Col;
  auto one = [](Col c, int64_t rows = 2) {
    return [c, rows](ArrowArray* a, ArrowSchema* s) { fx::make_batch(a, s, rows, {c}); };
  };
  auto f32 = [](int64_t len, int64_t off, std::vector<std::vector<uint8_t>> bufs, const char* fmt = "f") {
    return Col{fx::new_array(len, off, 0, std::move(bufs)), fx::new_schema(fmt, "c")};
  };
  std::vector<uint8_t> vals(64, 0);
  expect_rejected("negative length", one(f32(-1, 0, {{}, vals})), true, "negative length");
  expect_rejected("negative offset", one(f32(2, -4, {{}, vals})), true, "negative offset");
  expect_rejected("too short", one(f32(1, 0, {{}, vals})), false, "shorter than struct");
  expect_rejected("wrong n_buffers", one(f32(2, 0, {{}, vals, vals})), false, "expected 2 buffers, got 3");
  expect_rejected("missing values", one(f32(2, 0, {{}, {}})), false, "values buffer is null");
  expect_rejected("unknown format", one(f32(2, 0, {{}, vals}, "zz")), false, "format 'zz'");
  expect_rejected("utf8", one(f32(2, 0, {{}, vals, vals}, "u")), false, "non-numeric");
  expect_rejected("nulls without bitmap", [&](ArrowArray* a, ArrowSchema* s) {
    fx::make_batch(a, s, 2, {Col{fx::new_array(2, 0, 1, {{}, vals}), fx::new_schema("f", "c")}});
  }, false, "no validity buffer");
  expect_rejected("bad list width", one(Col{fx::new_array(2, 0, 0, {{}}, {fx::new_array(4, 0, 0, {{}, vals})}),
                                            fx::new_schema("+w:x", "c", {fx::new_schema("f", "i")})}),
                  false, "invalid FixedSizeList width");
  expect_rejected("short list child", one(Col{fx::new_array(2, 0, 0, {{}}, {fx::new_array(3, 0, 0, {{}, vals})}),
                                              fx::new_schema("+w:2", "c", {fx::new_schema("f", "i")})}),
                  false, "list child has 3 items, need 4");
  expect_rejected("list of strings", one(Col{fx::new_array(2, 0, 0, {{}}, {fx::new_array(4, 0, 0, {{}, vals, vals})}),
                                             fx::new_schema("+w:2", "c", {fx::new_schema("u", "i")})}),
                  false, "item type 'u' is not numeric");
  expect_rejected("children mismatch", [&](ArrowArray* a, ArrowSchema* s) {
    fx::make_batch(a, s, 2, {f32(2, 0, {{}, vals})});
    s->n_children = 0;  // the schema claims fewer children than the array (release still frees them all)
  }, true, "children");
  expect_rejected("not a struct", [&](ArrowArray* a, ArrowSchema* s) {
    fx::make_array(a, 2, 0, 0, {{}, vals});
    fx::make_schema(s, "f", "top");
    static_cast<fx::SchemaHolder*>(s->private_data)->top = true;
  }, true, "expected a struct");
  expect_rejected("null buffers array", [&](ArrowArray* a, ArrowSchema* s) {
    fx::make_batch(a, s, 2, {f32(2, 0, {{}, vals})});
    a->children[0]->buffers = nullptr;
  }, true, "buffers pointer is null");
  expect_rejected("null child", [&](ArrowArray* a, ArrowSchema* s) {
    fx::make_batch(a, s, 2, {f32(2, 0, {{}, vals})});
    auto* h = static_cast<fx::ArrayHolder*>(a->private_data);
    h->kids[0]->release(h->kids[0]);
    delete h->kids[0];
    h->kids[0] = nullptr;
  }, true, "null ArrowArray");
}

// A copy is sized before it is allocated: a bool column of 2^29 + 8 rows (64 MiB of bits) stacked as float64
// would be 4 GiB + 64 bytes, one copy beyond LT_MAX_OUTPUT_BYTES (it was allocated and filled before).
void test_copy_size_guard() {
  const int64_t n = (int64_t(1) << 29) + 8;
  ArrowArray a;
  ArrowSchema s;
  fx::Col flags{fx::new_array(n, 0, 0, {std::vector<uint8_t>(), std::vector<uint8_t>(static_cast<size_t>(n / 8), 0x0F)}),
                fx::new_schema("b", "flag")};
  fx::make_batch(&a, &s, n, {flags});
  lt_batch* b = import_or_die(&a, &s);
  const int64_t col = 0;
  AtenTensorHandle t = nullptr;
  CHECK_ERR(lt_batch_stack_columns(b, &col, 1, T.dtype_float64(), &t), LT_ERR_INVALID_ARGUMENT,
            "column 'flag' (format 'b'): copy as float64 needs 4294967360 bytes, beyond the limit of 4294967296 "
            "bytes per call (LT_MAX_OUTPUT_BYTES)");
  CHECK(t == nullptr);
  lt_batch_release(b);
}

void test_thread_local_error() {
  lt_batch* b = nullptr;
  lt_batch_import(nullptr, nullptr, &b);
  std::string mine = lt_last_error();
  std::thread([] { CHECK(std::strlen(lt_last_error()) == 0); }).join();
  CHECK(mine == lt_last_error());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s /path/to/libtorch_cpu.so\n", argv[0]);
    return 2;
  }
  test_without_torch();
  if (lt_init(argv[1]) != LT_OK) {
    std::fprintf(stderr, "lt_init failed: %s\n", lt_last_error());
    return 1;
  }
  void* h = dlopen(argv[1], RTLD_NOW | RTLD_NOLOAD);
  if (h == nullptr) return 1;
  bind_torch(h);

  test_zero_copy_and_values();
  test_bool_nulls_and_stack();
  test_malformed();
  test_thread_local_error();
  test_copy_size_guard();
  run_stream_tests();
  run_contract_tests();
  run_jagged_tests();
  run_gather_tests();

  const lt_stats_t s = stats();
  CHECK(s.batches_imported == s.batches_released);
  CHECK(s.tensors_created == s.tensors_freed);
  std::printf("shim_test: %d checks, %d failures (imported %lld, released %lld, views %lld/%lld, copies %lld)\n",
              g_checks, g_failures, (long long)s.batches_imported, (long long)s.batches_released,
              (long long)s.tensors_created, (long long)s.tensors_freed, (long long)s.tensors_copied);
  return g_failures == 0 ? 0 : 1;
}
