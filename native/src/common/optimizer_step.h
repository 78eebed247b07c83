// nf_optimizer_update for both engines (cpu/optimizer.cpp, cuda/optimizer.cu): which slots an
// update uses, the hyperparameters converted to T once on the host, and the per-element steps
// in exactly the order of the header's formulas. Each engine only adds its loop; the CPU builds
// with -ffp-contract=off and the CUDA file with --fmad=false, so both give the same bits.
#pragma once

#include <math.h>

#include <cmath>

#include "common/hd.h"
#include "common/portable_pow.h"
#include "neuralflow.h"

namespace nf {

// The one rule for which slots exist (header: SGD's velocity when momentum != 0, RMSprop's
// momentum buffer when momentum > 0), for the argument checks and both engines' loops.
NF_HD inline bool optimizer_momentum(nf_optimizer kind, double momentum) {
    if (kind == NF_OPTIMIZER_SGD) return momentum != 0;
    if (kind == NF_OPTIMIZER_RMSPROP) return momentum > 0;
    return false;
}

// Which slots the update reads and writes (the check fails when one of those is NULL): slot2
// only for the options of nf_optimizer_update_ex (AMSGrad's max of v, centered RMSprop's mean g).
struct OptimizerSlots {
    bool need0, need1, need2;
};
inline OptimizerSlots optimizer_slots(nf_optimizer kind, double momentum, const nf_optimizer_options& o = {}) {
    const bool mom = optimizer_momentum(kind, momentum);
    const bool two = kind == NF_OPTIMIZER_ADAM || kind == NF_OPTIMIZER_NADAM || kind == NF_OPTIMIZER_ADAMAX ||
                     kind == NF_OPTIMIZER_ADADELTA || kind == NF_OPTIMIZER_FTRL;
    const bool need2 = (kind == NF_OPTIMIZER_ADAM && o.amsgrad != 0) || (kind == NF_OPTIMIZER_RMSPROP && o.centered != 0);
    return {kind != NF_OPTIMIZER_SGD || mom, two || (kind == NF_OPTIMIZER_RMSPROP && mom), need2};
}

// The four original kinds with all-zero options: each engine keeps its nf_optimizer_update
// loops for them (the element step of nf_optimizer_update_ex gives the same bits, more slowly).
inline bool optimizer_plain(nf_optimizer kind, const nf_optimizer_options& o) {
    return kind <= NF_OPTIMIZER_ADAGRAD && o.weight_decay == 0 && o.grad_div == 0 && !(o.clip_value > 0) &&
           o.amsgrad == 0 && o.centered == 0;
}

// Nadam's product of momentum schedules u_1 * ... * u_step, u_i = b1*(1 - 0.5*0.96^i) (Keras 3
// keeps it as an optimizer variable; here it is recomputed from the step, in double). Past
// i = 2000, 0.96^i < 1e-35 and each factor is b1 exactly in double, so the tail is a power.
inline double nadam_u_product(double b1, int64_t step) {
    const int64_t head = step < 2000 ? step : 2000;
    double prod = 1.0;
    for (int64_t i = 1; i <= head; ++i) prod *= b1 * (1.0 - 0.5 * std::pow(0.96, static_cast<double>(i)));
    if (step > head) prod *= std::pow(b1, static_cast<double>(step - head));
    return prod;
}

template <class T>
struct OptimizerHyper {
    T lr, mu, b1, c1, b2, c2, eps, rho, c_rho, alpha;
    bool nesterov, momentum;  // momentum: optimizer_momentum, i.e. slot0 (SGD) / slot1 (RMSprop) is used
    // nf_optimizer_options (issue 16), converted once.
    T wd, gmul, gdiv, clip;
    bool decay, scale, clipping, amsgrad, centered;
    // Nadam: u1, 1-P1, 1-u0, 1-P0, 1-b2^step; Adamax: 1-b1^step in c_pow1.
    T n_u1, n_d1, n_a0, n_d0, n_v, c_pow1;
    // Ftrl: -lr_power (f_root: it is 0.5, so the power is an IEEE sqrt on every engine), l1,
    // 2*l2_shrinkage and 2*(l2 + beta/(2*lr)).
    T f_pow, f_l1, f_shrink, f_q2;
    bool f_root;
};

template <class T>
OptimizerHyper<T> optimizer_hyper(nf_optimizer kind, const nf_optimizer_params& p, const nf_optimizer_options& o = {}) {
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
    h.wd = static_cast<T>(o.weight_decay);
    h.gmul = static_cast<T>(o.grad_mul);
    h.gdiv = static_cast<T>(o.grad_div);
    h.clip = static_cast<T>(o.clip_value);
    h.decay = o.weight_decay != 0;
    h.scale = o.grad_div != 0;
    h.clipping = o.clip_value > 0;
    h.amsgrad = kind == NF_OPTIMIZER_ADAM && o.amsgrad != 0;
    h.centered = kind == NF_OPTIMIZER_RMSPROP && o.centered != 0;
    if (kind == NF_OPTIMIZER_NADAM) {
        const double u0 = p.beta1 * (1.0 - 0.5 * std::pow(0.96, t));
        const double u1 = p.beta1 * (1.0 - 0.5 * std::pow(0.96, t + 1.0));
        const double p0 = nadam_u_product(p.beta1, p.step);
        h.n_u1 = static_cast<T>(u1);
        h.n_d1 = static_cast<T>(1.0 - p0 * u1);
        h.n_a0 = static_cast<T>(1.0 - u0);
        h.n_d0 = static_cast<T>(1.0 - p0);
        h.n_v = static_cast<T>(1.0 - std::pow(p.beta2, t));
    }
    h.c_pow1 = static_cast<T>(1.0 - std::pow(p.beta1, t));
    h.f_pow = static_cast<T>(-o.lr_power);
    h.f_root = o.lr_power == -0.5;
    h.f_l1 = static_cast<T>(o.l1);
    h.f_shrink = static_cast<T>(2.0 * o.l2_shrinkage);
    h.f_q2 = static_cast<T>(2.0 * (o.l2 + o.beta / (2.0 * p.learning_rate)));
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

// RMSprop and Adagrad as Keras 3 (and tf.keras since 2.11): epsilon inside the root. Outside it
// (PyTorch, tf.keras' legacy optimizers) the step of a small gradient differs by tens of percent:
// g = 1e-3 after one RMSprop step, sqrt(1e-7 + 1e-7) against sqrt(1e-7) + 1e-7.
template <class T>
NF_HD inline void rmsprop_step(T& w, T& ms, T g, const OptimizerHyper<T>& h) {
    const T si = h.rho * ms + h.c_rho * (g * g);
    ms = si;
    w -= (h.lr * g) / sqrt_of(si + h.eps);
}

template <class T>
NF_HD inline void rmsprop_momentum_step(T& w, T& ms, T& mom, T g, const OptimizerHyper<T>& h) {
    const T si = h.rho * ms + h.c_rho * (g * g);
    ms = si;
    const T mi = h.mu * mom + (h.lr * g) / sqrt_of(si + h.eps);
    mom = mi;
    w -= mi;
}

template <class T>
NF_HD inline void adagrad_step(T& w, T& acc, T g, const OptimizerHyper<T>& h) {
    const T ai = acc + g * g;
    acc = ai;
    w -= (h.lr * g) / sqrt_of(ai + h.eps);
}

// ---- issue 16: the options and the new kinds, per element.

NF_HD inline float max_of(float a, float b) { return a > b ? a : b; }
NF_HD inline double max_of(double a, double b) { return a > b ? a : b; }
NF_HD inline float abs_of(float x) { return ::fabsf(x); }
NF_HD inline double abs_of(double x) { return ::fabs(x); }

// Gradient clipping of the options: (g*mul)/div (clipnorm, global_clipnorm), then clip to
// [-clip, clip] (clipvalue). NaN stays NaN, as ops.clip leaves it.
template <class T>
NF_HD inline T prepared_grad(T g, const OptimizerHyper<T>& h) {
    if (h.scale) g = (g * h.gmul) / h.gdiv;
    if (h.clipping) g = g < -h.clip ? -h.clip : g > h.clip ? h.clip : g;
    return g;
}

// Keras 3's weight decay, before the update: w = w - (w*wd)*lr.
template <class T>
NF_HD inline void decayed(T& w, const OptimizerHyper<T>& h) {
    if (h.decay) w = w - (w * h.wd) * h.lr;
}

template <class T>
NF_HD inline void adam_amsgrad_step(T& w, T& m, T& v, T& vh, T g, const OptimizerHyper<T>& h) {
    const T mi = h.b1 * m + h.c1 * g;
    const T vi = h.b2 * v + h.c2 * (g * g);
    m = mi;
    v = vi;
    const T hi = max_of(vh, vi);
    vh = hi;
    w -= (h.alpha * mi) / (sqrt_of(hi) + h.eps);
}

// Centered RMSprop as Keras 3: epsilon inside the root, where it also keeps ms - mg^2 (which can
// round below 0) from a NaN.
template <class T>
NF_HD inline void rmsprop_centered_step(T& w, T& ms, T& mom, T& mg, T g, const OptimizerHyper<T>& h) {
    const T si = h.rho * ms + h.c_rho * (g * g);
    const T gi = h.rho * mg + h.c_rho * g;
    ms = si;
    mg = gi;
    const T inc = (g * h.lr) / sqrt_of((si - gi * gi) + h.eps);
    if (h.momentum) {
        const T mi = h.mu * mom + inc;
        mom = mi;
        w -= mi;
    } else {
        w -= inc;
    }
}

template <class T>
NF_HD inline void nadam_step(T& w, T& m, T& v, T g, const OptimizerHyper<T>& h) {
    const T mi = m + (g - m) * h.c1;
    const T vi = v + (g * g - v) * h.c2;
    m = mi;
    v = vi;
    const T mh = (h.n_u1 * mi) / h.n_d1 + (h.n_a0 * g) / h.n_d0;
    w -= (mh * h.lr) / (sqrt_of(vi / h.n_v) + h.eps);
}

template <class T>
NF_HD inline void adamax_step(T& w, T& m, T& u, T g, const OptimizerHyper<T>& h) {
    const T mi = m + (g - m) * h.c1;
    const T ui = max_of(h.b2 * u, abs_of(g));
    m = mi;
    u = ui;
    w -= (h.lr * mi) / (h.c_pow1 * (ui + h.eps));
}

template <class T>
NF_HD inline void adadelta_step(T& w, T& ag, T& ad, T g, const OptimizerHyper<T>& h) {
    const T agi = h.rho * ag + (h.c_rho * g) * g;
    ag = agi;
    const T d = (-sqrt_of(ad + h.eps) * g) / sqrt_of(agi + h.eps);
    ad = h.rho * ad + (h.c_rho * d) * d;
    w += h.lr * d;
}

// Ftrl's accumulator to a power other than 1/2: one portable pow for every engine (the libm and CUDA
// pows differ in the last bits); float rounds its double result once.
NF_HD inline float ftrl_pow(float x, float y) { return static_cast<float>(portable_pow(x, y)); }
NF_HD inline double ftrl_pow(double x, double y) { return portable_pow(x, y); }

// Ftrl as Keras 3 writes it (keras/src/optimizers/ftrl.py): acc and lin are slot0 and slot1.
template <class T>
NF_HD inline void ftrl_step(T& w, T& acc, T& lin, T g, const OptimizerHyper<T>& h) {
    const T na = acc + g * g;
    const T pn = h.f_root ? sqrt_of(na) : ftrl_pow(na, h.f_pow);
    const T pa = h.f_root ? sqrt_of(acc) : ftrl_pow(acc, h.f_pow);
    const T li = lin + ((g + h.f_shrink * w) - ((pn - pa) / h.lr) * w);
    lin = li;
    const T clipped = li < -h.f_l1 ? -h.f_l1 : li > h.f_l1 ? h.f_l1 : li;
    w = (clipped - li) / (pn / h.lr + h.f_q2);
    acc = na;
}

// One element of nf_optimizer_update_ex for kind K: both engines' loops call this.
template <nf_optimizer K, class T>
NF_HD inline void optimizer_element(T* w, const T* g, T* s0, T* s1, T* s2, int64_t i, const OptimizerHyper<T>& h) {
    const T gi = prepared_grad(g[i], h);
    decayed(w[i], h);
    if constexpr (K == NF_OPTIMIZER_SGD) {
        if (!h.momentum) sgd_step(w[i], gi, h);
        else if (h.nesterov) sgd_momentum_step<true>(w[i], s0[i], gi, h);
        else sgd_momentum_step<false>(w[i], s0[i], gi, h);
    } else if constexpr (K == NF_OPTIMIZER_ADAM) {
        if (h.amsgrad) adam_amsgrad_step(w[i], s0[i], s1[i], s2[i], gi, h);
        else adam_step(w[i], s0[i], s1[i], gi, h);
    } else if constexpr (K == NF_OPTIMIZER_RMSPROP) {
        if (h.centered) {
            T unused = T(0);
            rmsprop_centered_step(w[i], s0[i], h.momentum ? s1[i] : unused, s2[i], gi, h);
        } else if (h.momentum) {
            rmsprop_momentum_step(w[i], s0[i], s1[i], gi, h);
        } else {
            rmsprop_step(w[i], s0[i], gi, h);
        }
    } else if constexpr (K == NF_OPTIMIZER_ADAGRAD) {
        adagrad_step(w[i], s0[i], gi, h);
    } else if constexpr (K == NF_OPTIMIZER_NADAM) {
        nadam_step(w[i], s0[i], s1[i], gi, h);
    } else if constexpr (K == NF_OPTIMIZER_ADAMAX) {
        adamax_step(w[i], s0[i], s1[i], gi, h);
    } else if constexpr (K == NF_OPTIMIZER_ADADELTA) {
        adadelta_step(w[i], s0[i], s1[i], gi, h);
    } else {
        ftrl_step(w[i], s0[i], s1[i], gi, h);
    }
}

}  // namespace nf
