// CUDA vs CPU engine: nf_cuda_fused_elementwise (issue 17) bit for bit over mixed layouts (the
// contiguous and strided launcher paths), a mul feeding an add (no FMA contraction: fused.cu
// builds with --fmad=false), and the shared argument checks.
#include <cmath>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

// (a * b + c) then relu, max with b, sign, |.|, == a, <= c, ... every listed op once.
const nf_fused_step kProgram[] = {
    {NF_FUSED_BINARY, NF_BINARY_MUL, 0, 1},        // r3
    {NF_FUSED_BINARY, NF_BINARY_ADD, 3, 2},        // r4 = a*b + c, rounded twice
    {NF_FUSED_UNARY, NF_UNARY_RELU, 4, 0},         // r5
    {NF_FUSED_BINARY, NF_BINARY_MINIMUM, 5, 1},    // r6
    {NF_FUSED_UNARY, NF_UNARY_SIGN, 4, 0},         // r7
    {NF_FUSED_UNARY, NF_UNARY_ABS, 4, 0},          // r8
    {NF_FUSED_BINARY, NF_BINARY_LESS_EQUAL, 8, 1}, // r9
    {NF_FUSED_BINARY, NF_BINARY_NOT_EQUAL, 7, 9},  // r10
    {NF_FUSED_BINARY, NF_BINARY_LESS, 6, 2},       // r11
    {NF_FUSED_BINARY, NF_BINARY_EQUAL, 10, 11},    // r12
    {NF_FUSED_BINARY, NF_BINARY_GREATER_EQUAL, 5, 6}, // r13
    {NF_FUSED_BINARY, NF_BINARY_SUB, 6, 8},        // r14
    {NF_FUSED_BINARY, NF_BINARY_MUL, 14, 12},      // r15
    {NF_FUSED_BINARY, NF_BINARY_DIV, 15, 1},       // r16
    {NF_FUSED_BINARY, NF_BINARY_ADD, 16, 13},      // r17
};
constexpr int kSteps = sizeof(kProgram) / sizeof(kProgram[0]);

template <class T>
void check_fused(nf_dtype dt, const Shape& s, Kind ka, Kind kb) {
    const View va = make_view(s, ka), vb = make_view(s, kb), vc = make_view(s, Kind::Broadcast);
    const auto a = random_values<T>(va.storage, -5, 5, 81);
    const auto b = random_values<T>(vb.storage, 0.5, 3, 82);
    const auto c = random_values<T>(vc.storage, -5, 5, 83);
    const nf_layout ls[3] = {va.l, vb.l, vc.l};
    const nf_layout ol = contiguous(s);
    const size_t n = static_cast<size_t>(std::max<int64_t>(numel(s), 1));
    std::vector<T> cpu(n);
    const void* host[3] = {a.data(), b.data(), c.data()};
    ASSERT_EQ(nf_fused_elementwise(dt, 3, host, ls, kSteps, kProgram, cpu.data(), &ol), NF_OK) << nf_last_error();
    DeviceBuffer da(a), db(b), dc(c), dout(n * sizeof(T));
    const void* dev[3] = {da.get(), db.get(), dc.get()};
    ASSERT_EQ(nf_cuda_fused_elementwise(dt, 3, dev, ls, kSteps, kProgram, dout.get(), &ol), NF_OK) << nf_cuda_last_error();
    cpu.resize(numel(s));
    EXPECT_TRUE(same(dout.download<T>(cpu.size()), cpu, std::string("fused ") + str(s) + " " + kind_name(ka) + "/" + kind_name(kb)));
}

}  // namespace

TEST(CudaFused, MatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (const Shape& s : {Shape{}, Shape{0}, Shape{7}, Shape{1025}, Shape{3, 33}, Shape{2, 3, 5}})
        for (Kind ka : {Kind::Contig, Kind::Transposed, Kind::Negative}) {
            check_fused<float>(NF_FLOAT32, s, ka, Kind::Contig);
            check_fused<double>(NF_FLOAT64, s, ka, Kind::Strided);
        }
}

TEST(CudaFused, BadProgramFailsLikeCpu) {
    const nf_layout l = contiguous({4});
    float x[4] = {}, out[4] = {};
    const void* in[1] = {x};
    const nf_fused_step ahead[] = {{NF_FUSED_UNARY, NF_UNARY_NEG, 3, 0}};
    EXPECT_EQ(nf_cuda_fused_elementwise(NF_FLOAT32, 1, in, &l, 1, ahead, out, &l), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("nf_cuda_fused_elementwise: steps[0] reads register 3"), std::string::npos)
        << nf_cuda_last_error();
}

// Every unary op as a fused step, then times an input: the CUDA engine's nf_cuda_unary and
// nf_cuda_binary one by one give the same bits (both run cuda/unary_math.cuh's functions, built
// alike), over contiguous and strided inputs and special values (issue 17).
TEST(CudaFused, UnaryStepsMatchCudaUnary) {
    NFTC_REQUIRE_DEVICE();
    const float inf = INFINITY;
    const std::vector<float> specials = {0.f, -0.f, 1.f, -1.f, 1e-30f, 88.5f, -88.5f, 100.f, -100.f, 0.5f, 2.5f, NAN, inf, -inf};
    for (int op = NF_UNARY_NEG; op <= NF_UNARY_ERFC; ++op)
        for (const Shape& s : {Shape{14}, Shape{1025}, Shape{3, 33}})
            for (Kind kx : {Kind::Contig, Kind::Transposed, Kind::Negative}) {
                const View vx = make_view(s, kx);
                auto x = random_values<float>(vx.storage, -6, 6, 91);
                if (numel(s) == 14) x = specials;
                const auto g = random_values<float>(numel(s), -2, 2, 92);
                const nf_layout ol = contiguous(s);
                const nf_layout ls[2] = {vx.l, ol};
                const nf_fused_step steps[] = {{NF_FUSED_UNARY, op, 0, 0}, {NF_FUSED_BINARY, NF_BINARY_MUL, 2, 1}};
                const size_t n = static_cast<size_t>(numel(s));
                DeviceBuffer dx(x), dg(g), fused(n * sizeof(float)), y(n * sizeof(float)), unfused(n * sizeof(float));
                const void* in[2] = {dx.get(), dg.get()};
                ASSERT_EQ(nf_cuda_fused_elementwise(NF_FLOAT32, 2, in, ls, 2, steps, fused.get(), &ol), NF_OK) << nf_cuda_last_error();
                ASSERT_EQ(nf_cuda_unary(static_cast<nf_unary_op>(op), NF_FLOAT32, dx.get(), &vx.l, y.get(), &ol), NF_OK);
                ASSERT_EQ(nf_cuda_binary(NF_BINARY_MUL, NF_FLOAT32, y.get(), &ol, dg.get(), &ol, unfused.get(), &ol), NF_OK);
                EXPECT_TRUE(same(fused.download<float>(n), unfused.download<float>(n),
                                 "unary op " + std::to_string(op) + " " + str(s) + " " + kind_name(kx)));
            }
}
