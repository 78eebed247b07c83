// nf_batch_norm, nf_layer_norm and their gradients against double references written here
// from the textbook formulas (not from common/norm.h), with guard bytes after every output,
// large-mean float32 inputs (the reason statistics accumulate in double), and argument checks.
#include <cmath>

#include "test_util.h"

using namespace nft;

namespace {

// Reference batch norm over [outer, F, inner]: out, batch mean/var, and the training or
// inference gradients dx, dgamma, dbeta for upstream dy, all in double.
struct BnRef {
    std::vector<double> out, mean, var, dx, dgamma, dbeta;
};

template <class T>
BnRef ref_batch_norm(const std::vector<T>& x, const std::vector<T>& dy, int64_t outer, int64_t F, int64_t inner,
                     const std::vector<T>& gamma, const std::vector<T>& beta, const std::vector<T>* mean_in,
                     const std::vector<T>* var_in, double eps) {
    BnRef r;
    const int64_t n = outer * inner;
    auto at = [&](int64_t o, int64_t f, int64_t i) { return static_cast<size_t>((o * F + f) * inner + i); };
    // x holds at least one value (random_values), so sizes come from the shape.
    r.out.assign(static_cast<size_t>(outer * F * inner), 0);
    r.dx.assign(r.out.size(), 0);
    r.mean.assign(F, 0);
    r.var.assign(F, 0);
    r.dgamma.assign(F, 0);
    r.dbeta.assign(F, 0);
    for (int64_t f = 0; f < F; ++f) {
        double m = 0, v = 0;
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) m += x[at(o, f, i)];
        m /= n;
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) v += (x[at(o, f, i)] - m) * (x[at(o, f, i)] - m);
        v /= n;
        r.mean[f] = m;
        r.var[f] = v;
        if (mean_in) {
            m = (*mean_in)[f];
            v = (*var_in)[f];
        }
        const double s = 1 / std::sqrt(v + eps), g = gamma[f];
        double sdy = 0, sdyx = 0;
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) {
                const size_t k = at(o, f, i);
                const double xh = (x[k] - m) * s;
                r.out[k] = g * xh + beta[f];
                sdy += dy[k];
                sdyx += dy[k] * xh;
            }
        r.dgamma[f] = sdyx;
        r.dbeta[f] = sdy;
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) {
                const size_t k = at(o, f, i);
                const double xh = (x[k] - m) * s;
                r.dx[k] = mean_in ? g * s * dy[k] : g * s / n * (n * dy[k] - sdy - xh * sdyx);
            }
    }
    return r;
}

struct BnCase {
    int64_t outer, features, inner;
};
const BnCase kBnCases[] = {{8, 3, 1}, {2, 4, 5}, {1, 1, 1}, {300, 7, 1}, {4, 33, 257}, {3, 2, 0}};

