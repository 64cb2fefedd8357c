/* The few entry points of libtorch's stable C ABI ("AOTI shim") that the
 * lance-torch shim uses. Declared here from their documented C signatures so
 * the shim builds without any torch headers; the shim resolves them at run
 * time (dlsym) from the libtorch_cpu.so already loaded in the process. */
#ifndef LANCE_TORCH_TORCH_ABI_H
#define LANCE_TORCH_TORCH_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An owning pointer to an at::Tensor (heap allocated by libtorch). Delete with
 * aoti_torch_delete_tensor_object. */
struct AtenTensorOpaque;
typedef struct AtenTensorOpaque* AtenTensorHandle;

/* 0 = success; anything else = failure (text via torch_exception_get_what_without_backtrace). */
typedef int32_t AOTITorchError;

typedef AOTITorchError (*lt_torch_from_blob_fn)(
    void* data, int64_t ndim, const int64_t* sizes, const int64_t* strides, int64_t storage_offset,
    int32_t dtype, int32_t device_type, int32_t device_index, AtenTensorHandle* out, int32_t layout,
    const uint8_t* opaque_metadata, int64_t opaque_metadata_size, void (*deleter)(void* data, void* ctx),
    void* ctx);
typedef AOTITorchError (*lt_torch_empty_strided_fn)(int64_t ndim, const int64_t* sizes, const int64_t* strides,
                                                     int32_t dtype, int32_t device_type, int32_t device_index,
                                                     AtenTensorHandle* out);
typedef AOTITorchError (*lt_torch_get_data_ptr_fn)(AtenTensorHandle tensor, void** out);
typedef AOTITorchError (*lt_torch_delete_tensor_fn)(AtenTensorHandle tensor);
typedef int32_t (*lt_torch_code_fn)(void);
typedef const char* (*lt_torch_exception_what_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* LANCE_TORCH_TORCH_ABI_H */
