// nf_reduce against a naive reference (double / 128-bit accumulation) for every op, dtype,
// axis set and layout flavour, plus argmax/argmin semantics and the empty-axis rules.
#include <limits>

#include "test_util.h"

using namespace nft;

namespace {

using I128 = __int128;

struct Case {
    Shape shape;
    uint32_t mask;
};

// Covers full, row (inner), column (leading), middle and mixed reductions, size-1 axes,
// scalars, a full reduction above the OpenMP threshold, and column sums wide enough to
// split columns across threads.
std::vector<Case> cases() {
    std::vector<Case> c = {{{}, 0},         {{1}, 1},        {{7}, 1},        {{33}, 1},       {{1025}, 1},
                           {{70001}, 1},    {{7, 33}, 0},    {{7, 33}, 1},    {{7, 33}, 2},    {{7, 33}, 3},
                           {{300, 250}, 1}, {{300, 250}, 2}, {{64, 5000}, 1}, {{4, 1, 6, 5}, 10}, {{4, 1, 6, 5}, 5},
                           {{2000, 3}, 1},  {{3, 2000}, 2}};
    for (uint32_t m = 0; m < 8; ++m) c.push_back({{2, 3, 5}, m});
    return c;
}

template <class T>
double wrap_to(I128 v) {
    return static_cast<double>(static_cast<T>(static_cast<uint64_t>(static_cast<unsigned __int128>(v))));
}

// Reference for SUM/MEAN/MAX/MIN/PROD: out index = row-major index over the kept axes.
template <class T>
std::vector<double> reference(nf_reduce_op op, bool is_bool, const std::vector<T>& x, const nf_layout& l,
                              uint32_t mask) {
    Shape kept;
    for (int d = 0; d < l.rank; ++d)
        if (!((mask >> d) & 1)) kept.push_back(l.shape[d]);
    const int64_t nout = numel(kept), n = numel(Shape(l.shape, l.shape + l.rank));
    std::vector<double> acc(nout, op == NF_REDUCE_PROD ? 1.0 : 0.0), cnt(nout, 0.0);
    std::vector<I128> iacc(nout, op == NF_REDUCE_PROD ? 1 : 0);
    std::vector<bool> seen(nout, false);
    for (int64_t i = 0; i < n; ++i) {
        int64_t rem = i, o = 0, mul = 1;
        for (int d = l.rank - 1; d >= 0; --d) {
            const int64_t id = rem % l.shape[d];
            rem /= l.shape[d];
            if (!((mask >> d) & 1)) {
                o += id * mul;
                mul *= l.shape[d];
            }
        }
        const T v = x[elem_offset(l, i)];
        const double dv = static_cast<double>(v);
        cnt[o] += 1;
        switch (op) {
            case NF_REDUCE_SUM: case NF_REDUCE_MEAN: acc[o] += dv; iacc[o] += static_cast<I128>(v); break;
            case NF_REDUCE_PROD:
                acc[o] *= dv;
                iacc[o] = static_cast<I128>(static_cast<int64_t>(static_cast<uint64_t>(iacc[o] * static_cast<I128>(v))));
                break;
            case NF_REDUCE_MAX:
                acc[o] = !seen[o] ? dv : (std::isnan(acc[o]) || std::isnan(dv)) ? std::nan("") : std::max(acc[o], dv);
                break;
            default:
                acc[o] = !seen[o] ? dv : (std::isnan(acc[o]) || std::isnan(dv)) ? std::nan("") : std::min(acc[o], dv);
                break;
        }
        seen[o] = true;
    }
    for (int64_t o = 0; o < nout; ++o) {
        if constexpr (std::is_floating_point_v<T>) {
            if (op == NF_REDUCE_MEAN) acc[o] = acc[o] / cnt[o];
            acc[o] = static_cast<double>(static_cast<T>(acc[o]));  // the engine returns T
        } else if (!is_bool && (op == NF_REDUCE_SUM || op == NF_REDUCE_PROD)) {
            acc[o] = wrap_to<T>(iacc[o]);
        } else if (op == NF_REDUCE_MEAN) {
            acc[o] = cnt[o] ? wrap_to<T>(iacc[o] / static_cast<I128>(cnt[o])) : 0.0;
        }
    }
    return acc;
}

template <class T>
void check_values(nf_dtype dt, double lo, double hi, std::initializer_list<nf_reduce_op> ops) {
    uint32_t seed = 7;
    for (nf_reduce_op op : ops) {
        for (const Case& c : cases()) {
            int64_t nred = 1;
            for (size_t d = 0; d < c.shape.size(); ++d)
                if ((c.mask >> d) & 1) nred *= c.shape[d];
            if (op == NF_REDUCE_PROD && nred > 40) continue;  // keep products finite
            for (Kind k : kAllKinds) {
                const View v = make_view(c.shape, k);
                auto x = random_values<T>(v.storage, lo, hi, seed++);
                const auto want = reference(op, dt == NF_BOOL, x, v.l, c.mask);
                nft::Guarded<T> out(std::max<size_t>(want.size(), 1), T(3));
                const std::string what = "op " + std::to_string(op) + " shape " + str(c.shape) + " mask " +
                                         std::to_string(c.mask) + " " + kind_name(k);
                ASSERT_EQ(nf_reduce(op, dt, x.data(), &v.l, c.mask, out.data(), dt), NF_OK)
                    << what << ": " << nf_last_error();
                EXPECT_TRUE(all_close(out.data(), want, std::is_same_v<T, float> ? 2e-6 : 1e-11, 1e-7, what));
            }
        }
    }
}

const auto kValueOps = {NF_REDUCE_SUM, NF_REDUCE_MEAN, NF_REDUCE_MAX, NF_REDUCE_MIN, NF_REDUCE_PROD};

}  // namespace

