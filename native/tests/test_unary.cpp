// nf_unary against double references over every layout flavour.
#include <cstdlib>
#include <limits>

#include "test_util.h"

using namespace nft;

namespace {

double ref(nf_unary_op op, double x, bool is_float) {
    switch (op) {
        case NF_UNARY_NEG: return -x;
        case NF_UNARY_ABS: return std::fabs(x);
        case NF_UNARY_EXP: return std::exp(x);
        case NF_UNARY_LOG: return std::log(x);
        case NF_UNARY_SQRT: return std::sqrt(x);
        case NF_UNARY_SQUARE: return x * x;
        case NF_UNARY_RELU: return std::isnan(x) ? x : (x > 0 ? x : 0);
        case NF_UNARY_SIGMOID: return 1.0 / (1.0 + std::exp(-x));
        case NF_UNARY_TANH: return std::tanh(x);
        case NF_UNARY_SIGN: return std::isnan(x) ? x : (x > 0) - (x < 0);
        case NF_UNARY_FLOOR: return std::floor(x);
        case NF_UNARY_CEIL: return std::ceil(x);
        case NF_UNARY_ROUND: return std::nearbyint(x);  // half to even in the default mode
        case NF_UNARY_SIN: return std::sin(x);
        case NF_UNARY_COS: return std::cos(x);
        case NF_UNARY_LOG1P: return std::log1p(x);
        case NF_UNARY_EXPM1: return std::expm1(x);
        case NF_UNARY_RSQRT: return 1.0 / std::sqrt(x);
        case NF_UNARY_ERF: return std::erf(x);
        case NF_UNARY_SOFTPLUS: return std::log1p(std::exp(x));
        case NF_UNARY_ERFC: return std::erfc(x);
    }
    (void)is_float;
    return std::nan("");
}

const std::pair<Kind, Kind> kPairs[] = {{Kind::Contig, Kind::Contig},    {Kind::Transposed, Kind::Contig},
                                        {Kind::Strided, Kind::Negative}, {Kind::Broadcast, Kind::Strided},
                                        {Kind::Negative, Kind::Transposed}};

template <class T>
void check(nf_unary_op op, double lo, double hi) {
    const nf_dtype dt = dtype_of<T>();
    uint32_t seed = 100;
    for (const Shape& s : elementwise_shapes()) {
        for (auto [kx, ko] : kPairs) {
            const View vx = make_view(s, kx), vo = make_view(s, ko);
            auto x = random_values<T>(vx.storage, lo, hi, seed++);
            nft::Guarded<T> out(static_cast<size_t>(std::max<int64_t>(vo.storage, 1)), T(9));
            const std::string what = "op " + std::to_string(op) + " shape " + str(s) + " x " + kind_name(kx) +
                                     " out " + kind_name(ko);
            ASSERT_EQ(nf_unary(op, dt, x.data(), &vx.l, out.data(), &vo.l), NF_OK) << what << ": " << nf_last_error();
            EXPECT_TRUE(out.intact(what));
            const int64_t n = numel(s);
            std::vector<double> want(static_cast<size_t>(n));
            std::vector<T> got(static_cast<size_t>(n));
            for (int64_t i = 0; i < n; ++i) {
                want[i] = ref(op, static_cast<double>(x[elem_offset(vx.l, i)]), std::is_floating_point_v<T>);
                if constexpr (!std::is_floating_point_v<T>) want[i] = static_cast<double>(static_cast<T>(static_cast<int64_t>(want[i])));
                got[i] = out[elem_offset(vo.l, i)];
            }
            EXPECT_TRUE(all_close(got.data(), want, rtol<T>() * 2, 1e-300, what));
        }
    }
}

}  // namespace

// log, sqrt and rsqrt on (0.01, 8); log1p on (-0.99, 8); the rest on (-8, 8).
double lower_bound(int op) {
    if (op == NF_UNARY_LOG || op == NF_UNARY_SQRT || op == NF_UNARY_RSQRT) return 0.01;
    return op == NF_UNARY_LOG1P ? -0.99 : -8;
}
TEST(Unary, Float32AllOps) {
    for (int op = NF_UNARY_NEG; op <= NF_UNARY_ERFC; ++op) check<float>(static_cast<nf_unary_op>(op), lower_bound(op), 8);
}
TEST(Unary, Float64AllOps) {
    for (int op = NF_UNARY_NEG; op <= NF_UNARY_ERFC; ++op) check<double>(static_cast<nf_unary_op>(op), lower_bound(op), 8);
}

