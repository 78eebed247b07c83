// CUDA vs CPU engine: nf_cuda_lu, nf_cuda_triangular_solve and nf_cuda_cholesky on the same
// inputs and layouts. The CUDA kernels compute in the dtype (the CPU engine widens float32 to
// double), so values agree to a tolerance; pivots, permutations and info exactly (the matrices
// are random, far from ties in the pivot search).
#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

template <class T>
constexpr double tol() { return std::is_same_v<T, float> ? 2e-4 : 1e-10; }

template <class T>
void check_lu(const Shape& s, Kind k) {
    const nf_dtype dt = dtype_of<T>();
    const View v = make_view(s, k);
    const auto x = random_values<T>(v.storage, -2, 2, 31);
    const int64_t n = s.back(), nb = numel(Shape(s.begin(), s.end() - 2));
    std::vector<T> lu(numel(s));
    std::vector<int32_t> piv(nb * n), perm(nb * n), info(nb);
    // No check: a broadcast (stride-0) axis makes equal rows, a singular matrix both engines report in info.
    ASSERT_EQ(nf_lu(dt, x.data(), &v.l, lu.data(), piv.data(), perm.data(), info.data(), 0), NF_OK) << nf_last_error();
    DeviceBuffer dx(x), dlu(lu.size() * sizeof(T)), dp(piv.size() * 4), dperm(perm.size() * 4), di(info.size() * 4);
    ASSERT_EQ(nf_cuda_lu(dt, dx.get(), &v.l, dlu.get(), static_cast<int32_t*>(dp.get()), static_cast<int32_t*>(dperm.get()),
                         static_cast<int32_t*>(di.get()), 0),
              NF_OK)
        << nf_cuda_last_error();
    const std::string what = "lu " + str(s) + " " + kind_name(k);
    EXPECT_TRUE(near(dlu.download<T>(lu.size()), lu, tol<T>(), tol<T>(), what));
    EXPECT_TRUE(same(dp.download<int32_t>(piv.size()), piv, what + " pivots"));
    EXPECT_TRUE(same(dperm.download<int32_t>(perm.size()), perm, what + " perm"));
    EXPECT_TRUE(same(di.download<int32_t>(info.size()), info, what + " info"));
}

template <class T>
void check_triangular_solve(const Shape& as, int64_t cols, Kind k, int lower, int unit) {
    const nf_dtype dt = dtype_of<T>();
    const View av = make_view(as, k);
    auto a = random_values<T>(av.storage, -1, 1, 32);
    const int64_t n = as.back();
    for (int64_t m = 0; m < numel(as) / (n * n); ++m)  // a diagonal of 2..3 in magnitude
        for (int64_t i = 0; i < n; ++i) {
            T& d = a[elem_offset(av.l, m * n * n + i * n + i)];
            d = static_cast<T>(d >= 0 ? d + 2 : d - 2);
        }
    Shape bs = as;
    bs.back() = cols;
    const nf_layout bl = contiguous(bs);
    const auto b = random_values<T>(numel(bs), -3, 3, 33);
    std::vector<T> out(numel(bs));
    ASSERT_EQ(nf_triangular_solve(dt, a.data(), &av.l, b.data(), &bl, lower, unit, out.data()), NF_OK) << nf_last_error();
    DeviceBuffer da(a), db(b), dout(out.size() * sizeof(T));
    ASSERT_EQ(nf_cuda_triangular_solve(dt, da.get(), &av.l, db.get(), &bl, lower, unit, dout.get()), NF_OK)
        << nf_cuda_last_error();
    EXPECT_TRUE(near(dout.download<T>(out.size()), out, tol<T>(), tol<T>(),
                     "trsm " + str(as) + " " + kind_name(k) + (lower ? " lower" : " upper") + (unit ? " unit" : "")));
}

