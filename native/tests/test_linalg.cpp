// nf_lu, nf_triangular_solve and nf_cholesky against double-precision references: batched, over
// every layout kind (a transposed or reversed matrix, a broadcast batch axis), with guard bytes
// after every output.
#include <cmath>

#include "test_util.h"

using namespace nft;

namespace {

// Matrix m of a batch in row-major doubles, read through the layout.
template <class T>
std::vector<double> matrix_of(const std::vector<T>& x, const nf_layout& l, int64_t m, int64_t rows, int64_t cols) {
    std::vector<double> r(rows * cols);
    for (int64_t i = 0; i < rows * cols; ++i) r[i] = static_cast<double>(x[elem_offset(l, m * rows * cols + i)]);
    return r;
}

// getf2 in double: the reference LU, pivots and info.
void reference_lu(std::vector<double>& w, int64_t n, std::vector<int32_t>& piv, std::vector<int32_t>& perm, int32_t& info) {
    piv.assign(n, 0);
    perm.resize(n);
    for (int64_t i = 0; i < n; ++i) perm[i] = static_cast<int32_t>(i);
    info = 0;
    for (int64_t k = 0; k < n; ++k) {
        int64_t p = k;
        for (int64_t i = k + 1; i < n; ++i)
            if (std::fabs(w[i * n + k]) > std::fabs(w[p * n + k])) p = i;
        piv[k] = static_cast<int32_t>(p);
        for (int64_t j = 0; j < n && p != k; ++j) std::swap(w[k * n + j], w[p * n + j]);
        std::swap(perm[k], perm[p]);
        if (w[k * n + k] == 0) {
            if (info == 0) info = static_cast<int32_t>(k + 1);
            continue;
        }
        for (int64_t i = k + 1; i < n; ++i) {
            w[i * n + k] /= w[k * n + k];
            for (int64_t j = k + 1; j < n; ++j) w[i * n + j] -= w[i * n + k] * w[k * n + j];
        }
    }
}

template <class T>
void check_lu() {
    const nf_dtype dt = dtype_of<T>();
    uint32_t seed = 5;
    for (const Shape& s : std::vector<Shape>{{1, 1}, {3, 3}, {2, 4, 4}, {3, 2, 7, 7}, {40, 40}, {0, 3, 3}, {2, 0, 0}})
        for (Kind k : kAllKinds) {
            const View v = make_view(s, k);
            const auto x = random_values<T>(v.storage, -2, 2, seed++);
            const int64_t n = s.back(), batch = numel(s) / std::max<int64_t>(n * n, 1) * (n == 0 ? 0 : 1);
            const int64_t nb = numel(Shape(s.begin(), s.end() - 2));
            Guarded<T> lu(numel(s));
            Guarded<int32_t> piv(nb * n), perm(nb * n), info(nb);
            const std::string what = "lu " + str(s) + " " + kind_name(k);
            // No check: a broadcast (stride-0) axis makes equal rows, a singular matrix reported in info.
            ASSERT_EQ(nf_lu(dt, x.data(), &v.l, lu.data(), piv.data(), perm.data(), info.data(), 0), NF_OK)
                << what << ": " << nf_last_error();
            for (int64_t m = 0; m < batch; ++m) {
                auto w = matrix_of(x, v.l, m, n, n);
                std::vector<int32_t> rp, rperm;
                int32_t rinfo = 0;
                reference_lu(w, n, rp, rperm, rinfo);
                EXPECT_TRUE(all_close(lu.data() + m * n * n, w, rtol<T>() * 10, 1e-12, what));
                EXPECT_EQ(std::vector<int32_t>(piv.data() + m * n, piv.data() + (m + 1) * n), rp) << what;
                EXPECT_EQ(std::vector<int32_t>(perm.data() + m * n, perm.data() + (m + 1) * n), rperm) << what;
                EXPECT_EQ(info[m], rinfo) << what;
            }
        }
}

}  // namespace

TEST(Linalg, LuFloat32) { check_lu<float>(); }
TEST(Linalg, LuFloat64) { check_lu<double>(); }

// Enough matrices for the pool's parts: every matrix still gets its own reference.
TEST(Linalg, LuLargeBatchParallel) {
    const Shape s = {300, 12, 12};
    const nf_layout l = contiguous(s);
    const auto x = random_values<double>(numel(s), -1, 1, 77);
    Guarded<double> lu(numel(s));
    Guarded<int32_t> piv(300 * 12), perm(300 * 12), info(300);
    ASSERT_EQ(nf_lu(NF_FLOAT64, x.data(), &l, lu.data(), piv.data(), perm.data(), info.data(), 1), NF_OK) << nf_last_error();
    for (int64_t m = 0; m < 300; ++m) {
        auto w = matrix_of(x, l, m, 12, 12);
        std::vector<int32_t> rp, rperm;
        int32_t rinfo = 0;
        reference_lu(w, 12, rp, rperm, rinfo);
        ASSERT_TRUE(all_close(lu.data() + m * 144, w, 1e-12, 1e-14, "matrix " + std::to_string(m)));
    }
}

