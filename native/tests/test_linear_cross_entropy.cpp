// nf_linear_cross_entropy (cpu/linear_cross_entropy.cpp): the fused logistic-regression step
// against the separate kernels it replaces (nf_matmul, nf_binary ADD, nf_softmax_cross_entropy,
// nf_binary MUL, nf_matmul on x transposed), bit for bit on 1, 2 and 4 threads, and against a
// float64 reference; guard values after every output; declines (nothing written) where those
// kernels do not run both products through skinny_gemm.
#include "test_util.h"

using namespace nft;

namespace {

struct Case {
    int64_t n, k, c;
    int64_t pad;    // x's row stride past its k columns (a column slice of a wider array)
    bool bias;
    bool row_scale; // scale per row ([N] expanded: strides [1, 0]) rather than one value (strides [0, 0])
};

// 16.7M multiply-adds at least (skinny_gemm's floor): odd row counts, parts with a last short
// chunk, k with and without a partial 16, 2, 10 and 16 classes.
const Case kCases[] = {
    {4099, 410, 10, 0, true, false}, {4097, 1025, 4, 3, true, true}, {8193, 1024, 2, 0, false, false},
    {5003, 211, 16, 5, true, true},  {6001, 784, 10, 0, true, false}, {4101, 409, 11, 1, false, true},
};

struct Inputs {
    std::vector<float> x, w, bias, scale;
    std::vector<int32_t> labels;
    nf_layout xl, wl, bl, sl;
};

Inputs make(const Case& c, uint32_t seed) {
    Inputs in;
    const int64_t ld = c.k + c.pad;
    in.x = random_values<float>(c.n * ld, -1, 1, seed);
    in.w = random_values<float>(c.k * c.c, -0.2, 0.2, seed + 1);
    in.bias = random_values<float>(c.c, -1, 1, seed + 2);
    in.scale = random_values<float>(c.n, 0.5, 2, seed + 3);
    in.labels.resize(static_cast<size_t>(c.n));
    for (int64_t i = 0; i < c.n; ++i) in.labels[i] = static_cast<int32_t>((i * 7 + seed) % c.c);
    in.xl = contiguous({c.n, ld});
    in.xl.shape[1] = c.k;
    in.wl = contiguous({c.k, c.c});
    in.bl = contiguous({c.n, c.c});
    in.bl.strides[0] = 0;  // the bias [C] broadcast over the rows, as the add reads it
    in.sl = contiguous({c.n, c.c});
    in.sl.strides[0] = c.row_scale ? 1 : 0;  // an [N] (or scalar) upstream gradient expanded over the classes
    in.sl.strides[1] = 0;
    return in;
}

struct Outputs {
    std::vector<float> logits, loss, grad, dlogits, dw;
};

// The separate kernels, as an unfused replay runs them.
Outputs separate(const Case& c, const Inputs& in) {
    Outputs o;
    const int64_t nc = c.n * c.c;
    const nf_layout ol = contiguous({c.n, c.c});
    std::vector<float> mm(nc);
    o.logits.resize(nc), o.loss.resize(c.n), o.grad.resize(nc), o.dlogits.resize(nc), o.dw.resize(c.k * c.c);
    EXPECT_EQ(nf_matmul(NF_FLOAT32, in.x.data(), &in.xl, in.w.data(), &in.wl, mm.data(), &ol), NF_OK) << nf_last_error();
    if (c.bias)
        EXPECT_EQ(nf_binary(NF_BINARY_ADD, NF_FLOAT32, mm.data(), &ol, in.bias.data(), &in.bl, o.logits.data(), &ol), NF_OK);
    else
        o.logits = mm;
    EXPECT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, o.logits.data(), &ol, NF_INT32, in.labels.data(), 1, o.loss.data(),
                                       o.grad.data()), NF_OK);
    EXPECT_EQ(nf_binary(NF_BINARY_MUL, NF_FLOAT32, in.scale.data(), &in.sl, o.grad.data(), &ol, o.dlogits.data(), &ol), NF_OK);
    const nf_layout xt = transposed(in.xl), dwl = contiguous({c.k, c.c});
    EXPECT_EQ(nf_matmul(NF_FLOAT32, in.x.data(), &xt, o.dlogits.data(), &ol, o.dw.data(), &dwl), NF_OK) << nf_last_error();
    return o;
}

// The fused call on `threads` threads (every optional output written when `all`); EXPECTs the guards intact.
Outputs fused(const Case& c, const Inputs& in, int threads, bool all, int32_t* done) {
    const int32_t saved = nf_threads_get();
    EXPECT_EQ(nf_threads_set(threads), NF_OK);
    const size_t nc = static_cast<size_t>(c.n * c.c);
    Guarded<float> logits(nc, 7.0f), loss(c.n, 7.0f), grad(nc, 7.0f), dlogits(nc, 7.0f), dw(c.k * c.c, 7.0f);
    EXPECT_EQ(nf_linear_cross_entropy(NF_FLOAT32, in.x.data(), &in.xl, in.w.data(), &in.wl, c.bias ? in.bias.data() : nullptr,
                                      &in.bl, NF_INT32, in.labels.data(), in.scale.data(), &in.sl, all ? logits.data() : nullptr,
                                      loss.data(), all ? grad.data() : nullptr, all ? dlogits.data() : nullptr, dw.data(), done),
              NF_OK) << nf_last_error();
    EXPECT_EQ(nf_threads_set(saved), NF_OK);
    if (!all) EXPECT_TRUE(std::all_of(logits.begin(), logits.end(), [](float v) { return v == 7.0f; }));
    return {logits.values(), loss.values(), grad.values(), dlogits.values(), dw.values()};
}

