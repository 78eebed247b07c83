// nf_cuda_optimizer_update: one fused, in-place pass per variable, in exactly the order of
// cpu/optimizer.cpp's loops. Built with --fmad=false and IEEE sqrt/division (nvcc's default),
// so the updates match the CPU engine bit for bit.
#include <cmath>

#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

// Hyperparameters converted to T once on the host, as the CPU engine does.
template <class T>
struct Hyper {
    T lr, mu, b1, c1, b2, c2, eps, rho, c_rho, alpha;
    bool nesterov, momentum;
};

template <class T>
Hyper<T> hyper(nf_optimizer kind, const nf_optimizer_params& p) {
    Hyper<T> h{};
    h.lr = static_cast<T>(p.learning_rate);
    h.mu = static_cast<T>(p.momentum);
    h.b1 = static_cast<T>(p.beta1);
    h.c1 = static_cast<T>(1.0 - p.beta1);
    h.b2 = static_cast<T>(p.beta2);
    h.c2 = static_cast<T>(1.0 - p.beta2);
    h.eps = static_cast<T>(p.epsilon);
    h.rho = static_cast<T>(p.rho);
    h.c_rho = static_cast<T>(1.0 - p.rho);
    const double t = static_cast<double>(p.step);
    h.alpha = static_cast<T>(p.learning_rate * std::sqrt(1.0 - std::pow(p.beta2, t)) / (1.0 - std::pow(p.beta1, t)));
    h.nesterov = p.nesterov != 0;
    h.momentum = kind == NF_OPTIMIZER_RMSPROP ? p.momentum > 0 : p.momentum != 0;
    return h;
}

template <nf_optimizer K, class T>
__global__ void update_kernel(T* w, const T* g, T* s0, T* s1, int64_t n, Hyper<T> h) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const T gi = g[i];
        if constexpr (K == NF_OPTIMIZER_SGD) {
            if (!h.momentum) {
                w[i] -= h.lr * gi;
            } else {
                const T vi = h.mu * s0[i] - h.lr * gi;
                s0[i] = vi;
                w[i] += h.nesterov ? h.mu * vi - h.lr * gi : vi;
            }
        } else if constexpr (K == NF_OPTIMIZER_ADAM) {
            const T mi = h.b1 * s0[i] + h.c1 * gi;
            const T vi = h.b2 * s1[i] + h.c2 * (gi * gi);
            s0[i] = mi;
            s1[i] = vi;
            w[i] -= (h.alpha * mi) / (sqrt(vi) + h.eps);
        } else if constexpr (K == NF_OPTIMIZER_RMSPROP) {
            const T si = h.rho * s0[i] + h.c_rho * (gi * gi);
            s0[i] = si;
            if (h.momentum) {
                const T mi = h.mu * s1[i] + (h.lr * gi) / (sqrt(si) + h.eps);
                s1[i] = mi;
                w[i] -= mi;
            } else {
                w[i] -= (h.lr * gi) / (sqrt(si) + h.eps);
            }
        } else {
            const T ai = s0[i] + gi * gi;
            s0[i] = ai;
            w[i] -= (h.lr * gi) / (sqrt(ai) + h.eps);
        }
    }
}

template <class T>
void update(const char* fn, nf_optimizer kind, void* param, const void* grad, void* slot0, void* slot1, int64_t n,
            const nf_optimizer_params& p) {
    const Hyper<T> h = hyper<T>(kind, p);
    T* w = static_cast<T*>(param);
    const T* g = static_cast<const T*>(grad);
    T* s0 = static_cast<T*>(slot0);
    T* s1 = static_cast<T*>(slot1);
    const unsigned grid = grid_for(n);
    switch (kind) {
        case NF_OPTIMIZER_SGD: update_kernel<NF_OPTIMIZER_SGD, T><<<grid, kThreads>>>(w, g, s0, s1, n, h); break;
        case NF_OPTIMIZER_ADAM: update_kernel<NF_OPTIMIZER_ADAM, T><<<grid, kThreads>>>(w, g, s0, s1, n, h); break;
        case NF_OPTIMIZER_RMSPROP: update_kernel<NF_OPTIMIZER_RMSPROP, T><<<grid, kThreads>>>(w, g, s0, s1, n, h); break;
        case NF_OPTIMIZER_ADAGRAD: update_kernel<NF_OPTIMIZER_ADAGRAD, T><<<grid, kThreads>>>(w, g, s0, s1, n, h); break;
    }
    NF_CUDA_LAUNCHED(fn);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_optimizer_update(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                                     void* slot0, void* slot1, int64_t count,
                                                     const nf_optimizer_params* p) {
    static const char* fn = "nf_cuda_optimizer_update";
    return nf::guard(fn, [&] {
        nf::check_optimizer(fn, kind, dtype, param, grad, slot0, slot1, count, p);
        if (count == 0) return;
        if (dtype == NF_FLOAT32)
            nf::cuda::update<float>(fn, kind, param, grad, slot0, slot1, count, *p);
        else
            nf::cuda::update<double>(fn, kind, param, grad, slot0, slot1, count, *p);
    });
}
