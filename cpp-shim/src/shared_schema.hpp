// A reference-counted top-level Arrow schema shared by many batches (lt_schema in
// the C API; also what lt_stream hands to each batch it yields). Each batch gets a
// shallow ArrowSchema "view" whose release drops one reference, so the producer's
// schema is released exactly once, after the owner and the last batch are gone.
#ifndef LANCE_TORCH_SHARED_SCHEMA_HPP
#define LANCE_TORCH_SHARED_SCHEMA_HPP

#include <atomic>
#include <cstdint>
#include <cstring>

#include "adopted.hpp"
#include "lance_torch.h"

struct lt_schema {
  lt::Adopted<ArrowSchema> schema;  // the producer's, owned here
  std::atomic<int64_t> refs{1};
};

namespace lt {

inline void unref(lt_schema* s) noexcept {
  if (s->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  delete s;  // releases the schema
}

inline void release_view(ArrowSchema* view) {
  lt_schema* s = static_cast<lt_schema*>(view->private_data);
  view->release = nullptr;
  view->private_data = nullptr;
  unref(s);
}

// A borrowed-by-reference copy of the shared top-level schema for one batch.
inline void make_view(lt_schema* s, ArrowSchema* out) {
  std::memcpy(out, static_cast<const ArrowSchema*>(&s->schema), sizeof(ArrowSchema));
  out->private_data = s;
  out->release = &release_view;
  s->refs.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace lt

#endif  // LANCE_TORCH_SHARED_SCHEMA_HPP
