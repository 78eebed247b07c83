// nf_cuda_fill, nf_cuda_range and the counter-based random generators: common/philox.h, the
// very code of the CPU engine, one element per thread.
// Built with --fmad=false: `low + span * u` must round exactly as on the CPU.
#include "common/philox.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

enum class Gen { Fill, Range, Uniform, Normal };

struct GenParams {
    uint64_t seed, offset;
    double a, b;  // fill: value; range: start, delta; uniform: low, span; normal: mean, stddev
};

template <Gen G, class Tg>
__global__ void generate_kernel(typename Tg::type* out, int64_t count, GenParams p) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        double v;
        if constexpr (G == Gen::Fill) {
            v = p.a;
        } else if constexpr (G == Gen::Range) {
            v = p.a + static_cast<double>(i) * p.b;
        } else if constexpr (G == Gen::Uniform) {
            constexpr bool full = Tg::dtype == NF_FLOAT64, floor_it = Tg::dtype != NF_FLOAT32 && !full;
            v = philox_uniform(p.offset + static_cast<uint64_t>(i), p.seed, p.a, p.b, full, floor_it);
        } else {
            v = philox_normal(p.offset + static_cast<uint64_t>(i), p.seed, p.a, p.b);
        }
        out[i] = from_double<Tg>(v);
    }
}

template <Gen G>
void generate(const char* fn, nf_dtype dtype, void* out, int64_t count, GenParams p) {
    if (count == 0) return;
    dispatch(dtype, [&](auto tag) {
        using Tg = decltype(tag);
        generate_kernel<G, Tg><<<grid_for(count), kThreads>>>(static_cast<typename Tg::type*>(out), count, p);
        NF_CUDA_LAUNCHED(fn);
    });
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_fill(nf_dtype dtype, void* out, int64_t count, double value) {
    static const char* fn = "nf_cuda_fill";
    return nf::guard(fn, [&] {
        nf::check_fill(fn, dtype, out, count);
        nf::cuda::generate<nf::cuda::Gen::Fill>(fn, dtype, out, count, {0, 0, value, 0});
    });
}

extern "C" NF_API nf_status nf_cuda_range(nf_dtype dtype, void* out, int64_t count, double start, double delta) {
    static const char* fn = "nf_cuda_range";
    return nf::guard(fn, [&] {
        nf::check_fill(fn, dtype, out, count);
        nf::cuda::generate<nf::cuda::Gen::Range>(fn, dtype, out, count, {0, 0, start, delta});
    });
}

extern "C" NF_API nf_status nf_cuda_random_uniform(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                                   uint64_t offset, double low, double high) {
    static const char* fn = "nf_cuda_random_uniform";
    return nf::guard(fn, [&] {
        nf::check_random_uniform(fn, dtype, out, count, low, high);
        nf::cuda::generate<nf::cuda::Gen::Uniform>(fn, dtype, out, count, {seed, offset, low, high - low});
    });
}

extern "C" NF_API nf_status nf_cuda_random_normal(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                                  uint64_t offset, double mean, double stddev) {
    static const char* fn = "nf_cuda_random_normal";
    return nf::guard(fn, [&] {
        nf::check_random_normal(fn, dtype, out, count);
        nf::cuda::generate<nf::cuda::Gen::Normal>(fn, dtype, out, count, {seed, offset, mean, stddev});
    });
}
