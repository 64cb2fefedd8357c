// lt_stream: an Arrow C stream moved into the shim. The stream's schema is
// fetched once and shared (reference-counted) by every batch it yields: each
// batch gets a shallow ArrowSchema whose release drops one reference, so the
// producer's schema is released exactly once, after the stream and the last
// batch are gone.
#include <atomic>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "batch.hpp"
#include "errors.hpp"
#include "shared_schema.hpp"

namespace {

std::string producer_error(ArrowArrayStream* st, int rc) {
  const char* text = st->get_last_error != nullptr ? st->get_last_error(st) : nullptr;
  std::string msg = "Arrow stream error (code " + std::to_string(rc) + ")";
  if (text != nullptr && *text != '\0') msg += ": " + std::string(text);
  return msg;
}

}  // namespace

struct lt_stream {
  lt::Adopted<ArrowArrayStream> stream;
  lt_schema* schema = nullptr;
  int64_t num_columns = 0;
  bool done = false;
  bool failed = false;
  std::string failure;
};

namespace {

void destroy(lt_stream* s) noexcept {
  s->stream.reset();  // the stream first, then the schema it gave
  if (s->schema != nullptr) lt::unref(s->schema);
  delete s;
}

// lt_stream_open: consumes the stream on every path, also when it rejects it.
void open_stream(ArrowArrayStream* stream, lt_stream** out) {
  lt::Adopted<ArrowArrayStream> adopted(stream);
  if (out == nullptr) lt::fail("lt_stream_open: out is null");
  *out = nullptr;
  if (stream == nullptr) lt::fail("lt_stream_open: stream is null");
  if (!adopted.live()) lt::fail("lt_stream_open: stream is already released");
  std::unique_ptr<lt_stream, void (*)(lt_stream*)> guard(new lt_stream(), &destroy);
  lt_stream* s = guard.get();
  s->stream = std::move(adopted);
  if (s->stream.get_schema == nullptr || s->stream.get_next == nullptr) {
    lt::fail("lt_stream_open: stream has no get_schema/get_next callback");
  }
  s->schema = new lt_schema();
  ArrowSchema given;
  std::memset(&given, 0, sizeof given);
  const int rc = s->stream.get_schema(&s->stream, &given);
  s->schema->schema = lt::Adopted<ArrowSchema>(&given);
  if (rc != 0) throw lt::Error(LT_ERR_STREAM, "lt_stream_open: " + producer_error(&s->stream, rc));
  const ArrowSchema& sc = s->schema->schema;
  if (sc.release == nullptr) lt::fail("lt_stream_open: the stream returned a released schema");
  if (sc.format == nullptr || std::strcmp(sc.format, "+s") != 0) {
    lt::fail(std::string("lt_stream_open: expected a struct ('+s') schema, got format '") +
             (sc.format != nullptr ? sc.format : "(null)") + "'");
  }
  if (sc.n_children < 0 || (sc.n_children > 0 && sc.children == nullptr)) {
    lt::fail("lt_stream_open: malformed schema children");
  }
  s->num_columns = sc.n_children;
  *out = guard.release();
}

void next_batch(lt_stream* s, lt_batch** out) {
  if (out == nullptr) lt::fail("lt_stream_next: out is null");
  *out = nullptr;
  if (s == nullptr) lt::fail("lt_stream_next: stream is null");
  if (s->failed) lt::fail_state("lt_stream_next: the stream failed earlier: " + s->failure);
  if (s->done) return;
  ArrowArray array;
  std::memset(&array, 0, sizeof array);
  const int rc = s->stream.get_next(&s->stream, &array);
  if (rc != 0) {
    s->failed = true;
    s->failure = producer_error(&s->stream, rc);
    throw lt::Error(LT_ERR_STREAM, "lt_stream_next: " + s->failure);
  }
  if (array.release == nullptr) {
    s->done = true;
    return;
  }
  ArrowSchema view;
  lt::make_view(s->schema, &view);
  lt::import_batch(&array, &view, out);  // consumes both, even on failure
}

}  // namespace

extern "C" {

LT_API int lt_stream_open(struct ArrowArrayStream* stream, lt_stream** out) {
  return lt::guarded([&] { open_stream(stream, out); });
}

LT_API int lt_stream_next(lt_stream* stream, lt_batch** out) {
  return lt::guarded([&] { next_batch(stream, out); });
}

LT_API int64_t lt_stream_num_columns(const lt_stream* stream) {
  if (stream == nullptr) {
    lt::set_error("lt_stream_num_columns: stream is null");
    return -1;
  }
  return stream->num_columns;
}

LT_API void lt_stream_release(lt_stream* stream) {
  if (stream != nullptr) destroy(stream);
}

}  // extern "C"