TEST(Reduce, Float32) { check_values<float>(NF_FLOAT32, -3, 3, kValueOps); }
TEST(Reduce, Float64) { check_values<double>(NF_FLOAT64, -3, 3, kValueOps); }
TEST(Reduce, Int32) { check_values<int32_t>(NF_INT32, -50, 50, kValueOps); }
TEST(Reduce, Int64) { check_values<int64_t>(NF_INT64, -50, 50, kValueOps); }
TEST(Reduce, UInt8WrapsLikeUInt8) { check_values<uint8_t>(NF_UINT8, 0, 30, kValueOps); }
TEST(Reduce, BoolAnyAll) { check_values<uint8_t>(NF_BOOL, 0, 2, {NF_REDUCE_MAX, NF_REDUCE_MIN}); }

TEST(Reduce, Float32SumAccuratelyAccumulated) {
    // 1e6 copies of 0.1f: a float running sum drifts by ~1%; double accumulation does not.
    std::vector<float> x(1000000, 0.1f);
    const nf_layout l = contiguous({1000000});
    float out = 0;
    ASSERT_EQ(nf_reduce(NF_REDUCE_SUM, NF_FLOAT32, x.data(), &l, 1, &out, NF_FLOAT32), NF_OK);
    EXPECT_NEAR(out, 1000000 * static_cast<double>(0.1f), 1e-6 * 100000);
}

