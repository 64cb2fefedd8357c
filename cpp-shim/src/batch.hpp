// The imported batch: owns the moved Arrow structs and a reference count shared
// by the caller's handle and every zero-copy tensor's storage deleter.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "lance_torch.h"

struct lt_batch {
  ArrowArray array;
  ArrowSchema schema;
  std::atomic<int64_t> refs{1};
  std::vector<std::string> names;
  int64_t bytes = 0;  // estimate of the Arrow memory it keeps alive (counted in Counters::live_bytes)
};

namespace lt {

struct Counters {
  std::atomic<int64_t> imported{0}, released{0}, created{0}, freed{0}, copied{0}, bytes{0};
  std::atomic<int64_t> live_bytes{0};  // sum of lt_batch::bytes of the batches not yet released
};
Counters& counters();

void batch_ref(lt_batch* b);
// Drops one reference; the last one releases the Arrow structs and frees b.
void batch_unref(lt_batch* b) noexcept;

}  // namespace lt
