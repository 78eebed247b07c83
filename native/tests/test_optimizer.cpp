// nf_optimizer_update: every kind and dtype against a double reference over several steps,
// against the same formula evaluated in T (bit for bit), and bad input. Below, issue 16's
// nf_optimizer_update_ex (Nadam, Adamax, Adadelta, AMSGrad, centered RMSprop, clipping, weight
// decay) the same way, its reference reusing step_ref for what is unchanged.
#include "common/portable_pow.h"
#include "test_util.h"

using namespace nft;

namespace {

struct Config {
    const char* name;
    nf_optimizer kind;
    nf_optimizer_params p;
    double slot0_init;  // Adagrad starts its accumulator at a positive value
    bool uses0, uses1;
};

nf_optimizer_params params(double lr, double momentum = 0, int nesterov = 0) { return optimizer_params(lr, momentum, nesterov); }

std::vector<Config> configs() {
    return {
        {"sgd", NF_OPTIMIZER_SGD, params(0.1), 0, false, false},
        {"sgd_momentum", NF_OPTIMIZER_SGD, params(0.1, 0.9), 0, true, false},
        {"sgd_nesterov", NF_OPTIMIZER_SGD, params(0.1, 0.9, 1), 0, true, false},
        {"adam", NF_OPTIMIZER_ADAM, params(0.01), 0, true, true},
        {"rmsprop", NF_OPTIMIZER_RMSPROP, params(0.01), 0, true, false},
        {"rmsprop_momentum", NF_OPTIMIZER_RMSPROP, params(0.01, 0.5), 0, true, true},
        {"adagrad", NF_OPTIMIZER_ADAGRAD, params(0.1), 0.1, true, false},
    };
}

// One step of the header's formula for element i, in U (double for the reference, T for the
// bitwise check), with the hyperparameters converted to U as the header says.
template <class U>
void step_ref(const Config& c, const nf_optimizer_params& p, U& w, U g, U& s0, U& s1) {
    const U lr = static_cast<U>(p.learning_rate), mu = static_cast<U>(p.momentum), eps = static_cast<U>(p.epsilon);
    switch (c.kind) {
        case NF_OPTIMIZER_SGD:
            if (p.momentum == 0) {
                w -= lr * g;
            } else {
                s0 = mu * s0 - lr * g;
                w += p.nesterov ? mu * s0 - lr * g : s0;
            }
            break;
        case NF_OPTIMIZER_ADAM: {
            const double t = static_cast<double>(p.step);
            const U alpha = static_cast<U>(p.learning_rate * std::sqrt(1.0 - std::pow(p.beta2, t)) / (1.0 - std::pow(p.beta1, t)));
            s0 = static_cast<U>(p.beta1) * s0 + static_cast<U>(1.0 - p.beta1) * g;
            s1 = static_cast<U>(p.beta2) * s1 + static_cast<U>(1.0 - p.beta2) * (g * g);
            w -= (alpha * s0) / (std::sqrt(s1) + eps);
            break;
        }
        case NF_OPTIMIZER_RMSPROP: {
            s0 = static_cast<U>(p.rho) * s0 + static_cast<U>(1.0 - p.rho) * (g * g);
            const U inc = (lr * g) / std::sqrt(s0 + eps);
            if (p.momentum > 0) {
                s1 = mu * s1 + inc;
                w -= s1;
            } else {
                w -= inc;
            }
            break;
        }
        case NF_OPTIMIZER_ADAGRAD:
            s0 += g * g;
            w -= (lr * g) / std::sqrt(s0 + eps);
            break;
    }
}

template <class T>
void check(const Config& c) {
    const nf_dtype dt = dtype_of<T>();
    const double rt = std::is_same_v<T, float> ? 2e-5 : 1e-12, at = std::is_same_v<T, float> ? 1e-6 : 1e-14;
    uint32_t seed = 11;
    for (int64_t n : {1, 7, 33, 1025, 70001}) {
        // The parameter and both slots are written in place: each has guard bytes after it.
        const auto w0 = random_values<T>(n, -1, 1, seed++);
        nft::Guarded<T> w(n), s0(n, static_cast<T>(c.slot0_init)), s1(n, T(0));
        std::copy(w0.begin(), w0.begin() + n, w.begin());
        std::vector<double> wd(w.begin(), w.end()), s0d(s0.begin(), s0.end()), s1d(n, 0.0);
        std::vector<T> wt(w.begin(), w.end()), s0t(s0.values()), s1t(s1.values());  // same formula in T
        for (int64_t step = 1; step <= 5; ++step) {
            const auto g = random_values<T>(n, -1, 1, seed++);
            nf_optimizer_params p = c.p;
            p.step = step;
            const std::string what = std::string(c.name) + " n=" + std::to_string(n) + " step " + std::to_string(step);
            // Slots the configuration does not use are passed as NULL.
            ASSERT_EQ(nf_optimizer_update(c.kind, dt, w.data(), g.data(), c.uses0 ? s0.data() : nullptr,
                                          c.uses1 ? s1.data() : nullptr, n, &p),
                      NF_OK)
                << what << ": " << nf_last_error();
            EXPECT_TRUE(w.intact(what + " param"));
            EXPECT_TRUE(s0.intact(what + " slot0"));
            EXPECT_TRUE(s1.intact(what + " slot1"));
            for (int64_t i = 0; i < n; ++i) {
                step_ref<double>(c, p, wd[i], static_cast<double>(g[i]), s0d[i], s1d[i]);
                step_ref<T>(c, p, wt[i], g[i], s0t[i], s1t[i]);
            }
            EXPECT_TRUE(all_close(w.data(), wd, rt, at, what + " param"));
            if (c.uses0) EXPECT_TRUE(all_close(s0.data(), s0d, rt, at, what + " slot0"));
            if (c.uses1) EXPECT_TRUE(all_close(s1.data(), s1d, rt, at, what + " slot1"));
            // The fused kernel is the tensor-op formula, rounding for rounding.
            EXPECT_EQ(0, std::memcmp(w.data(), wt.data(), n * sizeof(T))) << what << " param differs from the formula in T";
            EXPECT_EQ(0, std::memcmp(s0.data(), s0t.data(), n * sizeof(T))) << what << " slot0 differs from the formula in T";
            EXPECT_EQ(0, std::memcmp(s1.data(), s1t.data(), n * sizeof(T))) << what << " slot1 differs from the formula in T";
        }
    }
}

}  // namespace

