// Tensor handles over an imported batch: zero-copy views (each holding one batch
// reference, dropped by the storage deleter) and a guard for fresh handles.
#pragma once

#include <cstdint>

#include "batch.hpp"
#include "torch_api.hpp"

namespace lt {

// A CPU tensor over `data` (inside b's Arrow buffers) that keeps b alive until its storage is freed.
AtenTensorHandle make_view(lt_batch* b, const void* data, int64_t ndim, const int64_t* sizes, const int64_t* strides,
                           int32_t dtype);

// Deletes an owned tensor handle unless released.
struct HandleGuard {
  AtenTensorHandle h;
  ~HandleGuard() {
    if (h != nullptr) torch_api().delete_tensor(h);
  }
  AtenTensorHandle release() {
    AtenTensorHandle r = h;
    h = nullptr;
    return r;
  }
};

}  // namespace lt
