// generate: out[i] = from_double(f(i)) for i in [0, count), one element per thread. What
// nf_cuda_fill/nf_cuda_range (fill.cu) and the random generators (random.cu) have in common,
// as cpu/generate.h for the CPU engine. F provides  template <class Tg> double at(int64_t i).
#pragma once

#include "cuda/cuda_common.cuh"

namespace nf {
namespace cuda {

template <class Tg, class F>
__global__ void generate_kernel(typename Tg::type* out, int64_t count, F f) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x)
        out[i] = from_double<Tg>(f.template at<Tg>(i));
}

template <class F>
void generate(const char* fn, nf_dtype dtype, void* out, int64_t count, F f) {
    if (count == 0) return;
    dispatch_storage(dtype, [&](auto tag) {  // float16 only from nf_cuda_fill: the others refuse it
        using Tg = decltype(tag);
        generate_kernel<Tg><<<grid_for(count), kThreads, 0, stream()>>>(static_cast<typename Tg::type*>(out), count, f);
        NF_CUDA_LAUNCHED(fn);
    });
}

}  // namespace cuda
}  // namespace nf
