// nf_cuda_batch_norm, nf_cuda_layer_norm and their gradients with common/norm.h's arithmetic
// (the CPU engine's). Batch norm: one block per feature, layer norm: one block per row; the
// block's threads stride over the elements and block_reduce combines their double partial sums
// in a fixed order, so results are deterministic. Layer norm's gamma/beta gradients run one
// thread per column over the rows, with the row statistics its dx kernel saved in scratch.
#include "common/norm.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

struct BnGeom {
    int64_t outer, features, inner, count;
    __device__ int64_t at(int64_t f, int64_t j) const {
        const int64_t o = j / inner, i = j - o * inner;
        return (o * features + f) * inner + i;
    }
};

__device__ double block_sum(double v, double* shared) {
    return block_reduce(v, shared, [](double a, double b) { return a + b; });
}

// Feature f's batch mean and rstd (and biased variance), two passes in double; every thread gets them.
template <class T>
__device__ void batch_stats(const BnGeom& g, const T* x, int64_t f, double epsilon, double* shared, double* mean,
                            double* var, double* rstd) {
    double s = 0;
    for (int64_t j = threadIdx.x; j < g.count; j += blockDim.x) s += static_cast<double>(x[g.at(f, j)]);
    const double m = block_sum(s, shared) / static_cast<double>(g.count);
    double v = 0;
    for (int64_t j = threadIdx.x; j < g.count; j += blockDim.x) {
        const double d = static_cast<double>(x[g.at(f, j)]) - m;
        v += d * d;
    }
    *mean = m;
    *var = block_sum(v, shared) / static_cast<double>(g.count);
    *rstd = norm_rstd(*var, epsilon);
}

template <class T>
__global__ void batch_norm_kernel(BnGeom g, const T* x, const T* gamma, const T* beta, const T* mean_in,
                                  const T* var_in, double epsilon, T* out, T* batch_mean, T* batch_var) {
    __shared__ double shared[32];
    for (int64_t f = blockIdx.x; f < g.features; f += gridDim.x) {
        double mean, var, rstd;
        if (mean_in) {
            mean = static_cast<double>(mean_in[f]);
            rstd = norm_rstd(static_cast<double>(var_in[f]), epsilon);
        } else {
            batch_stats(g, x, f, epsilon, shared, &mean, &var, &rstd);
            if (threadIdx.x == 0) {
                batch_mean[f] = static_cast<T>(mean);
                batch_var[f] = static_cast<T>(var);
            }
        }
        const double gm = norm_param(gamma, f, 1.0), bt = norm_param(beta, f, 0.0);
        for (int64_t j = threadIdx.x; j < g.count; j += blockDim.x) {
            const int64_t k = g.at(f, j);
            out[k] = norm_apply(x[k], mean, rstd, gm, bt);
        }
    }
}

template <class T>
__global__ void batch_norm_backward_kernel(BnGeom g, const T* x, const T* dy, const T* gamma, const T* mean_in,
                                           const T* var_in, double epsilon, T* dx, T* dgamma, T* dbeta) {
    __shared__ double shared[32];
    const bool training = mean_in == nullptr;
    for (int64_t f = blockIdx.x; f < g.features; f += gridDim.x) {
        double mean, var, rstd;
        if (training) {
            batch_stats(g, x, f, epsilon, shared, &mean, &var, &rstd);
        } else {
            mean = static_cast<double>(mean_in[f]);
            rstd = norm_rstd(static_cast<double>(var_in[f]), epsilon);
        }
        double sdy = 0, sdyx = 0;
        if (training || dgamma || dbeta) {
            for (int64_t j = threadIdx.x; j < g.count; j += blockDim.x) {
                const int64_t k = g.at(f, j);
                const double d = static_cast<double>(dy[k]);
                sdy += d;
                sdyx += d * (static_cast<double>(x[k]) - mean) * rstd;
            }
            sdy = block_sum(sdy, shared);
            sdyx = block_sum(sdyx, shared);
        }
        if (threadIdx.x == 0) {
            if (dgamma) dgamma[f] = static_cast<T>(sdyx);
            if (dbeta) dbeta[f] = static_cast<T>(sdy);
        }
        if (!dx) continue;
        const double gm = norm_param(gamma, f, 1.0), n = static_cast<double>(g.count);
        for (int64_t j = threadIdx.x; j < g.count; j += blockDim.x) {
            const int64_t k = g.at(f, j);
            const double u = gm * static_cast<double>(dy[k]);
            if (!training) {
                dx[k] = static_cast<T>(u * rstd);
            } else {
                const double xhat = (static_cast<double>(x[k]) - mean) * rstd;
                dx[k] = static_cast<T>(norm_dx_train(u, xhat, rstd, gm * sdy / n, gm * sdyx / n));
            }
        }
    }
}

