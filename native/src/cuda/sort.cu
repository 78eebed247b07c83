// nf_cuda_sort: a stable sort of every line along one axis. Correctness first: one thread per
// line (grid-stride) runs a bottom-up merge sort of the line's indices in scratch memory, by
// common/scan_sort.h's order (the CPU engine's std::stable_sort uses the same), so both engines
// give the same permutation. O(len log len) per line; long lines on few rows leave most of the
// device idle (a block-per-line sort would not).
#include <cstdint>

#include "common/scan_sort.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

template <class T>
__global__ void sort_kernel(Strided<2> lines, int64_t count, const T* x, int64_t len, int64_t xs, int64_t os,
                            bool descending, int64_t* scratch, T* values, nf_dtype index_dtype, void* indices) {
    for (int64_t l = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; l < count;
         l += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        int64_t off[2];
        lines.offsets(l, off);
        const T* xi = x + off[0];
        int64_t* a = scratch + l * 2 * len;  // two index buffers of len each
        int64_t* b = a + len;
        for (int64_t j = 0; j < len; ++j) a[j] = j;
        for (int64_t width = 1; width < len; width *= 2) {
            for (int64_t lo = 0; lo < len; lo += 2 * width) {
                const int64_t mid = lo + width < len ? lo + width : len;
                const int64_t hi = lo + 2 * width < len ? lo + 2 * width : len;
                int64_t i = lo, j = mid, k = lo;
                // Stable: the right run's element goes first only when it sorts strictly before.
                while (i < mid && j < hi)
                    b[k++] = sorts_before(xi[a[j] * xs], xi[a[i] * xs], descending) ? a[j++] : a[i++];
                while (i < mid) b[k++] = a[i++];
                while (j < hi) b[k++] = a[j++];
            }
            int64_t* t = a;
            a = b;
            b = t;
        }
        for (int64_t j = 0; j < len; ++j) {
            const int64_t at = off[1] + j * os;
            if (values) values[at] = xi[a[j] * xs];
            if (indices) {
                if (index_dtype == NF_INT32) static_cast<int32_t*>(indices)[at] = static_cast<int32_t>(a[j]);
                else static_cast<int64_t*>(indices)[at] = a[j];
            }
        }
    }
}

template <class T>
void sort(const char* fn, const T* x, const Lines& s, bool descending, T* values, nf_dtype index_dtype, void* indices) {
    const nf_layout* ls[2] = {&s.x, &s.out};
    const Plan<2> p = make_plan(ls);
    const int64_t count = p.numel;
    Scratch slot(fn, static_cast<int64_t>(sizeof(int64_t)) * 2 * count * s.len);
    int64_t* order = static_cast<int64_t*>(slot.get());
    sort_kernel<T><<<grid_for(count), kThreads, 0, stream()>>>(Strided<2>::from(p), count, x, s.len, s.x_step, s.out_step,
                                                   descending, order, values, index_dtype, indices);
    NF_CUDA_LAUNCHED(fn);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_sort(nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                                         int32_t descending, void* values_out, nf_dtype index_dtype, void* indices_out) {
    static const char* fn = "nf_cuda_sort";
    return nf::guard(fn, [&] {
        nf::sort_entry(fn, dtype, x, x_layout, axis, values_out, index_dtype, indices_out,
                       [&](auto px, auto pv, const nf::Lines& s) {
                           nf::cuda::sort(fn, px, s, descending != 0, pv, index_dtype, indices_out);
                       });
    });
}
