// Run-time binding to libtorch's stable C ABI (no torch headers, no link-time dependency).
#pragma once

#include <cstdint>
#include <string>

#include "lance_torch.h"

namespace lt {

struct TorchApi {
  lt_torch_from_blob_fn from_blob = nullptr;
  lt_torch_empty_strided_fn empty_strided = nullptr;
  lt_torch_get_data_ptr_fn get_data_ptr = nullptr;
  lt_torch_delete_tensor_fn delete_tensor = nullptr;
  lt_torch_exception_what_fn exception_what = nullptr;  // optional
  int32_t device_cpu = 0;
  int32_t layout_strided = 0;
  // torch ScalarType codes, -1 when this libtorch lacks the dtype
  int32_t i8 = -1, u8 = -1, i16 = -1, u16 = -1, i32 = -1, u32 = -1, i64 = -1, u64 = -1;
  int32_t f16 = -1, f32 = -1, f64 = -1, boolean = -1;
};

// Resolves on first use (thread-safe); throws lt::Error(LT_ERR_STATE) naming what is missing.
const TorchApi& torch_api();
// Explicit initialisation with an optional library path.
void torch_init(const char* libtorch_path);

// Text of libtorch's last error for messages ("" when unavailable).
std::string torch_error_text();

// A fresh contiguous CPU tensor; returns its handle and data pointer.
AtenTensorHandle torch_empty(int64_t ndim, const int64_t* sizes, int32_t dtype, void** data);

}  // namespace lt