template <class T>
void check_batch_norm(bool inference, double center, double spread, double rt) {
    const nf_dtype dt = dtype_of<T>();
    const double eps = 1e-3;
    for (const auto& c : kBnCases) {
        const std::string what = "[" + std::to_string(c.outer) + ", " + std::to_string(c.features) + ", " +
                                 std::to_string(c.inner) + "]";
        const int64_t total = c.outer * c.features * c.inner;
        auto x = random_values<T>(total, center - spread, center + spread, 11);
        const auto dy = random_values<T>(total, -1, 1, 12);
        const auto gamma = random_values<T>(c.features, 0.5, 1.5, 13);
        const auto beta = random_values<T>(c.features, -1, 1, 14);
        const auto rm = random_values<T>(c.features, center - spread, center + spread, 15);
        const auto rv = random_values<T>(c.features, 0.1 * spread * spread, spread * spread, 16);
        const BnRef ref = ref_batch_norm(x, dy, c.outer, c.features, c.inner, gamma, beta, inference ? &rm : nullptr,
                                         inference ? &rv : nullptr, eps);
        Guarded<T> out(total), bm(c.features), bv(c.features), dx(total), dg(c.features), db(c.features);
        if (inference) {
            ASSERT_EQ(nf_batch_norm(dt, x.data(), c.outer, c.features, c.inner, gamma.data(), beta.data(), rm.data(),
                                    rv.data(), eps, out.data(), nullptr, nullptr),
                      NF_OK)
                << nf_last_error();
        } else {
            ASSERT_EQ(nf_batch_norm(dt, x.data(), c.outer, c.features, c.inner, gamma.data(), beta.data(), nullptr,
                                    nullptr, eps, out.data(), bm.data(), bv.data()),
                      NF_OK)
                << nf_last_error();
            if (c.outer * c.inner > 0) {
                EXPECT_TRUE(all_close(bm.data(), ref.mean, rtol<T>(), 0, "batch mean " + what));
                EXPECT_TRUE(all_close(bv.data(), ref.var, rt, 0, "batch variance " + what));
            }
        }
        EXPECT_TRUE(all_close(out.data(), ref.out, rt, rt, "out " + what));
        ASSERT_EQ(nf_batch_norm_backward(dt, x.data(), c.outer, c.features, c.inner, dy.data(), gamma.data(),
                                         inference ? rm.data() : nullptr, inference ? rv.data() : nullptr, eps,
                                         inference ? 0 : 1, dx.data(), dg.data(), db.data()),
                  NF_OK)
            << nf_last_error();
        EXPECT_TRUE(all_close(dx.data(), ref.dx, rt, rt, "dx " + what));
        EXPECT_TRUE(all_close(dg.data(), ref.dgamma, rt, rt, "dgamma " + what));
        EXPECT_TRUE(all_close(db.data(), ref.dbeta, rt, rt, "dbeta " + what));
    }
}

TEST(BatchNorm, TrainingFloat64) { check_batch_norm<double>(false, 0, 2, 1e-10); }
TEST(BatchNorm, TrainingFloat32) { check_batch_norm<float>(false, 0, 2, 1e-5); }
TEST(BatchNorm, InferenceFloat64) { check_batch_norm<double>(true, 0, 2, 1e-10); }
TEST(BatchNorm, InferenceFloat32) { check_batch_norm<float>(true, 0, 2, 1e-5); }
// Values around 1e4 with a spread of 1e-2: a float32 one-pass sum of squares would lose the
// variance entirely; the double two-pass statistics keep float32 results within float rounding
// of the exact (double) ones.
TEST(BatchNorm, LargeMeanFloat32) { check_batch_norm<float>(false, 1e4, 1e-2, 1e-5); }

TEST(BatchNorm, NullGammaBetaAreOneAndZeroAndOutputsMayBeSkipped) {
    const std::vector<double> x = {1, 2, 3, 4, 5, 6};  // [3, 2, 1]
    const std::vector<double> one = {1, 1}, zero = {0, 0}, dy = {1, -1, 2, 0, 0.5, 3};
    Guarded<double> a(6), b(6), bm(2), bv(2), dxa(6), dxb(6), dg(2);
    ASSERT_EQ(nf_batch_norm(NF_FLOAT64, x.data(), 3, 2, 1, nullptr, nullptr, nullptr, nullptr, 1e-3, a.data(),
                            bm.data(), bv.data()),
              NF_OK);
    ASSERT_EQ(nf_batch_norm(NF_FLOAT64, x.data(), 3, 2, 1, one.data(), zero.data(), nullptr, nullptr, 1e-3, b.data(),
                            bm.data(), bv.data()),
              NF_OK);
    EXPECT_EQ(a.values(), b.values());
    EXPECT_EQ(bm.values(), (std::vector<double>{3, 4}));
    ASSERT_EQ(nf_batch_norm_backward(NF_FLOAT64, x.data(), 3, 2, 1, dy.data(), nullptr, nullptr, nullptr, 1e-3, 1,
                                     dxa.data(), nullptr, nullptr),
              NF_OK);
    ASSERT_EQ(nf_batch_norm_backward(NF_FLOAT64, x.data(), 3, 2, 1, dy.data(), one.data(), nullptr, nullptr, 1e-3, 1,
                                     dxb.data(), dg.data(), nullptr),
              NF_OK);
    EXPECT_EQ(dxa.values(), dxb.values());
}

