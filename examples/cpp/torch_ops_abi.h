/* The libtorch stable C ABI ("AOTI shim") entry points infer_example.cpp calls
 * directly, declared from their documented C signatures in the style of
 * lance_torch_torch_abi.h (so no torch headers are needed). They are exported
 * by libtorch_cpu.so, which the example links. */
#ifndef LANCE_TORCH_EXAMPLE_TORCH_OPS_ABI_H
#define LANCE_TORCH_EXAMPLE_TORCH_OPS_ABI_H

#include <stdint.h>

#include "lance_torch_torch_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

int32_t aoti_torch_dtype_float32(void);
int32_t aoti_torch_device_type_cpu(void);
AOTITorchError aoti_torch_empty_strided(int64_t ndim, const int64_t* sizes, const int64_t* strides, int32_t dtype,
                                        int32_t device_type, int32_t device_index, AtenTensorHandle* out);
AOTITorchError aoti_torch_get_data_ptr(AtenTensorHandle tensor, void** out);
AOTITorchError aoti_torch_get_dim(AtenTensorHandle tensor, int64_t* out);
AOTITorchError aoti_torch_get_sizes(AtenTensorHandle tensor, int64_t** out);
AOTITorchError aoti_torch_delete_tensor_object(AtenTensorHandle tensor);
/* out = beta * self + alpha * (mat1 @ mat2); self broadcasts (e.g. a bias row). */
AOTITorchError aoti_torch_addmm_out(AtenTensorHandle out, AtenTensorHandle self, AtenTensorHandle mat1,
                                    AtenTensorHandle mat2, float beta, float alpha);
const char* torch_exception_get_what_without_backtrace(void);

#ifdef __cplusplus
}
#endif

#endif /* LANCE_TORCH_EXAMPLE_TORCH_OPS_ABI_H */