TEST(Optimizer, Float32) {
    for (const Config& c : configs()) check<float>(c);
}
TEST(Optimizer, Float64) {
    for (const Config& c : configs()) check<double>(c);
}

TEST(Optimizer, AdamBiasCorrectionUsesTheStep) {
    // First Adam step moves every weight by about lr against the gradient's sign.
    std::vector<double> w = {1.0, 1.0}, g = {0.5, -2.0}, m(2), v(2);
    nf_optimizer_params p = params(0.01);
    ASSERT_EQ(nf_optimizer_update(NF_OPTIMIZER_ADAM, NF_FLOAT64, w.data(), g.data(), m.data(), v.data(), 2, &p), NF_OK);
    EXPECT_NEAR(w[0], 1.0 - 0.01, 1e-6);
    EXPECT_NEAR(w[1], 1.0 + 0.01, 1e-6);
}

TEST(Optimizer, EmptyAcceptsNullBuffers) {
    nf_optimizer_params p = params(0.1);
    EXPECT_EQ(nf_optimizer_update(NF_OPTIMIZER_ADAM, NF_FLOAT32, nullptr, nullptr, nullptr, nullptr, 0, &p), NF_OK)
        << nf_last_error();
}

TEST(Optimizer, Errors) {
    float w[4] = {}, g[4] = {1, 1, 1, 1}, s0[4] = {}, s1[4] = {};
    nf_optimizer_params p = params(0.1);
    const nf_status bad = NF_ERROR_INVALID_ARGUMENT;
    EXPECT_TRUE(fails_with(nf_optimizer_update(static_cast<nf_optimizer>(8), NF_FLOAT32, w, g, s0, s1, 4, &p), bad,
                           {"nf_optimizer_update", "kind = 8"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_SGD, NF_INT32, w, g, s0, s1, 4, &p), NF_ERROR_UNSUPPORTED,
                           {"nf_optimizer_update", "dtype int32"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_SGD, static_cast<nf_dtype>(17), w, g, s0, s1, 4, &p), bad,
                           {"nf_optimizer_update", "dtype = 17"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_SGD, NF_FLOAT32, w, g, s0, s1, -1, &p), bad,
                           {"nf_optimizer_update", "count = -1"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_SGD, NF_FLOAT32, w, g, s0, s1, 4, nullptr), bad,
                           {"nf_optimizer_update", "p is NULL"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_SGD, NF_FLOAT32, nullptr, g, s0, s1, 4, &p), bad,
                           {"nf_optimizer_update", "param is NULL"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_SGD, NF_FLOAT32, w, nullptr, s0, s1, 4, &p), bad,
                           {"nf_optimizer_update", "grad is NULL"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_ADAM, NF_FLOAT32, w, g, nullptr, s1, 4, &p), bad,
                           {"nf_optimizer_update", "slot0 (m) is NULL", "adam"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_ADAM, NF_FLOAT32, w, g, s0, nullptr, 4, &p), bad,
                           {"nf_optimizer_update", "slot1 (v) is NULL"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_ADAGRAD, NF_FLOAT32, w, g, nullptr, nullptr, 4, &p), bad,
                           {"slot0 (accumulator) is NULL"}));
    nf_optimizer_params pm = params(0.1, 0.9);
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_SGD, NF_FLOAT32, w, g, nullptr, nullptr, 4, &pm), bad,
                           {"slot0 (velocity) is NULL", "momentum = 0.9"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_RMSPROP, NF_FLOAT32, w, g, s0, nullptr, 4, &pm), bad,
                           {"slot1 (momentum buffer) is NULL", "rmsprop"}));
    nf_optimizer_params p0 = p;
    p0.step = 0;
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_ADAM, NF_FLOAT32, w, g, s0, s1, 4, &p0), bad,
                           {"nf_optimizer_update", "p->step = 0"}));
    p0 = p;
    p0.reserved = 3;
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_ADAM, NF_FLOAT32, w, g, s0, s1, 4, &p0), bad,
                           {"p->reserved = 3"}));
    // A failed call leaves the buffers untouched.
    for (float x : w) EXPECT_EQ(x, 0.0f);
}

