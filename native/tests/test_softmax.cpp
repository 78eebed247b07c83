// nf_softmax / log_softmax against a double reference, any axis, any input layout.
#include "test_util.h"

using namespace nft;

namespace {

template <class T>
void check(bool log) {
    const nf_dtype dt = dtype_of<T>();
    const std::vector<Shape> shapes = {{1}, {7}, {33}, {1025}, {70001}, {7, 33}, {300, 250}, {2, 3, 5}, {4, 1, 300}, {3, 1025}};
    uint32_t seed = 5;
    for (const Shape& s : shapes) {
        for (int axis = 0; axis < static_cast<int>(s.size()); ++axis) {
            for (Kind k : kAllKinds) {
                const View v = make_view(s, k);
                auto x = random_values<T>(v.storage, -20, 20, seed++);
                const int64_t n = numel(s);
                nft::Guarded<T> out(n, T(-1));
                const std::string what = std::string(log ? "log_softmax" : "softmax") + " shape " + str(s) +
                                         " axis " + std::to_string(axis) + " " + kind_name(k);
                ASSERT_EQ(nf_softmax(log, dt, x.data(), &v.l, axis, out.data()), NF_OK) << what << ": " << nf_last_error();
                // Reference: for each output, exp(x - max) / sum over the axis, in double.
                int64_t inner = 1;
                for (size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
                const int64_t L = s[axis];
                std::vector<double> want(n);
                // Row statistics once per (outer, inner) position: O(n) reference.
                std::vector<double> rmax(n / std::max<int64_t>(L, 1) + 1, -INFINITY), rsum(rmax.size(), 0.0);
                auto row_of = [&](int64_t i) { return (i / (inner * L)) * inner + i % inner; };
                for (int64_t i = 0; i < n; ++i) rmax[row_of(i)] = std::max(rmax[row_of(i)], (double)x[elem_offset(v.l, i)]);
                for (int64_t i = 0; i < n; ++i) rsum[row_of(i)] += std::exp((double)x[elem_offset(v.l, i)] - rmax[row_of(i)]);
                for (int64_t i = 0; i < n; ++i) {
                    const double xi = (double)x[elem_offset(v.l, i)] - rmax[row_of(i)];
                    want[i] = log ? xi - std::log(rsum[row_of(i)]) : std::exp(xi) / rsum[row_of(i)];
                }
                EXPECT_TRUE(all_close(out.data(), want, std::is_same_v<T, float> ? 1e-5 : 1e-12,
                                      std::is_same_v<T, float> ? 1e-6 : 1e-14, what));
            }
        }
    }
}

}  // namespace

TEST(Softmax, Float32) { check<float>(false); }
TEST(Softmax, Float64) { check<double>(false); }
TEST(Softmax, LogFloat32) { check<float>(true); }
TEST(Softmax, LogFloat64) { check<double>(true); }

TEST(Softmax, LargeLogitsDoNotOverflow) {
    std::vector<float> x = {1000.f, 1001.f, 1002.f}, out(3);
    const nf_layout l = contiguous({3});
    ASSERT_EQ(nf_softmax(0, NF_FLOAT32, x.data(), &l, 0, out.data()), NF_OK);
    const double e1 = std::exp(-1.0), e2 = std::exp(-2.0), z = 1 + e1 + e2;
    EXPECT_NEAR(out[2], 1 / z, 1e-6);
    EXPECT_NEAR(out[0], e2 / z, 1e-6);
    ASSERT_EQ(nf_softmax(1, NF_FLOAT32, x.data(), &l, 0, out.data()), NF_OK);
    EXPECT_NEAR(out[2], -std::log(z), 1e-5);
}

TEST(Softmax, InPlace) {
    std::vector<double> x = {1, 2, 3, 4, 5, 6};
    const nf_layout l = contiguous({2, 3});
    ASSERT_EQ(nf_softmax(0, NF_FLOAT64, x.data(), &l, 1, x.data()), NF_OK);
    const double z = 1 + std::exp(1.0) + std::exp(2.0);
    EXPECT_NEAR(x[0], 1 / z, 1e-15);
    EXPECT_NEAR(x[5], std::exp(2.0) / z, 1e-15);
}
