// nf_cuda_optimizer_update: one fused, in-place pass per variable, with the CPU engine's very
// per-element steps (common/optimizer_step.h). Built with --fmad=false and IEEE sqrt/division
// (nvcc's default), so the updates match the CPU engine bit for bit.
#include <cstring>

#include "common/optimizer_multi.h"
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

// nf_cuda_optimizer_update_multi (issue 17): the tensors of one launch as a table in the kernel's
// parameters, which a CUDA graph copies into its kernel node, so the table is valid at every
// launch of the graph with no buffer to keep (the graph's addresses are fixed: GraphReplay
// captures again when a variable moves). start[k] is the launch's element count before tensor k.
constexpr int kMultiPerLaunch = NF_CUDA_OPTIMIZER_MULTI_PER_LAUNCH;

template <class T>
struct MultiTable {
    T* w[kMultiPerLaunch];
    const T* g[kMultiPerLaunch];
    T* s0[kMultiPerLaunch];
    T* s1[kMultiPerLaunch];
    T* s2[kMultiPerLaunch];
    int64_t start[kMultiPerLaunch + 1];
    int32_t n;
};
// CUDA 11's limit on a kernel's parameters.
static_assert(sizeof(MultiTable<double>) + sizeof(Hyper<double>) <= 4096, "a multi-tensor launch's parameters fit in 4 KB");

// One thread per element of the concatenated tensors (grid-stride), each running the element
// step of nf_optimizer_update_ex on its tensor's element: the bits of the per-variable kernels.
template <nf_optimizer K, class T>
__global__ void update_multi_kernel(MultiTable<T> t, Hyper<T> hyper) {
    const OptimizerHyper<T> h = hyper.get();
    const int64_t total = t.start[t.n];
    const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
    int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i >= total) return;
    // The tensor holding element i; each next i of this thread lies in it or in a later one.
    int lo = 0, hi = t.n;
    while (hi - lo > 1) {
        const int mid = (lo + hi) / 2;
        if (t.start[mid] <= i) lo = mid;
        else hi = mid;
    }
    for (int k = lo; i < total; i += stride) {
        while (t.start[k + 1] <= i) ++k;
        optimizer_element<K>(t.w[k], t.g[k], t.s0[k], t.s1[k], t.s2[k], i - t.start[k], h);
    }
}

template <class T>
void launch_multi(const char* fn, nf_optimizer kind, const MultiTable<T>& t, const Hyper<T>& h) {
    const unsigned grid = grid_for(t.start[t.n]);
#define NF_MULTI_CASE(K) \
    case K: update_multi_kernel<K, T><<<grid, kThreads, 0, stream()>>>(t, h); break;
    switch (kind) {
        NF_MULTI_CASE(NF_OPTIMIZER_SGD)
        NF_MULTI_CASE(NF_OPTIMIZER_ADAM)
        NF_MULTI_CASE(NF_OPTIMIZER_RMSPROP)
        NF_MULTI_CASE(NF_OPTIMIZER_ADAGRAD)
        NF_MULTI_CASE(NF_OPTIMIZER_NADAM)
        NF_MULTI_CASE(NF_OPTIMIZER_ADAMAX)
        NF_MULTI_CASE(NF_OPTIMIZER_ADADELTA)
        NF_MULTI_CASE(NF_OPTIMIZER_FTRL)
    }
#undef NF_MULTI_CASE
    NF_CUDA_LAUNCHED(fn);
}

// The checked tensors (those with elements) in tables of up to kMultiPerLaunch: one launch for
// every model with at most that many variables per group.
template <class T>
void update_multi(const char* fn, nf_optimizer kind, const OptimizerMultiArgs& a, const Hyper<T>& h) {
    const size_t n = a.tensors.size();
    for (size_t first = 0; first < n; first += kMultiPerLaunch) {
        MultiTable<T> t{};
        t.n = static_cast<int32_t>(n - first < kMultiPerLaunch ? n - first : kMultiPerLaunch);
        for (int32_t k = 0; k < t.n; ++k) {
            const nf_optimizer_tensor& x = a.tensors[first + k];
            t.w[k] = static_cast<T*>(x.param);
            t.g[k] = static_cast<const T*>(x.grad);
            t.s0[k] = static_cast<T*>(x.slot0);
            t.s1[k] = static_cast<T*>(x.slot1);
            t.s2[k] = static_cast<T*>(x.slot2);
            t.start[k + 1] = t.start[k] + x.count;
        }
        launch_multi(fn, kind, t, h);
    }
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

// nf_cuda_optimizer_update_multi: one graph slot for the call (even without elements, as the
// per-variable call), read by each of its launches.
template <class T>
void step_multi(const char* fn, nf_optimizer kind, nf_dtype dtype, const nf_optimizer_params& p, const OptimizerMultiArgs& a) {
    const Hyper<T> h = hyper<T>(fn, kind, dtype, optimizer_plain(kind, a.o), p, a.o);
    if (a.total() > 0) update_multi<T>(fn, kind, a, h);
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

extern "C" NF_API nf_status nf_cuda_optimizer_update_multi(nf_optimizer kind, nf_dtype dtype, const nf_optimizer_tensor* tensors,
                                                           int32_t tensor_count, const nf_optimizer_params* p,
                                                           const nf_optimizer_options* o) {
    static const char* fn = "nf_cuda_optimizer_update_multi";
    return nf::optimizer_multi_entry(fn, kind, dtype, tensors, tensor_count, p, o, [&](auto t, const nf::OptimizerMultiArgs& a) {
        nf::cuda::step_multi<decltype(t)>(fn, kind, dtype, *p, a);
    });
}