TEST(Linalg, LuSingularInfoAndCheck) {
    // Batch element 1 has a zero second column after elimination: [[1, 2], [2, 4]].
    const std::vector<float> x = {4, 1, 1, 3, 1, 2, 2, 4};
    const nf_layout l = contiguous({2, 2, 2});
    Guarded<float> lu(8);
    Guarded<int32_t> piv(4), perm(4), info(2);
    ASSERT_EQ(nf_lu(NF_FLOAT32, x.data(), &l, lu.data(), piv.data(), perm.data(), info.data(), 0), NF_OK) << nf_last_error();
    EXPECT_EQ(info[0], 0);
    EXPECT_EQ(info[1], 2);  // U[1, 1] == 0
    EXPECT_TRUE(fails_with(nf_lu(NF_FLOAT32, x.data(), &l, lu.data(), piv.data(), perm.data(), info.data(), 1),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_lu", "batch element 1 of 2", "singular", "U[1, 1]"}));
    EXPECT_EQ(info[1], 2);  // outputs are written before the check fails
}

namespace {

template <class T>
void check_triangular_solve() {
    const nf_dtype dt = dtype_of<T>();
    uint32_t seed = 9;
    for (const Shape& as : std::vector<Shape>{{1, 1}, {4, 4}, {3, 5, 5}, {2, 33, 33}})
        for (int64_t cols : {1, 3, 70})
            for (Kind k : kAllKinds)
                for (int lower = 0; lower < 2; ++lower)
                    for (int unit = 0; unit < 2; ++unit) {
                        const int64_t n = as.back();
                        Shape bs = as;
                        bs.back() = cols;
                        const View av = make_view(as, k);
                        const nf_layout bl = contiguous(bs);
                        auto a = random_values<T>(av.storage, -1, 1, seed++);
                        const auto b = random_values<T>(numel(bs), -3, 3, seed++);
                        // A well-conditioned triangle: a diagonal of 2..3 in magnitude.
                        const int64_t batch = numel(as) / (n * n);
                        for (int64_t m = 0; m < batch; ++m)
                            for (int64_t i = 0; i < n; ++i) {
                                T& d = a[elem_offset(av.l, m * n * n + i * n + i)];
                                d = static_cast<T>(d >= 0 ? d + 2 : d - 2);
                            }
                        Guarded<T> out(numel(bs));
                        const std::string what = "trsm " + str(as) + " k " + std::to_string(cols) + " " + kind_name(k) +
                                                 (lower ? " lower" : " upper") + (unit ? " unit" : "");
                        ASSERT_EQ(nf_triangular_solve(dt, a.data(), &av.l, b.data(), &bl, lower, unit, out.data()), NF_OK)
                            << what << ": " << nf_last_error();
                        for (int64_t m = 0; m < batch; ++m) {
                            const auto am = matrix_of(a, av.l, m, n, n);
                            auto x = matrix_of(b, bl, m, n, cols);
                            for (int64_t s = 0; s < n; ++s) {
                                const int64_t i = lower ? s : n - 1 - s;
                                for (int64_t c = 0; c < cols; ++c) {
                                    double v = x[i * cols + c];
                                    for (int64_t j = lower ? 0 : i + 1; j < (lower ? i : n); ++j) v -= am[i * n + j] * x[j * cols + c];
                                    x[i * cols + c] = unit ? v : v / am[i * n + i];
                                }
                            }
                            EXPECT_TRUE(all_close(out.data() + m * n * cols, x, rtol<T>() * 10, 1e-5 * std::is_same_v<T, float>, what));
                        }
                    }
}

}  // namespace

TEST(Linalg, TriangularSolveFloat32) { check_triangular_solve<float>(); }
TEST(Linalg, TriangularSolveFloat64) { check_triangular_solve<double>(); }

// A broadcast batch axis of A (stride 0): both right-hand sides use the one matrix.
TEST(Linalg, TriangularSolveBroadcastA) {
    const std::vector<double> a = {2, 0, 1, 4};  // lower [[2, 0], [1, 4]]
    nf_layout al = contiguous({2, 2, 2});
    al.strides[0] = 0;
    const std::vector<double> b = {2, 9, 4, 2};  // [[2], [9]] and [[4], [2]]
    const nf_layout bl = contiguous({2, 2, 1});
    Guarded<double> out(4);
    ASSERT_EQ(nf_triangular_solve(NF_FLOAT64, a.data(), &al, b.data(), &bl, 1, 0, out.data()), NF_OK) << nf_last_error();
    EXPECT_EQ(out.values(), (std::vector<double>{1, 2, 2, 0}));
}

namespace {

template <class T>
void check_cholesky() {
    const nf_dtype dt = dtype_of<T>();
    uint32_t seed = 13;
    for (const Shape& s : std::vector<Shape>{{1, 1}, {3, 3}, {2, 6, 6}, {30, 30}})
        for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Negative}) {
            const int64_t n = s.back(), batch = numel(s) / (n * n);
            // A = M M^T + n I, positive definite; the layout kind only changes how it is read.
            const View v = make_view(s, k);
            std::vector<T> a(v.storage);
            const auto mm = random_values<double>(numel(s), -1, 1, seed++);
            for (int64_t m = 0; m < batch; ++m)
                for (int64_t i = 0; i < n; ++i)
                    for (int64_t j = 0; j < n; ++j) {
                        double v2 = i == j ? static_cast<double>(n) : 0.0;
                        for (int64_t p = 0; p < n; ++p) v2 += mm[m * n * n + i * n + p] * mm[m * n * n + j * n + p];
                        a[elem_offset(v.l, m * n * n + i * n + j)] = static_cast<T>(v2);
                    }
            Guarded<T> l(numel(s));
            Guarded<int32_t> info(batch);
            const std::string what = "cholesky " + str(s) + " " + kind_name(k);
            ASSERT_EQ(nf_cholesky(dt, a.data(), &v.l, l.data(), info.data(), 1), NF_OK) << what << ": " << nf_last_error();
            for (int64_t m = 0; m < batch; ++m) {
                auto w = matrix_of(a, v.l, m, n, n);
                std::vector<double> ref(n * n, 0.0);
                for (int64_t j = 0; j < n; ++j) {
                    double d = w[j * n + j];
                    for (int64_t p = 0; p < j; ++p) d -= ref[j * n + p] * ref[j * n + p];
                    ref[j * n + j] = std::sqrt(d);
                    for (int64_t i = j + 1; i < n; ++i) {
                        double s2 = w[i * n + j];
                        for (int64_t p = 0; p < j; ++p) s2 -= ref[i * n + p] * ref[j * n + p];
                        ref[i * n + j] = s2 / ref[j * n + j];
                    }
                }
                EXPECT_TRUE(all_close(l.data() + m * n * n, ref, rtol<T>() * 10, 0, what));
                EXPECT_EQ(info[m], 0) << what;
            }
        }
}

}  // namespace

