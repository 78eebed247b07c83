// nf_fused_elementwise (issue 17): a program gives bit for bit what its steps give when run one
// by one through nf_binary / nf_unary (the replay's unfused calls), is within rounding of a
// double-precision reference, never writes past its output, and refuses bad programs.
#include <cmath>
#include <cstring>

#include "test_util.h"

using namespace nft;

namespace {

// relu(x + row) * y - max(x, scale) ... the shapes of a bias add, its relu and a mask-and-scale:
// inputs x (kind kx), a broadcast row, y (kind ky), a scalar; steps as below.
const nf_fused_step kProgram[] = {
    {NF_FUSED_BINARY, NF_BINARY_ADD, 0, 1},      // r4 = x + row
    {NF_FUSED_UNARY, NF_UNARY_RELU, 4, 0},       // r5 = relu(r4)
    {NF_FUSED_BINARY, NF_BINARY_GREATER, 2, 3},  // r6 = y > s (0/1)
    {NF_FUSED_BINARY, NF_BINARY_MUL, 5, 6},      // r7 = r5 * r6
    {NF_FUSED_BINARY, NF_BINARY_MUL, 7, 3},      // r8 = r7 * s
    {NF_FUSED_BINARY, NF_BINARY_SUB, 8, 0},      // r9 = r8 - x
    {NF_FUSED_UNARY, NF_UNARY_SQUARE, 9, 0},     // r10 = r9^2
    {NF_FUSED_BINARY, NF_BINARY_MAXIMUM, 10, 2}, // r11 = max(r10, y)
    {NF_FUSED_UNARY, NF_UNARY_NEG, 11, 0},       // r12 = -r11
    {NF_FUSED_BINARY, NF_BINARY_DIV, 12, 3},     // r13 = r12 / s
};
constexpr int kSteps = sizeof(kProgram) / sizeof(kProgram[0]);

double reference_step(const nf_fused_step& s, double a, double b) {
    if (s.kind == NF_FUSED_UNARY) {
        switch (s.op) {
            case NF_UNARY_RELU: return a < 0 ? 0 : a;
            case NF_UNARY_SQUARE: return a * a;
            case NF_UNARY_NEG: return -a;
        }
    }
    switch (s.op) {
        case NF_BINARY_ADD: return a + b;
        case NF_BINARY_SUB: return a - b;
        case NF_BINARY_MUL: return a * b;
        case NF_BINARY_DIV: return a / b;
        case NF_BINARY_MAXIMUM: return a > b ? a : b;
        case NF_BINARY_GREATER: return a > b ? 1 : 0;
    }
    return NAN;
}

template <class T>
void check_program(const Shape& s, Kind kx, Kind ky) {
    const nf_dtype dt = dtype_of<T>();
    const View vx = make_view(s, kx), vy = make_view(s, ky), vr = make_view(s, Kind::Broadcast);
    nf_layout scalar = contiguous(s);
    for (int d = 0; d < scalar.rank; ++d) scalar.strides[d] = 0;
    const auto x = random_values<T>(vx.storage, -3, 3, 11);
    const auto row = random_values<T>(vr.storage, -1, 1, 12);
    const auto y = random_values<T>(vy.storage, -3, 3, 13);
    const std::vector<T> sc = {static_cast<T>(0.37)};
    const void* inputs[4] = {x.data(), row.data(), y.data(), sc.data()};
    const nf_layout layouts[4] = {vx.l, vr.l, vy.l, scalar};
    const nf_layout ol = contiguous(s);
    const int64_t n = numel(s);
    const size_t slots = static_cast<size_t>(std::max<int64_t>(n, 1));
    Guarded<T> fused(slots);
    ASSERT_EQ(nf_fused_elementwise(dt, 4, inputs, layouts, kSteps, kProgram, fused.data(), &ol), NF_OK) << nf_last_error();

    // The same steps one call each, through contiguous temporaries (what an unfused replay runs).
    std::vector<std::vector<T>> regs(4 + kSteps, std::vector<T>(slots));
    std::vector<uint8_t> mask(slots);
    for (int k = 0; k < 4; ++k)
        ASSERT_EQ(nf_copy(dt, inputs[k], &layouts[k], regs[k].data(), &ol), NF_OK) << nf_last_error();
    for (int i = 0; i < kSteps; ++i) {
        const nf_fused_step& st = kProgram[i];
        T* out = regs[4 + i].data();
        if (st.kind == NF_FUSED_UNARY) {
            ASSERT_EQ(nf_unary(static_cast<nf_unary_op>(st.op), dt, regs[st.a].data(), &ol, out, &ol), NF_OK);
        } else if (st.op == NF_BINARY_GREATER) {
            ASSERT_EQ(nf_binary(NF_BINARY_GREATER, dt, regs[st.a].data(), &ol, regs[st.b].data(), &ol, mask.data(), &ol), NF_OK);
            ASSERT_EQ(nf_cast(NF_BOOL, mask.data(), &ol, dt, out), NF_OK);
        } else {
            ASSERT_EQ(nf_binary(static_cast<nf_binary_op>(st.op), dt, regs[st.a].data(), &ol, regs[st.b].data(), &ol, out, &ol), NF_OK);
        }
    }
    const std::string what = std::string(sizeof(T) == 4 ? "float32 " : "float64 ") + str(s) + " x " + kind_name(kx) + " y " + kind_name(ky);
    for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(std::memcmp(&fused[i], &regs[4 + kSteps - 1][i], sizeof(T)), 0)
            << what << ": element " << i << " fused " << fused[i] << " unfused " << regs[4 + kSteps - 1][i];

    // Within rounding of the program evaluated in double.
    std::vector<double> want(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        double r[4 + kSteps] = {static_cast<double>(x[elem_offset(vx.l, i)]), static_cast<double>(row[elem_offset(vr.l, i)]),
                                static_cast<double>(y[elem_offset(vy.l, i)]), static_cast<double>(sc[0])};
        for (int k = 0; k < kSteps; ++k) r[4 + k] = reference_step(kProgram[k], r[kProgram[k].a], r[kProgram[k].b]);
        want[i] = r[4 + kSteps - 1];
    }
    EXPECT_TRUE(all_close(fused.data(), want, 64 * rtol<T>(), 64 * rtol<T>(), what));
}

}  // namespace

