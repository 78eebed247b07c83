// Internal kernels shared between op families (not exported).
#pragma once

#include <cstdint>

#include "neuralflow.h"

namespace nf {

// dst[i] = src[i] for one shape (validated by the caller), moving elem_size-byte elements
// (1, 4 or 8). Any strides on either side.
void copy_strided(int64_t elem_size, const void* src, const nf_layout& src_layout, void* dst,
                  const nf_layout& dst_layout);

}  // namespace nf
