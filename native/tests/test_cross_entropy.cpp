// nf_softmax_cross_entropy: sparse and dense labels, every logits layout, against a double
// reference; stability at +-1000; bad input.
#include "test_util.h"

using namespace nft;

namespace {

// loss[i] = sum_c y_ic (log s_i - (x_ic - m_i)), grad = softmax - y, from logits read through layout l.
template <class T>
void reference(const std::vector<T>& x, const nf_layout& l, const std::vector<double>& y, int64_t n, int64_t c,
               std::vector<double>& loss, std::vector<double>& grad) {
    loss.assign(n, 0.0);
    grad.assign(n * c, 0.0);
    for (int64_t i = 0; i < n; ++i) {
        auto at = [&](int64_t j) { return static_cast<double>(x[elem_offset(l, i * c + j)]); };
        // The max's own term is exactly 1; summing the rest alone lets log1p keep small losses precise.
        int64_t a = 0;
        for (int64_t j = 1; j < c; ++j)
            if (at(j) > at(a)) a = j;
        const double m = at(a);
        double rest = 0;
        for (int64_t j = 0; j < c; ++j)
            if (j != a) rest += std::exp(at(j) - m);
        const double s = 1 + rest, log_s = std::log1p(rest);
        for (int64_t j = 0; j < c; ++j) {
            if (y[i * c + j] != 0) loss[i] += y[i * c + j] * (log_s - (at(j) - m));
            grad[i * c + j] = std::exp(at(j) - m) / s - y[i * c + j];
        }
    }
}

template <class L>
std::vector<L> sparse_labels(int64_t n, int64_t c, uint32_t seed) {
    std::mt19937 g(seed);
    std::vector<L> v(static_cast<size_t>(std::max<int64_t>(n, 1)));
    for (auto& k : v) k = static_cast<L>(g() % static_cast<uint32_t>(c));
    return v;
}

template <class T>
constexpr double loss_rtol() { return std::is_same_v<T, float> ? 2e-6 : 1e-12; }
template <class T>
constexpr double grad_atol() { return std::is_same_v<T, float> ? 1e-7 : 1e-15; }

template <class T, class L>
void check_sparse() {
    const nf_dtype dt = dtype_of<T>();
    uint32_t seed = 21;
    // Short rows go 32 at a time as vector lanes (partial blocks: 33, 65 rows), up to 32 classes;
    // from 33 classes row by row.
    const std::vector<Shape> shapes = {{1, 1},  {1, 7},   {7, 33},    {33, 10},  {5, 1025},
                                       {3000, 10}, {64, 250}, {65, 32}, {65, 3}};
    for (const Shape& s : shapes) {
        const int64_t n = s[0], c = s[1];
        if (c > 256 && std::is_same_v<L, uint8_t>) continue;
        for (Kind k : kAllKinds) {
            const View v = make_view(s, k);
            const auto x = random_values<T>(v.storage, -15, 15, seed++);
            const auto labels = sparse_labels<L>(n, c, seed++);
            std::vector<double> y(n * c, 0.0), want_loss, want_grad;
            for (int64_t i = 0; i < n; ++i) y[i * c + static_cast<int64_t>(labels[i])] = 1.0;
            reference(x, v.l, y, n, c, want_loss, want_grad);
            nft::Guarded<T> loss(n, T(-7)), grad(n * c, T(-7)), loss_only(n, T(-7));
            const std::string what = "sparse " + str(s) + " " + kind_name(k);
            ASSERT_EQ(nf_softmax_cross_entropy(dt, x.data(), &v.l, dtype_of<L>(), labels.data(), 1, loss.data(), grad.data()),
                      NF_OK) << what << ": " << nf_last_error();
            EXPECT_TRUE(all_close(loss.data(), want_loss, loss_rtol<T>(), 0, what + " loss"));
            EXPECT_TRUE(all_close(grad.data(), want_grad, loss_rtol<T>(), grad_atol<T>(), what + " grad"));
            // Without grad_out: the same loss.
            ASSERT_EQ(nf_softmax_cross_entropy(dt, x.data(), &v.l, dtype_of<L>(), labels.data(), 1, loss_only.data(), nullptr),
                      NF_OK) << what << ": " << nf_last_error();
            EXPECT_EQ(0, std::memcmp(loss.data(), loss_only.data(), n * sizeof(T))) << what;
        }
    }
}

template <class T>
void check_dense() {
    const nf_dtype dt = dtype_of<T>();
    uint32_t seed = 99;
    const std::vector<Shape> shapes = {{1, 1}, {1, 7}, {7, 33}, {33, 10}, {5, 1025}, {3000, 10}, {65, 32}, {65, 3}};
    for (const Shape& s : shapes) {
        const int64_t n = s[0], c = s[1];
        for (Kind k : kAllKinds) {
            const View v = make_view(s, k);
            const auto x = random_values<T>(v.storage, -15, 15, seed++);
            // Probability rows, with some exact zeros (label smoothing off for half the classes).
            auto yt = random_values<T>(n * c, 0, 1, seed++);
            for (int64_t i = 0; i < n; ++i) {
                double sum = 0;
                for (int64_t j = 0; j < c; ++j) {
                    if ((i + j) % 2 == 1 && c > 1) yt[i * c + j] = 0;
                    sum += yt[i * c + j];
                }
                for (int64_t j = 0; j < c; ++j) yt[i * c + j] = static_cast<T>(yt[i * c + j] / sum);
            }
            const std::vector<double> y(yt.begin(), yt.begin() + n * c);
            std::vector<double> want_loss, want_grad;
            reference(x, v.l, y, n, c, want_loss, want_grad);
            nft::Guarded<T> loss(n, T(-7)), grad(n * c, T(-7));
            const std::string what = "dense " + str(s) + " " + kind_name(k);
            ASSERT_EQ(nf_softmax_cross_entropy(dt, x.data(), &v.l, dt, yt.data(), 0, loss.data(), grad.data()), NF_OK)
                << what << ": " << nf_last_error();
            EXPECT_TRUE(all_close(loss.data(), want_loss, loss_rtol<T>(), 0, what + " loss"));
            EXPECT_TRUE(all_close(grad.data(), want_grad, loss_rtol<T>(), grad_atol<T>(), what + " grad"));
        }
    }
}

}  // namespace