TEST(Optimizer, ParamsStructLayout) {
    // The C# binding (NfOptimizerParams) mirrors these offsets.
    static_assert(sizeof(nf_optimizer_params) == 64, "nf_optimizer_params is 64 bytes");
    static_assert(offsetof(nf_optimizer_params, nesterov) == 48, "nesterov at 48");
    static_assert(offsetof(nf_optimizer_params, step) == 56, "step at 56");
    SUCCEED();
}

// ---- issue 16: nf_optimizer_update_ex ------------------------------------------------------

namespace {

struct ExConfig {
    const char* name;
    nf_optimizer kind;
    nf_optimizer_params p;
    nf_optimizer_options o;
    bool uses[3];
};

nf_optimizer_params ex_params(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-7, double rho = 0.9,
                           double momentum = 0) {
    nf_optimizer_params p{};
    p.learning_rate = lr;
    p.momentum = momentum;
    p.beta1 = b1;
    p.beta2 = b2;
    p.epsilon = eps;
    p.rho = rho;
    p.step = 1;
    return p;
}

std::vector<ExConfig> ex_configs() {
    return {
        {"nadam", NF_OPTIMIZER_NADAM, ex_params(0.01, 0.5, 0.67, 1e-5), optimizer_options(), {true, true, false}},
        {"adamax", NF_OPTIMIZER_ADAMAX, ex_params(0.2, 0.85, 0.95, 1e-6), optimizer_options(), {true, true, false}},
        {"adadelta", NF_OPTIMIZER_ADADELTA, ex_params(1.0, 0.9, 0.999, 1e-6, 0.8), optimizer_options(), {true, true, false}},
        {"adam_amsgrad", NF_OPTIMIZER_ADAM, ex_params(0.01), optimizer_options(0, 0, 0, 0, 1), {true, true, true}},
        {"rmsprop_centered", NF_OPTIMIZER_RMSPROP, ex_params(0.01), optimizer_options(0, 0, 0, 0, 0, 1), {true, false, true}},
        {"rmsprop_centered_momentum", NF_OPTIMIZER_RMSPROP, ex_params(0.01, 0.9, 0.999, 1e-7, 0.9, 0.5),
         optimizer_options(0, 0, 0, 0, 0, 1), {true, true, true}},
        {"adam_weight_decay", NF_OPTIMIZER_ADAM, ex_params(0.01), optimizer_options(0.004), {true, true, false}},
        {"sgd_clipnorm", NF_OPTIMIZER_SGD, ex_params(0.1), optimizer_options(0, 0.75, 2.5), {false, false, false}},
        {"adagrad_clipvalue_decay", NF_OPTIMIZER_ADAGRAD, ex_params(0.1), optimizer_options(0.5, 0, 0, 0.25), {true, false, false}},
        {"adadelta_all", NF_OPTIMIZER_ADADELTA, ex_params(0.5, 0.9, 0.999, 1e-7, 0.9), optimizer_options(0.01, 2, 3), {true, true, false}},
        // keras2 session: Ftrl with the root (lr_power -0.5) and with a general power and every term.
        {"ftrl", NF_OPTIMIZER_FTRL, ex_params(0.5), ftrl_options(-0.5), {true, true, false}},
        {"ftrl_all", NF_OPTIMIZER_FTRL, ex_params(0.05), ftrl_options(-0.2, 0.05, 0.15, 0.01, 0.3, 0.004), {true, true, false}},
    };
}

// One step of the header's formula in U, hyperparameters converted to U as the header says.
template <class U>
void step_ref_ex(const ExConfig& c, const nf_optimizer_params& p, U& w, U g, U& s0, U& s1, U& s2) {
    auto C = [](double x) { return static_cast<U>(x); };
    const U lr = C(p.learning_rate), eps = C(p.epsilon);
    const nf_optimizer_options& o = c.o;
    if (o.grad_div != 0) g = (g * C(o.grad_mul)) / C(o.grad_div);
    if (o.clip_value > 0) g = g < -C(o.clip_value) ? -C(o.clip_value) : g > C(o.clip_value) ? C(o.clip_value) : g;
    if (o.weight_decay != 0) w = w - (w * C(o.weight_decay)) * lr;
    const double t = static_cast<double>(p.step);
    switch (c.kind) {
        case NF_OPTIMIZER_NADAM: {
            double prod = 1;
            for (int64_t i = 1; i <= p.step; ++i) prod *= p.beta1 * (1 - 0.5 * std::pow(0.96, static_cast<double>(i)));
            const double u0 = p.beta1 * (1 - 0.5 * std::pow(0.96, t)), u1 = p.beta1 * (1 - 0.5 * std::pow(0.96, t + 1));
            s0 = s0 + (g - s0) * C(1 - p.beta1);
            s1 = s1 + (g * g - s1) * C(1 - p.beta2);
            const U mh = (C(u1) * s0) / C(1 - prod * u1) + (C(1 - u0) * g) / C(1 - prod);
            w -= (mh * lr) / (std::sqrt(s1 / C(1 - std::pow(p.beta2, t))) + eps);
            break;
        }
        case NF_OPTIMIZER_ADAMAX: {
            s0 = s0 + (g - s0) * C(1 - p.beta1);
            const U a = C(p.beta2) * s1, b = std::fabs(g);
            s1 = a > b ? a : b;
            w -= (lr * s0) / (C(1 - std::pow(p.beta1, t)) * (s1 + eps));
            break;
        }
        case NF_OPTIMIZER_ADADELTA: {
            s0 = C(p.rho) * s0 + (C(1 - p.rho) * g) * g;
            const U d = (-std::sqrt(s1 + eps) * g) / std::sqrt(s0 + eps);
            s1 = C(p.rho) * s1 + (C(1 - p.rho) * d) * d;
            w += lr * d;
            break;
        }
        case NF_OPTIMIZER_ADAM:
            if (o.amsgrad) {
                const U alpha = C(p.learning_rate * std::sqrt(1.0 - std::pow(p.beta2, t)) / (1.0 - std::pow(p.beta1, t)));
                s0 = C(p.beta1) * s0 + C(1 - p.beta1) * g;
                s1 = C(p.beta2) * s1 + C(1 - p.beta2) * (g * g);
                s2 = s2 > s1 ? s2 : s1;
                w -= (alpha * s0) / (std::sqrt(s2) + eps);
            } else {
                step_ref<U>(Config{c.name, c.kind, p, 0, true, true}, p, w, g, s0, s1);
            }
            break;
        case NF_OPTIMIZER_RMSPROP: {  // centered
            s0 = C(p.rho) * s0 + C(1 - p.rho) * (g * g);
            s2 = C(p.rho) * s2 + C(1 - p.rho) * g;
            const U inc = (g * lr) / std::sqrt((s0 - s2 * s2) + eps);
            if (p.momentum > 0) {
                s1 = C(p.momentum) * s1 + inc;
                w -= s1;
            } else {
                w -= inc;
            }
            break;
        }
        case NF_OPTIMIZER_FTRL: {  // s0 = accumulator, s1 = linear
            const U na = s0 + g * g;
            // Any power but 1/2 is the engines' portable pow (PortablePow.AgreesWithLibm checks it).
            const U pn = o.lr_power == -0.5 ? std::sqrt(na) : static_cast<U>(nf::portable_pow(na, C(-o.lr_power)));
            const U pa = o.lr_power == -0.5 ? std::sqrt(s0) : static_cast<U>(nf::portable_pow(s0, C(-o.lr_power)));
            s1 = s1 + ((g + C(2 * o.l2_shrinkage) * w) - ((pn - pa) / lr) * w);
            const U l1 = C(o.l1), clipped = s1 < -l1 ? -l1 : s1 > l1 ? l1 : s1;
            w = (clipped - s1) / (pn / lr + C(2 * (o.l2 + o.beta / (2 * p.learning_rate))));
            s0 = na;
            break;
        }
        default:  // SGD, Adagrad: only the options differ from nf_optimizer_update
            step_ref<U>(Config{c.name, c.kind, p, 0, true, false}, p, w, g, s0, s1);
            break;
    }
}

template <class T>
void check_ex(const ExConfig& c) {
    const nf_dtype dt = dtype_of<T>();
    const double rt = std::is_same_v<T, float> ? 3e-5 : 1e-12, at = std::is_same_v<T, float> ? 1e-6 : 1e-14;
    uint32_t seed = 23;
    for (int64_t n : {1, 7, 33, 1025, 70001}) {
        const auto w0 = random_values<T>(n, -1, 1, seed++);
        nft::Guarded<T> w(n), s[3] = {nft::Guarded<T>(n, T(0)), nft::Guarded<T>(n, T(0)), nft::Guarded<T>(n, T(0))};
        std::copy(w0.begin(), w0.begin() + n, w.begin());
        std::vector<double> wd(w.begin(), w.end()), sd[3] = {std::vector<double>(n), std::vector<double>(n), std::vector<double>(n)};
        std::vector<T> wt(w.begin(), w.end()), st[3] = {std::vector<T>(n), std::vector<T>(n), std::vector<T>(n)};
        for (int64_t step = 1; step <= 5; ++step) {
            const auto g = random_values<T>(n, -1, 1, seed++);
            nf_optimizer_params p = c.p;
            p.step = step;
            const std::string what = std::string(c.name) + " n=" + std::to_string(n) + " step " + std::to_string(step);
            ASSERT_EQ(nf_optimizer_update_ex(c.kind, dt, w.data(), g.data(), c.uses[0] ? s[0].data() : nullptr,
                                             c.uses[1] ? s[1].data() : nullptr, c.uses[2] ? s[2].data() : nullptr, n, &p,
                                             &c.o),
                      NF_OK)
                << what << ": " << nf_last_error();
            EXPECT_TRUE(w.intact(what + " param"));
            for (int k = 0; k < 3; ++k) EXPECT_TRUE(s[k].intact(what + " slot" + std::to_string(k)));
            for (int64_t i = 0; i < n; ++i) {
                step_ref_ex<double>(c, p, wd[i], static_cast<double>(g[i]), sd[0][i], sd[1][i], sd[2][i]);
                step_ref_ex<T>(c, p, wt[i], g[i], st[0][i], st[1][i], st[2][i]);
            }
            EXPECT_TRUE(all_close(w.data(), wd, rt, at, what + " param"));
            EXPECT_EQ(0, std::memcmp(w.data(), wt.data(), n * sizeof(T))) << what << " param differs from the formula in T";
            for (int k = 0; k < 3; ++k) {
                if (!c.uses[k]) continue;
                EXPECT_TRUE(all_close(s[k].data(), sd[k], rt, at, what + " slot" + std::to_string(k)));
                EXPECT_EQ(0, std::memcmp(s[k].data(), st[k].data(), n * sizeof(T))) << what << " slot" << k << " differs";
            }
        }
    }
}

}  // namespace

