// Issue 17: a fused program's unary steps (exp, log, tanh, sigmoid, sqrt, softplus, ... every
// nf_unary op) give bit for bit what nf_unary gives on this engine, inputs of every layout,
// special values included; a gradient-shaped chain y * (1 - y) * g around each one stays within
// rounding of a double-precision reference; nothing is written past the output.
#include <cmath>
#include <cstring>
#include <limits>

#include "test_util.h"

using namespace nft;

namespace {

struct UnaryCase {
    nf_unary_op op;
    double (*ref)(double);
    bool positive;  // defined on x > 0 only (log, sqrt, ...): random inputs drawn from (0.05, 5)
};

double ref_sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double ref_softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
double ref_relu(double x) { return x < 0 ? 0 : x; }
double ref_sign(double x) { return x > 0 ? 1 : x < 0 ? -1 : x; }
double ref_rsqrt(double x) { return 1 / std::sqrt(x); }
double ref_square(double x) { return x * x; }
double ref_neg(double x) { return -x; }

const UnaryCase kCases[] = {
    {NF_UNARY_EXP, [](double x) { return std::exp(x); }, false},
    {NF_UNARY_LOG, [](double x) { return std::log(x); }, true},
    {NF_UNARY_SQRT, [](double x) { return std::sqrt(x); }, true},
    {NF_UNARY_TANH, [](double x) { return std::tanh(x); }, false},
    {NF_UNARY_SIGMOID, ref_sigmoid, false},
    {NF_UNARY_SOFTPLUS, ref_softplus, false},
    {NF_UNARY_LOG1P, [](double x) { return std::log1p(x); }, true},
    {NF_UNARY_EXPM1, [](double x) { return std::expm1(x); }, false},
    {NF_UNARY_RSQRT, ref_rsqrt, true},
    {NF_UNARY_ERF, [](double x) { return std::erf(x); }, false},
    {NF_UNARY_ERFC, [](double x) { return std::erfc(x); }, false},
    {NF_UNARY_SIN, [](double x) { return std::sin(x); }, false},
    {NF_UNARY_COS, [](double x) { return std::cos(x); }, false},
    {NF_UNARY_FLOOR, [](double x) { return std::floor(x); }, false},
    {NF_UNARY_CEIL, [](double x) { return std::ceil(x); }, false},
    {NF_UNARY_ROUND, [](double x) { return std::nearbyint(x); }, false},
    {NF_UNARY_NEG, ref_neg, false},
    {NF_UNARY_ABS, [](double x) { return std::fabs(x); }, false},
    {NF_UNARY_SQUARE, ref_square, false},
    {NF_UNARY_RELU, ref_relu, false},
    {NF_UNARY_SIGN, ref_sign, false},
};

// y = op(x); (1 - y) * y * g: the shape of sigmoid's gradient, around every op.
// Registers: 0 x, 1 one (a broadcast scalar), 2 g.
nf_fused_step chain_step(int i, nf_unary_op op) {
    const nf_fused_step steps[] = {
        {NF_FUSED_UNARY, op, 0, 0},             // r3 = y
        {NF_FUSED_BINARY, NF_BINARY_SUB, 1, 3}, // r4 = 1 - y
        {NF_FUSED_BINARY, NF_BINARY_MUL, 3, 4}, // r5 = y * (1 - y)
        {NF_FUSED_BINARY, NF_BINARY_MUL, 5, 2}, // r6 = r5 * g
    };
    return steps[i];
}
constexpr int kChain = 4;

std::string what_of(const UnaryCase& c, const std::string& rest) {
    char name[64];
    std::snprintf(name, sizeof name, "op %d ", static_cast<int>(c.op));
    return name + rest;
}

// Runs the fused chain and the same calls one by one (nf_unary on x's own layout, then nf_binary),
// compares bits and returns the fused result.
template <class T>
void check_chain(const UnaryCase& c, const Shape& s, Kind kx, const std::vector<T>& x, const View& vx,
                 const std::vector<T>& g, bool reference) {
    const nf_dtype dt = dtype_of<T>();
    const nf_layout ol = contiguous(s);
    nf_layout scalar = ol;
    for (int d = 0; d < scalar.rank; ++d) scalar.strides[d] = 0;
    const std::vector<T> one = {T(1)};
    const void* inputs[3] = {x.data(), one.data(), g.data()};
    const nf_layout layouts[3] = {vx.l, scalar, ol};
    nf_fused_step steps[kChain];
    for (int i = 0; i < kChain; ++i) steps[i] = chain_step(i, c.op);
    const int64_t n = numel(s);
    const size_t slots = static_cast<size_t>(std::max<int64_t>(n, 1));
    const std::string what = what_of(c, std::string(sizeof(T) == 4 ? "float32 " : "float64 ") + str(s) + " x " + kind_name(kx));

    // Single step: the program {op} alone, written through a guarded output.
    Guarded<T> single(slots), y(slots);
    ASSERT_EQ(nf_fused_elementwise(dt, 1, inputs, layouts, 1, steps, single.data(), &ol), NF_OK) << nf_last_error();
    ASSERT_EQ(nf_unary(c.op, dt, x.data(), &vx.l, y.data(), &ol), NF_OK) << nf_last_error();
    for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(std::memcmp(&single[i], &y[i], sizeof(T)), 0)
            << what << ": element " << i << " of x = " << x[elem_offset(vx.l, i)] << ": fused " << single[i] << " nf_unary " << y[i];

    Guarded<T> fused(slots), t4(slots), t5(slots), t6(slots);
    ASSERT_EQ(nf_fused_elementwise(dt, 3, inputs, layouts, kChain, steps, fused.data(), &ol), NF_OK) << nf_last_error();
    ASSERT_EQ(nf_binary(NF_BINARY_SUB, dt, one.data(), &scalar, y.data(), &ol, t4.data(), &ol), NF_OK);
    ASSERT_EQ(nf_binary(NF_BINARY_MUL, dt, y.data(), &ol, t4.data(), &ol, t5.data(), &ol), NF_OK);
    ASSERT_EQ(nf_binary(NF_BINARY_MUL, dt, t5.data(), &ol, g.data(), &ol, t6.data(), &ol), NF_OK);
    for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(std::memcmp(&fused[i], &t6[i], sizeof(T)), 0)
            << what << " chain: element " << i << " fused " << fused[i] << " unfused " << t6[i];
    if (!reference) return;
    // Within rounding of the chain in double (the op's error carried through (1 - y) * y * g).
    std::vector<double> want(static_cast<size_t>(n)), want_y(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const double yd = c.ref(static_cast<double>(x[elem_offset(vx.l, i)]));
        want_y[i] = yd;
        want[i] = yd * (1 - yd) * static_cast<double>(g[i]);
    }
    const double rt = 8 * rtol<T>();
    EXPECT_TRUE(all_close(single.data(), want_y, rt, rt, what));
    // 1 - y cancels where y is near 1: allow y's error scaled by |g| and the magnitudes involved.
    for (int64_t i = 0; i < n; ++i) {
        const double yd = want_y[i], scale = (std::fabs(yd) + std::fabs(1 - yd) + std::fabs(yd * yd)) * std::fabs(static_cast<double>(g[i]));
        ASSERT_TRUE(close(static_cast<double>(fused[i]), want[i], rt, rt * (1 + scale))) << what << " chain: element " << i;
    }
}

template <class T>
void check_op(const UnaryCase& c) {
    for (const Shape& s : {Shape{}, Shape{1}, Shape{7}, Shape{33}, Shape{1025}, Shape{0}, Shape{7, 33}, Shape{300, 250}})
        for (Kind kx : {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative}) {
            const View vx = make_view(s, kx);
            const auto x = c.positive ? random_values<T>(vx.storage, 0.05, 5, 21) : random_values<T>(vx.storage, -6, 6, 21);
            const auto g = random_values<T>(numel(s), -2, 2, 22);
            check_chain<T>(c, s, kx, x, vx, g, true);
        }
    // Special values: bits only (tails, overflow, NaN and signed zeros take each function's own paths).
    const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
    const std::vector<T> specials = {T(0), -T(0), T(1), T(-1), T(1e-30), T(-1e-30), T(88.5), T(-88.5), T(100), T(-100),
                                     T(710), T(-710), T(0.5), T(-0.5), T(2.5), nan, inf, -inf, T(1e-4), T(-3e-5)};
    const Shape s{static_cast<int64_t>(specials.size())};
    for (Kind kx : {Kind::Contig, Kind::Negative}) {
        const View vx = make_view(s, kx);
        check_chain<T>(c, s, kx, specials, vx, random_values<T>(numel(s), -2, 2, 23), false);
    }
}

}  // namespace

TEST(FusedUnary, EveryOpMatchesNfUnaryBitForBit) {
    for (const UnaryCase& c : kCases) {
        check_op<float>(c);
        check_op<double>(c);
    }
}

TEST(FusedUnary, EveryUnaryOpIsListed) {
    // A program accepts each nf_unary op, and refuses an op value past the list.
    float a[4] = {1, 2, 3, 4}, out[4] = {};
    const nf_layout l = contiguous({4});
    const void* in[1] = {a};
    for (const UnaryCase& c : kCases) {
        const nf_fused_step st[] = {{NF_FUSED_UNARY, c.op, 0, 0}};
        EXPECT_EQ(nf_fused_elementwise(NF_FLOAT32, 1, in, &l, 1, st, out, &l), NF_OK) << nf_last_error();
    }
    const nf_fused_step past[] = {{NF_FUSED_UNARY, 999, 0, 0}};
    EXPECT_TRUE(fails_with(nf_fused_elementwise(NF_FLOAT32, 1, in, &l, 1, past, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"steps[0].op = 999", "not an op a fused program can run"}));
}