// Row r's mean and rstd, two passes in double; every thread gets them.
template <class T>
__device__ void row_stats(const T* xr, int64_t cols, double epsilon, double* shared, double* mean, double* rstd) {
    double s = 0;
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) s += static_cast<double>(xr[c]);
    const double m = block_sum(s, shared) / static_cast<double>(cols);
    double v = 0;
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
        const double d = static_cast<double>(xr[c]) - m;
        v += d * d;
    }
    *mean = m;
    *rstd = norm_rstd(block_sum(v, shared) / static_cast<double>(cols), epsilon);
}

template <class T>
__global__ void layer_norm_kernel(const T* x, int64_t rows, int64_t cols, const T* gamma, const T* beta,
                                  double epsilon, T* out) {
    __shared__ double shared[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* xr = x + r * cols;
        double mean, rstd;
        row_stats(xr, cols, epsilon, shared, &mean, &rstd);
        for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
            out[r * cols + c] = norm_apply(xr[c], mean, rstd, norm_param(gamma, c, 1.0), norm_param(beta, c, 0.0));
    }
}

template <class T>
__global__ void layer_norm_backward_kernel(const T* x, int64_t rows, int64_t cols, const T* dy, const T* gamma,
                                           double epsilon, T* dx, double* stats) {
    __shared__ double shared[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* xr = x + r * cols;
        const T* gr = dy + r * cols;
        double mean, rstd;
        row_stats(xr, cols, epsilon, shared, &mean, &rstd);
        if (threadIdx.x == 0) {
            stats[2 * r] = mean;
            stats[2 * r + 1] = rstd;
        }
        if (!dx) continue;
        double su = 0, sux = 0;
        for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
            const double u = norm_param(gamma, c, 1.0) * static_cast<double>(gr[c]);
            su += u;
            sux += u * (static_cast<double>(xr[c]) - mean) * rstd;
        }
        const double n = static_cast<double>(cols);
        su = block_sum(su, shared) / n;
        sux = block_sum(sux, shared) / n;
        for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
            const double u = norm_param(gamma, c, 1.0) * static_cast<double>(gr[c]);
            const double xhat = (static_cast<double>(xr[c]) - mean) * rstd;
            dx[r * cols + c] = static_cast<T>(norm_dx_train(u, xhat, rstd, su, sux));
        }
    }
}

// One thread per column, summing over the rows in order (the CPU engine's order).
template <class T>
__global__ void layer_norm_params_kernel(const T* x, int64_t rows, int64_t cols, const T* dy, const double* stats,
                                         T* dgamma, T* dbeta) {
    for (int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; c < cols;
         c += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        double sg = 0, sb = 0;
        for (int64_t r = 0; r < rows; ++r) {
            const double d = static_cast<double>(dy[r * cols + c]);
            sb += d;
            sg += d * (static_cast<double>(x[r * cols + c]) - stats[2 * r]) * stats[2 * r + 1];
        }
        if (dgamma) dgamma[c] = static_cast<T>(sg);
        if (dbeta) dbeta[c] = static_cast<T>(sb);
    }
}

unsigned blocks_for(int64_t items) { return static_cast<unsigned>(items < 1 ? 1 : (items > 65535 ? 65535 : items)); }

template <class T>
const T* cp(const void* p) { return static_cast<const T*>(p); }
template <class T>
T* mp(void* p) { return static_cast<T*>(p); }

template <class T>
void batch_norm(const char* fn, const BnGeom& g, const void* x, const void* gamma, const void* beta, const void* mean,
                const void* var, double epsilon, void* out, void* bmean, void* bvar) {
    batch_norm_kernel<T><<<blocks_for(g.features), kThreads, 0, stream()>>>(g, cp<T>(x), cp<T>(gamma), cp<T>(beta), cp<T>(mean),
                                                               cp<T>(var), epsilon, mp<T>(out), mp<T>(bmean),
                                                               mp<T>(bvar));
    NF_CUDA_LAUNCHED(fn);
}

template <class T>
void batch_norm_backward(const char* fn, const BnGeom& g, const void* x, const void* dy, const void* gamma,
                         const void* mean, const void* var, double epsilon, void* dx, void* dgamma, void* dbeta) {
    batch_norm_backward_kernel<T><<<blocks_for(g.features), kThreads, 0, stream()>>>(g, cp<T>(x), cp<T>(dy), cp<T>(gamma),
                                                                        cp<T>(mean), cp<T>(var), epsilon, mp<T>(dx),
                                                                        mp<T>(dgamma), mp<T>(dbeta));
    NF_CUDA_LAUNCHED(fn);
}

template <class T>
void layer_norm(const char* fn, const void* x, int64_t rows, int64_t cols, const void* gamma, const void* beta,
                double epsilon, void* out) {
    layer_norm_kernel<T><<<blocks_for(rows), kThreads, 0, stream()>>>(cp<T>(x), rows, cols, cp<T>(gamma), cp<T>(beta), epsilon,
                                                         mp<T>(out));
    NF_CUDA_LAUNCHED(fn);
}