TEST(OptimizerEx, Float32) {
    for (const ExConfig& c : ex_configs()) check_ex<float>(c);
}
TEST(OptimizerEx, Float64) {
    for (const ExConfig& c : ex_configs()) check_ex<double>(c);
}

TEST(OptimizerEx, PlainCallOfNewKindsEqualsEx) {
    // nf_optimizer_update accepts the new kinds and gives what _ex gives with no options.
    for (nf_optimizer kind : {NF_OPTIMIZER_NADAM, NF_OPTIMIZER_ADAMAX, NF_OPTIMIZER_ADADELTA}) {
        auto w = random_values<float>(100, -1, 1, 5), g = random_values<float>(100, -1, 1, 6);
        std::vector<float> w2 = w, a0(100), a1(100), b0(100), b1(100);
        nf_optimizer_params p = ex_params(0.1, 0.9, 0.999, 1e-7, 0.95);
        p.step = 4;
        ASSERT_EQ(nf_optimizer_update(kind, NF_FLOAT32, w.data(), g.data(), a0.data(), a1.data(), 100, &p), NF_OK) << nf_last_error();
        ASSERT_EQ(nf_optimizer_update_ex(kind, NF_FLOAT32, w2.data(), g.data(), b0.data(), b1.data(), nullptr, 100, &p, nullptr), NF_OK)
            << nf_last_error();
        EXPECT_EQ(w, w2) << kind;
        EXPECT_EQ(a1, b1) << kind;
    }
}

