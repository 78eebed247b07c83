// nf_cuda_lu, nf_cuda_triangular_solve and nf_cuda_cholesky: one block per matrix (grid-stride
// over the batch), the unblocked LAPACK algorithms of cpu/linalg.cpp with a block's threads
// sharing each step's row or column updates, in the dtype. Sized for the matrices users factor
// one at a time or in batches (n up to a few hundred); cuSOLVER would be the next step for large n.
// A check reads the info array on the host, as the index checks of index.cu do.
#include <vector>

#include "common/linalg.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

constexpr int kLinalgThreads = 128;

unsigned grid_for_batch(int64_t batch) { return static_cast<unsigned>(batch < 65535 ? (batch > 0 ? batch : 1) : 65535); }

template <class T>
__global__ void lu_kernel(const T* a, nf_layout al, int64_t batch, int64_t n, T* lu, int32_t* piv, int32_t* perm,
                          int32_t* info) {
    __shared__ int64_t pivot_row;
    __shared__ int32_t bad;
    const int64_t rs = al.strides[al.rank - 2], cs = al.strides[al.rank - 1];
    for (int64_t m = blockIdx.x; m < batch; m += gridDim.x) {
        const T* am = a + matrix_offset(al, m);
        T* w = lu + m * n * n;
        int32_t* pm = perm + m * n;
        for (int64_t t = threadIdx.x; t < n * n; t += blockDim.x) w[t] = am[(t / n) * rs + (t % n) * cs];
        for (int64_t i = threadIdx.x; i < n; i += blockDim.x) pm[i] = static_cast<int32_t>(i);
        if (threadIdx.x == 0) bad = 0;
        __syncthreads();
        for (int64_t k = 0; k < n; ++k) {
            if (threadIdx.x == 0) {  // the pivot search is O(n) of an O(n^2) step: one thread
                int64_t p = k;
                T best = fabs(w[k * n + k]);
                for (int64_t i = k + 1; i < n; ++i)
                    if (fabs(w[i * n + k]) > best) {
                        best = fabs(w[i * n + k]);
                        p = i;
                    }
                piv[m * n + k] = static_cast<int32_t>(p);
                if (p != k) {
                    const int32_t s = pm[k];
                    pm[k] = pm[p];
                    pm[p] = s;
                }
                pivot_row = p;
            }
            __syncthreads();
            const int64_t p = pivot_row;
            if (p != k)
                for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
                    const T s = w[k * n + j];
                    w[k * n + j] = w[p * n + j];
                    w[p * n + j] = s;
                }
            __syncthreads();
            const T d = w[k * n + k];
            if (d == T(0)) {  // every thread sees the same d: the branch is uniform
                if (threadIdx.x == 0 && bad == 0) bad = static_cast<int32_t>(k + 1);
                continue;
            }
            for (int64_t i = k + 1 + threadIdx.x; i < n; i += blockDim.x) w[i * n + k] /= d;
            __syncthreads();
            const int64_t r = n - k - 1;
            for (int64_t t = threadIdx.x; t < r * r; t += blockDim.x) {
                const int64_t i = k + 1 + t / r, j = k + 1 + t % r;
                w[i * n + j] -= w[i * n + k] * w[k * n + j];
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) info[m] = bad;
        __syncthreads();  // `bad` is reset for the next matrix only after it was read
    }
}

// One thread per column of B: substitution down (lower) or up the rows, in the column of out.
template <class T>
__global__ void triangular_solve_kernel(const T* a, nf_layout al, const T* b, nf_layout bl, int64_t batch, int64_t n,
                                        int64_t k, bool lower, bool unit, T* out) {
    const int64_t ars = al.strides[al.rank - 2], acs = al.strides[al.rank - 1];
    const int64_t brs = bl.strides[bl.rank - 2], bcs = bl.strides[bl.rank - 1];
    for (int64_t m = blockIdx.x; m < batch; m += gridDim.x) {
        const T* am = a + matrix_offset(al, m);
        const T* bm = b + matrix_offset(bl, m);
        T* om = out + m * n * k;
        for (int64_t c = threadIdx.x; c < k; c += blockDim.x)
            for (int64_t s = 0; s < n; ++s) {
                const int64_t i = lower ? s : n - 1 - s;
                T x = bm[i * brs + c * bcs];
                const int64_t j0 = lower ? 0 : i + 1, j1 = lower ? i : n;
                for (int64_t j = j0; j < j1; ++j) x -= am[i * ars + j * acs] * om[j * k + c];
                om[i * k + c] = unit ? x : x / am[i * ars + i * acs];
            }
    }
}

