// Size arithmetic never wraps: layouts, counts and products built from extreme shapes, strides
// and counts (INT64_MAX axes, strides at the edge of int64, products that wrap to something
// small and plausible) are NF_ERROR_INVALID_ARGUMENT with a message naming the argument; before
// the overflow-checked helpers (common/intmath.h) several of them passed the checks and the
// kernel then read or wrote far outside the buffers.
#include <cstdint>

#include "test_util.h"

using namespace nft;

namespace {

constexpr int64_t kMax = INT64_MAX;
constexpr int64_t kMin = INT64_MIN;

// Built field by field: contiguous() would overflow computing strides for these shapes.
nf_layout layout(const Shape& shape, const Shape& strides, int64_t offset = 0) {
    nf_layout l{};
    l.rank = static_cast<int32_t>(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
        l.shape[d] = shape[d];
        l.strides[d] = strides[d];
    }
    l.offset = offset;
    return l;
}

// nf_copy of a bad x_layout into a small contiguous out of the same shape would run the kernel;
// the call must fail in the checks. `out_layout` is made valid where it can be.
::testing::AssertionResult copy_rejects(const nf_layout& bad, std::vector<std::string> fragments) {
    float x[8] = {}, out[8] = {};
    return fails_with(nf_copy(NF_FLOAT32, x, &bad, out, &bad), NF_ERROR_INVALID_ARGUMENT, std::move(fragments));
}

}  // namespace

TEST(Overflow, HugeShapesAreRejected) {
    EXPECT_TRUE(copy_rejects(layout({kMax}, {1}), {"nf_copy", "x_layout", "too large"}));
    EXPECT_TRUE(copy_rejects(layout({kMax, kMax}, {0, 0}), {"nf_copy", "x_layout", "too large"}));
    // 2^32 * 2^32 wraps to 0 in int64: the element count must not come out as 0 (empty, so valid).
    EXPECT_TRUE(copy_rejects(layout({int64_t(1) << 32, int64_t(1) << 32}, {0, 0}), {"nf_copy", "too large"}));
    // Above 2^60 elements the byte count of a float64 tensor no longer fits int64.
    EXPECT_TRUE(copy_rejects(layout({(int64_t(1) << 60) + 1}, {0}), {"nf_copy", "too large"}));
}