template <class T>
void layer_norm_backward(const char* fn, const void* x, int64_t rows, int64_t cols, const void* dy,
                         const void* gamma, double epsilon, void* dx, void* dgamma, void* dbeta) {
    // Row statistics for the column pass: (mean, rstd) per row; never a zero-byte request.
    Scratch slot(fn, (rows > 0 ? rows : 1) * 2 * static_cast<int64_t>(sizeof(double)));
    double* stats = static_cast<double*>(slot.get());
    if (rows > 0) {
        layer_norm_backward_kernel<T><<<blocks_for(rows), kThreads, 0, stream()>>>(cp<T>(x), rows, cols, cp<T>(dy), cp<T>(gamma),
                                                                      epsilon, mp<T>(dx), stats);
        NF_CUDA_LAUNCHED(fn);
    }
    if (dgamma || dbeta) {
        layer_norm_params_kernel<T><<<grid_for(cols), kThreads, 0, stream()>>>(cp<T>(x), rows, cols, cp<T>(dy), stats,
                                                                  mp<T>(dgamma), mp<T>(dbeta));
        NF_CUDA_LAUNCHED(fn);
    }
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_batch_norm(nf_dtype dtype, const void* x, int64_t outer, int64_t features,
                                               int64_t inner, const void* gamma, const void* beta, const void* mean,
                                               const void* variance, double epsilon, void* out, void* batch_mean,
                                               void* batch_variance) {
    static const char* fn = "nf_cuda_batch_norm";
    return nf::guard(fn, [&] {
        const int64_t count = nf::check_batch_norm(fn, dtype, x, outer, features, inner, mean, variance, epsilon,
                                                   out, batch_mean, batch_variance);
        if (features == 0) return;
        const nf::cuda::BnGeom g{outer, features, inner, count};
        if (dtype == NF_FLOAT32)
            nf::cuda::batch_norm<float>(fn, g, x, gamma, beta, mean, variance, epsilon, out, batch_mean, batch_variance);
        else
            nf::cuda::batch_norm<double>(fn, g, x, gamma, beta, mean, variance, epsilon, out, batch_mean,
                                         batch_variance);
    });
}

extern "C" NF_API nf_status nf_cuda_batch_norm_backward(nf_dtype dtype, const void* x, int64_t outer,
                                                        int64_t features, int64_t inner, const void* dy,
                                                        const void* gamma, const void* mean, const void* variance,
                                                        double epsilon, int32_t training, void* dx, void* dgamma,
                                                        void* dbeta) {
    static const char* fn = "nf_cuda_batch_norm_backward";
    return nf::guard(fn, [&] {
        const int64_t count = nf::check_batch_norm_backward(fn, dtype, x, outer, features, inner, dy, mean,
                                                            variance, epsilon, training);
        if (features == 0) return;
        const nf::cuda::BnGeom g{outer, features, inner, count};
        if (dtype == NF_FLOAT32)
            nf::cuda::batch_norm_backward<float>(fn, g, x, dy, gamma, mean, variance, epsilon, dx, dgamma, dbeta);
        else
            nf::cuda::batch_norm_backward<double>(fn, g, x, dy, gamma, mean, variance, epsilon, dx, dgamma, dbeta);
    });
}

extern "C" NF_API nf_status nf_cuda_layer_norm(nf_dtype dtype, const void* x, int64_t rows, int64_t cols,
                                               const void* gamma, const void* beta, double epsilon, void* out) {
    static const char* fn = "nf_cuda_layer_norm";
    return nf::guard(fn, [&] {
        nf::check_layer_norm(fn, dtype, x, rows, cols, epsilon, out, "out");
        if (rows == 0 || cols == 0) return;
        if (dtype == NF_FLOAT32) nf::cuda::layer_norm<float>(fn, x, rows, cols, gamma, beta, epsilon, out);
        else nf::cuda::layer_norm<double>(fn, x, rows, cols, gamma, beta, epsilon, out);
    });
}

extern "C" NF_API nf_status nf_cuda_layer_norm_backward(nf_dtype dtype, const void* x, int64_t rows, int64_t cols,
                                                        const void* dy, const void* gamma, double epsilon, void* dx,
                                                        void* dgamma, void* dbeta) {
    static const char* fn = "nf_cuda_layer_norm_backward";
    return nf::guard(fn, [&] {
        nf::check_layer_norm(fn, dtype, x, rows, cols, epsilon, dy, "dy");
        if (cols == 0) return;
        if (dtype == NF_FLOAT32)
            nf::cuda::layer_norm_backward<float>(fn, x, rows, cols, dy, gamma, epsilon, dx, dgamma, dbeta);
        else
            nf::cuda::layer_norm_backward<double>(fn, x, rows, cols, dy, gamma, epsilon, dx, dgamma, dbeta);
    });
}