template <class T>
void check_cholesky(const Shape& s, bool positive) {
    const nf_dtype dt = dtype_of<T>();
    const int64_t n = s.back(), batch = numel(s) / (n * n);
    const auto mm = random_values<double>(numel(s), -1, 1, 34);
    std::vector<T> a(numel(s));
    for (int64_t m = 0; m < batch; ++m)
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j) {
                double v = i == j && positive ? static_cast<double>(n) : 0.0;
                for (int64_t p = 0; p < n; ++p) v += mm[m * n * n + i * n + p] * mm[m * n * n + j * n + p];
                a[m * n * n + i * n + j] = static_cast<T>(positive || m != 1 ? v : -v);
            }
    const nf_layout l = contiguous(s);
    std::vector<T> out(a.size());
    std::vector<int32_t> info(batch);
    ASSERT_EQ(nf_cholesky(dt, a.data(), &l, out.data(), info.data(), 0), NF_OK) << nf_last_error();
    DeviceBuffer da(a), dout(out.size() * sizeof(T)), di(info.size() * 4);
    ASSERT_EQ(nf_cuda_cholesky(dt, da.get(), &l, dout.get(), static_cast<int32_t*>(di.get()), 0), NF_OK)
        << nf_cuda_last_error();
    const std::string what = "cholesky " + str(s) + (positive ? "" : " not PD");
    EXPECT_TRUE(near(dout.download<T>(out.size()), out, tol<T>(), tol<T>(), what));
    EXPECT_TRUE(same(di.download<int32_t>(info.size()), info, what + " info"));
}

}  // namespace

TEST(CudaLinalg, LuMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (const Shape& s : {Shape{1, 1}, Shape{5, 5}, Shape{3, 2, 6, 6}, Shape{kEmulated ? 20 : 70, kEmulated ? 20 : 70}})
        for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Negative, Kind::Broadcast}) {
            check_lu<float>(s, k);
            check_lu<double>(s, k);
        }
}

TEST(CudaLinalg, TriangularSolveMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (const Shape& s : {Shape{1, 1}, Shape{4, 4}, Shape{3, 9, 9}})
        for (int64_t cols : {1, 5})
            for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Broadcast})
                for (int f = 0; f < 4; ++f) {
                    check_triangular_solve<float>(s, cols, k, f & 1, f >> 1);
                    check_triangular_solve<double>(s, cols, k, f & 1, f >> 1);
                }
}

TEST(CudaLinalg, CholeskyMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (const Shape& s : {Shape{1, 1}, Shape{7, 7}, Shape{3, 5, 5}}) {
        check_cholesky<float>(s, true);
        check_cholesky<double>(s, true);
    }
    check_cholesky<double>(Shape{3, 4, 4}, false);  // element 1 negative definite: info 1, zeros
}

TEST(CudaLinalg, ChecksNameTheFailingMatrix) {
    NFTC_REQUIRE_DEVICE();
    const std::vector<float> x = {4, 1, 1, 3, 1, 2, 2, 4};  // element 1 singular
    const nf_layout l = contiguous({2, 2, 2});
    DeviceBuffer dx(x), dlu(8 * 4), dp(4 * 4), dperm(4 * 4), di(2 * 4);
    auto* p = static_cast<int32_t*>(dp.get());
    auto* perm = static_cast<int32_t*>(dperm.get());
    auto* info = static_cast<int32_t*>(di.get());
    EXPECT_EQ(nf_cuda_lu(NF_FLOAT32, dx.get(), &l, dlu.get(), p, perm, info, 1), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(), "nf_cuda_lu: batch element 1 of 2 is singular: U[1, 1] is 0, so the matrix is not invertible");
    const std::vector<float> spd = {4, 0, 2, 1, 1, 0, 0, 1};  // element 0: [[4, 2], [2, 1]] singular
    DeviceBuffer ds(spd), dl(8 * 4);
    EXPECT_EQ(nf_cuda_cholesky(NF_FLOAT32, ds.get(), &l, dl.get(), info, 1), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(), "nf_cuda_cholesky: batch element 0 of 2 is not positive definite: its leading minor of "
                                       "order 2 is not positive");
}
