// nf_cuda_softmax: softmax / log-softmax along one axis, in place in the contiguous output
// (x is first copied there, as on the CPU), with the CPU's formulas: subtract the row max, sum
// exp in double, then scale by 1/sum (softmax) or subtract log(sum) (log-softmax).
//  * last axis, rows up to 1024: one warp per row, 8 rows per block (the classifier case);
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

template <class T>
__device__ void finish_row(T* p, int64_t L, T m, double s, bool log, int64_t first, int64_t step) {
    if (log) {
        const T shift = static_cast<T>(::log(s));
        for (int64_t i = first; i < L; i += step) p[i] = (p[i] - m) - shift;
    } else {
        const T inv = static_cast<T>(1.0 / s);
        for (int64_t i = first; i < L; i += step) p[i] = exp(p[i] - m) * inv;
    }
}

constexpr int kRowsPerBlock = 8;

// Warps loop over the rows (a grid-stride loop: rows / 8 may exceed the grid's block limit);
// the loop condition is the same for every lane of a warp, so whole warps run the shuffles.
template <class T>
__global__ void warp_rows_kernel(T* p, int64_t rows, int64_t L, bool log) {
    const int lane = threadIdx.x & 31;
    for (int64_t row = blockIdx.x * static_cast<int64_t>(kRowsPerBlock) + (threadIdx.x >> 5); row < rows;
         row += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {
        T* r = p + row * L;
        T m = r[0];
        for (int64_t i = lane; i < L; i += 32) m = larger(m, r[i]);
        for (int o = 16; o > 0; o >>= 1) m = larger(m, __shfl_xor_sync(0xffffffffu, m, o));
        double s = 0.0;
        for (int64_t i = lane; i < L; i += 32) s += static_cast<double>(exp(r[i] - m));
        for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
        finish_row(r, L, m, s, log, lane, 32);
    }
}

template <class T>
__global__ void block_rows_kernel(T* p, int64_t L, bool log) {
    __shared__ T shared_m[32];
    __shared__ double shared_s[32];
    T* r = p + blockIdx.x * L;
    T m = r[0];
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) m = larger(m, r[i]);
    m = block_reduce(m, shared_m, [](T a, T b) { return larger(a, b); });
    double s = 0.0;
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) s += static_cast<double>(exp(r[i] - m));
    s = block_reduce(s, shared_s, [](double a, double b) { return a + b; });
    finish_row(r, L, m, s, log, threadIdx.x, blockDim.x);
}

template <class T>
__global__ void cols_kernel(T* p, int64_t outer, int64_t L, int64_t inner, bool log) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < outer * inner;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        T* c = p + (t / inner) * L * inner + t % inner;
        T m = c[0];
        for (int64_t k = 1; k < L; ++k) m = larger(m, c[k * inner]);
        double s = 0.0;
        for (int64_t k = 0; k < L; ++k) s += static_cast<double>(exp(c[k * inner] - m));
        if (log) {
            const T shift = static_cast<T>(::log(s));
            for (int64_t k = 0; k < L; ++k) c[k * inner] = (c[k * inner] - m) - shift;
        } else {
            const T inv = static_cast<T>(1.0 / s);
            for (int64_t k = 0; k < L; ++k) c[k * inner] = exp(c[k * inner] - m) * inv;
        }
    }
}

template <class T>
void softmax_inplace(const char* fn, T* p, int64_t outer, int64_t L, int64_t inner, bool log) {
    if (inner == 1 && L <= 1024) {
        warp_rows_kernel<<<grid_for(outer, kRowsPerBlock), 32 * kRowsPerBlock>>>(p, outer, L, log);
    } else if (inner == 1) {
        block_rows_kernel<<<static_cast<unsigned>(outer), kThreads>>>(p, L, log);
    } else {
        cols_kernel<<<grid_for(outer * inner), kThreads>>>(p, outer, L, inner, log);
    }
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
        const nf_layout ol = nf::contiguous_like(xl);
        if (!(x == out && xl.offset == 0 && nf::is_contiguous(xl)))
            nf::cuda::copy_strided(fn, nf::dtype_size(dtype), x, xl, out, ol);
        int64_t outer = 1, inner = 1;
        for (int d = 0; d < axis; ++d) outer *= xl.shape[d];
        for (int d = axis + 1; d < xl.rank; ++d) inner *= xl.shape[d];
        const int64_t L = xl.shape[axis];
        if (dtype == NF_FLOAT32)
            nf::cuda::softmax_inplace(fn, static_cast<float*>(out), outer, L, inner, log != 0);
        else
            nf::cuda::softmax_inplace(fn, static_cast<double*>(out), outer, L, inner, log != 0);
    });
}