TEST(Linalg, CholeskyFloat32) { check_cholesky<float>(); }
TEST(Linalg, CholeskyFloat64) { check_cholesky<double>(); }

TEST(Linalg, CholeskyNotPositiveDefinite) {
    // Element 0: [[4, 2], [2, 1]] has a zero second pivot; element 1 is fine ([[4, 0], [0, 9]]).
    // The upper triangle (99) is never read.
    const std::vector<double> a = {4, 99, 2, 1, 4, 99, 0, 9};
    const nf_layout l = contiguous({2, 2, 2});
    Guarded<double> out(8);
    Guarded<int32_t> info(2);
    ASSERT_EQ(nf_cholesky(NF_FLOAT64, a.data(), &l, out.data(), info.data(), 0), NF_OK) << nf_last_error();
    EXPECT_EQ(info.values(), (std::vector<int32_t>{2, 0}));
    EXPECT_EQ(out.values(), (std::vector<double>{2, 0, 1, 0, 2, 0, 0, 3}));
    EXPECT_TRUE(fails_with(nf_cholesky(NF_FLOAT64, a.data(), &l, out.data(), info.data(), 1), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_cholesky", "batch element 0 of 2", "not positive definite", "order 2"}));
}

TEST(Linalg, BadArgumentsNamed) {
    std::vector<float> x(12), out(12);
    std::vector<int32_t> ints(12);
    const nf_layout rect = contiguous({3, 4}), vec = contiguous({4}), sq = contiguous({2, 2}), b3 = contiguous({3, 1});
    EXPECT_TRUE(fails_with(nf_lu(NF_FLOAT32, x.data(), &rect, out.data(), ints.data(), ints.data(), ints.data(), 0),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_lu", "[3, 4]", "square"}));
    EXPECT_TRUE(fails_with(nf_cholesky(NF_FLOAT32, x.data(), &vec, out.data(), ints.data(), 0), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_cholesky", "rank = 1"}));
    EXPECT_TRUE(fails_with(nf_lu(NF_INT32, ints.data(), &sq, ints.data(), ints.data(), ints.data(), ints.data(), 0),
                           NF_ERROR_UNSUPPORTED, {"nf_lu", "int32"}));
    EXPECT_TRUE(fails_with(nf_triangular_solve(NF_FLOAT32, x.data(), &sq, x.data(), &b3, 1, 0, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_triangular_solve", "needs 2 rows"}));
    EXPECT_TRUE(fails_with(nf_lu(NF_FLOAT32, x.data(), &sq, nullptr, ints.data(), ints.data(), ints.data(), 0),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_lu", "lu_out"}));
}
