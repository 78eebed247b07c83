// nf_optimizer_update: every kind and dtype against a double reference over several steps,
// against the same formula evaluated in T (bit for bit), and bad input.
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

nf_optimizer_params params(double lr, double momentum = 0, int nesterov = 0) {
    nf_optimizer_params p{};
    p.learning_rate = lr;
    p.momentum = momentum;
    p.beta1 = 0.9;
    p.beta2 = 0.999;
    p.epsilon = 1e-7;
    p.rho = 0.9;
    p.nesterov = nesterov;
    p.step = 1;
    return p;
}

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
            const U inc = (lr * g) / (std::sqrt(s0) + eps);
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
            w -= (lr * g) / (std::sqrt(s0) + eps);
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
    EXPECT_TRUE(fails_with(nf_optimizer_update(static_cast<nf_optimizer>(7), NF_FLOAT32, w, g, s0, s1, 4, &p), bad,
                           {"nf_optimizer_update", "kind = 7"}));
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