template <class T>
__global__ void cholesky_kernel(const T* a, nf_layout al, int64_t batch, int64_t n, T* l, int32_t* info) {
    __shared__ int32_t bad;
    const int64_t rs = al.strides[al.rank - 2], cs = al.strides[al.rank - 1];
    for (int64_t m = blockIdx.x; m < batch; m += gridDim.x) {
        const T* am = a + matrix_offset(al, m);
        T* w = l + m * n * n;
        for (int64_t t = threadIdx.x; t < n * n; t += blockDim.x) {
            const int64_t i = t / n, j = t % n;
            w[t] = j <= i ? am[i * rs + j * cs] : T(0);
        }
        if (threadIdx.x == 0) bad = 0;
        __syncthreads();
        for (int64_t j = 0; j < n; ++j) {
            if (threadIdx.x == 0) {
                T d = w[j * n + j];
                for (int64_t p = 0; p < j; ++p) d -= w[j * n + p] * w[j * n + p];
                if (d > T(0))
                    w[j * n + j] = sqrt(d);
                else
                    bad = static_cast<int32_t>(j + 1);  // NaN too
            }
            __syncthreads();
            if (bad != 0) {  // columns j and after of this L are 0, as the CPU engine's
                for (int64_t t = threadIdx.x; t < n * n; t += blockDim.x)
                    if (t % n >= j && t % n <= t / n) w[t] = T(0);
                break;
            }
            const T d = w[j * n + j];
            for (int64_t i = j + 1 + threadIdx.x; i < n; i += blockDim.x) {
                T s = w[i * n + j];
                for (int64_t p = 0; p < j; ++p) s -= w[i * n + p] * w[j * n + p];
                w[i * n + j] = s / d;
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) info[m] = bad;
        __syncthreads();
    }
}

template <class T>
void lu(const char* fn, const void* a, const nf_layout& al, const LinalgArgs& g, void* lu_out, int32_t* piv,
        int32_t* perm, int32_t* info) {
    lu_kernel<T><<<grid_for_batch(g.batch), kLinalgThreads, 0, stream()>>>(static_cast<const T*>(a), al, g.batch, g.n,
                                                                           static_cast<T*>(lu_out), piv, perm, info);
    NF_CUDA_LAUNCHED(fn);
}

template <class T>
void triangular_solve(const char* fn, const void* a, const nf_layout& al, const void* b, const nf_layout& bl,
                      const LinalgArgs& g, bool lower, bool unit, void* out) {
    triangular_solve_kernel<T><<<grid_for_batch(g.batch), kLinalgThreads, 0, stream()>>>(
        static_cast<const T*>(a), al, static_cast<const T*>(b), bl, g.batch, g.n, g.k, lower, unit, static_cast<T*>(out));
    NF_CUDA_LAUNCHED(fn);
}

template <class T>
void cholesky(const char* fn, const void* a, const nf_layout& al, const LinalgArgs& g, void* l_out, int32_t* info) {
    cholesky_kernel<T><<<grid_for_batch(g.batch), kLinalgThreads, 0, stream()>>>(static_cast<const T*>(a), al, g.batch,
                                                                                 g.n, static_cast<T*>(l_out), info);
    NF_CUDA_LAUNCHED(fn);
}

// The info array, read on the host for a check (never inside a capture: the kernel has not run).
std::vector<int32_t> read_info(const char* fn, const int32_t* info, int64_t batch) {
    std::vector<int32_t> host(static_cast<size_t>(batch));
    if (batch > 0) NF_CUDA(cudaMemcpy(host.data(), info, batch * sizeof(int32_t), cudaMemcpyDeviceToHost), fn);
    return host;
}

void refuse_check_in_capture(const char* fn, int32_t check) {
    if (check && capturing())
        NF_UNSUPPORTED("%s: its check waits for the device, so it cannot be part of a CUDA graph capture", fn);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_lu(nf_dtype dtype, const void* a, const nf_layout* a_layout, void* lu_out,
                                       int32_t* pivots_out, int32_t* perm_out, int32_t* info_out, int32_t check) {
    static const char* fn = "nf_cuda_lu";
    return nf::guard(fn, [&] {
        const nf::LinalgArgs g = nf::check_lu(fn, dtype, a, a_layout, lu_out, pivots_out, perm_out, info_out);
        nf::cuda::refuse_check_in_capture(fn, check);
        if (g.batch == 0) return;
        if (dtype == NF_FLOAT32)
            nf::cuda::lu<float>(fn, a, *a_layout, g, lu_out, pivots_out, perm_out, info_out);
        else
            nf::cuda::lu<double>(fn, a, *a_layout, g, lu_out, pivots_out, perm_out, info_out);
        if (check) nf::check_lu_info(fn, nf::cuda::read_info(fn, info_out, g.batch).data(), g.batch);
    });
}

extern "C" NF_API nf_status nf_cuda_triangular_solve(nf_dtype dtype, const void* a, const nf_layout* a_layout,
                                                     const void* b, const nf_layout* b_layout, int32_t lower,
                                                     int32_t unit_diagonal, void* out) {
    static const char* fn = "nf_cuda_triangular_solve";
    return nf::guard(fn, [&] {
        const nf::LinalgArgs g = nf::check_triangular_solve(fn, dtype, a, a_layout, b, b_layout, out);
        if (g.batch == 0 || g.k == 0) return;
        if (dtype == NF_FLOAT32)
            nf::cuda::triangular_solve<float>(fn, a, *a_layout, b, *b_layout, g, lower != 0, unit_diagonal != 0, out);
        else
            nf::cuda::triangular_solve<double>(fn, a, *a_layout, b, *b_layout, g, lower != 0, unit_diagonal != 0, out);
    });
}

extern "C" NF_API nf_status nf_cuda_cholesky(nf_dtype dtype, const void* a, const nf_layout* a_layout, void* l_out,
                                             int32_t* info_out, int32_t check) {
    static const char* fn = "nf_cuda_cholesky";
    return nf::guard(fn, [&] {
        const nf::LinalgArgs g = nf::check_cholesky(fn, dtype, a, a_layout, l_out, info_out);
        nf::cuda::refuse_check_in_capture(fn, check);
        if (g.batch == 0) return;
        if (dtype == NF_FLOAT32)
            nf::cuda::cholesky<float>(fn, a, *a_layout, g, l_out, info_out);
        else
            nf::cuda::cholesky<double>(fn, a, *a_layout, g, l_out, info_out);
        if (check) nf::check_cholesky_info(fn, nf::cuda::read_info(fn, info_out, g.batch).data(), g.batch);
    });
}