TEST(Reduce, EmptyReductions) {
    const nf_layout l = contiguous({0, 3});
    nft::Guarded<float> out(3, 5.f);
    ASSERT_EQ(nf_reduce(NF_REDUCE_SUM, NF_FLOAT32, nullptr, &l, 1, out.data(), NF_FLOAT32), NF_OK);
    EXPECT_EQ(out, std::vector<float>({0, 0, 0}));
    ASSERT_EQ(nf_reduce(NF_REDUCE_PROD, NF_FLOAT32, nullptr, &l, 1, out.data(), NF_FLOAT32), NF_OK);
    EXPECT_EQ(out, std::vector<float>({1, 1, 1}));
    ASSERT_EQ(nf_reduce(NF_REDUCE_MEAN, NF_FLOAT32, nullptr, &l, 1, out.data(), NF_FLOAT32), NF_OK);
    EXPECT_TRUE(std::isnan(out[0]));
    std::vector<int32_t> iout(3, 5);
    ASSERT_EQ(nf_reduce(NF_REDUCE_MEAN, NF_INT32, nullptr, &l, 1, iout.data(), NF_INT32), NF_OK);
    EXPECT_EQ(iout, std::vector<int32_t>({0, 0, 0}));
    EXPECT_TRUE(fails_with(nf_reduce(NF_REDUCE_MAX, NF_FLOAT32, nullptr, &l, 1, out.data(), NF_FLOAT32),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_reduce", "empty"}));
    int64_t idx[3];
    EXPECT_TRUE(fails_with(nf_reduce(NF_REDUCE_ARGMAX, NF_FLOAT32, nullptr, &l, 1, idx, NF_INT64),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_reduce", "empty"}));
    // Reducing the non-empty axis of an empty tensor gives an empty result, no error.
    EXPECT_EQ(nf_reduce(NF_REDUCE_MAX, NF_FLOAT32, nullptr, &l, 2, nullptr, NF_FLOAT32), NF_OK);
}

namespace {

template <class T, class I>
void check_arg(nf_dtype dt, nf_dtype it, double lo, double hi, bool with_nan) {
    uint32_t seed = 99;
    const std::vector<Case> cs = {{{1}, 1}, {{7}, 1}, {{1025}, 1}, {{70001}, 1}, {{7, 33}, 1}, {{7, 33}, 2},
                                  {{300, 250}, 1}, {{300, 250}, 2}, {{2, 3, 5}, 2}, {{2, 3, 5}, 4}};
    for (int is_max = 0; is_max < 2; ++is_max) {
        for (const Case& c : cs) {
            for (Kind k : kAllKinds) {
                const View v = make_view(c.shape, k);
                auto x = random_values<T>(v.storage, lo, hi, seed++);
                if (with_nan && x.size() > 10) x[x.size() / 2] = x[3] = static_cast<T>(std::nan(""));
                const int axis = __builtin_ctz(c.mask);
                const nf_layout& l = v.l;
                Shape kept;
                for (int d = 0; d < l.rank; ++d)
                    if (d != axis) kept.push_back(l.shape[d]);
                const int64_t nout = numel(kept), len = l.shape[axis];
                std::vector<double> want(nout);
                // Walk every output position; compute the first extreme (first NaN wins).
                for (int64_t o = 0; o < nout; ++o) {
                    // Linear index in x of (o with axis index j): insert j at `axis`.
                    auto lin = [&](int64_t j) {
                        int64_t rem = o, idx = 0, mul = 1;
                        for (int d = l.rank - 1; d >= 0; --d) {
                            int64_t id;
                            if (d == axis) id = j;
                            else { id = rem % l.shape[d]; rem /= l.shape[d]; }
                            idx += id * mul;
                            mul *= l.shape[d];
                        }
                        return idx;
                    };
                    int64_t best = 0;
                    for (int64_t j = 0; j < len; ++j) {
                        const double v0 = static_cast<double>(x[elem_offset(l, lin(j))]);
                        const double vb = static_cast<double>(x[elem_offset(l, lin(best))]);
                        if (std::isnan(vb)) break;
                        if (std::isnan(v0) || (is_max ? v0 > vb : v0 < vb)) best = j;
                        if (std::isnan(v0)) break;
                    }
                    want[o] = static_cast<double>(best);
                }
                nft::Guarded<I> out(std::max<int64_t>(nout, 1), I(-9));
                const std::string what = std::string(is_max ? "argmax" : "argmin") + " shape " + str(c.shape) +
                                         " mask " + std::to_string(c.mask) + " " + kind_name(k);
                ASSERT_EQ(nf_reduce(is_max ? NF_REDUCE_ARGMAX : NF_REDUCE_ARGMIN, dt, x.data(), &l, c.mask, out.data(), it),
                          NF_OK) << what << ": " << nf_last_error();
                EXPECT_TRUE(all_close(out.data(), want, 0, 0, what));
            }
        }
    }
}

}  // namespace

TEST(Reduce, ArgFloat32WithNaN) { check_arg<float, int64_t>(NF_FLOAT32, NF_INT64, -3, 3, true); }
TEST(Reduce, ArgFloat64Int32Out) { check_arg<double, int32_t>(NF_FLOAT64, NF_INT32, -3, 3, false); }
TEST(Reduce, ArgInt32TiesFirstIndex) { check_arg<int32_t, int64_t>(NF_INT32, NF_INT64, 0, 3, false); }
TEST(Reduce, ArgInt64) { check_arg<int64_t, int64_t>(NF_INT64, NF_INT64, -1000, 1000, false); }
TEST(Reduce, ArgUInt8) { check_arg<uint8_t, int32_t>(NF_UINT8, NF_INT32, 0, 4, false); }
TEST(Reduce, ArgBool) { check_arg<uint8_t, int64_t>(NF_BOOL, NF_INT64, 0, 2, false); }

// Column sums of short rows (every bias gradient: [batch, units] -> [units]) go several rows at
// a time through partial rows: float sums match a double reference to the float's rounding, and
// float64 sums (whose last bits show any change of order) are the same bits on 1, 2, 3 or 7
// threads. Row counts that leave a partial group, units that are and are not multiples of 16.
TEST(Reduce, ShortRowColumnSumsAreRightOnAnyThreadCount) {
    const int saved = nf_threads_get();
    for (int64_t cols : {1, 3, 10, 50, 100, 129, 512}) {
        for (int64_t rows : {1, 7, 255, 256, 3001, 60000}) {
            const nf_layout l = contiguous({rows, cols});
            const auto xf = random_values<float>(rows * cols, -1, 1, 11);
            nft::Guarded<float> outf(cols);
            ASSERT_EQ(nf_reduce(NF_REDUCE_SUM, NF_FLOAT32, xf.data(), &l, 1u, outf.data(), NF_FLOAT32), NF_OK) << nf_last_error();
            for (int64_t j = 0; j < cols; ++j) {
                double want = 0;
                for (int64_t i = 0; i < rows; ++i) want += xf[i * cols + j];
                EXPECT_NEAR(outf[j], want, 1e-6 * (1 + std::fabs(want))) << rows << "x" << cols << " column " << j;
            }
            const auto xd = random_values<double>(rows * cols, -1, 1, 12);
            std::vector<double> want;
            for (int t : {1, 2, 3, 7}) {
                ASSERT_EQ(nf_threads_set(t), NF_OK);
                std::vector<double> out(cols);
                ASSERT_EQ(nf_reduce(NF_REDUCE_SUM, NF_FLOAT64, xd.data(), &l, 1u, out.data(), NF_FLOAT64), NF_OK);
                if (t == 1) want = out;
                else EXPECT_EQ(out, want) << rows << "x" << cols << ", " << t << " threads";
            }
            // Against an extended-precision sum, within a double sum's error bound.
            for (int64_t j = 0; j < cols; ++j) {
                long double r = 0, mag = 0;
                for (int64_t i = 0; i < rows; ++i) {
                    r += xd[i * cols + j];
                    mag += std::fabs(xd[i * cols + j]);
                }
                EXPECT_NEAR(want[j], static_cast<double>(r), 1e-15 * static_cast<double>(mag) * std::log2(2.0 + rows))
                    << rows << "x" << cols << " column " << j;
            }
            nf_threads_set(saved);
        }
    }
}
