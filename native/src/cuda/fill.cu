// nf_cuda_fill and nf_cuda_range: constant and arithmetic-sequence outputs, as cpu/fill.cpp.
// Built with --fmad=false: `start + i * delta` must round exactly as on the CPU.
#include "cuda/generate.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

struct FillFn {
    double value;
    template <class Tg> __device__ double at(int64_t) const { return value; }
};

struct RangeFn {
    double start, delta;
    template <class Tg> __device__ double at(int64_t i) const { return start + static_cast<double>(i) * delta; }
};

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_fill(nf_dtype dtype, void* out, int64_t count, double value) {
    static const char* fn = "nf_cuda_fill";
    return nf::guard(fn, [&] {
        nf::check_fill_storage(fn, dtype, out, count);
        nf::cuda::generate(fn, dtype, out, count, nf::cuda::FillFn{value});
    });
}

extern "C" NF_API nf_status nf_cuda_range(nf_dtype dtype, void* out, int64_t count, double start, double delta) {
    static const char* fn = "nf_cuda_range";
    return nf::guard(fn, [&] {
        nf::check_fill(fn, dtype, out, count);
        nf::cuda::generate(fn, dtype, out, count, nf::cuda::RangeFn{start, delta});
    });
}
