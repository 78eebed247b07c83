// The one launcher behind every elementwise family (binary, unary, cast, copy): the host
// coalesces the operands' layouts (make_plan, as the CPU engine does) and picks
//  * a vector path when every operand is one contiguous run and 4-element aligned: each
//    thread loads and stores 4 elements at once (one 16-byte access for float32);
//  * a contiguous path (plain index) for contiguous but unaligned runs;
//  * a strided path that turns each linear index into per-operand offsets (broadcasts are
//    stride 0, negative strides allowed).
// A functor F provides  at(const int64_t (&off)[N])  for one element and  pack(i)  for the 4
// elements 4i..4i+3 of the contiguous case; `aligned(plan)` says whether pack may be used.
#pragma once

#include "cuda/cuda_common.cuh"

namespace nf {
namespace cuda {

// Four elements loaded or stored as one access.
template <class T>
struct alignas(sizeof(T) * 4) Pack4 {
    T v[4];
};

template <class T>
bool aligned4(const void* p) {
    return reinterpret_cast<uintptr_t>(p) % (sizeof(T) * 4) == 0;
}

template <int N, class F>
__global__ void strided_kernel(Strided<N> s, int64_t n, F f) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        int64_t off[N];
        s.offsets(i, off);
        f.at(off);
    }
}

template <int N, class F>
__global__ void contiguous_kernel(int64_t begin, int64_t n, F f) {
    for (int64_t i = begin + blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        int64_t off[N];
        for (int k = 0; k < N; ++k) off[k] = i;
        f.at(off);
    }
}

template <class F>
__global__ void pack_kernel(int64_t packs, F f) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < packs;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x)
        f.pack(i);
}

// Runs f over the plan's elements. The functor's pointers already include the layouts' offsets.
template <int N, class F>
void elementwise(const char* fn, const Plan<N>& p, F f, bool aligned) {
    const int64_t n = p.numel;
    if (n == 0) return;
    if (all_contiguous(p)) {
        int64_t done = 0;
        if (aligned && n >= 4) {
            const int64_t packs = n / 4;
            pack_kernel<<<grid_for(packs), kThreads, 0, stream()>>>(packs, f);
            NF_CUDA_LAUNCHED(fn);
            done = packs * 4;
        }
        if (done < n) {
            contiguous_kernel<N><<<grid_for(n - done), kThreads, 0, stream()>>>(done, n, f);
            NF_CUDA_LAUNCHED(fn);
        }
        return;
    }
    strided_kernel<N><<<grid_for(n), kThreads, 0, stream()>>>(Strided<N>::from(p), n, f);
    NF_CUDA_LAUNCHED(fn);
}

}  // namespace cuda
}  // namespace nf
