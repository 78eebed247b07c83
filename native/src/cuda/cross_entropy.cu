// nf_cuda_softmax_cross_entropy: the fused, stable loss and gradient of cpu/cross_entropy.cpp,
// one warp per row. With d_c = x_c - max (exactly 0 at the first max), rest = the sum of
// exp(d_c) off the max, loss = sum_c y_c * (log1p(rest) - d_c) and grad = exp(d_c)/(1+rest) - y_c,
// all in double and rounded once. Sparse labels are checked on the device first (inside a CUDA
// graph, by the launch: graph.cpp).
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

constexpr int kRowsPerBlock = 8;

// One row per warp. Rows come from a grid-stride loop (n / 8 may exceed the grid's block
// limit); the row index is the same for every lane of a warp, so whole warps run the shuffles.
template <class T>
__device__ void cross_entropy_row(const T* x, int64_t i, int64_t c, int64_t rs, int64_t cs, nf_dtype label_dtype,
                                  const void* labels, bool sparse, T* loss, T* grad) {
    const int lane = threadIdx.x & 31;
    const T* row = x + i * rs;
    // First index of the maximum: every lane starts from column 0 and scans its columns in
    // order, then the lanes merge (a larger value wins, a tie goes to the smaller index).
    T best = row[0];
    int64_t arg = 0;
    for (int64_t k = lane; k < c; k += 32) {
        const T v = row[k * cs];
        if (v > best) {
            best = v;
            arg = k;
        }
    }
    for (int o = 16; o > 0; o >>= 1) {
        const T ob = __shfl_xor_sync(0xffffffffu, best, o);
        const int64_t oa = __shfl_xor_sync(0xffffffffu, arg, o);
        if (ob > best || (ob == best && oa < arg)) {
            best = ob;
            arg = oa;
        }
    }
    const double md = static_cast<double>(row[arg * cs]);
    auto d = [&](int64_t k) { return k == arg ? 0.0 : static_cast<double>(row[k * cs]) - md; };
    double rest = 0.0;
    for (int64_t k = lane; k < c; k += 32)
        if (k != arg) rest += exp(d(k));
    for (int o = 16; o > 0; o >>= 1) rest += __shfl_xor_sync(0xffffffffu, rest, o);
    const double log_s = log1p(rest), inv_s = 1.0 / (1.0 + rest);
    T* g = grad ? grad + i * c : nullptr;
    if (sparse) {
        const int64_t label = index_at(label_dtype, labels, i);
        if (label < 0 || label >= c) {  // only in a CUDA graph, whose launch then fails (graph.cpp)
            if (lane == 0) loss[i] = static_cast<T>(NAN);
            if (g)
                for (int64_t k = lane; k < c; k += 32) g[k] = static_cast<T>(NAN);
            return;
        }
        if (lane == 0) loss[i] = static_cast<T>(log_s - d(label));
        if (g)
            for (int64_t k = lane; k < c; k += 32) g[k] = static_cast<T>(exp(d(k)) * inv_s - (k == label ? 1.0 : 0.0));
        return;
    }
    const T* y = static_cast<const T*>(labels) + i * c;
    double acc = 0.0;
    for (int64_t k = lane; k < c; k += 32) {
        const double yk = static_cast<double>(y[k]);
        if (yk != 0.0) acc += yk * (log_s - d(k));  // a zero label adds nothing, even where log_softmax is -inf
        if (g) g[k] = static_cast<T>(exp(d(k)) * inv_s - yk);
    }
    for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
    if (lane == 0) loss[i] = static_cast<T>(acc);
}

template <class T>
__global__ void cross_entropy_kernel(const T* x, int64_t n, int64_t c, int64_t rs, int64_t cs, nf_dtype label_dtype,
                                     const void* labels, bool sparse, T* loss, T* grad) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(kRowsPerBlock) + (threadIdx.x >> 5); i < n;
         i += static_cast<int64_t>(gridDim.x) * kRowsPerBlock)
        cross_entropy_row(x, i, c, rs, cs, label_dtype, labels, sparse, loss, grad);
}

template <class T>
__global__ void zero_kernel(T* p, int64_t n) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x)
        p[i] = T(0);
}

template <class T>
void cross_entropy(const char* fn, const T* x, const nf_layout& xl, int64_t n, int64_t c, nf_dtype label_dtype,
                   const void* labels, bool sparse, T* loss, T* grad) {
    if (c == 0) {  // dense only (sparse labels failed the range check): no terms, zero loss
        zero_kernel<<<grid_for(n), kThreads, 0, stream()>>>(loss, n);
    } else {
        cross_entropy_kernel<<<grid_for(n, kRowsPerBlock), 32 * kRowsPerBlock, 0, stream()>>>(
            x + xl.offset, n, c, xl.strides[0], xl.strides[1], label_dtype, labels, sparse, loss, grad);
    }
    NF_CUDA_LAUNCHED(fn);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_softmax_cross_entropy(nf_dtype dtype, const void* logits,
                                                          const nf_layout* logits_layout, nf_dtype label_dtype,
                                                          const void* labels, int32_t sparse, void* loss_out,
                                                          void* grad_out) {
    static const char* fn = "nf_cuda_softmax_cross_entropy";
    return nf::guard(fn, [&] {
        const nf::CrossEntropyArgs ce =
            nf::check_cross_entropy(fn, dtype, logits, logits_layout, label_dtype, labels, sparse, loss_out);
        if (sparse && nf::cuda::capturing()) {
            // In a CUDA graph the check runs on the device and each launch reads its answer.
            nf::cuda::capture_index_check(fn, label_dtype, labels, ce.n, ce.c,
                                          [c = ce.c](int64_t row, int64_t value) { nf::fail_label(fn, row, value, c); });
        } else if (sparse) {
            int64_t value = 0;
            const int64_t row = nf::cuda::first_out_of_range(fn, label_dtype, labels, ce.n, ce.c, &value);
            if (row >= 0) nf::fail_label(fn, row, value, ce.c);
        }
        if (ce.n == 0) return;
        if (dtype == NF_FLOAT32)
            nf::cuda::cross_entropy(fn, static_cast<const float*>(logits), *logits_layout, ce.n, ce.c, label_dtype,
                                    labels, sparse != 0, static_cast<float*>(loss_out), static_cast<float*>(grad_out));
        else
            nf::cuda::cross_entropy(fn, static_cast<const double*>(logits), *logits_layout, ce.n, ce.c, label_dtype,
                                    labels, sparse != 0, static_cast<double*>(loss_out),
                                    static_cast<double*>(grad_out));
    });
}
