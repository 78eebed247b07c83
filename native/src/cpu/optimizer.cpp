// nf_optimizer_update(_ex, _multi): one fused, in-place pass per variable (or, _multi, over many) for SGD, Adam, RMSprop, Adagrad,
// and (issue 16) Nadam, Adamax, Adadelta with clipping, weight decay, AMSGrad and centered RMSprop.
//
// The hyperparameters, the slot rule and the per-element steps are common/optimizer_step.h,
// shared with the CUDA engine; this file only loops. The arithmetic runs in T in exactly the
// order of the tensor-op formulas in the header (and of the managed backend), so the three
// paths agree to the last bit where the compiler does not contract (-ffp-contract=off).
// This file builds with -fno-math-errno so the sqrt loops vectorise.
#include <string>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/optimizer_multi.h"
#include "common/optimizer_step.h"
#include "cpu/parallel.h"
#include "cpu/simd.h"

namespace nf {
namespace {

// The buffers of one call, already offset to a chunk [b, e) by the caller.
template <class T>
struct Buffers {
    T* __restrict w;
    const T* __restrict g;
    T* __restrict s0;
    T* __restrict s1;
};

template <class T>
NF_INLINE void sgd(const Buffers<T>& x, int64_t n, const OptimizerHyper<T>& h) {
    T* __restrict w = x.w;
    const T* __restrict g = x.g;
    if (!h.momentum) {
        for (int64_t i = 0; i < n; ++i) sgd_step(w[i], g[i], h);
        return;
    }
    T* __restrict v = x.s0;
    if (h.nesterov) {
        for (int64_t i = 0; i < n; ++i) sgd_momentum_step<true>(w[i], v[i], g[i], h);
    } else {
        for (int64_t i = 0; i < n; ++i) sgd_momentum_step<false>(w[i], v[i], g[i], h);
    }
}

template <class T>
NF_INLINE void adam(const Buffers<T>& x, int64_t n, const OptimizerHyper<T>& h) {
    T* __restrict w = x.w;
    const T* __restrict g = x.g;
    T* __restrict m = x.s0;
    T* __restrict v = x.s1;
    for (int64_t i = 0; i < n; ++i) adam_step(w[i], m[i], v[i], g[i], h);
}

template <class T>
NF_INLINE void rmsprop(const Buffers<T>& x, int64_t n, const OptimizerHyper<T>& h) {
    T* __restrict w = x.w;
    const T* __restrict g = x.g;
    T* __restrict ms = x.s0;
    if (h.momentum) {
        T* __restrict mom = x.s1;
        for (int64_t i = 0; i < n; ++i) rmsprop_momentum_step(w[i], ms[i], mom[i], g[i], h);
    } else {
        for (int64_t i = 0; i < n; ++i) rmsprop_step(w[i], ms[i], g[i], h);
    }
}

template <class T>
NF_INLINE void adagrad(const Buffers<T>& x, int64_t n, const OptimizerHyper<T>& h) {
    T* __restrict w = x.w;
    const T* __restrict g = x.g;
    T* __restrict acc = x.s0;
    for (int64_t i = 0; i < n; ++i) adagrad_step(w[i], acc[i], g[i], h);
}

// nf_optimizer_update_ex's loop (issue 16): the element step of common/optimizer_step.h with
// the options, one instantiation per kind.
template <nf_optimizer K, class T>
NF_INLINE void element_loop(T* w, const T* g, T* s0, T* s1, T* s2, int64_t b, int64_t e, const OptimizerHyper<T>& h) {
    for (int64_t i = b; i < e; ++i) optimizer_element<K>(w, g, s0, s1, s2, i, h);
}

// What a call runs on elements [b, e) of one tensor, the same for one variable and for many
// (nf_optimizer_update_multi): the vectorised loop of the four original kinds without options,
// else the element step with the options. Each element's result depends on nothing but its own
// values, so any split of the elements gives the same bits.
template <class T>
NF_INLINE void run_range(bool plain, nf_optimizer kind, T* w, const T* g, T* s0, T* s1, T* s2, int64_t b, int64_t e,
                         const OptimizerHyper<T>& h) {
    if (plain) {
        // Unused slots stay NULL; offsetting them would be undefined behaviour.
        const Buffers<T> x{w + b, g + b, s0 ? s0 + b : nullptr, s1 ? s1 + b : nullptr};
        switch (kind) {
            case NF_OPTIMIZER_SGD: sgd(x, e - b, h); return;
            case NF_OPTIMIZER_ADAM: adam(x, e - b, h); return;
            case NF_OPTIMIZER_RMSPROP: rmsprop(x, e - b, h); return;
            default: adagrad(x, e - b, h); return;
        }
    }
    switch (kind) {
#define NF_CASE(K) \
        case K: element_loop<K>(w, g, s0, s1, s2, b, e, h); return;
        NF_CASE(NF_OPTIMIZER_SGD) NF_CASE(NF_OPTIMIZER_ADAM) NF_CASE(NF_OPTIMIZER_RMSPROP) NF_CASE(NF_OPTIMIZER_ADAGRAD)
        NF_CASE(NF_OPTIMIZER_NADAM) NF_CASE(NF_OPTIMIZER_ADAMAX) NF_CASE(NF_OPTIMIZER_ADADELTA)
#undef NF_CASE
        default: element_loop<NF_OPTIMIZER_FTRL>(w, g, s0, s1, s2, b, e, h); return;
    }
}

// The loops per SIMD level (cpu/simd.h): a step's variables and gradients are in cache (the
// gradient product just wrote them), where AVX-512's 16 floats a step count: SGD over the
// workshop model's 39,760 floats took 3.1 us as SSE2 code, 2.0 us as AVX-512 (same bits: the
// element steps are IEEE operations, never contracted).
NF_SIMD_CLONES void run_range_f32(bool plain, nf_optimizer kind, float* w, const float* g, float* s0, float* s1,
                                  float* s2, int64_t b, int64_t e, const OptimizerHyper<float>& h) {
    run_range<float>(plain, kind, w, g, s0, s1, s2, b, e, h);
}
NF_SIMD_CLONES void run_range_f64(bool plain, nf_optimizer kind, double* w, const double* g, double* s0, double* s1,
                                  double* s2, int64_t b, int64_t e, const OptimizerHyper<double>& h) {
    run_range<double>(plain, kind, w, g, s0, s1, s2, b, e, h);
}
void run_range_of(bool plain, nf_optimizer kind, float* w, const float* g, float* s0, float* s1, float* s2, int64_t b,
                  int64_t e, const OptimizerHyper<float>& h) {
    run_range_f32(plain, kind, w, g, s0, s1, s2, b, e, h);
}
void run_range_of(bool plain, nf_optimizer kind, double* w, const double* g, double* s0, double* s1, double* s2,
                  int64_t b, int64_t e, const OptimizerHyper<double>& h) {
    run_range_f64(plain, kind, w, g, s0, s1, s2, b, e, h);
}

template <class T>
class Stepper {
public:
    Stepper(nf_optimizer kind, const nf_optimizer_params& p, const nf_optimizer_options& o)
        : kind_(kind), plain_(optimizer_plain(kind, o)), h_(optimizer_hyper<T>(kind, p, o)) {
        // Per element: sqrt + divide for all but plain SGD; the options' clip and decay on top.
        cost_ = !plain_ ? 6 : kind == NF_OPTIMIZER_SGD ? 1 : 4;
    }

