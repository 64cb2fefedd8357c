// Inspection of libtorch tensors through its C ABI, shared by the shim's C++ tests: shapes,
// strides, data pointers, dtypes, values, and the shim's counters. The entry points are looked
// up with dlsym (test only: the shim itself reaches libtorch through torch_api).
#pragma once

#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "lance_torch.h"

namespace tx {

struct Torch {
  int32_t (*get_sizes)(AtenTensorHandle, int64_t**);
  int32_t (*get_strides)(AtenTensorHandle, int64_t**);
  int32_t (*get_data_ptr)(AtenTensorHandle, void**);
  int32_t (*get_dtype)(AtenTensorHandle, int32_t*);
  int32_t (*get_dim)(AtenTensorHandle, int64_t*);
  int32_t (*dtype_float32)();
  int32_t (*dtype_float64)();
  int32_t (*dtype_int32)();
  int32_t (*dtype_int64)();
  int32_t (*dtype_uint8)();
  int32_t (*dtype_bool)();
};

inline Torch T;

template <typename F>
void bind(void* h, F& f, const char* name) {
  f = reinterpret_cast<F>(dlsym(h, name));
  if (f == nullptr) {
    std::fprintf(stderr, "missing %s\n", name);
    std::exit(2);
  }
}

// Binds every entry point of T from the libtorch handle h; exits with 2 naming one not found.
inline void bind_torch(void* h) {
  bind(h, T.get_sizes, "aoti_torch_get_sizes");
  bind(h, T.get_strides, "aoti_torch_get_strides");
  bind(h, T.get_data_ptr, "aoti_torch_get_data_ptr");
  bind(h, T.get_dtype, "aoti_torch_get_dtype");
  bind(h, T.get_dim, "aoti_torch_get_dim");
  bind(h, T.dtype_float32, "aoti_torch_dtype_float32");
  bind(h, T.dtype_float64, "aoti_torch_dtype_float64");
  bind(h, T.dtype_int32, "aoti_torch_dtype_int32");
  bind(h, T.dtype_int64, "aoti_torch_dtype_int64");
  bind(h, T.dtype_uint8, "aoti_torch_dtype_uint8");
  bind(h, T.dtype_bool, "aoti_torch_dtype_bool");
}

inline void* data(AtenTensorHandle t) {
  void* p = nullptr;
  T.get_data_ptr(t, &p);
  return p;
}

// One entry per dimension, read with getter (T.get_sizes or T.get_strides).
inline std::vector<int64_t> per_dim(AtenTensorHandle t, int32_t (*getter)(AtenTensorHandle, int64_t**)) {
  int64_t dim = 0;
  int64_t* s = nullptr;
  T.get_dim(t, &dim);
  getter(t, &s);
  return std::vector<int64_t>(s, s + dim);
}

inline std::vector<int64_t> sizes(AtenTensorHandle t) { return per_dim(t, T.get_sizes); }

inline std::vector<int64_t> strides(AtenTensorHandle t) { return per_dim(t, T.get_strides); }

inline int32_t dtype(AtenTensorHandle t) {
  int32_t d = -1;
  T.get_dtype(t, &d);
  return d;
}

// The elements of a contiguous tensor of element type E.
template <typename E>
std::vector<E> values(AtenTensorHandle t) {
  int64_t n = 1;
  for (int64_t s : sizes(t)) n *= s;
  const E* p = static_cast<const E*>(data(t));
  return std::vector<E>(p, p + n);
}

inline lt_stats_t stats() {
  lt_stats_t s{};
  lt_stats(&s);
  return s;
}

}  // namespace tx
