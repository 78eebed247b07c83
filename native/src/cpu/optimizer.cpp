// nf_optimizer_update: one fused, in-place pass per variable for SGD, Adam, RMSprop, Adagrad.
//
// Hyperparameters become T once; the per-element arithmetic then runs in T in exactly the
// order of the tensor-op formulas in the header (and of the managed backend), so the three
// paths agree to the last bit where the compiler does not contract (-ffp-contract=off).
// This file builds with -fno-math-errno so the sqrt loops vectorise.
#include <cmath>
#include <string>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/parallel.h"

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
void sgd(const Buffers<T>& x, int64_t n, const nf_optimizer_params& p) {
    T* __restrict w = x.w;
    const T* __restrict g = x.g;
    const T lr = static_cast<T>(p.learning_rate);
    if (p.momentum == 0) {
        for (int64_t i = 0; i < n; ++i) w[i] -= lr * g[i];
        return;
    }
    T* __restrict v = x.s0;
    const T mu = static_cast<T>(p.momentum);
    if (p.nesterov) {
        for (int64_t i = 0; i < n; ++i) {
            const T vi = mu * v[i] - lr * g[i];
            v[i] = vi;
            w[i] += mu * vi - lr * g[i];
        }
    } else {
        for (int64_t i = 0; i < n; ++i) {
            const T vi = mu * v[i] - lr * g[i];
            v[i] = vi;
            w[i] += vi;
        }
    }
}

template <class T>
void adam(const Buffers<T>& x, int64_t n, const nf_optimizer_params& p) {
    T* __restrict w = x.w;
    const T* __restrict g = x.g;
    T* __restrict m = x.s0;
    T* __restrict v = x.s1;
    const double t = static_cast<double>(p.step);
    const T alpha = static_cast<T>(p.learning_rate * std::sqrt(1.0 - std::pow(p.beta2, t)) /
                                   (1.0 - std::pow(p.beta1, t)));
    const T b1 = static_cast<T>(p.beta1), c1 = static_cast<T>(1.0 - p.beta1);
    const T b2 = static_cast<T>(p.beta2), c2 = static_cast<T>(1.0 - p.beta2);
    const T eps = static_cast<T>(p.epsilon);
    for (int64_t i = 0; i < n; ++i) {
        const T gi = g[i];
        const T mi = b1 * m[i] + c1 * gi;
        const T vi = b2 * v[i] + c2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        w[i] -= (alpha * mi) / (std::sqrt(vi) + eps);
    }
}

template <class T>
void rmsprop(const Buffers<T>& x, int64_t n, const nf_optimizer_params& p) {
    T* __restrict w = x.w;
    const T* __restrict g = x.g;
    T* __restrict ms = x.s0;
    const T rho = static_cast<T>(p.rho), c = static_cast<T>(1.0 - p.rho);
    const T lr = static_cast<T>(p.learning_rate), eps = static_cast<T>(p.epsilon);
    if (p.momentum > 0) {
        T* __restrict mom = x.s1;
        const T mu = static_cast<T>(p.momentum);
        for (int64_t i = 0; i < n; ++i) {
            const T gi = g[i];
            const T si = rho * ms[i] + c * (gi * gi);
            ms[i] = si;
            const T mi = mu * mom[i] + (lr * gi) / (std::sqrt(si) + eps);
            mom[i] = mi;
            w[i] -= mi;
        }
    } else {
        for (int64_t i = 0; i < n; ++i) {
            const T gi = g[i];
            const T si = rho * ms[i] + c * (gi * gi);
            ms[i] = si;
            w[i] -= (lr * gi) / (std::sqrt(si) + eps);
        }
    }
}

template <class T>
void adagrad(const Buffers<T>& x, int64_t n, const nf_optimizer_params& p) {
    T* __restrict w = x.w;
    const T* __restrict g = x.g;
    T* __restrict acc = x.s0;
    const T lr = static_cast<T>(p.learning_rate), eps = static_cast<T>(p.epsilon);
    for (int64_t i = 0; i < n; ++i) {
        const T gi = g[i];
        const T ai = acc[i] + gi * gi;
        acc[i] = ai;
        w[i] -= (lr * gi) / (std::sqrt(ai) + eps);
    }
}

template <class T>
void update(nf_optimizer kind, void* param, const void* grad, void* slot0, void* slot1, int64_t count,
            const nf_optimizer_params& p) {
    using Kernel = void (*)(const Buffers<T>&, int64_t, const nf_optimizer_params&);
    Kernel k = kind == NF_OPTIMIZER_SGD ? sgd<T> : kind == NF_OPTIMIZER_ADAM ? adam<T>
             : kind == NF_OPTIMIZER_RMSPROP ? rmsprop<T> : adagrad<T>;
    // sqrt + divide per element for all but SGD.
    const int64_t cost = kind == NF_OPTIMIZER_SGD ? 1 : 4;
    T* w = static_cast<T*>(param);
    const T* g = static_cast<const T*>(grad);
    T* s0 = static_cast<T*>(slot0);
    T* s1 = static_cast<T*>(slot1);
    parallel_chunks(count, cost, [&](int64_t b, int64_t e) {
        // Unused slots stay NULL; offsetting them would be undefined behaviour.
        const Buffers<T> x{w + b, g + b, s0 ? s0 + b : nullptr, s1 ? s1 + b : nullptr};
        k(x, e - b, p);
    });
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_optimizer_update(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                                void* slot0, void* slot1, int64_t count,
                                                const nf_optimizer_params* p) {
    static const char* fn = "nf_optimizer_update";
    return nf::guard(fn, [&] {
        const nf::OptimizerSlots sl = nf::check_optimizer(fn, kind, dtype, param, grad, slot0, slot1, count, p);
        const bool need0 = sl.need0, need1 = sl.need1;
        if (count == 0) return;
        if (dtype == NF_FLOAT32)
            nf::update<float>(kind, param, grad, need0 ? slot0 : nullptr, need1 ? slot1 : nullptr, count, *p);
        else
            nf::update<double>(kind, param, grad, need0 ? slot0 : nullptr, need1 ? slot1 : nullptr, count, *p);
    });
}
