// lt_schema: a struct schema imported once and shared by reference with every
// batch imported against it (see shared_schema.hpp for the lifetime rules).
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "batch.hpp"
#include "errors.hpp"
#include "shared_schema.hpp"

namespace {

// lt_schema_import: consumes the schema on every path, also when it rejects it.
void import_schema(ArrowSchema* schema, lt_schema** out) {
  lt::Adopted<ArrowSchema> adopted(schema);
  if (out == nullptr) lt::fail("lt_schema_import: out is null");
  *out = nullptr;
  if (schema == nullptr) lt::fail("lt_schema_import: schema is null");
  if (!adopted.live()) lt::fail("lt_schema_import: schema is already released");
  std::unique_ptr<lt_schema, void (*)(lt_schema*)> s(new lt_schema(), &lt::unref);
  s->schema = std::move(adopted);
  const ArrowSchema& sc = s->schema;
  if (sc.format == nullptr || std::strcmp(sc.format, "+s") != 0) {
    lt::fail(std::string("lt_schema_import: expected a struct ('+s') schema, got format '") +
             (sc.format != nullptr ? sc.format : "(null)") + "'");
  }
  if (sc.n_children < 0 || (sc.n_children > 0 && sc.children == nullptr)) {
    lt::fail("lt_schema_import: malformed schema children");
  }
  *out = s.release();
}

// lt_batch_import_with_schema: consumes the array on every path; the batch shares the schema by reference.
void import_with_schema(ArrowArray* array, lt_schema* schema, lt_batch** out) {
  if (schema == nullptr) {
    lt::Adopted<ArrowArray> consumed(array);  // released when this throws
    if (out != nullptr) *out = nullptr;
    lt::fail("lt_batch_import_with_schema: schema is null");
  }
  ArrowSchema view;
  lt::make_view(schema, &view);
  lt::import_batch(array, &view, out);  // consumes both, even on failure
}

}  // namespace

extern "C" {

LT_API int lt_schema_import(struct ArrowSchema* schema, lt_schema** out) {
  return lt::guarded([&] { import_schema(schema, out); });
}

LT_API int lt_batch_import_with_schema(struct ArrowArray* array, lt_schema* schema, lt_batch** out) {
  return lt::guarded([&] { import_with_schema(array, schema, out); });
}

LT_API void lt_schema_release(lt_schema* schema) {
  if (schema != nullptr) lt::unref(schema);
}

}  // extern "C"