TEST(Unary, RoundHalfToEvenAndSpecialValues) {
    const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
    std::vector<double> x = {0.5, 1.5, 2.5, -0.5, -2.5, -0.0, inf, nan};
    nft::Guarded<double> out(x.size());
    const nf_layout l = contiguous({8});
    ASSERT_EQ(nf_unary(NF_UNARY_ROUND, NF_FLOAT64, x.data(), &l, out.data(), &l), NF_OK);
    const double want[] = {0.0, 2.0, 2.0, -0.0, -2.0, -0.0, inf};
    for (int i = 0; i < 7; ++i) EXPECT_EQ(out[i], want[i]) << i;
    EXPECT_TRUE(std::signbit(out[3]));
    EXPECT_TRUE(std::isnan(out[7]));
    ASSERT_EQ(nf_unary(NF_UNARY_FLOOR, NF_FLOAT64, x.data(), &l, out.data(), &l), NF_OK);
    EXPECT_TRUE(std::signbit(out[5]));  // floor(-0) is -0
    ASSERT_EQ(nf_unary(NF_UNARY_RSQRT, NF_FLOAT64, x.data(), &l, out.data(), &l), NF_OK);
    EXPECT_EQ(out[5], -inf);  // 1 / sqrt(-0) = 1 / -0
    EXPECT_EQ(out[6], 0.0);
    EXPECT_TRUE(out.intact("round"));
}

TEST(Unary, SoftplusStableOnTails) {
    std::vector<double> x = {-800, -40, 0, 40, 800};
    nft::Guarded<double> out(x.size());
    const nf_layout l = contiguous({5});
    ASSERT_EQ(nf_unary(NF_UNARY_SOFTPLUS, NF_FLOAT64, x.data(), &l, out.data(), &l), NF_OK);
    EXPECT_EQ(out[0], 0.0);
    EXPECT_NEAR(out[1] / std::exp(-40.0), 1.0, 1e-12);  // log1p keeps the tiny tail
    EXPECT_EQ(out[2], std::log(2.0));
    EXPECT_EQ(out[3], 40.0);
    EXPECT_EQ(out[4], 800.0);  // no overflow to inf
    std::vector<float> xf = {-80.f, 100.f}, of(2);
    const nf_layout l2 = contiguous({2});
    ASSERT_EQ(nf_unary(NF_UNARY_SOFTPLUS, NF_FLOAT32, xf.data(), &l2, of.data(), &l2), NF_OK);
    EXPECT_NEAR(of[0] / std::exp(-80.0), 1.0, 1e-5);  // e^-80 is still a normal float
    EXPECT_EQ(of[1], 100.f);
}

TEST(Unary, NewFloatOpsRefuseIntegers) {
    std::vector<int32_t> x = {1}, out(1);
    const nf_layout l = contiguous({1});
    for (int op = NF_UNARY_FLOOR; op <= NF_UNARY_ERFC; ++op)
        EXPECT_EQ(nf_unary(static_cast<nf_unary_op>(op), NF_INT32, x.data(), &l, out.data(), &l), NF_ERROR_UNSUPPORTED) << op;
}
TEST(Unary, IntegerOps) {
    const nf_unary_op ops[] = {NF_UNARY_NEG, NF_UNARY_ABS, NF_UNARY_SQUARE, NF_UNARY_RELU, NF_UNARY_SIGN};
    for (nf_unary_op op : ops) {
        check<int32_t>(op, -1000, 1000);
        check<int64_t>(op, -1000, 1000);
        check<uint8_t>(op, 0, 256);
    }
}