// The sums run in parts fixed by the size alone and are added in part order: one thread and
// several give the same bits (an NHWC-shaped batch large enough to be split, and layer norm's
// column sums over many rows).
TEST(BatchNorm, ResultsDoNotDependOnTheThreadCount) {
    const int64_t outer = 4096, F = 24, rows = 6144, cols = 16;  // rows * cols == outer * F
    const auto x = random_values<float>(outer * F, -3, 3, 51), dy = random_values<float>(outer * F, -1, 1, 52);
    const auto gamma = random_values<float>(F, 0.5, 1.5, 53), lg = random_values<float>(cols, 0.5, 1.5, 54);
    auto run = [&](int threads) {
        EXPECT_EQ(nf_threads_set(threads), NF_OK);
        std::vector<float> out(outer * F), bm(F), bv(F), dx(outer * F), dg(F), db(F), ldx(rows * cols), ldg(cols), ldb(cols);
        EXPECT_EQ(nf_batch_norm(NF_FLOAT32, x.data(), outer, F, 1, gamma.data(), nullptr, nullptr, nullptr, 1e-3,
                                out.data(), bm.data(), bv.data()),
                  NF_OK);
        EXPECT_EQ(nf_batch_norm_backward(NF_FLOAT32, x.data(), outer, F, 1, dy.data(), gamma.data(), nullptr, nullptr,
                                         1e-3, 1, dx.data(), dg.data(), db.data()),
                  NF_OK);
        EXPECT_EQ(nf_layer_norm_backward(NF_FLOAT32, x.data(), rows, cols, dy.data(), lg.data(), 1e-3, ldx.data(),
                                         ldg.data(), ldb.data()),
                  NF_OK);
        return std::vector<std::vector<float>>{out, bm, bv, dx, dg, db, ldx, ldg, ldb};
    };
    const int before = nf_threads_get();
    const auto one = run(1), many = run(4);
    nf_threads_set(before);
    for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], many[i]) << "output " << i;
}

