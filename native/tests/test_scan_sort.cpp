// nf_scan and nf_sort against naive references over every layout kind, their edge cases
// (NaN order, ties, empty axes, exclusive/reverse, integer wrap-around) and argument checks.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "test_util.h"

using namespace nft;

namespace {

const std::vector<Shape> kShapes = {{1}, {7}, {1025}, {0, 3}, {3, 0}, {7, 33}, {2, 3, 5}, {300, 40}};

template <class T>
void check_scan(nf_dtype dt, nf_scan_op op) {
    uint32_t seed = 9;
    for (const Shape& s : kShapes)
        for (int axis = 0; axis < static_cast<int>(s.size()); ++axis)
            for (Kind k : kAllKinds)
                for (int ex = 0; ex < 2; ++ex)
                    for (int rev = 0; rev < 2; ++rev) {
                        const View v = make_view(s, k);
                        auto x = op == NF_SCAN_PROD ? random_values<T>(v.storage, 0.5, 1.5, seed++)
                                                    : random_values<T>(v.storage, -20, 20, seed++);
                        const int64_t n = numel(s);
                        Guarded<T> out(std::max<int64_t>(n, 1));
                        const std::string what = std::string(op == NF_SCAN_SUM ? "cumsum " : "cumprod ") + str(s) +
                                                 " axis " + std::to_string(axis) + " " + kind_name(k) +
                                                 (ex ? " exclusive" : "") + (rev ? " reverse" : "");
                        ASSERT_EQ(nf_scan(op, dt, x.data(), &v.l, axis, ex, rev, out.data()), NF_OK)
                            << what << ": " << nf_last_error();
                        // Reference: for each output position, combine the line's elements before
                        // it (or after, reversed) in double, in scan order.
                        int64_t inner = 1;
                        for (size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
                        const int64_t len = s[axis];
                        std::vector<double> want(n);
                        for (int64_t o = 0; o < n; ++o) {
                            const int64_t j = (o / inner) % len, base = o - j * inner;
                            double acc = op == NF_SCAN_SUM ? 0.0 : 1.0;
                            const int64_t from = rev ? len - 1 : 0, step = rev ? -1 : 1;
                            for (int64_t t = from; rev ? t >= j + ex : t <= j - ex; t += step) {
                                const double e = static_cast<double>(x[elem_offset(v.l, base + t * inner)]);
                                acc = op == NF_SCAN_SUM ? acc + e : acc * e;
                            }
                            // Rounded to T once, as the kernel does (a long float32 product overflows to inf).
                            want[o] = static_cast<double>(static_cast<T>(acc));
                        }
                        EXPECT_TRUE(all_close(out.data(), want, std::is_floating_point_v<T> ? rtol<T>() : 0, 0, what));
                    }
}

template <class T>
void check_sort(nf_dtype dt) {
    uint32_t seed = 17;
    for (const Shape& s : kShapes)
        for (int axis = 0; axis < static_cast<int>(s.size()); ++axis)
            for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Negative, Kind::Broadcast})
                for (int desc = 0; desc < 2; ++desc) {
                    const View v = make_view(s, k);
                    // Few distinct values: many ties, so stability shows.
                    auto x = random_values<T>(v.storage, -4, 4, seed++);
                    if constexpr (std::is_floating_point_v<T>)
                        for (auto& e : x) e = std::round(e);
                    const int64_t n = numel(s);
                    Guarded<T> values(std::max<int64_t>(n, 1));
                    Guarded<int64_t> indices(std::max<int64_t>(n, 1));
                    const std::string what = std::string("sort ") + str(s) + " axis " + std::to_string(axis) + " " +
                                             kind_name(k) + (desc ? " descending" : "");
                    ASSERT_EQ(nf_sort(dt, x.data(), &v.l, axis, desc, values.data(), NF_INT64, indices.data()), NF_OK)
                        << what << ": " << nf_last_error();
                    int64_t inner = 1;
                    for (size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
                    const int64_t len = s[axis];
                    for (int64_t o = 0; o < n; o += 1) {
                        const int64_t j = (o / inner) % len;
                        if (j != 0) continue;  // once per line
                        std::vector<int64_t> order(len);
                        std::iota(order.begin(), order.end(), 0);
                        auto at = [&](int64_t t) { return x[elem_offset(v.l, o + t * inner)]; };
                        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
                            return desc ? at(a) > at(b) : at(a) < at(b);
                        });
                        for (int64_t t = 0; t < len; ++t) {
                            ASSERT_EQ(indices[o + t * inner], order[t]) << what << " line at " << o << " position " << t;
                            ASSERT_EQ(values[o + t * inner], at(order[t])) << what;
                        }
                    }
                }
}

}  // namespace

