// nf_cuda_optimizer_update: one fused, in-place pass per variable, with the CPU engine's very
// per-element steps (common/optimizer_step.h). Built with --fmad=false and IEEE sqrt/division
// (nvcc's default), so the updates match the CPU engine bit for bit.
#include <cstring>

#include "common/optimizer_step.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

// The hyperparameters a kernel reads: its argument, or, inside a CUDA graph, the graph's slot
// (rewritten before each launch with the step's learning rate and step count).
template <class T>
struct Hyper {
    OptimizerHyper<T> value;
    const OptimizerHyper<T>* slot;
    __device__ OptimizerHyper<T> get() const { return slot ? *slot : value; }
};
static_assert(sizeof(OptimizerHyper<double>) <= kGraphSlotBytes, "an optimizer slot holds an OptimizerHyper");

template <nf_optimizer K, class T>
__global__ void update_kernel(T* w, const T* g, T* s0, T* s1, int64_t n, Hyper<T> hyper) {
    const OptimizerHyper<T> h = hyper.get();
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const T gi = g[i];
        if constexpr (K == NF_OPTIMIZER_SGD) {
            if (!h.momentum) sgd_step(w[i], gi, h);
            else if (h.nesterov) sgd_momentum_step<true>(w[i], s0[i], gi, h);
            else sgd_momentum_step<false>(w[i], s0[i], gi, h);
        } else if constexpr (K == NF_OPTIMIZER_ADAM) {
            adam_step(w[i], s0[i], s1[i], gi, h);
        } else if constexpr (K == NF_OPTIMIZER_RMSPROP) {
            if (h.momentum) rmsprop_momentum_step(w[i], s0[i], s1[i], gi, h);
            else rmsprop_step(w[i], s0[i], gi, h);
        } else {
            adagrad_step(w[i], s0[i], gi, h);
        }
    }
}

template <class T>
void update(const char* fn, nf_optimizer kind, void* param, const void* grad, void* slot0, void* slot1, int64_t n,
            const Hyper<T>& h) {
    T* w = static_cast<T*>(param);
    const T* g = static_cast<const T*>(grad);
    T* s0 = static_cast<T*>(slot0);
    T* s1 = static_cast<T*>(slot1);
    const unsigned grid = grid_for(n);
    switch (kind) {
        case NF_OPTIMIZER_SGD: update_kernel<NF_OPTIMIZER_SGD, T><<<grid, kThreads, 0, stream()>>>(w, g, s0, s1, n, h); break;
        case NF_OPTIMIZER_ADAM: update_kernel<NF_OPTIMIZER_ADAM, T><<<grid, kThreads, 0, stream()>>>(w, g, s0, s1, n, h); break;
        case NF_OPTIMIZER_RMSPROP: update_kernel<NF_OPTIMIZER_RMSPROP, T><<<grid, kThreads, 0, stream()>>>(w, g, s0, s1, n, h); break;
        case NF_OPTIMIZER_ADAGRAD: update_kernel<NF_OPTIMIZER_ADAGRAD, T><<<grid, kThreads, 0, stream()>>>(w, g, s0, s1, n, h); break;
        default: return;  // issue 16's kinds never come here (optimizer_plain sends them to update_ex)
    }
    NF_CUDA_LAUNCHED(fn);
}

// nf_cuda_optimizer_update_ex (issue 16): the shared element step with the options.
template <nf_optimizer K, class T>
__global__ void update_ex_kernel(T* w, const T* g, T* s0, T* s1, T* s2, int64_t n, Hyper<T> hyper) {
    const OptimizerHyper<T> h = hyper.get();
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x)
        optimizer_element<K>(w, g, s0, s1, s2, i, h);
}