TEST(CrossEntropy, SparseFloat32Int32) { check_sparse<float, int32_t>(); }
TEST(CrossEntropy, SparseFloat32Int64) { check_sparse<float, int64_t>(); }
TEST(CrossEntropy, SparseFloat32UInt8) { check_sparse<float, uint8_t>(); }
TEST(CrossEntropy, SparseFloat64Int32) { check_sparse<double, int32_t>(); }
TEST(CrossEntropy, SparseFloat64Int64) { check_sparse<double, int64_t>(); }
TEST(CrossEntropy, DenseFloat32) { check_dense<float>(); }
TEST(CrossEntropy, DenseFloat64) { check_dense<double>(); }

TEST(CrossEntropy, StableForHugeLogits) {
    // Row 0: the label holds the max, so the loss is ~e^-2000 (0 in float); row 1: the label is
    // 2000 below the max; row 2: all equal at -1000, log(3).
    std::vector<float> x = {1000, -1000, 0, 1000, -1000, 0, -1000, -1000, -1000};
    const nf_layout l = contiguous({3, 3});
    const int32_t labels[3] = {0, 1, 2};
    nft::Guarded<float> loss(3), grad(9);
    ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, x.data(), &l, NF_INT32, labels, 1, loss.data(), grad.data()), NF_OK)
        << nf_last_error();
    EXPECT_EQ(loss[0], 0.0f);
    EXPECT_FLOAT_EQ(loss[1], 2000.0f);
    EXPECT_NEAR(loss[2], std::log(3.0), 1e-6);
    for (float gv : grad) EXPECT_TRUE(std::isfinite(gv));
    EXPECT_EQ(grad[0], 0.0f);  // softmax 1 - label 1
    EXPECT_FLOAT_EQ(grad[3], 1.0f);
    EXPECT_FLOAT_EQ(grad[4], -1.0f);
    EXPECT_NEAR(grad[8], 1.0 / 3 - 1, 1e-7);
    // Dense, float64, a zero label where log_softmax underflows to -2000: still finite.
    std::vector<double> xd = {1000, -1000}, y = {1, 0}, lossd(1), gradd(2);
    const nf_layout l2 = contiguous({1, 2});
    ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT64, xd.data(), &l2, NF_FLOAT64, y.data(), 0, lossd.data(), gradd.data()), NF_OK);
    EXPECT_EQ(lossd[0], 0.0);
    EXPECT_EQ(gradd[0], 0.0);
    EXPECT_EQ(gradd[1], 0.0);
    // Small losses keep their relative precision: log(1 + e^-20) ~ 2.06e-9.
    std::vector<float> xs = {20, 0};
    const int64_t lab = 0;
    float ls = 0;
    ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, xs.data(), &l2, NF_INT64, &lab, 1, &ls, nullptr), NF_OK);
    EXPECT_NEAR(ls, std::log1p(std::exp(-20.0)), 1e-6 * std::log1p(std::exp(-20.0)));
    // An infinite logit is a certain prediction: loss 0 at its class, inf elsewhere.
    std::vector<double> xinf = {INFINITY, 0, INFINITY, 0}, linf(2), ginf(4);
    const int64_t labinf[2] = {0, 1};
    const nf_layout l22 = contiguous({2, 2});
    ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT64, xinf.data(), &l22, NF_INT64, labinf, 1, linf.data(), ginf.data()), NF_OK);
    EXPECT_EQ(linf[0], 0.0);
    EXPECT_EQ(linf[1], INFINITY);
    EXPECT_EQ(ginf[0], 0.0);
    EXPECT_EQ(ginf[1], 0.0);
    EXPECT_EQ(ginf[2], 1.0);
    EXPECT_EQ(ginf[3], -1.0);
    // float64: log1p(e^-40) ~ 4.2e-18 would be 0 as log(1 + e^-40).
    std::vector<double> xs64 = {40, 0};
    double ls64 = 0;
    ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT64, xs64.data(), &l2, NF_INT64, &lab, 1, &ls64, nullptr), NF_OK);
    EXPECT_NEAR(ls64, std::exp(-40.0), 1e-12 * std::exp(-40.0));
}

