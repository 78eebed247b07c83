// nf_where against a naive reference over every layout kind, and its argument checks.
#include <cmath>
#include <limits>

#include "test_util.h"

using namespace nft;

namespace {

// cond, x and y each take their own layout kind (cond broadcast while x is negative-strided, ...),
// so the four-operand plan is exercised with operands that do not merge alike.
template <class T>
void check_where(nf_dtype dt) {
    uint32_t seed = 5;
    for (const Shape& s : elementwise_shapes())
        for (Kind kc : kAllKinds)
            for (Kind kx : {Kind::Contig, Kind::Negative, Kind::Broadcast})
                for (Kind ky : {Kind::Contig, Kind::Transposed, Kind::Strided}) {
                    const View vc = make_view(s, kc), vx = make_view(s, kx), vy = make_view(s, ky);
                    auto c = random_values<uint8_t>(vc.storage, 0, 2, seed++);
                    auto x = random_values<T>(vx.storage, -50, 50, seed++);
                    auto y = random_values<T>(vy.storage, -50, 50, seed++);
                    const int64_t n = numel(s);
                    const nf_layout ol = contiguous(s);
                    Guarded<T> out(std::max<int64_t>(n, 1));
                    const std::string what = std::string("where ") + str(s) + " " + kind_name(kc) + "/" +
                                             kind_name(kx) + "/" + kind_name(ky);
                    ASSERT_EQ(nf_where(dt, c.data(), &vc.l, x.data(), &vx.l, y.data(), &vy.l, out.data(), &ol), NF_OK)
                        << what << ": " << nf_last_error();
                    std::vector<double> want(n);
                    for (int64_t i = 0; i < n; ++i)
                        want[i] = c[elem_offset(vc.l, i)] ? static_cast<double>(x[elem_offset(vx.l, i)])
                                                          : static_cast<double>(y[elem_offset(vy.l, i)]);
                    EXPECT_TRUE(all_close(out.data(), want, 0, 0, what));
                }
}

}  // namespace

TEST(Where, Float32AllLayouts) { check_where<float>(NF_FLOAT32); }
TEST(Where, Float64AllLayouts) { check_where<double>(NF_FLOAT64); }
TEST(Where, IntegersAndBytes) {
    check_where<int32_t>(NF_INT32);
    check_where<int64_t>(NF_INT64);
    check_where<uint8_t>(NF_UINT8);
}

// The unselected operand's inf/NaN never leaks (cond*x + (1-cond)*y would give NaN), -0 is kept,
// and any nonzero cond byte counts as true.
TEST(Where, SelectsWithoutArithmetic) {
    const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
    std::vector<uint8_t> c = {1, 0, 1, 0, 2};
    std::vector<double> x = {1, inf, -0.0, nan, 5}, y = {nan, 2, inf, -inf, nan};
    const nf_layout l = contiguous({5});
    Guarded<double> out(5);
    ASSERT_EQ(nf_where(NF_FLOAT64, c.data(), &l, x.data(), &l, y.data(), &l, out.data(), &l), NF_OK) << nf_last_error();
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[1], 2);
    EXPECT_EQ(out[2], 0);
    EXPECT_TRUE(std::signbit(out[2]));
    EXPECT_EQ(out[3], -inf);
    EXPECT_EQ(out[4], 5);
}

// In place (out aliasing x), as the elementwise kernels allow.
TEST(Where, InPlace) {
    std::vector<uint8_t> c = {0, 1, 0};
    std::vector<float> x = {1, 2, 3}, y = {7, 8, 9};
    const nf_layout l = contiguous({3});
    ASSERT_EQ(nf_where(NF_FLOAT32, c.data(), &l, x.data(), &l, y.data(), &l, x.data(), &l), NF_OK);
    EXPECT_EQ(x, (std::vector<float>{7, 2, 9}));
}

TEST(Where, BadArgumentsNamed) {
    std::vector<uint8_t> c(6);
    std::vector<float> x(6), y(6), out(6);
    const nf_layout l = contiguous({2, 3}), other = contiguous({3, 2});
    EXPECT_TRUE(fails_with(nf_where(NF_FLOAT32, c.data(), &other, x.data(), &l, y.data(), &l, out.data(), &l),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_where", "cond_layout", "[3, 2]", "[2, 3]"}));
    EXPECT_TRUE(fails_with(nf_where(NF_FLOAT32, c.data(), &l, x.data(), &l, y.data(), &other, out.data(), &l),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_where", "y_layout"}));
    EXPECT_TRUE(fails_with(nf_where(NF_FLOAT32, c.data(), &l, x.data(), &l, nullptr, &l, out.data(), &l),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_where", "y"}));
    EXPECT_TRUE(fails_with(nf_where(static_cast<nf_dtype>(9), c.data(), &l, x.data(), &l, y.data(), &l, out.data(), &l),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_where", "dtype = 9"}));
}
