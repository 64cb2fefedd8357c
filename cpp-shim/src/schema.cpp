// lt_schema: a struct schema imported once and shared by reference with every
// batch imported against it (see shared_schema.hpp for the lifetime rules).
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "errors.hpp"
#include "shared_schema.hpp"

namespace {

void import_schema(ArrowSchema* schema, lt_schema** out) {
  if (out == nullptr) {
    if (schema != nullptr && schema->release != nullptr) schema->release(schema);
    lt::fail("lt_schema_import: out is null");
  }
  *out = nullptr;
  if (schema == nullptr) lt::fail("lt_schema_import: schema is null");
  if (schema->release == nullptr) lt::fail("lt_schema_import: schema is already released");
  lt_schema* s = new (std::nothrow) lt_schema();
  if (s == nullptr) {
    schema->release(schema);
    throw std::bad_alloc();
  }
  std::memcpy(&s->schema, schema, sizeof(ArrowSchema));
  schema->release = nullptr;
  std::unique_ptr<lt_schema, void (*)(lt_schema*)> guard(s, &lt::unref);
  const ArrowSchema& sc = s->schema;
  if (sc.format == nullptr || std::strcmp(sc.format, "+s") != 0) {
    lt::fail(std::string("lt_schema_import: expected a struct ('+s') schema, got format '") +
             (sc.format != nullptr ? sc.format : "(null)") + "'");
  }
  if (sc.n_children < 0 || (sc.n_children > 0 && sc.children == nullptr)) {
    lt::fail("lt_schema_import: malformed schema children");
  }
  *out = guard.release();
}

}  // namespace

extern "C" {

LT_API int lt_schema_import(struct ArrowSchema* schema, lt_schema** out) {
  return lt::guarded([&] { import_schema(schema, out); });
}

LT_API int lt_batch_import_with_schema(struct ArrowArray* array, lt_schema* schema, lt_batch** out) {
  if (schema == nullptr) {
    if (array != nullptr && array->release != nullptr) array->release(array);
    if (out != nullptr) *out = nullptr;
    lt::set_error("lt_batch_import_with_schema: schema is null");
    return LT_ERR_INVALID_ARGUMENT;
  }
  ArrowSchema view;
  lt::make_view(schema, &view);
  return lt_batch_import(array, &view, out);  // consumes both, even on failure
}

LT_API void lt_schema_release(lt_schema* schema) {
  if (schema != nullptr) lt::unref(schema);
}

}  // extern "C"