TEST(BatchNorm, ArgumentErrors) {
    const std::vector<float> x(6, 1.f), m(2, 0.f);
    std::vector<float> out(6), s(2);
    EXPECT_TRUE(fails_with(nf_batch_norm(NF_INT32, x.data(), 3, 2, 1, nullptr, nullptr, nullptr, nullptr, 1e-3,
                                         out.data(), s.data(), s.data()),
                           NF_ERROR_UNSUPPORTED, {"nf_batch_norm", "int32"}));
    EXPECT_TRUE(fails_with(nf_batch_norm(NF_FLOAT32, x.data(), 3, -2, 1, nullptr, nullptr, nullptr, nullptr, 1e-3,
                                         out.data(), s.data(), s.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_batch_norm", "negative"}));
    EXPECT_TRUE(fails_with(nf_batch_norm(NF_FLOAT32, x.data(), 3, 2, 1, nullptr, nullptr, m.data(), nullptr, 1e-3,
                                         out.data(), nullptr, nullptr),
                           NF_ERROR_INVALID_ARGUMENT, {"mean and variance must both be given"}));
    EXPECT_TRUE(fails_with(nf_batch_norm(NF_FLOAT32, x.data(), 3, 2, 1, nullptr, nullptr, nullptr, nullptr, 1e-3,
                                         out.data(), nullptr, s.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"batch_mean (training) is NULL"}));
    EXPECT_TRUE(fails_with(nf_batch_norm(NF_FLOAT32, x.data(), 3, 2, 1, nullptr, nullptr, nullptr, nullptr, -1,
                                         out.data(), s.data(), s.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"epsilon = -1"}));
    EXPECT_TRUE(fails_with(nf_batch_norm_backward(NF_FLOAT32, x.data(), 3, 2, 1, x.data(), nullptr, m.data(),
                                                  m.data(), 1e-3, 1, out.data(), nullptr, nullptr),
                           NF_ERROR_INVALID_ARGUMENT, {"mean and variance must be NULL"}));
    EXPECT_TRUE(fails_with(nf_batch_norm_backward(NF_FLOAT32, x.data(), 3, 2, 1, nullptr, nullptr, nullptr, nullptr,
                                                  1e-3, 1, out.data(), nullptr, nullptr),
                           NF_ERROR_INVALID_ARGUMENT, {"dy is NULL"}));
}

template <class T>
void check_layer_norm(double center, double spread, double rt) {
    const nf_dtype dt = dtype_of<T>();
    const double eps = 1e-5;
    const std::pair<int64_t, int64_t> cases[] = {{4, 8}, {1, 1}, {37, 129}, {2000, 17}, {3, 5000}, {0, 4}};
    for (const auto& [rows, cols] : cases) {
        const std::string what = "[" + std::to_string(rows) + ", " + std::to_string(cols) + "]";
        const int64_t total = rows * cols;
        const auto x = random_values<T>(total, center - spread, center + spread, 21);
        const auto dy = random_values<T>(total, -1, 1, 22);
        const auto gamma = random_values<T>(cols, 0.5, 1.5, 23);
        const auto beta = random_values<T>(cols, -1, 1, 24);
        std::vector<double> out(total), dx(total), dg(cols, 0), db(cols, 0);
        for (int64_t r = 0; r < rows; ++r) {
            double m = 0, v = 0;
            for (int64_t c = 0; c < cols; ++c) m += x[r * cols + c];
            m /= cols;
            for (int64_t c = 0; c < cols; ++c) v += (x[r * cols + c] - m) * (x[r * cols + c] - m);
            const double s = 1 / std::sqrt(v / cols + eps);
            double su = 0, sux = 0;
            for (int64_t c = 0; c < cols; ++c) {
                const double xh = (x[r * cols + c] - m) * s, u = gamma[c] * dy[r * cols + c];
                out[r * cols + c] = gamma[c] * xh + beta[c];
                su += u;
                sux += u * xh;
                dg[c] += dy[r * cols + c] * xh;
                db[c] += dy[r * cols + c];
            }
            for (int64_t c = 0; c < cols; ++c) {
                const double xh = (x[r * cols + c] - m) * s, u = gamma[c] * dy[r * cols + c];
                dx[r * cols + c] = s * (u - su / cols - xh * sux / cols);
            }
        }
        Guarded<T> gout(total), gdx(total), gdg(cols), gdb(cols);
        ASSERT_EQ(nf_layer_norm(dt, x.data(), rows, cols, gamma.data(), beta.data(), eps, gout.data()), NF_OK)
            << nf_last_error();
        ASSERT_EQ(nf_layer_norm_backward(dt, x.data(), rows, cols, dy.data(), gamma.data(), eps, gdx.data(),
                                         gdg.data(), gdb.data()),
                  NF_OK)
            << nf_last_error();
        EXPECT_TRUE(all_close(gout.data(), out, rt, rt, "out " + what));
        EXPECT_TRUE(all_close(gdx.data(), dx, rt, rt, "dx " + what));
        EXPECT_TRUE(all_close(gdg.data(), dg, rt, rt, "dgamma " + what));
        EXPECT_TRUE(all_close(gdb.data(), db, rt, rt, "dbeta " + what));
    }
}

TEST(LayerNorm, Float64) { check_layer_norm<double>(0, 2, 1e-10); }
TEST(LayerNorm, Float32) { check_layer_norm<float>(0, 2, 1e-5); }
TEST(LayerNorm, LargeMeanFloat32) { check_layer_norm<float>(1e4, 1e-2, 1e-5); }

TEST(LayerNorm, ArgumentErrors) {
    const std::vector<double> x(6, 1.0);
    std::vector<double> out(6);
    EXPECT_TRUE(fails_with(nf_layer_norm(NF_UINT8, x.data(), 2, 3, nullptr, nullptr, 1e-3, out.data()),
                           NF_ERROR_UNSUPPORTED, {"nf_layer_norm", "uint8"}));
    EXPECT_TRUE(fails_with(nf_layer_norm(NF_FLOAT64, x.data(), 2, 3, nullptr, nullptr, 1e-3, nullptr),
                           NF_ERROR_INVALID_ARGUMENT, {"out is NULL"}));
    EXPECT_TRUE(fails_with(nf_layer_norm_backward(NF_FLOAT64, x.data(), 2, 3, nullptr, nullptr, 1e-3, out.data(),
                                                  nullptr, nullptr),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_layer_norm_backward", "dy is NULL"}));
    EXPECT_TRUE(fails_with(nf_layer_norm(NF_FLOAT64, x.data(), 2, 3, nullptr, nullptr, NAN, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"epsilon"}));
}

}  // namespace