TEST(CrossEntropy, EmptyShapes) {
    const nf_layout l0 = contiguous({0, 5});
    EXPECT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, nullptr, &l0, NF_INT32, nullptr, 1, nullptr, nullptr), NF_OK)
        << nf_last_error();
    // Dense with no classes: no terms, zero loss.
    const nf_layout l30 = contiguous({3, 0});
    float loss[3] = {-1, -1, -1};
    EXPECT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, nullptr, &l30, NF_FLOAT32, nullptr, 0, loss, nullptr), NF_OK)
        << nf_last_error();
    for (float v : loss) EXPECT_EQ(v, 0.0f);
}

TEST(CrossEntropy, Errors) {
    float x[6] = {}, loss[2] = {-1, -1}, grad[6] = {};
    const nf_layout l = contiguous({2, 3}), l1 = contiguous({6});
    const int32_t good[2] = {0, 2}, bad_hi[2] = {0, 3}, bad_neg[2] = {-1, 0};
    const nf_status bad = NF_ERROR_INVALID_ARGUMENT;
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, x, &l, NF_INT32, bad_hi, 1, loss, grad), bad,
                           {"nf_softmax_cross_entropy", "row 1 has label 3", "[0, 3)"}));
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, x, &l, NF_INT32, bad_neg, 1, loss, grad), bad,
                           {"row 0 has label -1"}));
    EXPECT_EQ(loss[0], -1.0f);  // nothing written on failure
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_INT32, x, &l, NF_INT32, good, 1, loss, grad),
                           NF_ERROR_UNSUPPORTED, {"nf_softmax_cross_entropy", "dtype int32"}));
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, x, &l1, NF_INT32, good, 1, loss, grad), bad,
                           {"rank 1", "[N, C]"}));
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, x, nullptr, NF_INT32, good, 1, loss, grad), bad,
                           {"logits_layout is NULL"}));
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, x, &l, NF_FLOAT32, good, 1, loss, grad), bad,
                           {"label_dtype = float32", "sparse"}));
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, x, &l, NF_FLOAT64, x, 0, loss, grad), bad,
                           {"label_dtype = float64", "dtype = float32", "dense"}));
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, nullptr, &l, NF_INT32, good, 1, loss, grad), bad,
                           {"logits is NULL"}));
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, x, &l, NF_INT32, nullptr, 1, loss, grad), bad,
                           {"labels is NULL"}));
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, x, &l, NF_INT32, good, 1, nullptr, grad), bad,
                           {"loss_out is NULL"}));
    EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, x, &l, static_cast<nf_dtype>(9), good, 1, loss, grad), bad,
                           {"label_dtype = 9"}));
}