template <class T>
void update_ex(const char* fn, nf_optimizer kind, void* param, const void* grad, void* slot0, void* slot1, void* slot2,
               int64_t n, const Hyper<T>& h) {
    T* w = static_cast<T*>(param);
    const T* g = static_cast<const T*>(grad);
    T* s0 = static_cast<T*>(slot0);
    T* s1 = static_cast<T*>(slot1);
    T* s2 = static_cast<T*>(slot2);
    const unsigned grid = grid_for(n);
#define NF_EX_CASE(K) \
    case K: update_ex_kernel<K, T><<<grid, kThreads, 0, stream()>>>(w, g, s0, s1, s2, n, h); break;
    switch (kind) {
        NF_EX_CASE(NF_OPTIMIZER_SGD)
        NF_EX_CASE(NF_OPTIMIZER_ADAM)
        NF_EX_CASE(NF_OPTIMIZER_RMSPROP)
        NF_EX_CASE(NF_OPTIMIZER_ADAGRAD)
        NF_EX_CASE(NF_OPTIMIZER_NADAM)
        NF_EX_CASE(NF_OPTIMIZER_ADAMAX)
        NF_EX_CASE(NF_OPTIMIZER_ADADELTA)
        NF_EX_CASE(NF_OPTIMIZER_FTRL)
    }
#undef NF_EX_CASE
    NF_CUDA_LAUNCHED(fn);
}

}  // namespace

// The one statement of what a step's kernel reads, for the eager call and for a graph's slot.
void optimizer_slot_value(nf_optimizer kind, nf_dtype dtype, bool plain, const nf_optimizer_params& p,
                          const nf_optimizer_options& o, void* out) {
    if (dtype == NF_FLOAT32) {
        const OptimizerHyper<float> h = plain ? optimizer_hyper<float>(kind, p) : optimizer_hyper<float>(kind, p, o);
        std::memcpy(out, &h, sizeof h);
    } else {
        const OptimizerHyper<double> h = plain ? optimizer_hyper<double>(kind, p) : optimizer_hyper<double>(kind, p, o);
        std::memcpy(out, &h, sizeof h);
    }
}

namespace {

template <class T>
Hyper<T> hyper(const char* fn, nf_optimizer kind, nf_dtype dtype, bool plain, const nf_optimizer_params& p,
               const nf_optimizer_options& o) {
    Hyper<T> h{};
    optimizer_slot_value(kind, dtype, plain, p, o, &h.value);
    if (capturing())
        h.slot = static_cast<const OptimizerHyper<T>*>(
            capture_slot(fn, GraphSlot{GraphSlot::Optimizer, kind, dtype, plain}, &h.value, sizeof h.value));
    return h;
}

template <class T>
void step(const char* fn, nf_optimizer kind, nf_dtype dtype, void* param, const void* grad, int64_t count,
          const nf_optimizer_params& p, const OptimizerExArgs& a) {
    const bool plain = optimizer_plain(kind, a.o);
    const Hyper<T> h = hyper<T>(fn, kind, dtype, plain, p, a.o);  // a graph's slot is taken even for count 0
    if (count == 0) return;
    if (plain) update<T>(fn, kind, param, grad, a.s0, a.s1, count, h);
    else update_ex<T>(fn, kind, param, grad, a.s0, a.s1, a.s2, count, h);
}

// Both entry points; the four original kinds without options keep their own kernels.
nf_status run(const char* fn, nf_optimizer kind, nf_dtype dtype, void* param, const void* grad, void* slot0,
              void* slot1, void* slot2, int64_t count, const nf_optimizer_params* p, const nf_optimizer_options* o) {
    return guard(fn, [&] {
        const OptimizerExArgs a = check_optimizer_ex(fn, kind, dtype, param, grad, slot0, slot1, slot2, count, p, o);
        if (dtype == NF_FLOAT32) step<float>(fn, kind, dtype, param, grad, count, *p, a);
        else step<double>(fn, kind, dtype, param, grad, count, *p, a);
    });
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_optimizer_update(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                                     void* slot0, void* slot1, int64_t count,
                                                     const nf_optimizer_params* p) {
    return nf::cuda::run("nf_cuda_optimizer_update", kind, dtype, param, grad, slot0, slot1, nullptr, count, p, nullptr);
}

extern "C" NF_API nf_status nf_cuda_optimizer_update_ex(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                                        void* slot0, void* slot1, void* slot2, int64_t count,
                                                        const nf_optimizer_params* p, const nf_optimizer_options* o) {
    return nf::cuda::run("nf_cuda_optimizer_update_ex", kind, dtype, param, grad, slot0, slot1, slot2, count, p, o);
}
