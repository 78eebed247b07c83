// nf_optimizer_update_multi (issue 17, multi-tensor apply): for every kind, with and without
// options, and both float dtypes, one call over a mix of tensors gives the bits of one
// nf_optimizer_update_ex call per tensor, writing nothing past any output (guard bytes); and
// bad calls fail with messages naming the tensor.
#include <string>

#include "optimizer_multi_util.h"

using namespace nft;
using namespace nftm;

namespace {

static_assert(sizeof(nf_optimizer_tensor) == 48, "nf_optimizer_tensor: five pointers and a count (the C# binding's layout)");

// One tensor's buffers, guarded.
template <class T>
struct Buffers {
    int64_t n;
    Guarded<T> w, s0, s1, s2;
    std::vector<T> g;
    Buffers(int64_t count, const MultiData<T>& d)
        : n(count), w(count), s0(count), s1(count), s2(count), g(d.g) {
        for (int64_t i = 0; i < count; ++i) std::tie(w[i], s0[i], s1[i], s2[i]) = std::make_tuple(d.w[i], d.s0[i], d.s1[i], d.s2[i]);
    }
    nf_optimizer_tensor tensor() { return {w.data(), g.data(), s0.data(), s1.data(), s2.data(), n}; }
};

template <class T>
void expect_multi_equals_per_variable(const MultiCase& c) {
    const std::vector<int64_t> sizes = multi_sizes();
    std::vector<Buffers<T>> one, multi;
    one.reserve(sizes.size());
    multi.reserve(sizes.size());
    for (size_t k = 0; k < sizes.size(); ++k) {
        const MultiData<T> d = multi_data<T>(sizes[k], static_cast<uint32_t>(100 + 10 * k));
        one.emplace_back(sizes[k], d);
        multi.emplace_back(sizes[k], d);
    }
    for (int64_t step = 1; step <= 2; ++step) {  // the second step starts from the first's slots
        nf_optimizer_params p = c.p;
        p.step += step;
        for (auto& b : one) {
            const nf_optimizer_tensor t = b.tensor();
            ASSERT_EQ(nf_optimizer_update_ex(c.kind, dtype_of<T>(), t.param, t.grad, t.slot0, t.slot1, t.slot2, t.count, &p, &c.o),
                      NF_OK) << nf_last_error();
        }
        std::vector<nf_optimizer_tensor> ts;
        for (auto& b : multi) ts.push_back(b.tensor());
        ASSERT_EQ(nf_optimizer_update_multi(c.kind, dtype_of<T>(), ts.data(), static_cast<int32_t>(ts.size()), &p, &c.o), NF_OK)
            << nf_last_error();
    }
    for (size_t k = 0; k < sizes.size(); ++k) {
        const std::string at = c.name + " tensor " + std::to_string(k) + " (" + std::to_string(sizes[k]) + " elements)";
        EXPECT_EQ(0, std::memcmp(one[k].w.data(), multi[k].w.data(), sizes[k] * sizeof(T))) << at << ": param";
        EXPECT_EQ(0, std::memcmp(one[k].s0.data(), multi[k].s0.data(), sizes[k] * sizeof(T))) << at << ": slot0";
        EXPECT_EQ(0, std::memcmp(one[k].s1.data(), multi[k].s1.data(), sizes[k] * sizeof(T))) << at << ": slot1";
        EXPECT_EQ(0, std::memcmp(one[k].s2.data(), multi[k].s2.data(), sizes[k] * sizeof(T))) << at << ": slot2";
        EXPECT_TRUE(multi[k].w.intact(at + " param"));
        EXPECT_TRUE(multi[k].s0.intact(at + " slot0"));
        EXPECT_TRUE(multi[k].s1.intact(at + " slot1"));
        EXPECT_TRUE(multi[k].s2.intact(at + " slot2"));
    }
    // The step changed something (a test of equal no-ops proves nothing).
    const MultiData<T> d0 = multi_data<T>(sizes[4], 140);
    EXPECT_NE(0, std::memcmp(d0.w.data(), multi[4].w.data(), sizes[4] * sizeof(T))) << c.name;
}

TEST(OptimizerMulti, EqualsOneCallPerVariableFloat32) {
    for (const MultiCase& c : multi_cases()) expect_multi_equals_per_variable<float>(c);
}

TEST(OptimizerMulti, EqualsOneCallPerVariableFloat64) {
    for (const MultiCase& c : multi_cases()) expect_multi_equals_per_variable<double>(c);
}

TEST(OptimizerMulti, TheResultDoesNotDependOnTheThreadCount) {
    const MultiCase c = multi_cases()[4];  // Adam with AMSGrad and weight decay
    const int before = nf_threads_get();
    std::vector<std::vector<float>> results;
    for (int threads : {1, 2, 3}) {
        ASSERT_EQ(nf_threads_set(threads), NF_OK);
        const MultiData<float> a = multi_data<float>(100000, 7), b = multi_data<float>(4097, 8);
        MultiData<float> x = a, y = b;
        nf_optimizer_tensor ts[2] = {{x.w.data(), x.g.data(), x.s0.data(), x.s1.data(), x.s2.data(), 100000},
                                     {y.w.data(), y.g.data(), y.s0.data(), y.s1.data(), y.s2.data(), 4097}};
        ASSERT_EQ(nf_optimizer_update_multi(c.kind, NF_FLOAT32, ts, 2, &c.p, &c.o), NF_OK) << nf_last_error();
        x.w.insert(x.w.end(), y.w.begin(), y.w.end());
        results.push_back(x.w);
    }
    nf_threads_set(before);
    EXPECT_EQ(results[0], results[1]);
    EXPECT_EQ(results[0], results[2]);
}

TEST(OptimizerMulti, NoTensorsIsANoOp) {
    const nf_optimizer_params p = multi_params(0.1);
    EXPECT_EQ(nf_optimizer_update_multi(NF_OPTIMIZER_SGD, NF_FLOAT32, nullptr, 0, &p, nullptr), NF_OK) << nf_last_error();
    nf_optimizer_tensor empty{nullptr, nullptr, nullptr, nullptr, nullptr, 0};
    EXPECT_EQ(nf_optimizer_update_multi(NF_OPTIMIZER_ADAM, NF_FLOAT64, &empty, 1, &p, nullptr), NF_OK) << nf_last_error();
}

// Fails with `status` and a message containing `words`.
void expect_fails(nf_optimizer kind, nf_dtype dtype, const nf_optimizer_tensor* ts, int32_t n, const nf_optimizer_params* p,
                  nf_status status, const std::string& words) {
    EXPECT_EQ(nf_optimizer_update_multi(kind, dtype, ts, n, p, nullptr), status) << words;
    EXPECT_NE(std::string(nf_last_error()).find(words), std::string::npos) << "message: " << nf_last_error();
}

TEST(OptimizerMulti, BadCallsFailNamingWhatWasWrong) {
    const nf_optimizer_params p = multi_params(0.1), bad_step = multi_params(0.1, 0, 0, 0);
    std::vector<float> w(8, 1.f), g(8, 0.5f), m(8), v(8), w2(8, 1.f), g2(8, 0.5f), m2(8), v2(8);
    nf_optimizer_tensor ok[2] = {{w.data(), g.data(), m.data(), v.data(), nullptr, 8},
                                 {w2.data(), g2.data(), m2.data(), v2.data(), nullptr, 8}};
    ASSERT_EQ(nf_optimizer_update_multi(NF_OPTIMIZER_ADAM, NF_FLOAT32, ok, 2, &p, nullptr), NF_OK) << nf_last_error();
    expect_fails(NF_OPTIMIZER_ADAM, NF_FLOAT32, ok, -1, &p, NF_ERROR_INVALID_ARGUMENT, "tensor_count = -1 is negative");
    expect_fails(NF_OPTIMIZER_ADAM, NF_FLOAT32, nullptr, 2, &p, NF_ERROR_INVALID_ARGUMENT, "tensors is NULL");
    expect_fails(NF_OPTIMIZER_ADAM, NF_FLOAT32, ok, 2, nullptr, NF_ERROR_INVALID_ARGUMENT, "p is NULL");
    expect_fails(NF_OPTIMIZER_ADAM, NF_FLOAT32, ok, 2, &bad_step, NF_ERROR_INVALID_ARGUMENT, "step = 0");
    expect_fails(static_cast<nf_optimizer>(99), NF_FLOAT32, ok, 2, &p, NF_ERROR_INVALID_ARGUMENT, "kind = 99");
    expect_fails(NF_OPTIMIZER_ADAM, NF_INT32, ok, 2, &p, NF_ERROR_UNSUPPORTED, "int32");
    // Per tensor, the message names it; then aliasing: a param over its own gradient, one
    // variable twice, a slot inside another buffer written.
    const struct {
        void (*spoil)(nf_optimizer_tensor (&t)[2], float* w);
        const char* words;
    } cases[] = {
        {[](nf_optimizer_tensor(&t)[2], float*) { t[1].slot1 = nullptr; }, "tensors[1]: slot1 (v)"},
        {[](nf_optimizer_tensor(&t)[2], float*) { t[1].count = -3; }, "tensors[1]: count = -3 is negative"},
        {[](nf_optimizer_tensor(&t)[2], float*) { t[0].grad = nullptr; }, "tensors[0]: grad"},
        {[](nf_optimizer_tensor(&t)[2], float* w) { t[0].grad = w + 2; }, "tensors[0].param overlaps tensors[0].grad"},
        {[](nf_optimizer_tensor(&t)[2], float* w) { t[1].param = w; }, "tensors[0].param overlaps tensors[1].param"},
        {[](nf_optimizer_tensor(&t)[2], float* w) { t[1].slot0 = w + 4; }, "tensors[0].param overlaps tensors[1].slot0"},
    };
    for (const auto& c : cases) {
        nf_optimizer_tensor t[2] = {ok[0], ok[1]};
        c.spoil(t, w.data());
        expect_fails(NF_OPTIMIZER_ADAM, NF_FLOAT32, t, 2, &p, NF_ERROR_INVALID_ARGUMENT, c.words);
    }
    nf_optimizer_tensor t[2] = {ok[0], ok[1]};
    // One gradient read by two variables is fine (nothing writes it); an unused slot may be anything.
    t[1].grad = g.data();
    t[1].slot2 = w.data();
    EXPECT_EQ(nf_optimizer_update_multi(NF_OPTIMIZER_ADAM, NF_FLOAT32, t, 2, &p, nullptr), NF_OK) << nf_last_error();
    // Nothing was written by a failed call: both tensors saw exactly the two good calls.
    EXPECT_EQ(w, w2);
}

}  // namespace