// The float32 kernel's exponentials across the whole range of d = x - max: a two-class row
// [0, d] with label 0 has
// loss log1p(e^d) and gradient e^d / (1 + e^d) for the second class, both rounded once to
// float from the exact values, and 0 where e^d is below every float.
TEST(CrossEntropy, Float32ExpsAreRightOverTheWholeRange) {
    std::vector<float> x;
    for (double d = -800; d <= 0; d += 0.37) x.insert(x.end(), {0.0f, static_cast<float>(d)});
    for (float d : {-1e-30f, -1e-7f, -0.5f, -87.3f, -103.97f, -104.0f, -745.2f, -1e30f}) x.insert(x.end(), {0.0f, d});
    const int64_t n = static_cast<int64_t>(x.size() / 2);
    const nf_layout l = contiguous({n, 2});
    const std::vector<int32_t> labels(static_cast<size_t>(n), 0);
    nft::Guarded<float> loss(n), grad(2 * n);
    ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, x.data(), &l, NF_INT32, labels.data(), 1, loss.data(), grad.data()),
              NF_OK)
        << nf_last_error();
    for (int64_t i = 0; i < n; ++i) {
        const long double e = std::exp(static_cast<long double>(x[2 * i + 1]));
        const float want_loss = static_cast<float>(std::log1p(e)), want_p = static_cast<float>(e / (1 + e));
        // Rounded once from a double within a few ulp of the exact value: the float is the
        // nearest, or (at a rounding tie within that error) its neighbour.
        EXPECT_LE(std::fabs(loss[i] - want_loss), std::nextafter(std::fabs(want_loss), INFINITY) - std::fabs(want_loss))
            << "d = " << x[2 * i + 1];
        EXPECT_LE(std::fabs(grad[2 * i + 1] - want_p), std::nextafter(want_p, INFINITY) - want_p) << "d = " << x[2 * i + 1];
        // The labelled class: p - 1 cancels, so its error is absolute, a double ulp of 1 (as in
        // every softmax - one-hot gradient).
        const float want_g0 = static_cast<float>(1 / (1 + e) - 1);
        EXPECT_LE(std::fabs(grad[2 * i] - want_g0),
                  std::nextafter(std::fabs(want_g0), INFINITY) - std::fabs(want_g0) + 0x1p-52)
            << "d = " << x[2 * i + 1];
    }
}