TEST(Unary, SigmoidStableOnTails) {
    std::vector<double> x = {-1000, -745, -50, 0, 50, 1000};
    nft::Guarded<double> out(x.size());
    const nf_layout l = contiguous({6});
    ASSERT_EQ(nf_unary(NF_UNARY_SIGMOID, NF_FLOAT64, x.data(), &l, out.data(), &l), NF_OK);
    for (double v : out) EXPECT_FALSE(std::isnan(v));
    EXPECT_EQ(out[0], 0.0);
    EXPECT_NEAR(out[2] / std::exp(-50.0), 1.0, 1e-12);  // relative accuracy deep in the left tail
    EXPECT_EQ(out[3], 0.5);
    EXPECT_EQ(out[5], 1.0);
    std::vector<float> xf = {-200.f, -80.f, 80.f, 200.f}, of(4);
    const nf_layout l4 = contiguous({4});
    ASSERT_EQ(nf_unary(NF_UNARY_SIGMOID, NF_FLOAT32, xf.data(), &l4, of.data(), &l4), NF_OK);
    EXPECT_EQ(of[0], 0.0f);
    EXPECT_NEAR(of[1] / std::exp(-80.0), 1.0, 1e-5);  // still relative accuracy, not 0
    EXPECT_EQ(of[3], 1.0f);
}

// Every float in exp's subnormal range [-104, -87.3] and on its overflow edge [88, 89]: within
// 1 ulp of the double exp rounded to float (subnormals included: torch.exp and NumPy give
// exp(-100) = 3.78e-44, as the managed engine does). The exp kernel
// used to flush everything below 1.2e-38 to 0 and held exp(88.376) for x up to 88.72.
TEST(Unary, Float32ExpReachesSubnormalsAndTheTopOfTheRange) {
    std::vector<float> x;
    for (float v = -104.5f; v < -87.0f; v = std::nextafter(v, 0.0f)) x.push_back(v);
    for (float v = 88.0f; v < 89.0f; v = std::nextafter(v, 100.0f)) x.push_back(v);
    const nf_layout l = contiguous({static_cast<int64_t>(x.size())});
    nft::Guarded<float> e(x.size()), s(x.size());
    ASSERT_EQ(nf_unary(NF_UNARY_EXP, NF_FLOAT32, x.data(), &l, e.data(), &l), NF_OK) << nf_last_error();
    ASSERT_EQ(nf_unary(NF_UNARY_SIGMOID, NF_FLOAT32, x.data(), &l, s.data(), &l), NF_OK) << nf_last_error();
    int64_t off = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        const float want = static_cast<float>(std::exp(static_cast<double>(x[i])));
        const int64_t ulp = std::llabs(int64_t{__builtin_bit_cast(int32_t, want)} - __builtin_bit_cast(int32_t, e[i]));
        if (ulp > 1 && ++off <= 5) ADD_FAILURE() << "exp(" << x[i] << ") = " << e[i] << ", want " << want;
        if (x[i] < 0) {
            const float sw = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x[i]))));
            const int64_t su = std::llabs(int64_t{__builtin_bit_cast(int32_t, sw)} - __builtin_bit_cast(int32_t, s[i]));
            if (su > 2 && ++off <= 5) ADD_FAILURE() << "sigmoid(" << x[i] << ") = " << s[i] << ", want " << sw;
        }
    }
    EXPECT_EQ(off, 0);
}

TEST(Unary, SignAndReluKeepNaN) {
    std::vector<float> x = {std::nanf(""), -0.5f, 0.f, 2.f}, out(4);
    const nf_layout l = contiguous({4});
    ASSERT_EQ(nf_unary(NF_UNARY_SIGN, NF_FLOAT32, x.data(), &l, out.data(), &l), NF_OK);
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_EQ(out[1], -1.f);
    EXPECT_EQ(out[2], 0.f);
    EXPECT_EQ(out[3], 1.f);
    ASSERT_EQ(nf_unary(NF_UNARY_RELU, NF_FLOAT32, x.data(), &l, out.data(), &l), NF_OK);
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_EQ(out[1], 0.f);
}

TEST(Unary, IntegerAbsAndNegWrap) {
    std::vector<int32_t> x = {INT32_MIN, -3}, out(2);
    const nf_layout l = contiguous({2});
    ASSERT_EQ(nf_unary(NF_UNARY_ABS, NF_INT32, x.data(), &l, out.data(), &l), NF_OK);
    EXPECT_EQ(out[0], INT32_MIN);
    EXPECT_EQ(out[1], 3);
    ASSERT_EQ(nf_unary(NF_UNARY_NEG, NF_INT32, x.data(), &l, out.data(), &l), NF_OK);
    EXPECT_EQ(out[0], INT32_MIN);
    EXPECT_EQ(out[1], 3);
}