// The library's own answer (a query: dw_out NULL) for the inputs' shapes.
bool fuses(const Inputs& in) {
    int32_t asked = -1;
    EXPECT_EQ(nf_linear_cross_entropy(NF_FLOAT32, nullptr, &in.xl, nullptr, &in.wl, nullptr, nullptr, NF_INT32, nullptr, nullptr,
                                      nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &asked), NF_OK) << nf_last_error();
    return asked == 1;
}

std::string name(const Case& c) {
    return std::to_string(c.n) + "x" + std::to_string(c.k) + " -> " + std::to_string(c.c) + (c.bias ? " +bias" : "");
}

}  // namespace

TEST(LinearCrossEntropy, SameBitsAsTheSeparateKernelsOnAnyThreadCount) {
    if (!wide_vectors()) GTEST_SKIP() << "no AVX-512 (or no SIMD clones): skinny_gemm declines, and so does the fused step";
    uint32_t seed = 900;
    for (const Case& c : kCases) {
        const Inputs in = make(c, seed += 4);
        const Outputs want = separate(c, in);
        for (int threads : {1, 2, 4}) {
            int32_t done = -1;
            const Outputs got = fused(c, in, threads, true, &done);
            ASSERT_EQ(done, 1) << name(c);
            EXPECT_TRUE(got.logits == want.logits) << name(c) << ", " << threads << " threads: logits";
            EXPECT_TRUE(got.loss == want.loss) << name(c) << ", " << threads << " threads: loss";
            EXPECT_TRUE(got.grad == want.grad) << name(c) << ", " << threads << " threads: grad";
            EXPECT_TRUE(got.dlogits == want.dlogits) << name(c) << ", " << threads << " threads: dlogits";
            EXPECT_TRUE(got.dw == want.dw) << name(c) << ", " << threads << " threads: dw";
        }
        // Without the optional outputs: the same loss and weight gradient, nothing else written.
        int32_t done = -1;
        const Outputs lean = fused(c, in, 2, false, &done);
        EXPECT_TRUE(lean.loss == want.loss && lean.dw == want.dw) << name(c);
    }
}

TEST(LinearCrossEntropy, MatchesAFloat64Reference) {
    if (!wide_vectors()) GTEST_SKIP() << "no AVX-512 (or no SIMD clones): skinny_gemm declines, and so does the fused step";
    const Case c = kCases[0];
    const Inputs in = make(c, 77);
    int32_t done = 0;
    const Outputs got = fused(c, in, 2, true, &done);
    ASSERT_EQ(done, 1);
    std::vector<double> loss(c.n), dw(c.k * c.c, 0.0), logits(c.n * c.c);
    for (int64_t i = 0; i < c.n; ++i) {
        std::vector<double> z(c.c);
        double m = -1e300;
        for (int64_t j = 0; j < c.c; ++j) {
            double s = c.bias ? in.bias[j] : 0.0;
            for (int64_t k = 0; k < c.k; ++k) s += double(in.x[i * in.xl.strides[0] + k]) * in.w[k * c.c + j];
            z[j] = logits[i * c.c + j] = s;
            m = std::max(m, s);
        }
        double se = 0;
        for (double v : z) se += std::exp(v - m);
        const int64_t y = in.labels[i];
        loss[i] = std::log(se) + m - z[y];
        const double sc = in.scale[c.row_scale ? i : 0];
        for (int64_t j = 0; j < c.c; ++j) {
            const double g = sc * (std::exp(z[j] - m) / se - (j == y ? 1.0 : 0.0));
            for (int64_t k = 0; k < c.k; ++k) dw[k * c.c + j] += double(in.x[i * in.xl.strides[0] + k]) * g;
        }
    }
    EXPECT_TRUE(all_close(got.logits.data(), logits, 1e-4, 1e-4, "logits"));
    EXPECT_TRUE(all_close(got.loss.data(), loss, 1e-4, 1e-4, "loss"));
    EXPECT_TRUE(all_close(got.dw.data(), dw, 1e-4, 2e-3, "dw"));
}