TEST(Overflow, EmptyTensorsStillBoundTheirOtherAxes) {
    // An empty x whose other axes multiply past int64: the reduction's output count over the kept
    // axes (2^62 * 2^62) used to wrap to 0 and pass with a NULL out.
    const nf_layout x = layout({0, int64_t(1) << 62, int64_t(1) << 62}, {0, 0, 0});
    EXPECT_TRUE(fails_with(nf_reduce(NF_REDUCE_SUM, NF_FLOAT32, nullptr, &x, 1u, nullptr, NF_FLOAT32),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_reduce", "x_layout", "too large"}));
    // Empty with ordinary axes stays valid, whatever its strides.
    const nf_layout ok = layout({0, 3}, {kMax, kMin});
    EXPECT_EQ(nf_copy(NF_FLOAT32, nullptr, &ok, nullptr, &ok), NF_OK) << nf_last_error();
}

TEST(Overflow, StridesAtTheEdgeAreRejected) {
    // Highest element past what a byte offset can reach (never checked before: read at 2^63 - 1).
    EXPECT_TRUE(copy_rejects(layout({2}, {kMax}), {"nf_copy", "x_layout", "addresses"}));
    EXPECT_TRUE(copy_rejects(layout({2}, {int64_t(1) << 61}), {"nf_copy", "x_layout", "addresses element"}));
    // stride * (shape - 1) wraps: INT64_MIN * 2 is 0 in two's complement, so the lowest element
    // looked like 0 and the layout passed.
    EXPECT_TRUE(copy_rejects(layout({3}, {kMin}), {"nf_copy", "x_layout", "beyond 64-bit offsets"}));
    EXPECT_TRUE(copy_rejects(layout({3}, {kMax}), {"nf_copy", "x_layout", "beyond 64-bit offsets"}));
    // Negative strides whose sum wraps back above 0 from a huge offset.
    EXPECT_TRUE(copy_rejects(layout({3, 3}, {-(int64_t(1) << 62), -(int64_t(1) << 62)}, kMax),
                             {"nf_copy", "x_layout"}));
    // A negative stride at the edge: INT64_MIN with shape 2 lands before the buffer.
    EXPECT_TRUE(copy_rejects(layout({2}, {kMin}, 5), {"nf_copy", "before the buffer"}));
    // Offsets: the largest offset alone is past the addressable range.
    EXPECT_TRUE(copy_rejects(layout({1}, {1}, kMax), {"nf_copy", "x_layout", "addresses element"}));
    // Size-1 axes may carry any stride: they never move.
    const nf_layout ok = layout({1, 2}, {kMin, 1});
    float x[2] = {1, 2}, out[2] = {};
    const nf_layout ol = contiguous({1, 2});
    ASSERT_EQ(nf_copy(NF_FLOAT32, x, &ok, out, &ol), NF_OK) << nf_last_error();
    EXPECT_EQ(out[1], 2.0f);
}

TEST(Overflow, OutputCountsThatWrapAreRejected) {
    float x[6] = {};
    int64_t idx[2] = {0, 1};
    float out[6] = {};
    const nf_layout xl = contiguous({2, 3});
    // outer (1) * index_count * inner (3) wraps; before, the index scan then read 2^62 indices.
    EXPECT_TRUE(fails_with(nf_gather(NF_FLOAT32, x, &xl, 0, NF_INT64, idx, (kMax / 3) + 1, out),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_gather", "index_count"}));
    EXPECT_TRUE(fails_with(nf_gather(NF_FLOAT32, x, &xl, 0, NF_INT64, idx, kMax, out), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_gather", "index_count"}));
    // indices count * depth past 2^60 (and past int64).
    const nf_layout il = contiguous({2});
    EXPECT_TRUE(fails_with(nf_one_hot(NF_INT64, idx, &il, kMax, 1, 0, NF_FLOAT32, out), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_one_hot", "depth"}));
    EXPECT_TRUE(fails_with(nf_one_hot(NF_INT64, idx, &il, int64_t(1) << 60, 1, 0, NF_FLOAT32, out),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_one_hot", "depth"}));
}

TEST(Overflow, CountsPastTheAddressableRangeAreRejected) {
    float buf[4] = {};
    float grad[4] = {};
    // Each would write count elements (count * 4 or 8 bytes) from a 16-byte buffer.
    EXPECT_TRUE(fails_with(nf_fill(NF_FLOAT32, buf, kMax, 0), NF_ERROR_INVALID_ARGUMENT, {"nf_fill", "count"}));
    EXPECT_TRUE(fails_with(nf_range(NF_FLOAT64, buf, (int64_t(1) << 60) + 1, 0, 1), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_range", "count"}));
    EXPECT_TRUE(fails_with(nf_random_normal(NF_FLOAT32, buf, kMax, 1, 0, 0, 1), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_random_normal", "count"}));
    nf_optimizer_params p{};
    p.learning_rate = 0.1;
    p.step = 1;
    EXPECT_TRUE(fails_with(nf_optimizer_update(NF_OPTIMIZER_SGD, NF_FLOAT32, buf, grad, nullptr, nullptr, kMax, &p),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_optimizer_update", "count"}));
}

TEST(Overflow, EnumArgumentsOutsideTheirRangeAreRejected) {
    // Any 32-bit value may arrive for an enum argument (the C# bindings pass ints); it is checked,
    // never used. Under the sanitizer build (NEURALFLOW_SANITIZE) reading these was undefined.
    float a[4] = {}, out[4] = {};
    const nf_layout l = contiguous({4});
    const int32_t bad[] = {-1, 99, 1000, INT32_MIN, INT32_MAX};  // beyond every enum, as ops are added
    for (int32_t v : bad) {
        SCOPED_TRACE(v);
        EXPECT_TRUE(fails_with(nf_binary(static_cast<nf_binary_op>(v), NF_FLOAT32, a, &l, a, &l, out, &l),
                               NF_ERROR_INVALID_ARGUMENT, {"nf_binary", "op = " + std::to_string(v)}));
        EXPECT_TRUE(fails_with(nf_unary(static_cast<nf_unary_op>(v), NF_FLOAT32, a, &l, out, &l),
                               NF_ERROR_INVALID_ARGUMENT, {"nf_unary", "op = " + std::to_string(v)}));
        EXPECT_TRUE(fails_with(nf_reduce(static_cast<nf_reduce_op>(v), NF_FLOAT32, a, &l, 1u, out, NF_FLOAT32),
                               NF_ERROR_INVALID_ARGUMENT, {"nf_reduce", "op = " + std::to_string(v)}));
        EXPECT_TRUE(fails_with(nf_copy(static_cast<nf_dtype>(v), a, &l, out, &l), NF_ERROR_INVALID_ARGUMENT,
                               {"nf_copy", "dtype = " + std::to_string(v)}));
        nf_optimizer_params p{};
        p.step = 1;
        EXPECT_TRUE(fails_with(nf_optimizer_update(static_cast<nf_optimizer>(v), NF_FLOAT32, a, a, a, a, 4, &p),
                               NF_ERROR_INVALID_ARGUMENT, {"nf_optimizer_update", "kind = " + std::to_string(v)}));
        const nf_layout l22 = contiguous({2, 2});
        EXPECT_TRUE(fails_with(nf_softmax_cross_entropy(NF_FLOAT32, a, &l22, static_cast<nf_dtype>(v), a, 1, out, nullptr),
                               NF_ERROR_INVALID_ARGUMENT, {"nf_softmax_cross_entropy", "dtype = " + std::to_string(v)}));
    }
}

TEST(Overflow, ExpOfNaNIsNaNWithoutUndefinedShifts) {
    // exp_fast's exponent used to be built from the int conversion of NaN (INT_MIN) and then
    // shifted left: undefined, reported by the sanitizer build. The result must stay NaN.
    const float nan = std::nanf(""), inf = INFINITY;
    float x[4] = {nan, -nan, inf, -inf}, out[4] = {};
    const nf_layout l = contiguous({4});
    ASSERT_EQ(nf_unary(NF_UNARY_EXP, NF_FLOAT32, x, &l, out, &l), NF_OK) << nf_last_error();
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_EQ(out[2], inf);
    EXPECT_EQ(out[3], 0.0f);
    ASSERT_EQ(nf_unary(NF_UNARY_SIGMOID, NF_FLOAT32, x, &l, out, &l), NF_OK) << nf_last_error();
    EXPECT_TRUE(std::isnan(out[0]));
    ASSERT_EQ(nf_softmax(0, NF_FLOAT32, x, &l, 0, out), NF_OK) << nf_last_error();
    EXPECT_TRUE(std::isnan(out[0]));
}
