#include "torch_api.hpp"

#include <dlfcn.h>

#include <atomic>
#include <mutex>

#include "errors.hpp"

namespace lt {
namespace {

std::mutex g_mutex;
TorchApi g_api;
std::atomic<bool> g_ready{false};  // set (release) after g_api is complete

// Returns false when path was given and cannot be opened; *handle may be RTLD_DEFAULT (null on glibc).
bool open_torch(const char* path, std::string& tried, void** handle) {
  if (path != nullptr) {
    *handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (*handle == nullptr) *handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (*handle != nullptr) return true;
    const char* why = dlerror();
    tried += std::string(path) + " (" + (why ? why : "dlopen failed") + "); ";
    return false;
  }
  *handle = dlopen("libtorch_cpu.so", RTLD_NOW | RTLD_NOLOAD);
  if (*handle != nullptr) return true;
  tried += "libtorch_cpu.so (not loaded in this process), the global symbol scope; ";
  *handle = RTLD_DEFAULT;
  return true;
}

template <typename Fn>
Fn sym(void* handle, const char* name, std::string& missing) {
  void* p = dlsym(handle, name);
  if (p == nullptr) missing += std::string(name) + " ";
  return reinterpret_cast<Fn>(p);
}

int32_t code(void* handle, const char* name, std::string& missing, bool required) {
  std::string ignored;
  auto fn = sym<lt_torch_code_fn>(handle, name, required ? missing : ignored);
  return fn ? fn() : -1;
}

void resolve_locked(const char* path) {
  std::string tried;
  void* h = nullptr;
  if (!open_torch(path, tried, &h)) fail_state("lance-torch: cannot open libtorch: " + tried);
  TorchApi api;
  std::string missing;
  api.from_blob = sym<lt_torch_from_blob_fn>(h, "torch_from_blob", missing);
  api.empty_strided = sym<lt_torch_empty_strided_fn>(h, "aoti_torch_empty_strided", missing);
  api.get_data_ptr = sym<lt_torch_get_data_ptr_fn>(h, "aoti_torch_get_data_ptr", missing);
  api.delete_tensor = sym<lt_torch_delete_tensor_fn>(h, "aoti_torch_delete_tensor_object", missing);
  std::string optional_missing;
  api.exception_what =
      sym<lt_torch_exception_what_fn>(h, "torch_exception_get_what_without_backtrace", optional_missing);
  api.device_cpu = code(h, "aoti_torch_device_type_cpu", missing, true);
  api.layout_strided = code(h, "aoti_torch_layout_strided", missing, true);
  api.i8 = code(h, "aoti_torch_dtype_int8", missing, true);
  api.u8 = code(h, "aoti_torch_dtype_uint8", missing, true);
  api.i16 = code(h, "aoti_torch_dtype_int16", missing, true);
  api.i32 = code(h, "aoti_torch_dtype_int32", missing, true);
  api.i64 = code(h, "aoti_torch_dtype_int64", missing, true);
  api.f16 = code(h, "aoti_torch_dtype_float16", missing, true);
  api.f32 = code(h, "aoti_torch_dtype_float32", missing, true);
  api.f64 = code(h, "aoti_torch_dtype_float64", missing, true);
  api.boolean = code(h, "aoti_torch_dtype_bool", missing, true);
  api.u16 = code(h, "aoti_torch_dtype_uint16", missing, false);
  api.u32 = code(h, "aoti_torch_dtype_uint32", missing, false);
  api.u64 = code(h, "aoti_torch_dtype_uint64", missing, false);
  if (!missing.empty()) {
    fail_state("lance-torch: libtorch is not loaded (load it first, e.g. Loader.load(torch.class)); tried " +
               tried + "missing symbols: " + missing);
  }
  g_api = api;
  g_ready.store(true, std::memory_order_release);
}

}  // namespace

void torch_init(const char* libtorch_path) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_ready.load(std::memory_order_relaxed)) resolve_locked(libtorch_path);  // first success wins
}

const TorchApi& torch_api() {
  if (g_ready.load(std::memory_order_acquire)) return g_api;
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_ready.load(std::memory_order_relaxed)) resolve_locked(nullptr);
  return g_api;
}

std::string torch_error_text() {
  if (g_api.exception_what == nullptr) return "";
  const char* s = g_api.exception_what();
  return s ? std::string(s) : std::string();
}

AtenTensorHandle torch_empty(int64_t ndim, const int64_t* sizes, int32_t dtype, void** data) {
  const TorchApi& api = torch_api();
  int64_t strides[8];
  int64_t step = 1;
  for (int64_t d = ndim - 1; d >= 0; --d) {
    strides[d] = step;
    step *= sizes[d] > 0 ? sizes[d] : 1;
  }
  AtenTensorHandle h = nullptr;
  if (api.empty_strided(ndim, sizes, strides, dtype, api.device_cpu, -1, &h) != 0 || h == nullptr) {
    throw Error(LT_ERR_TORCH, "libtorch empty_strided failed: " + torch_error_text());
  }
  void* p = nullptr;
  if (api.get_data_ptr(h, &p) != 0) {
    api.delete_tensor(h);
    throw Error(LT_ERR_TORCH, "libtorch get_data_ptr failed: " + torch_error_text());
  }
  *data = p;
  return h;
}

}  // namespace lt

extern "C" LT_API int lt_init(const char* libtorch_path) {
  return lt::guarded([&] { lt::torch_init(libtorch_path); });
}