// Rows of many classes put log1p(rest) at large arguments (rest up to C - 1) and the exps in
// blocks of rows of every length: row i of C classes has logits 0 at the label and -t_i
// elsewhere, so loss = log1p((C - 1) e^-t) and each other class's gradient is e^-t / s, both
// rounded once from the exact values to the nearest float (or, at a tie within a few double
// ulp, its neighbour).
TEST(CrossEntropy, Float32ManyClassesRoundOnce) {
    for (int64_t c : {2, 10, 97, 1000, 1500}) {
        const int64_t n = 300;
        std::vector<float> x(static_cast<size_t>(n * c));
        std::vector<int32_t> labels(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
            const float t = static_cast<float>(i) * 0.0625f - 3.0f;  // also negative: the label is not the max
            labels[i] = static_cast<int32_t>((i * 7) % c);
            for (int64_t j = 0; j < c; ++j) x[i * c + j] = j == labels[i] ? 0.0f : -t;
        }
        const nf_layout l = contiguous({n, c});
        nft::Guarded<float> loss(n), grad(n * c);
        ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, x.data(), &l, NF_INT32, labels.data(), 1, loss.data(), grad.data()),
                  NF_OK)
            << nf_last_error();
        auto near = [](float got, long double want) {
            const float w = static_cast<float>(want);
            return std::fabs(got - w) <= std::nextafter(std::fabs(w), INFINITY) - std::fabs(w);
        };
        for (int64_t i = 0; i < n; ++i) {
            const long double e = std::exp(-static_cast<long double>(static_cast<float>(i) * 0.0625f - 3.0f));
            const long double s = 1 + (c - 1) * e;
            EXPECT_TRUE(near(loss[i], std::log(s))) << "C = " << c << ", row " << i << ": " << loss[i];
            const int64_t other = (labels[i] + 1) % c;
            EXPECT_TRUE(near(grad[i * c + other], e / s)) << "C = " << c << ", row " << i;
        }
    }
}

// Rows go to the pool in parts fixed by the sizes, and each row's sums have one order (eight
// running sums by column mod 8) in both layouts: the same bits on 1, 2, 3 or 7 threads, for
// short rows (vector lanes), long rows, sparse and dense labels.
TEST(CrossEntropy, SameBitsOnAnyThreadCount) {
    const int saved = nf_threads_get();
    for (const Shape& s : std::vector<Shape>{{6001, 10}, {3001, 3}, {1001, 40}, {300, 1000}}) {
        const int64_t n = s[0], c = s[1];
        const nf_layout l = contiguous(s);
        const auto x = random_values<float>(n * c, -20, 20, 5);
        const auto labels = sparse_labels<int32_t>(n, c, 6);
        auto y = random_values<float>(n * c, 0, 1, 7);
        for (int sparse = 0; sparse < 2; ++sparse) {
            std::vector<float> want_loss, want_grad;
            for (int t : {1, 2, 3, 7}) {
                ASSERT_EQ(nf_threads_set(t), NF_OK);
                std::vector<float> loss(n), grad(n * c);
                ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, x.data(), &l, sparse ? NF_INT32 : NF_FLOAT32,
                                                   sparse ? static_cast<const void*>(labels.data()) : y.data(), sparse,
                                                   loss.data(), grad.data()),
                          NF_OK)
                    << nf_last_error();
                if (t == 1) {
                    want_loss = loss;
                    want_grad = grad;
                    continue;
                }
                EXPECT_EQ(0, std::memcmp(loss.data(), want_loss.data(), n * sizeof(float))) << str(s) << " " << t << " threads";
                EXPECT_EQ(0, std::memcmp(grad.data(), want_grad.data(), n * c * sizeof(float))) << str(s) << " " << t << " threads";
            }
        }
    }
    nf_threads_set(saved);
}

// A NaN logit makes its row's loss and gradient NaN (never a number, never a crash) in either
// layout, wherever it sits: in column 0 (where no logit is larger than it) or after the max.
TEST(CrossEntropy, NaNLogitGivesNaNRow) {
    for (int64_t c : {3, 10, 40}) {
        for (int64_t at : {int64_t{0}, c - 1}) {
            const int64_t n = 3;
            std::vector<float> x(n * c, 0.5f), loss(n), grad(n * c);
            x[c + at] = NAN;  // row 1
            const int32_t labels[3] = {0, 1, 2};
            const nf_layout l = contiguous({n, c});
            ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, x.data(), &l, NF_INT32, labels, 1, loss.data(), grad.data()), NF_OK);
            EXPECT_TRUE(std::isnan(loss[1])) << "C = " << c << ", NaN at " << at;
            EXPECT_NEAR(loss[0], std::log(static_cast<double>(c)), 1e-6) << "C = " << c;
            EXPECT_NEAR(loss[2], std::log(static_cast<double>(c)), 1e-6) << "C = " << c;
            for (int64_t j = 0; j < c; ++j) EXPECT_TRUE(std::isnan(grad[c + j])) << "C = " << c << ", column " << j;
        }
    }
}
