// The C API's input contract, checked with the fixtures' release counters:
// every import consumes its inputs on every error path (null out, the other
// struct null or released, a borrowed lt_schema; lt_stream_open: stream_test), top-level nulls are found
// through the validity bitmap when null_count is -1, and released children
// are rejected before anything reads them.
#include <string>
#include <vector>

#include "arrow_fixtures.hpp"
#include "check.hpp"

namespace {

// A one-column batch (x: float32, 4 rows): 2 arrays (struct + child), 1 counted top-level schema.
void batch4(ArrowArray* a, ArrowSchema* s, std::vector<uint8_t> top_validity = {}, int64_t top_null_count = 0) {
  fx::make_batch(a, s, 4, {{fx::new_array(4, 0, 0, {{}, fx::bytes_of(std::vector<float>{1, 2, 3, 4})}),
                            fx::new_schema("f", "x")}});
  auto* h = static_cast<fx::ArrayHolder*>(a->private_data);
  h->data[0] = std::move(top_validity);
  h->ptrs[0] = h->data[0].empty() ? nullptr : h->data[0].data();
  a->null_count = top_null_count;
}

struct Released {
  int64_t arrays, schemas;
};

Released released() { return {fx::g_array_releases, fx::g_schema_releases}; }

// Checks that exactly `arrays` arrays and `schemas` top-level schemas were released since `before`.
void expect_released(const char* what, Released before, int64_t arrays, int64_t schemas) {
  const Released now = released();
  ++g_checks;
  if (now.arrays - before.arrays != arrays || now.schemas - before.schemas != schemas) {
    ++g_failures;
    std::fprintf(stderr, "FAIL %s: released %lld arrays and %lld schemas, wanted %lld and %lld\n", what,
                 (long long)(now.arrays - before.arrays), (long long)(now.schemas - before.schemas),
                 (long long)arrays, (long long)schemas);
  }
}

// One misuse of lt_batch_import: mangles the fresh pair, calls the import, releases what it did not pass.
struct Misuse {
  const char* what;
  const char* needle;
  int (*call)(ArrowArray* a, ArrowSchema* s, lt_batch** b);
};

void test_import_consumes_on_every_error() {
  const Misuse cases[] = {
      {"import(a, s, NULL)", "out is null", [](ArrowArray* a, ArrowSchema* s, lt_batch**) {
         return lt_batch_import(a, s, nullptr);
       }},
      {"import(a, NULL, &b)", "is null", [](ArrowArray* a, ArrowSchema* s, lt_batch** b) {
         s->release(s);  // not passed: the caller's to release
         return lt_batch_import(a, nullptr, b);
       }},
      {"import(NULL, s, &b)", "is null", [](ArrowArray* a, ArrowSchema* s, lt_batch** b) {
         a->release(a);
         return lt_batch_import(nullptr, s, b);
       }},
      {"import(released a, live s)", "already released", [](ArrowArray* a, ArrowSchema* s, lt_batch** b) {
         a->release(a);
         return lt_batch_import(a, s, b);
       }},
      {"import(live a, released s)", "already released", [](ArrowArray* a, ArrowSchema* s, lt_batch** b) {
         s->release(s);
         return lt_batch_import(a, s, b);
       }},
  };
  for (const Misuse& m : cases) {
    ArrowArray a;
    ArrowSchema s;
    lt_batch* b = nullptr;
    const Released r = released();
    batch4(&a, &s);
    CHECK_ERR(m.call(&a, &s, &b), LT_ERR_INVALID_ARGUMENT, m.needle);
    CHECK(a.release == nullptr && s.release == nullptr && b == nullptr);
    expect_released(m.what, r, 2, 1);  // the struct, its child and the schema, each exactly once
  }
}

void test_import_with_schema_consumes() {
  ArrowArray a, unused;
  ArrowSchema s;
  lt_schema* ls = nullptr;
  Released r = released();
  batch4(&unused, &s);
  unused.release(&unused);
  CHECK(lt_schema_import(&s, &ls) == LT_OK);

  batch4(&a, &s);
  s.release(&s);  // only the array is imported against ls
  r = released();
  CHECK_ERR(lt_batch_import_with_schema(&a, ls, nullptr), LT_ERR_INVALID_ARGUMENT, "out is null");
  CHECK(a.release == nullptr);
  expect_released("import_with_schema(a, ls, NULL): array", r, 2, 0);
  lt_batch* b = nullptr;
  CHECK_ERR(lt_batch_import_with_schema(nullptr, ls, &b), LT_ERR_INVALID_ARGUMENT, "is null");
  r = released();
  lt_schema_release(ls);  // the last reference: no view may still hold one
  expect_released("import_with_schema: the schema's last reference", r, 0, 1);
}

void test_top_level_nulls_from_bitmap() {
  ArrowArray a;
  ArrowSchema s;
  lt_batch* b = nullptr;
  Released r = released();
  batch4(&a, &s, fx::bitmap(4, {2}), -1);  // null_count "not computed", row 2 null
  CHECK_ERR(lt_batch_import(&a, &s, &b), LT_ERR_INVALID_ARGUMENT, "1 null rows");
  expect_released("top-level nulls", r, 2, 1);

  batch4(&a, &s, fx::bitmap(4, {}), -1);  // -1 with a bitmap of valid rows only: accepted
  CHECK(lt_batch_import(&a, &s, &b) == LT_OK);
  lt_batch_release(b);

  // A sliced struct (offset 1, 3 rows) whose only null is before the slice: accepted.
  batch4(&a, &s, fx::bitmap(4, {0}), -1);
  a.offset = 1;
  a.length = 3;
  CHECK(lt_batch_import(&a, &s, &b) == LT_OK);
  lt_batch_release(b);

  batch4(&a, &s, {}, 2);  // null_count 2 without a bitmap
  CHECK_ERR(lt_batch_import(&a, &s, &b), LT_ERR_INVALID_ARGUMENT, "2 null rows");
}

void test_released_children_rejected() {
  ArrowArray a;
  ArrowSchema s;
  lt_batch* b = nullptr;
  Released r = released();
  batch4(&a, &s);
  ArrowArray kid = *a.children[0];  // keeps the child's own release for afterwards
  a.children[0]->release = nullptr;
  CHECK_ERR(lt_batch_import(&a, &s, &b), LT_ERR_INVALID_ARGUMENT, "batch.x: array is released");
  kid.release(&kid);
  expect_released("released child array", r, 2, 1);

  batch4(&a, &s);
  ArrowSchema skid = *s.children[0];
  s.children[0]->release = nullptr;
  CHECK_ERR(lt_batch_import(&a, &s, &b), LT_ERR_INVALID_ARGUMENT, "batch.x: schema is released");
  skid.release(&skid);
}

}  // namespace

void run_contract_tests() {
  test_import_consumes_on_every_error();
  test_import_with_schema_consumes();
  test_top_level_nulls_from_bitmap();
  test_released_children_rejected();
}
