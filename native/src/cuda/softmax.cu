// nf_cuda_softmax: softmax / log-softmax along one axis into the contiguous output, with the
// CPU's formulas: subtract the row max, sum exp in double, then scale by 1/sum (softmax) or
// subtract log(sum) (log-softmax). A contiguous x is read where it is (a strided one is packed
// into out first and processed in place).
//  * last axis, rows up to 1024: one warp per row, 8 rows per block, the row held in registers
//    (one read, one write: the classifier case);
//  * last axis, longer rows: one block per row;
//  * other axes: one thread per column, walking the axis (neighbouring threads read
//    neighbouring addresses).
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

template <class T>
__device__ T larger(T a, T b) { return b > a ? b : a; }

// Writes row i's result: exp(x - m) / s, or (x - m) - log(s), from src to dst (may be the same).
template <class T>
__device__ void finish_row(const T* src, T* dst, int64_t L, T m, double s, bool log, int64_t first, int64_t step) {
    if (log) {
        const T shift = static_cast<T>(::log(s));
        for (int64_t i = first; i < L; i += step) dst[i] = (src[i] - m) - shift;
    } else {
        const T inv = static_cast<T>(1.0 / s);
        for (int64_t i = first; i < L; i += step) dst[i] = exp(src[i] - m) * inv;
    }
}

constexpr int kRowsPerBlock = 8;

// One pass per row: each lane keeps its PerLane elements of the row in registers (rows up to
// 32 * PerLane), so the row is read once and written once. Warps loop over the rows (a
// grid-stride loop: rows / 8 may exceed the grid's block limit); the loop condition is the same
// for every lane of a warp, so whole warps run the shuffles.
template <int PerLane, class T>
__global__ void warp_rows_kernel(const T* src, T* dst, int64_t rows, int64_t L, bool log) {
    const int lane = threadIdx.x & 31;
    for (int64_t row = blockIdx.x * static_cast<int64_t>(kRowsPerBlock) + (threadIdx.x >> 5); row < rows;
         row += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {
        const T* r = src + row * L;
        T v[PerLane];
        T m = r[0];
#pragma unroll
        for (int k = 0; k < PerLane; ++k) {
            const int64_t i = lane + 32 * k;
            v[k] = i < L ? r[i] : r[0];
            m = larger(m, v[k]);
        }
        for (int o = 16; o > 0; o >>= 1) m = larger(m, __shfl_xor_sync(0xffffffffu, m, o));
        double s = 0.0;
#pragma unroll
        for (int k = 0; k < PerLane; ++k)
            if (lane + 32 * k < L) s += static_cast<double>(exp(v[k] - m));
        for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
        T* w = dst + row * L;
        const T shift = static_cast<T>(::log(s)), inv = static_cast<T>(1.0 / s);
#pragma unroll
        for (int k = 0; k < PerLane; ++k) {
            const int64_t i = lane + 32 * k;
            if (i < L) w[i] = log ? (v[k] - m) - shift : exp(v[k] - m) * inv;
        }
    }
}

// Rows longer than 1024: one block per row (blocks loop over the rows), three passes over the
// row (it stays in L2).
template <class T>
__global__ void block_rows_kernel(const T* src, T* dst, int64_t rows, int64_t L, bool log) {
    __shared__ T shared_m[32];
    __shared__ double shared_s[32];
    for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* r = src + row * L;
        T m = r[0];
        for (int64_t i = threadIdx.x; i < L; i += blockDim.x) m = larger(m, r[i]);
        m = block_reduce(m, shared_m, [](T a, T b) { return larger(a, b); });
        double s = 0.0;
        for (int64_t i = threadIdx.x; i < L; i += blockDim.x) s += static_cast<double>(exp(r[i] - m));
        s = block_reduce(s, shared_s, [](double a, double b) { return a + b; });
        finish_row(r, dst + row * L, L, m, s, log, threadIdx.x, blockDim.x);
    }
}

// Other axes: one thread per (outer, inner) column; neighbouring threads read neighbouring addresses.
template <class T>
__global__ void cols_kernel(const T* src, T* dst, int64_t outer, int64_t L, int64_t inner, bool log) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < outer * inner;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t base = (t / inner) * L * inner + t % inner;
        const T* c = src + base;
        T m = c[0];
        for (int64_t k = 1; k < L; ++k) m = larger(m, c[k * inner]);
        double s = 0.0;
        for (int64_t k = 0; k < L; ++k) s += static_cast<double>(exp(c[k * inner] - m));
        finish_row(c, dst + base, L * inner, m, s, log, 0, inner);
    }
}

// src and dst are contiguous with x's shape (src may be dst).
template <class T>
void softmax(const char* fn, const T* src, T* dst, int64_t outer, int64_t L, int64_t inner, bool log) {
    const unsigned warps = grid_for(outer, kRowsPerBlock), threads = 32 * kRowsPerBlock;
    if (inner == 1 && L <= 32) warp_rows_kernel<1><<<warps, threads, 0, stream()>>>(src, dst, outer, L, log);
    else if (inner == 1 && L <= 128) warp_rows_kernel<4><<<warps, threads, 0, stream()>>>(src, dst, outer, L, log);
    else if (inner == 1 && L <= 1024) warp_rows_kernel<32><<<warps, threads, 0, stream()>>>(src, dst, outer, L, log);
    else if (inner == 1) block_rows_kernel<<<grid_for(outer, 1), kThreads, 0, stream()>>>(src, dst, outer, L, log);
    else cols_kernel<<<grid_for(outer * inner), kThreads, 0, stream()>>>(src, dst, outer, L, inner, log);
    NF_CUDA_LAUNCHED(fn);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_softmax(int32_t log, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                            int32_t axis, void* out) {
    static const char* fn = "nf_cuda_softmax";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_softmax(fn, dtype, x, x_layout, axis, out);
        if (n == 0) return;
        const nf_layout& xl = *x_layout;
        // A contiguous x is read in place; anything else is packed into out first.
        const bool packed = nf::is_contiguous(xl);
        if (!packed) nf::cuda::copy_strided(fn, nf::dtype_size(dtype), x, xl, out, nf::contiguous_like(xl));
        int64_t outer = 1, inner = 1;
        for (int d = 0; d < axis; ++d) outer *= xl.shape[d];
        for (int d = axis + 1; d < xl.rank; ++d) inner *= xl.shape[d];
        const int64_t L = xl.shape[axis];
        if (dtype == NF_FLOAT32) {
            const float* src = packed ? static_cast<const float*>(x) + xl.offset : static_cast<const float*>(out);
            nf::cuda::softmax(fn, src, static_cast<float*>(out), outer, L, inner, log != 0);
        } else {
            const double* src = packed ? static_cast<const double*>(x) + xl.offset : static_cast<const double*>(out);
            nf::cuda::softmax(fn, src, static_cast<double*>(out), outer, L, inner, log != 0);
        }
    });
}
