// Shared plumbing of the CUDA engine: error mapping, launch sizes, strided index math and
// block reductions. Kernels follow the CPU engine's semantics exactly (same op structs where
// they can be shared through NF_HD, same accumulation types).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/error.h"
#include "common/layout.h"
#include "cuda/runtime.h"

namespace nf {
namespace cuda {

// The coalesced layout of N operands of one shape (from make_plan), passed to kernels by value.
template <int N>
struct Strided {
    int rank;
    int64_t shape[NF_MAX_RANK];
    int64_t strides[N][NF_MAX_RANK];

    static Strided from(const Plan<N>& p) {
        Strided s{};
        s.rank = p.rank;
        for (int d = 0; d < p.rank; ++d) {
            s.shape[d] = p.shape[d];
            for (int k = 0; k < N; ++k) s.strides[k][d] = p.strides[k][d];
        }
        return s;
    }

    // Element offsets of linear (row-major) index i in each operand.
    __device__ void offsets(int64_t i, int64_t (&off)[N]) const {
        for (int k = 0; k < N; ++k) off[k] = 0;
        for (int d = rank - 1; d >= 0; --d) {
            const int64_t q = i / shape[d], r = i - q * shape[d];
            for (int k = 0; k < N; ++k) off[k] += r * strides[k][d];
            i = q;
        }
    }
};

// True when every operand of the plan is one contiguous run.
template <int N>
bool all_contiguous(const Plan<N>& p) {
    if (p.rank != 1) return false;
    for (int k = 0; k < N; ++k)
        if (p.inner(k) != 1) return false;
    return true;
}

// Sum of v over the block, in a fixed order (warp shuffles, then warp 0 over the warp
// totals), so the result never depends on scheduling. Every thread gets the total.
// `shared` holds at least 32 values. Every thread of the block must call it, and blockDim.x
// must be a multiple of 32 (the shuffles name all 32 lanes).
template <class A, class Combine>
__device__ A block_reduce(A v, A* shared, Combine combine) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    for (int o = 16; o > 0; o >>= 1) v = combine(v, __shfl_down_sync(0xffffffffu, v, o));
    __syncthreads();  // `shared` may still be read by a previous reduction
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? shared[lane] : shared[0];
        // Lanes past `warps` repeat warp 0's value but are never combined below.
        for (int o = 16; o > 0; o >>= 1) {
            const A other = __shfl_down_sync(0xffffffffu, v, o);
            if (lane + o < warps) v = combine(v, other);
        }
        if (lane == 0) shared[0] = v;
    }
    __syncthreads();
    return shared[0];
}

}  // namespace cuda
}  // namespace nf
