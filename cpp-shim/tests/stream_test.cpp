// Tests of lt_stream_* with a synthetic Arrow C stream: normal iteration,
// producer errors, early release, malformed schema/batches, and that the
// stream, its schema and every array are released exactly once.
#include <cerrno>
#include <string>
#include <vector>

#include "arrow_fixtures.hpp"
#include "check.hpp"

namespace {

// A producer of `batches` batches of 3 rows (x: float32, emb: FixedSizeList<float32, 2>).
struct FakeStream {
  int batches = 3;
  int fail_at = -1;          // get_next fails at this call index
  int malformed_at = -1;     // this batch has a negative-length column
  bool schema_fails = false;
  const char* schema_format = "+s";
  int next_calls = 0;
  int released = 0;
  std::string error;
};

int get_schema(ArrowArrayStream* st, ArrowSchema* out) {
  auto* f = static_cast<FakeStream*>(st->private_data);
  if (f->schema_fails) {
    f->error = "no schema here";
    return EIO;
  }
  fx::make_schema(out, f->schema_format, "",
                  {fx::new_schema("f", "x"), fx::new_schema("+w:2", "emb", {fx::new_schema("f", "item")})});
  static_cast<fx::SchemaHolder*>(out->private_data)->top = true;
  return 0;
}

int get_next(ArrowArrayStream* st, ArrowArray* out) {
  auto* f = static_cast<FakeStream*>(st->private_data);
  const int i = f->next_calls++;
  if (i == f->fail_at) {
    f->error = "disk on fire";
    return EIO;
  }
  if (i >= f->batches) {
    out->release = nullptr;  // end of stream
    return 0;
  }
  std::vector<float> x = {10.0f * i, 10.0f * i + 1, 10.0f * i + 2};
  std::vector<float> items = {1, 2, 3, 4, 5, 6};
  auto* xa = fx::new_array(i == f->malformed_at ? -1 : 3, 0, 0, {{}, fx::bytes_of(x)});
  auto* ea = fx::new_array(3, 0, 0, {{}}, {fx::new_array(6, 0, 0, {{}, fx::bytes_of(items)})});
  fx::make_array(out, 3, 0, 0, {{}}, {xa, ea});
  return 0;
}

const char* get_last_error(ArrowArrayStream* st) { return static_cast<FakeStream*>(st->private_data)->error.c_str(); }

void release(ArrowArrayStream* st) {
  ++static_cast<FakeStream*>(st->private_data)->released;
  st->release = nullptr;
}

ArrowArrayStream make_stream(FakeStream* f) {
  ArrowArrayStream s;
  s.get_schema = &get_schema;
  s.get_next = &get_next;
  s.get_last_error = &get_last_error;
  s.release = &release;
  s.private_data = f;
  return s;
}

lt_stream* open_or_null(FakeStream* f) {
  ArrowArrayStream s = make_stream(f);
  lt_stream* out = nullptr;
  if (lt_stream_open(&s, &out) != LT_OK) return nullptr;
  CHECK(s.release == nullptr);  // moved in
  return out;
}

void test_iterates_to_end() {
  FakeStream f;
  const int64_t schemas = fx::g_schema_releases;
  const int64_t arrays = fx::g_array_releases;
  lt_stream* st = open_or_null(&f);
  CHECK(st != nullptr);
  CHECK(lt_stream_num_columns(st) == 2);
  AtenTensorHandle kept = nullptr;
  int got = 0;
  lt_batch* b = nullptr;
  while (lt_stream_next(st, &b) == LT_OK && b != nullptr) {
    CHECK(lt_batch_num_rows(b) == 3);
    CHECK(lt_batch_column_index(b, "emb") == 1);
    if (got == 0) CHECK(lt_batch_column_tensor(b, 1, nullptr, &kept) == LT_OK);
    lt_batch_release(b);
    ++got;
  }
  CHECK(got == 3 && b == nullptr);
  CHECK(lt_stream_next(st, &b) == LT_OK && b == nullptr);  // still at the end
  CHECK(f.next_calls == 4);                                // not asked again after the end
  lt_stream_release(st);
  CHECK(f.released == 1);
  CHECK(fx::g_schema_releases == schemas);  // the tensor still holds batch 0 and the schema
  CHECK(fx::g_array_releases == arrays + 3 * 4 - 4);
  lt_tensor_delete(kept);
  CHECK(fx::g_schema_releases == schemas + 1);
  CHECK(fx::g_array_releases == arrays + 3 * 4);  // struct, x, emb, emb items per batch
}

void test_producer_error() {
  FakeStream f;
  f.fail_at = 1;
  const int64_t schemas = fx::g_schema_releases;
  lt_stream* st = open_or_null(&f);
  lt_batch* b = nullptr;
  CHECK(lt_stream_next(st, &b) == LT_OK && b != nullptr);
  lt_batch* first = b;
  CHECK_ERR(lt_stream_next(st, &b), LT_ERR_STREAM, "disk on fire");
  CHECK(b == nullptr);
  CHECK_ERR(lt_stream_next(st, &b), LT_ERR_STATE, "failed earlier: Arrow stream error (code 5): disk on fire");
  CHECK(f.next_calls == 2);
  lt_stream_release(st);
  CHECK(f.released == 1 && fx::g_schema_releases == schemas);
  CHECK(lt_batch_num_rows(first) == 3);  // batches outlive the stream
  lt_batch_release(first);
  CHECK(fx::g_schema_releases == schemas + 1);
}

void test_early_release_and_bad_batch() {
  FakeStream f;
  f.malformed_at = 0;
  const int64_t schemas = fx::g_schema_releases;
  const int64_t arrays = fx::g_array_releases;
  lt_stream* st = open_or_null(&f);
  lt_batch* b = nullptr;
  CHECK_ERR(lt_stream_next(st, &b), LT_ERR_INVALID_ARGUMENT, "negative length");
  CHECK(b == nullptr && fx::g_array_releases == arrays + 4);  // the bad batch was released
  CHECK(lt_stream_next(st, &b) == LT_OK && b != nullptr);     // the stream goes on
  lt_stream_release(st);                                      // before the end
  CHECK(f.released == 1 && f.next_calls == 2);
  lt_batch_release(b);
  CHECK(fx::g_schema_releases == schemas + 1 && fx::g_array_releases == arrays + 8);
  lt_stream_release(nullptr);
}

void test_open_failures() {
  const int64_t schemas = fx::g_schema_releases;
  lt_stream* st = nullptr;
  FakeStream no_schema;
  no_schema.schema_fails = true;
  ArrowArrayStream s = make_stream(&no_schema);
  CHECK_ERR(lt_stream_open(&s, &st), LT_ERR_STREAM, "no schema here");
  CHECK(st == nullptr && s.release == nullptr && no_schema.released == 1);

  FakeStream not_struct;
  not_struct.schema_format = "f";
  s = make_stream(&not_struct);
  CHECK_ERR(lt_stream_open(&s, &st), LT_ERR_INVALID_ARGUMENT, "expected a struct");
  CHECK(not_struct.released == 1 && fx::g_schema_releases == schemas + 1);

  CHECK_ERR(lt_stream_open(nullptr, &st), LT_ERR_INVALID_ARGUMENT, "stream is null");
  CHECK_ERR(lt_stream_open(&s, &st), LT_ERR_INVALID_ARGUMENT, "already released");
  FakeStream consumed;
  s = make_stream(&consumed);
  CHECK_ERR(lt_stream_open(&s, nullptr), LT_ERR_INVALID_ARGUMENT, "out is null");
  CHECK(s.release == nullptr && consumed.released == 1);  // consumed even when out is null
  lt_batch* b = nullptr;
  CHECK_ERR(lt_stream_next(nullptr, &b), LT_ERR_INVALID_ARGUMENT, "stream is null");
  CHECK(lt_stream_num_columns(nullptr) == -1);
}

// lt_schema: one schema imported once, shared by the batches imported with it.
void test_shared_schema() {
  const int64_t schemas = fx::g_schema_releases;
  const int64_t arrays = fx::g_array_releases;
  FakeStream f;
  ArrowArrayStream st = make_stream(&f);
  ArrowSchema sc;
  CHECK(get_schema(&st, &sc) == 0);
  lt_schema* s = nullptr;
  CHECK(lt_schema_import(&sc, &s) == LT_OK && s != nullptr && sc.release == nullptr);
  ArrowArray a0;
  ArrowArray a1;
  CHECK(get_next(&st, &a0) == 0 && get_next(&st, &a1) == 0);
  lt_batch* b0 = nullptr;
  lt_batch* b1 = nullptr;
  CHECK(lt_batch_import_with_schema(&a0, s, &b0) == LT_OK && a0.release == nullptr);
  CHECK(lt_batch_import_with_schema(&a1, s, &b1) == LT_OK && a1.release == nullptr);
  lt_schema_release(s);  // the batches keep it
  CHECK(fx::g_schema_releases == schemas);
  CHECK(lt_batch_num_rows(b1) == 3 && lt_batch_column_index(b1, "emb") == 1);
  AtenTensorHandle t = nullptr;
  CHECK(lt_batch_column_tensor(b0, 0, nullptr, &t) == LT_OK);
  lt_batch_release(b0);
  lt_batch_release(b1);
  CHECK(fx::g_schema_releases == schemas);  // the tensor holds batch 0, batch 0 the schema
  CHECK(lt_tensor_delete(t) == LT_OK);
  CHECK(fx::g_schema_releases == schemas + 1);  // released exactly once, after the last user
  CHECK(fx::g_array_releases == arrays + 8);

  ArrowArray a2;
  CHECK(get_next(&st, &a2) == 0);
  lt_batch* b = nullptr;
  CHECK_ERR(lt_batch_import_with_schema(&a2, nullptr, &b), LT_ERR_INVALID_ARGUMENT, "schema is null");
  CHECK(a2.release == nullptr && b == nullptr);  // consumed anyway
  FakeStream not_struct;
  not_struct.schema_format = "f";
  ArrowArrayStream st2 = make_stream(&not_struct);
  ArrowSchema bad;
  CHECK(get_schema(&st2, &bad) == 0);
  CHECK_ERR(lt_schema_import(&bad, &s), LT_ERR_INVALID_ARGUMENT, "expected a struct");
  CHECK(bad.release == nullptr && s == nullptr);
  CHECK_ERR(lt_schema_import(nullptr, &s), LT_ERR_INVALID_ARGUMENT, "schema is null");
  lt_schema_release(nullptr);
  st.release(&st);
  st2.release(&st2);
}

}  // namespace

void run_stream_tests() {
  test_shared_schema();
  test_iterates_to_end();
  test_producer_error();
  test_early_release_and_bad_batch();
  test_open_failures();
}
