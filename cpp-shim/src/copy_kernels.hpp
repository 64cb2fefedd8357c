// The one copying loop of the shim, instantiated per (source, destination)
// element type: bool unpacking, null filling, gathers and dtype casts.
#pragma once

#include <cstdint>

#include "column.hpp"

namespace lt {

// Writes item (r, k) of column c (0 <= r < rows, 0 <= k < width) to
// out[k * k_stride + r * r_stride], as element type dst. When use_validity is
// set, null rows / items are written as fill (cast to dst) instead.
void copy_column(const ColumnView& c, Elem dst, void* out, int64_t k_stride, int64_t r_stride, bool use_validity,
                 double fill);

}  // namespace lt