TEST(Fused, MatchesUnfusedStepsBitForBitAndDoubleReference) {
    for (const Shape& s : elementwise_shapes())
        for (Kind kx : {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative}) {
            check_program<float>(s, kx, Kind::Contig);
            check_program<double>(s, kx, Kind::Strided);
        }
}

TEST(Fused, OutputMayBeAnInputWithItsLayout) {
    // mask *= g in place: out is input 0's buffer with input 0's layout.
    std::vector<float> m = {1, 0, 1, 0, 1}, g = {2, 3, 4, 5, 6};
    const nf_layout l = contiguous({5});
    const void* in[2] = {m.data(), g.data()};
    const nf_layout ls[2] = {l, l};
    const nf_fused_step steps[] = {{NF_FUSED_BINARY, NF_BINARY_MUL, 0, 1}, {NF_FUSED_UNARY, NF_UNARY_NEG, 2, 0}};
    ASSERT_EQ(nf_fused_elementwise(NF_FLOAT32, 2, in, ls, 2, steps, m.data(), &l), NF_OK) << nf_last_error();
    EXPECT_EQ(m, (std::vector<float>{-2, -0.0f, -4, -0.0f, -6}));
    const nf_layout reversed = make_view({5}, Kind::Negative).l;
    EXPECT_TRUE(fails_with(nf_fused_elementwise(NF_FLOAT32, 2, in, ls, 2, steps, m.data(), &reversed), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_fused_elementwise", "another layout"}));
}

TEST(Fused, RefusesBadPrograms) {
    float a[4] = {}, out[4] = {};
    const nf_layout l = contiguous({4});
    const void* in[1] = {a};
    const nf_fused_step ahead[] = {{NF_FUSED_BINARY, NF_BINARY_ADD, 0, 1}};
    EXPECT_TRUE(fails_with(nf_fused_elementwise(NF_FLOAT32, 1, in, &l, 1, ahead, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_fused_elementwise", "steps[0] reads register 1"}));
    const nf_fused_step pow_step[] = {{NF_FUSED_BINARY, NF_BINARY_POW, 0, 0}};  // not in NF_FUSED_BINARY_OPS
    EXPECT_TRUE(fails_with(nf_fused_elementwise(NF_FLOAT32, 1, in, &l, 1, pow_step, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"steps[0].op", "not an op a fused program can run"}));
    const nf_fused_step bad_kind[] = {{7, NF_UNARY_NEG, 0, 0}};
    EXPECT_TRUE(fails_with(nf_fused_elementwise(NF_FLOAT32, 1, in, &l, 1, bad_kind, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"steps[0].kind = 7"}));
    const nf_fused_step neg[] = {{NF_FUSED_UNARY, NF_UNARY_NEG, 0, 0}};
    EXPECT_TRUE(fails_with(nf_fused_elementwise(NF_INT32, 1, in, &l, 1, neg, out, &l), NF_ERROR_UNSUPPORTED, {"int32"}));
    EXPECT_TRUE(fails_with(nf_fused_elementwise(NF_FLOAT32, 0, in, &l, 1, neg, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"input_count = 0"}));
    EXPECT_TRUE(fails_with(nf_fused_elementwise(NF_FLOAT32, 1, in, &l, 33, neg, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"step_count = 33"}));
    const nf_layout other = contiguous({2, 2});
    EXPECT_TRUE(fails_with(nf_fused_elementwise(NF_FLOAT32, 1, in, &other, 1, neg, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"shape mismatch"}));
}

TEST(Fused, ColumnBroadcastInputChangesPerRow) {
    // A [R, 1] column broadcast over C columns has inner stride 0 but another value on each row:
    // the block filled for one row must not serve the next (rows longer than a block included).
    for (const Shape& s : {Shape{3, 5}, Shape{4, 1500}, Shape{2, 3, 1100}}) {
        const int64_t n = numel(s), inner = s.back(), rows = n / inner;
        std::vector<float> x = random_values<float>(n, -2, 2, 31), col = random_values<float>(rows, -2, 2, 32);
        const nf_layout xl = contiguous(s);
        nf_layout cl = xl;
        cl.strides[cl.rank - 1] = 0;
        for (int d = cl.rank - 2, st = 1; d >= 0; --d) {
            cl.strides[d] = st;
            st *= static_cast<int>(s[d]);
        }
        const void* in[2] = {x.data(), col.data()};
        const nf_layout ls[2] = {xl, cl};
        const nf_fused_step steps[] = {{NF_FUSED_BINARY, NF_BINARY_SUB, 0, 1}, {NF_FUSED_UNARY, NF_UNARY_EXP, 2, 0}};
        Guarded<float> fused(static_cast<size_t>(n)), t(static_cast<size_t>(n)), want(static_cast<size_t>(n));
        ASSERT_EQ(nf_fused_elementwise(NF_FLOAT32, 2, in, ls, 2, steps, fused.data(), &xl), NF_OK) << nf_last_error();
        ASSERT_EQ(nf_binary(NF_BINARY_SUB, NF_FLOAT32, x.data(), &xl, col.data(), &cl, t.data(), &xl), NF_OK);
        ASSERT_EQ(nf_unary(NF_UNARY_EXP, NF_FLOAT32, t.data(), &xl, want.data(), &xl), NF_OK);
        for (int64_t i = 0; i < n; ++i)
            ASSERT_EQ(std::memcmp(&fused[i], &want[i], sizeof(float)), 0) << str(s) << ": element " << i;
    }
}

// Short rows (a bias row broadcast over a batch) run in blocks of whole rows (cpu/fused.cpp):
// the rows of a block are read from a packed input in place, gathered from any other layout,
// and written to an output of any layout; blocks and thread parts split between rows. Each
// layout of the output and of the per-row input gives the unfused calls' bits and touches
// nothing outside the output's elements.
TEST(Fused, ShortRowsInBlocksOfRowsForEveryOutputLayout) {
    for (const Shape& s : {Shape{256, 50}, Shape{3000, 20}, Shape{5, 3}, Shape{41, 511}})
        for (Kind ko : {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative})
            for (Kind kx : {Kind::Contig, Kind::Transposed}) {
                const View vx = make_view(s, kx), vo = make_view(s, ko), vr = make_view(s, Kind::Broadcast);
                const auto x = random_values<float>(vx.storage, -2, 2, 41), row = random_values<float>(vr.storage, -1, 1, 42);
                // relu(x + row) > 0.25, times x: a compare feeding a multiply, as a relu gradient.
                const float quarter = 0.25f;
                nf_layout scalar = contiguous(s);
                for (int d = 0; d < scalar.rank; ++d) scalar.strides[d] = 0;
                const void* in3[3] = {x.data(), row.data(), &quarter};
                const nf_layout ls3[3] = {vx.l, vr.l, scalar};
                const nf_fused_step steps[] = {{NF_FUSED_BINARY, NF_BINARY_ADD, 0, 1},
                                               {NF_FUSED_UNARY, NF_UNARY_RELU, 3, 0},
                                               {NF_FUSED_BINARY, NF_BINARY_GREATER, 4, 2},
                                               {NF_FUSED_BINARY, NF_BINARY_MUL, 5, 0}};
                Guarded<float> fused(static_cast<size_t>(vo.storage));
                std::fill(fused.data(), fused.data() + vo.storage, -7.0f);  // elements outside the view must stay
                ASSERT_EQ(nf_fused_elementwise(NF_FLOAT32, 3, in3, ls3, 4, steps, fused.data(), &vo.l), NF_OK) << nf_last_error();
                const nf_layout ol = contiguous(s);
                const int64_t n = numel(s);
                Guarded<float> a(static_cast<size_t>(n)), r(static_cast<size_t>(n)), m(static_cast<size_t>(n)), want(static_cast<size_t>(n));
                std::vector<uint8_t> mask(static_cast<size_t>(n));
                ASSERT_EQ(nf_binary(NF_BINARY_ADD, NF_FLOAT32, x.data(), &vx.l, row.data(), &vr.l, a.data(), &ol), NF_OK);
                ASSERT_EQ(nf_unary(NF_UNARY_RELU, NF_FLOAT32, a.data(), &ol, r.data(), &ol), NF_OK);
                ASSERT_EQ(nf_binary(NF_BINARY_GREATER, NF_FLOAT32, r.data(), &ol, &quarter, &scalar, mask.data(), &ol), NF_OK);
                ASSERT_EQ(nf_cast(NF_BOOL, mask.data(), &ol, NF_FLOAT32, m.data()), NF_OK);
                ASSERT_EQ(nf_binary(NF_BINARY_MUL, NF_FLOAT32, m.data(), &ol, x.data(), &vx.l, want.data(), &ol), NF_OK);
                std::vector<bool> in_view(static_cast<size_t>(vo.storage), false);
                for (int64_t i = 0; i < n; ++i) {
                    const int64_t at = elem_offset(vo.l, i);
                    in_view[static_cast<size_t>(at)] = true;
                    ASSERT_EQ(std::memcmp(&fused[at], &want[i], sizeof(float)), 0)
                        << str(s) << " out " << kind_name(ko) << " x " << kind_name(kx) << ": element " << i;
                }
                for (int64_t j = 0; j < vo.storage; ++j)
                    if (!in_view[static_cast<size_t>(j)]) ASSERT_EQ(fused[j], -7.0f) << str(s) << " out " << kind_name(ko) << ": slot " << j;
            }
}