    int64_t cost() const { return cost_; }

    void operator()(void* param, const void* grad, void* slot0, void* slot1, void* slot2, int64_t b, int64_t e) const {
        run_range_of(plain_, kind_, static_cast<T*>(param), static_cast<const T*>(grad), static_cast<T*>(slot0),
                     static_cast<T*>(slot1), static_cast<T*>(slot2), b, e, h_);
    }

private:
    nf_optimizer kind_;
    bool plain_;
    OptimizerHyper<T> h_;
    int64_t cost_;
};

template <class T>
void update(nf_optimizer kind, void* param, const void* grad, int64_t count, const nf_optimizer_params& p,
            const OptimizerExArgs& a) {
    const Stepper<T> step(kind, p, a.o);
    parallel_chunks(count, step.cost(), [&](int64_t b, int64_t e) { step(param, grad, a.s0, a.s1, a.s2, b, e); });
}

// nf_optimizer_update_multi: one parallel pass over the concatenation of all tensors' elements,
// cut by its total size alone (small tensors share a part, a large one spans several).
template <class T>
void update_multi(nf_optimizer kind, const nf_optimizer_params& p, const OptimizerMultiArgs& a) {
    const Stepper<T> step(kind, p, a.o);
    parallel_chunks(a.total(), step.cost(), [&](int64_t b, int64_t e) {
        for_each_piece(a, b, e, [&](const nf_optimizer_tensor& t, int64_t from, int64_t to) {
            step(t.param, t.grad, t.slot0, t.slot1, t.slot2, from, to);
        });
    });
}

}  // namespace
}  // namespace nf

namespace nf {
namespace {

// Both entry points: nf_optimizer_update is nf_optimizer_update_ex without slot2 and options,
// under its own name in messages.
nf_status run(const char* fn, nf_optimizer kind, nf_dtype dtype, void* param, const void* grad, void* slot0,
              void* slot1, void* slot2, int64_t count, const nf_optimizer_params* p, const nf_optimizer_options* o) {
    return guard(fn, [&] {
        const OptimizerExArgs a = check_optimizer_ex(fn, kind, dtype, param, grad, slot0, slot1, slot2, count, p, o);
        if (count == 0) return;
        if (dtype == NF_FLOAT32) update<float>(kind, param, grad, count, *p, a);
        else update<double>(kind, param, grad, count, *p, a);
    });
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_optimizer_update_multi(nf_optimizer kind, nf_dtype dtype, const nf_optimizer_tensor* tensors,
                                                      int32_t tensor_count, const nf_optimizer_params* p,
                                                      const nf_optimizer_options* o) {
    return nf::optimizer_multi_entry("nf_optimizer_update_multi", kind, dtype, tensors, tensor_count, p, o,
                                     [&](auto t, const nf::OptimizerMultiArgs& a) {
                                         if (a.total() > 0) nf::update_multi<decltype(t)>(kind, *p, a);
                                     });
}

extern "C" NF_API nf_status nf_optimizer_update_ex(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                                   void* slot0, void* slot1, void* slot2, int64_t count,
                                                   const nf_optimizer_params* p, const nf_optimizer_options* o) {
    return nf::run("nf_optimizer_update_ex", kind, dtype, param, grad, slot0, slot1, slot2, count, p, o);
}

extern "C" NF_API nf_status nf_optimizer_update(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                                void* slot0, void* slot1, int64_t count,
                                                const nf_optimizer_params* p) {
    return nf::run("nf_optimizer_update", kind, dtype, param, grad, slot0, slot1, nullptr, count, p, nullptr);
}
