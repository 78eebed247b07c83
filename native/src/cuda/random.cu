// nf_cuda_random_uniform and nf_cuda_random_normal: common/philox.h, the very code of the CPU
// engine (cpu/random.cpp states the formulas), one element per thread.
// Built with --fmad=false: `low + span * u` must round exactly as on the CPU.
#include "common/philox.h"
#include "cuda/generate.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

struct UniformFn {
    uint64_t seed, offset;
    double low, span;
    template <class Tg> __device__ double at(int64_t i) const {
        constexpr bool full = Tg::dtype == NF_FLOAT64, floor_it = Tg::dtype != NF_FLOAT32 && !full;
        return philox_uniform(offset + static_cast<uint64_t>(i), seed, low, span, full, floor_it);
    }
};

struct NormalFn {
    uint64_t seed, offset;
    double mean, stddev;
    template <class Tg> __device__ double at(int64_t i) const {
        return philox_normal(offset + static_cast<uint64_t>(i), seed, mean, stddev);
    }
};

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_random_uniform(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                                   uint64_t offset, double low, double high) {
    static const char* fn = "nf_cuda_random_uniform";
    return nf::guard(fn, [&] {
        nf::check_random_uniform(fn, dtype, out, count, low, high);
        nf::cuda::generate(fn, dtype, out, count, nf::cuda::UniformFn{seed, offset, low, high - low});
    });
}

extern "C" NF_API nf_status nf_cuda_random_normal(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                                  uint64_t offset, double mean, double stddev) {
    static const char* fn = "nf_cuda_random_normal";
    return nf::guard(fn, [&] {
        nf::check_random_normal(fn, dtype, out, count);
        nf::cuda::generate(fn, dtype, out, count, nf::cuda::NormalFn{seed, offset, mean, stddev});
    });
}
