// nf_optimizer_update for both engines (cpu/optimizer.cpp, cuda/optimizer.cu): which slots an
// update uses, the hyperparameters converted to T once on the host, and the per-element steps
// in exactly the order of the header's formulas. Each engine only adds its loop; the CPU builds
// with -ffp-contract=off and the CUDA file with --fmad=false, so both give the same bits.
#pragma once

#include <math.h>

#include <cmath>

#include "common/hd.h"
#include "neuralflow.h"

namespace nf {

// The one rule for which slots exist (header: SGD's velocity when momentum != 0, RMSprop's
// momentum buffer when momentum > 0), for the argument checks and both engines' loops.
NF_HD inline bool optimizer_momentum(nf_optimizer kind, double momentum) {
    if (kind == NF_OPTIMIZER_SGD) return momentum != 0;
    if (kind == NF_OPTIMIZER_RMSPROP) return momentum > 0;
    return false;
}

// Which slots the update reads and writes (the check fails when one of those is NULL).
struct OptimizerSlots {
    bool need0, need1;
};
inline OptimizerSlots optimizer_slots(nf_optimizer kind, double momentum) {
    const bool mom = optimizer_momentum(kind, momentum);
    return {kind != NF_OPTIMIZER_SGD || mom, kind == NF_OPTIMIZER_ADAM || (kind == NF_OPTIMIZER_RMSPROP && mom)};
}

template <class T>
struct OptimizerHyper {
    T lr, mu, b1, c1, b2, c2, eps, rho, c_rho, alpha;
    bool nesterov, momentum;  // momentum: optimizer_momentum, i.e. slot0 (SGD) / slot1 (RMSprop) is used
};

template <class T>
OptimizerHyper<T> optimizer_hyper(nf_optimizer kind, const nf_optimizer_params& p) {
    OptimizerHyper<T> h{};
    h.lr = static_cast<T>(p.learning_rate);
    h.mu = static_cast<T>(p.momentum);
    h.b1 = static_cast<T>(p.beta1);
    h.c1 = static_cast<T>(1.0 - p.beta1);
    h.b2 = static_cast<T>(p.beta2);
    h.c2 = static_cast<T>(1.0 - p.beta2);
    h.eps = static_cast<T>(p.epsilon);
    h.rho = static_cast<T>(p.rho);
    h.c_rho = static_cast<T>(1.0 - p.rho);
    // Adam's bias correction in double, once per call.
    const double t = static_cast<double>(p.step);
    h.alpha = static_cast<T>(p.learning_rate * std::sqrt(1.0 - std::pow(p.beta2, t)) / (1.0 - std::pow(p.beta1, t)));
    h.nesterov = p.nesterov != 0;
    h.momentum = optimizer_momentum(kind, p.momentum);
    return h;
}

// IEEE square root in T on both engines (never through double).
NF_HD inline float sqrt_of(float x) { return ::sqrtf(x); }
NF_HD inline double sqrt_of(double x) { return ::sqrt(x); }

// SGD without momentum: w -= lr*g.
template <class T>
NF_HD inline void sgd_step(T& w, T g, const OptimizerHyper<T>& h) {
    w -= h.lr * g;
}

// SGD with momentum: v = mu*v - lr*g; w += (nesterov ? mu*v - lr*g : v).
template <bool Nesterov, class T>
NF_HD inline void sgd_momentum_step(T& w, T& v, T g, const OptimizerHyper<T>& h) {
    const T vi = h.mu * v - h.lr * g;
    v = vi;
    if constexpr (Nesterov) w += h.mu * vi - h.lr * g;
    else w += vi;
}

template <class T>
NF_HD inline void adam_step(T& w, T& m, T& v, T g, const OptimizerHyper<T>& h) {
    const T mi = h.b1 * m + h.c1 * g;
    const T vi = h.b2 * v + h.c2 * (g * g);
    m = mi;
    v = vi;
    w -= (h.alpha * mi) / (sqrt_of(vi) + h.eps);
}

template <class T>
NF_HD inline void rmsprop_step(T& w, T& ms, T g, const OptimizerHyper<T>& h) {
    const T si = h.rho * ms + h.c_rho * (g * g);
    ms = si;
    w -= (h.lr * g) / (sqrt_of(si) + h.eps);
}

template <class T>
NF_HD inline void rmsprop_momentum_step(T& w, T& ms, T& mom, T g, const OptimizerHyper<T>& h) {
    const T si = h.rho * ms + h.c_rho * (g * g);
    ms = si;
    const T mi = h.mu * mom + (h.lr * g) / (sqrt_of(si) + h.eps);
    mom = mi;
    w -= mi;
}

template <class T>
NF_HD inline void adagrad_step(T& w, T& acc, T g, const OptimizerHyper<T>& h) {
    const T ai = acc + g * g;
    acc = ai;
    w -= (h.lr * g) / (sqrt_of(ai) + h.eps);
}

}  // namespace nf