// Where nf_matmul would not run both products through skinny_gemm, the call writes nothing and
// says so: the caller then runs the separate kernels (and so keeps their bits).
TEST(LinearCrossEntropy, DeclinesWhatItDoesNotFuse) {
    const Case declined[] = {
        {4099, 410, 17, 0, true, false},  // 17 classes: past skinny_gemm's 16
        {4099, 410, 32, 0, true, false},  // 32
        {1000, 784, 10, 0, true, false},  // too few rows
    };
    for (const Case& c : declined) {
        const Inputs in = make(c, 5);
        int32_t done = -1;
        const Outputs got = fused(c, in, 2, true, &done);
        EXPECT_EQ(done, 0) << name(c);
        EXPECT_TRUE(std::all_of(got.loss.begin(), got.loss.end(), [](float v) { return v == 7.0f; })) << name(c);
        EXPECT_TRUE(std::all_of(got.dw.begin(), got.dw.end(), [](float v) { return v == 7.0f; })) << name(c);
    }
    if (!wide_vectors()) return;
    // x column-major (a transposed view): nf_matmul's logits would go to the provider.
    const Case c = kCases[0];
    Inputs in = make(c, 9);
    in.xl = transposed(contiguous({c.k, c.n}));
    int32_t done = -1;
    fused(c, in, 1, false, &done);
    EXPECT_EQ(done, 0);
}

// dw_out NULL asks only: the answer is what a real call does, and no buffer is touched (all NULL here).
TEST(LinearCrossEntropy, AQueryAnswersWhetherItFuses) {
    const Case cases[] = {kCases[0], kCases[3], {4099, 410, 17, 0, true, false}, {1000, 784, 10, 0, true, false}};
    for (const Case& c : cases) {
        const Inputs in = make(c, 3);
        int32_t asked = -1, done = -1;
        ASSERT_EQ(nf_linear_cross_entropy(NF_FLOAT32, nullptr, &in.xl, nullptr, &in.wl, nullptr, nullptr, NF_INT32, nullptr, nullptr,
                                          nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &asked), NF_OK) << nf_last_error();
        fused(c, in, 2, false, &done);
        EXPECT_EQ(asked, done) << name(c);
        if (c.c > 16 || c.n < 4096) EXPECT_EQ(asked, 0) << name(c);
        else if (wide_vectors()) EXPECT_EQ(asked, 1) << name(c);
    }
    // Float64 never fuses.
    const Inputs in = make(kCases[0], 3);
    int32_t asked = -1;
    ASSERT_EQ(nf_linear_cross_entropy(NF_FLOAT64, nullptr, &in.xl, nullptr, &in.wl, nullptr, nullptr, NF_INT32, nullptr, nullptr,
                                      nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &asked), NF_OK);
    EXPECT_EQ(asked, 0);
}

TEST(LinearCrossEntropy, RejectsBadLabelsAndArgumentsWithoutWriting) {
    const Case c = kCases[0];
    Inputs in = make(c, 11);
    in.labels[123] = static_cast<int32_t>(c.c);
    int32_t done = -1;
    Guarded<float> loss(c.n, 7.0f), dw(c.k * c.c, 7.0f);
    const nf_status s = nf_linear_cross_entropy(NF_FLOAT32, in.x.data(), &in.xl, in.w.data(), &in.wl, in.bias.data(), &in.bl,
                                                NF_INT32, in.labels.data(), in.scale.data(), &in.sl, nullptr, loss.data(),
                                                nullptr, nullptr, dw.data(), &done);
    const bool takes = fuses(in);
    if (takes) {
        EXPECT_EQ(s, NF_ERROR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(nf_last_error()).find("row 123 has label 10"), std::string::npos) << nf_last_error();
        EXPECT_EQ(done, 0);
        EXPECT_TRUE(std::all_of(loss.begin(), loss.end(), [](float v) { return v == 7.0f; }));
    }
    // w's rows must be x's columns.
    nf_layout wl = contiguous({c.k + 1, c.c});
    EXPECT_EQ(nf_linear_cross_entropy(NF_FLOAT32, in.x.data(), &in.xl, in.w.data(), &wl, nullptr, nullptr, NF_INT32,
                                      in.labels.data(), in.scale.data(), &in.sl, nullptr, loss.data(), nullptr, nullptr,
                                      dw.data(), &done), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_last_error()).find("nf_linear_cross_entropy"), std::string::npos);
    // A scale that is not [N, C].
    nf_layout sl = contiguous({c.n, c.c + 1});
    EXPECT_EQ(nf_linear_cross_entropy(NF_FLOAT32, in.x.data(), &in.xl, in.w.data(), &in.wl, nullptr, nullptr, NF_INT32,
                                      in.labels.data(), in.scale.data(), &sl, nullptr, loss.data(), nullptr, nullptr,
                                      dw.data(), &done),
              takes ? NF_ERROR_INVALID_ARGUMENT : NF_OK);
    EXPECT_EQ(nf_linear_cross_entropy(NF_FLOAT32, in.x.data(), &in.xl, in.w.data(), &in.wl, nullptr, nullptr, NF_INT32,
                                      in.labels.data(), in.scale.data(), &in.sl, nullptr, loss.data(), nullptr, nullptr,
                                      dw.data(), nullptr), NF_ERROR_INVALID_ARGUMENT);
}