TEST(OptimizerEx, NadamProductPastTwoThousandSteps) {
    // The u-product's tail is b1^(step-2000); at step 2500 the step must stay finite and close
    // to the one computed with the full product in double.
    double w = 1, g = 0.5, m = 0, v = 0;
    nf_optimizer_params p = ex_params(0.01);
    p.step = 2500;
    ASSERT_EQ(nf_optimizer_update_ex(NF_OPTIMIZER_NADAM, NF_FLOAT64, &w, &g, &m, &v, nullptr, 1, &p, nullptr), NF_OK);
    double prod = 1;
    for (int i = 1; i <= 2500; ++i) prod *= 0.9 * (1 - 0.5 * std::pow(0.96, i));
    const double u0 = 0.9 * (1 - 0.5 * std::pow(0.96, 2500.0)), u1 = 0.9 * (1 - 0.5 * std::pow(0.96, 2501.0));
    const double mh = u1 * (0.1 * 0.5) / (1 - prod * u1) + (1 - u0) * 0.5 / (1 - prod);
    const double vh = (0.001 * 0.25) / (1 - std::pow(0.999, 2500.0));
    EXPECT_NEAR(w, 1 - mh * 0.01 / (std::sqrt(vh) + 1e-7), 1e-12);
}

TEST(OptimizerEx, Errors) {
    float w[4] = {}, g[4] = {1, 1, 1, 1}, s0[4] = {}, s1[4] = {}, s2[4] = {};
    nf_optimizer_params p = ex_params(0.1);
    const nf_status bad = NF_ERROR_INVALID_ARGUMENT;
    nf_optimizer_options ams = optimizer_options(0, 0, 0, 0, 1), centered = optimizer_options(0, 0, 0, 0, 0, 1), nan = optimizer_options(NAN);
    EXPECT_TRUE(fails_with(nf_optimizer_update_ex(NF_OPTIMIZER_ADAM, NF_FLOAT32, w, g, s0, s1, nullptr, 4, &p, &ams), bad,
                           {"nf_optimizer_update_ex", "slot2 (v_hat (amsgrad)) is NULL"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update_ex(NF_OPTIMIZER_RMSPROP, NF_FLOAT32, w, g, s0, nullptr, nullptr, 4, &p, &centered),
                           bad, {"slot2 (mean gradient (centered)) is NULL"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update_ex(NF_OPTIMIZER_NADAM, NF_FLOAT32, w, g, s0, nullptr, s2, 4, &p, nullptr), bad,
                           {"slot1 (v) is NULL", "nadam"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update_ex(NF_OPTIMIZER_ADADELTA, NF_FLOAT32, w, g, nullptr, s1, s2, 4, &p, nullptr), bad,
                           {"slot0 (accumulated gradient) is NULL", "adadelta"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update_ex(NF_OPTIMIZER_SGD, NF_FLOAT32, w, g, s0, s1, s2, 4, &p, &nan), bad,
                           {"an option is NaN"}));
    EXPECT_TRUE(fails_with(nf_optimizer_update_ex(static_cast<nf_optimizer>(8), NF_FLOAT32, w, g, s0, s1, s2, 4, &p, nullptr),
                           bad, {"kind = 8"}));
    for (float x : w) EXPECT_EQ(x, 0.0f);
}

TEST(OptimizerEx, OptionsStructLayout) {
    // The C# binding (NfOptimizerOptions) mirrors these offsets.
    static_assert(sizeof(nf_optimizer_options) == 80, "nf_optimizer_options is 80 bytes");
    static_assert(offsetof(nf_optimizer_options, clip_value) == 24, "clip_value at 24");
    static_assert(offsetof(nf_optimizer_options, centered) == 36, "centered at 36");
    static_assert(offsetof(nf_optimizer_options, lr_power) == 40, "lr_power at 40");
    static_assert(offsetof(nf_optimizer_options, beta) == 72, "beta at 72");
    SUCCEED();
}

// The portable pow that Ftrl's general power uses on every engine: within a few double ulps of
// libm's pow (computed in long double here) over the accumulators an optimizer meets, exact at
// powers of two, and IEEE's special cases.
TEST(PortablePow, AgreesWithLibm) {
    uint64_t state = 7;
    double worst = 0;
    for (int i = 0; i < 200000; ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double x = std::exp(static_cast<double>(state >> 11) * 0x1.0p-53 * 60.0 - 30.0);
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double y = static_cast<double>(state >> 11) * 0x1.0p-53 * 1.5;
        const long double want = std::pow(static_cast<long double>(x), static_cast<long double>(y));
        worst = std::max(worst, static_cast<double>(std::fabs((nf::portable_pow(x, y) - want) / want)));
    }
    EXPECT_LT(worst, 64 * 0x1.0p-52) << "worst relative error " << worst;
    EXPECT_EQ(nf::portable_pow(2.0, 10.0), 1024.0);
    EXPECT_EQ(nf::portable_pow(0.25, 0.5), 0.5);
    EXPECT_EQ(nf::portable_pow(5.0, 0.0), 1.0);
    EXPECT_EQ(nf::portable_pow(0.0, 0.5), 0.0);
    EXPECT_TRUE(std::isinf(nf::portable_pow(0.0, -0.5)));
    EXPECT_TRUE(std::isinf(nf::portable_pow(1e300, 2.0)));
    EXPECT_EQ(nf::portable_pow(1e-300, 2.0), 0.0);
    EXPECT_TRUE(std::isnan(nf::portable_pow(std::nan(""), 0.5)));
    EXPECT_NEAR(nf::portable_pow(1e-310, 0.5), 1e-155, 1e-168);  // subnormal accumulator
}
