// nf_cuda_scan: cumulative sum / product along one axis, one thread per line (grid-stride), each
// a sequential scan in the reductions' accumulator (common/reduce_acc.h), so every output is
// the CPU engine's bit for bit. Correctness first: a line is not split across threads.
#include <cstdint>

#include "common/scan_sort.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

template <ReduceKind K, class T>
__global__ void scan_kernel(Strided<2> lines, int64_t count, const T* x, T* out, int64_t len, int64_t xs, int64_t os,
                            bool exclusive) {
    using Acc = ReduceAcc<K, T, T, unsigned long long>;
    for (int64_t l = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; l < count;
         l += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        int64_t off[2];
        lines.offsets(l, off);
        scan_line<Acc>(x + off[0], xs, out + off[1], os, len, exclusive);
    }
}

template <ReduceKind K, class T>
void scan(const char* fn, const T* x, T* out, const Lines& s, bool exclusive, bool reverse) {
    const nf_layout* ls[2] = {&s.x, &s.out};
    const Plan<2> p = make_plan(ls);
    const int64_t count = p.numel;
    // Backwards is forwards from the last element with negated steps.
    const int64_t first = reverse ? s.len - 1 : 0;
    scan_kernel<K, T><<<grid_for(count), kThreads, 0, stream()>>>(Strided<2>::from(p), count, x + first * s.x_step,
                                                      out + first * s.out_step, s.len,
                                                      reverse ? -s.x_step : s.x_step,
                                                      reverse ? -s.out_step : s.out_step, exclusive);
    NF_CUDA_LAUNCHED(fn);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_scan(nf_scan_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                         int32_t axis, int32_t exclusive, int32_t reverse, void* out) {
    static const char* fn = "nf_cuda_scan";
    return nf::guard(fn, [&] {
        nf::scan_entry(fn, op, dtype, x, x_layout, axis, out, [&](auto kind, auto px, auto po, const nf::Lines& s) {
            nf::cuda::scan<decltype(kind)::value>(fn, px, po, s, exclusive != 0, reverse != 0);
        });
    });
}