TEST(Scan, SumFloat32) { check_scan<float>(NF_FLOAT32, NF_SCAN_SUM); }
TEST(Scan, SumFloat64AndProducts) {
    check_scan<double>(NF_FLOAT64, NF_SCAN_SUM);
    check_scan<double>(NF_FLOAT64, NF_SCAN_PROD);
    check_scan<float>(NF_FLOAT32, NF_SCAN_PROD);
}
TEST(Scan, Integers) {
    check_scan<int32_t>(NF_INT32, NF_SCAN_SUM);
    check_scan<int64_t>(NF_INT64, NF_SCAN_SUM);
}

// Float32 sums accumulate in double: 1e8 + 1 + 1 - 1e8 would be 0 in float32 steps.
TEST(Scan, AccumulatesInDoubleAndWrapsIntegers) {
    std::vector<float> x = {1e8f, 1, 1, -1e8f};
    const nf_layout l = contiguous({4});
    Guarded<float> out(4);
    ASSERT_EQ(nf_scan(NF_SCAN_SUM, NF_FLOAT32, x.data(), &l, 0, 0, 0, out.data()), NF_OK);
    EXPECT_EQ(out[3], 2.0f);
    std::vector<int32_t> big = {INT32_MAX, 1};
    const nf_layout l2 = contiguous({2});
    Guarded<int32_t> wrapped(2);
    ASSERT_EQ(nf_scan(NF_SCAN_SUM, NF_INT32, big.data(), &l2, 0, 0, 0, wrapped.data()), NF_OK);
    EXPECT_EQ(wrapped[1], INT32_MIN);
    const double nan = std::nan("");
    std::vector<double> xn = {1, nan, 2};
    const nf_layout l3 = contiguous({3});
    Guarded<double> on(3);
    ASSERT_EQ(nf_scan(NF_SCAN_SUM, NF_FLOAT64, xn.data(), &l3, 0, 1, 1, on.data()), NF_OK);
    EXPECT_TRUE(std::isnan(on[0]));  // exclusive reverse: nan + 2
    EXPECT_EQ(on[1], 2);
    EXPECT_EQ(on[2], 0);
}

TEST(Sort, Float32) { check_sort<float>(NF_FLOAT32); }
TEST(Sort, Float64IntegersBytes) {
    check_sort<double>(NF_FLOAT64);
    check_sort<int32_t>(NF_INT32);
    check_sort<int64_t>(NF_INT64);
    check_sort<uint8_t>(NF_UINT8);
}

// NaN last ascending, first descending (equal NaNs in index order); -0 and 0 tie.
TEST(Sort, NaNOrderTiesAndInt32Indices) {
    const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
    std::vector<double> x = {nan, 1, -inf, 0.0, nan, -0.0, inf};
    const nf_layout l = contiguous({7});
    Guarded<double> v(7);
    Guarded<int32_t> i(7);
    ASSERT_EQ(nf_sort(NF_FLOAT64, x.data(), &l, 0, 0, v.data(), NF_INT32, i.data()), NF_OK) << nf_last_error();
    EXPECT_EQ(i.values(), (std::vector<int32_t>{2, 3, 5, 1, 6, 0, 4}));
    ASSERT_EQ(nf_sort(NF_FLOAT64, x.data(), &l, 0, 1, v.data(), NF_INT32, i.data()), NF_OK) << nf_last_error();
    EXPECT_EQ(i.values(), (std::vector<int32_t>{0, 4, 6, 1, 3, 5, 2}));
    EXPECT_TRUE(std::isnan(v[0]) && std::isnan(v[1]));
    EXPECT_EQ(v[2], inf);
    // Only indices.
    ASSERT_EQ(nf_sort(NF_FLOAT64, x.data(), &l, 0, 0, nullptr, NF_INT64, nullptr), NF_OK);
}

TEST(ScanSort, BadArgumentsNamed) {
    std::vector<float> x(6), out(6);
    const nf_layout l = contiguous({2, 3});
    EXPECT_TRUE(fails_with(nf_scan(NF_SCAN_SUM, NF_FLOAT32, x.data(), &l, 2, 0, 0, out.data()), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_scan", "axis = 2", "rank 2"}));
    EXPECT_TRUE(fails_with(nf_scan(static_cast<nf_scan_op>(7), NF_FLOAT32, x.data(), &l, 0, 0, 0, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_scan", "op = 7"}));
    EXPECT_TRUE(fails_with(nf_scan(NF_SCAN_SUM, NF_BOOL, x.data(), &l, 0, 0, 0, out.data()), NF_ERROR_UNSUPPORTED,
                           {"nf_scan", "bool"}));
    EXPECT_TRUE(fails_with(nf_sort(NF_FLOAT32, x.data(), &l, -1, 0, out.data(), NF_INT32, nullptr),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_sort", "axis = -1"}));
    EXPECT_TRUE(fails_with(nf_sort(NF_FLOAT32, x.data(), &l, 1, 0, out.data(), NF_FLOAT32, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_sort", "index_dtype = float32"}));
}
