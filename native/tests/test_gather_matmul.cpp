// nf_gather_matmul (cpu/gather_matmul.cpp): a product on x's rows picked by an index list against
// nf_gather into a packed buffer followed by nf_matmul, bit for bit on 1, 2 and 3 threads, and
// against a float64 reference; guard values after out; bad indices fail as nf_gather does before
// anything is written; the query (out NULL) agrees with the call; declined shapes write nothing.
#include <cstring>

#include "test_util.h"

using namespace nft;

namespace {

struct Case {
    int64_t L, K, n, N;
    int64_t pad;   // x's row stride past its K columns (a column slice of a wider array)
    bool tg;       // out = g^T @ b (the weight gradient) rather than g @ b
    bool wide;     // int64 indices
    int b_kind;    // 0: b contiguous; 1: b's columns interleaved (strides [2N, 2]: nf_matmul packs it);
                   // 2: b column-major (nf_matmul reads it transposed: narrow_gemm declines)
};

// The workshop's first layer (x [60000, 784] in batches of 256, last batch 96, 50 units) at L = 6001,
// its N = 10 output layer shape, 64 and 100 columns, a K past narrow_gemm's 1024-row depth chunk,
// a gradient skinny_gemm takes first, one over narrow_gemm's gradient size limit, and b read three ways.
const Case kCases[] = {
    {6001, 784, 256, 50, 0, false, false, 0}, {6001, 784, 256, 50, 0, true, false, 0},
    {6001, 784, 96, 50, 16, false, true, 0},  {6001, 784, 96, 50, 16, true, true, 0},
    {6001, 784, 256, 10, 0, false, false, 0}, {6001, 784, 256, 10, 0, true, true, 0},
    {6001, 784, 256, 64, 3, false, true, 0},  {6001, 784, 256, 64, 3, true, false, 0},
    {6001, 784, 256, 100, 0, false, false, 0}, {6001, 784, 256, 100, 0, true, true, 0},
    {3001, 1100, 300, 40, 5, false, false, 0}, {3001, 700, 1100, 40, 5, true, false, 0},
    {6001, 784, 256, 50, 0, false, false, 1}, {6001, 784, 256, 50, 0, true, true, 1},
    {6001, 784, 256, 50, 0, false, false, 2}, {6001, 784, 256, 50, 0, true, false, 2},
    {6001, 784, 5000, 10, 0, true, false, 0},  // skinny_gemm's gradient (K = 5000 >= 4096): declines
    {6001, 784, 6000, 64, 0, true, false, 0},  // stored g 6000 x 784 floats > 2^22: declines
    {6001, 64, 100, 50, 0, false, false, 0},   // 320K multiply-adds < 2^19: declines
};

struct Inputs {
    std::vector<float> x, b;
    std::vector<int32_t> i32;
    std::vector<int64_t> i64;
    nf_layout xl, bl, ol;
    const void* indices() const { return i64.empty() ? static_cast<const void*>(i32.data()) : i64.data(); }
    nf_dtype index_dtype() const { return i64.empty() ? NF_INT32 : NF_INT64; }
    int64_t index(int64_t j) const { return i64.empty() ? i32[j] : i64[j]; }
};

Inputs make(const Case& c, uint32_t seed) {
    Inputs in;
    const int64_t ld = c.K + c.pad, inner = c.tg ? c.n : c.K, rows = c.tg ? c.K : c.n;
    in.x = random_values<float>(c.L * ld, -1, 1, seed);
    in.xl = contiguous({c.L, ld});
    in.xl.shape[1] = c.K;
    // A shuffled batch with repeats: every 7th index repeats the one before it.
    std::vector<int64_t> idx(static_cast<size_t>(c.n));
    for (int64_t j = 0; j < c.n; ++j) idx[j] = j % 7 == 6 ? idx[j - 1] : (j * 2654435761LL + seed) % c.L;
    if (c.wide) in.i64 = idx;
    else in.i32.assign(idx.begin(), idx.end());
    in.b = random_values<float>(inner * c.N * 2, -0.5, 0.5, seed + 1);
    in.bl = contiguous({inner, c.N});
    if (c.b_kind == 1) in.bl.strides[0] = 2 * c.N, in.bl.strides[1] = 2;
    if (c.b_kind == 2) in.bl.strides[0] = 1, in.bl.strides[1] = inner;
    in.ol = contiguous({rows, c.N});
    return in;
}

// nf_gather into a packed g, then nf_matmul on g or its transposed view: what the fused call replaces.
std::vector<float> separate(const Case& c, const Inputs& in) {
    std::vector<float> g(static_cast<size_t>(c.n * c.K)), out(static_cast<size_t>((c.tg ? c.K : c.n) * c.N));
    EXPECT_EQ(nf_gather(NF_FLOAT32, in.x.data(), &in.xl, 0, in.index_dtype(), in.indices(), c.n, g.data()), NF_OK)
        << nf_last_error();
    const nf_layout gl = contiguous({c.n, c.K});
    const nf_layout a = c.tg ? transposed(gl) : gl;
    EXPECT_EQ(nf_matmul(NF_FLOAT32, g.data(), &a, in.b.data(), &in.bl, out.data(), &in.ol), NF_OK) << nf_last_error();
    return out;
}

// The same product in float64 from x and b directly.
std::vector<double> reference(const Case& c, const Inputs& in) {
    const int64_t rows = c.tg ? c.K : c.n, inner = c.tg ? c.n : c.K, ld = in.xl.strides[0];
    std::vector<double> out(static_cast<size_t>(rows * c.N), 0.0);
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t k = 0; k < inner; ++k) {
            const double g = c.tg ? in.x[in.index(k) * ld + i] : in.x[in.index(i) * ld + k];
            for (int64_t j = 0; j < c.N; ++j) out[i * c.N + j] += g * in.b[k * in.bl.strides[0] + j * in.bl.strides[1]];
        }
    return out;
}

// The fused call on `threads` threads into a buffer of 7s with guard bytes after it.
Guarded<float> fused(const Case& c, const Inputs& in, int threads, int32_t* done, nf_status* status = nullptr) {
    const int32_t saved = nf_threads_get();
    EXPECT_EQ(nf_threads_set(threads), NF_OK);
    Guarded<float> out(static_cast<size_t>((c.tg ? c.K : c.n) * c.N), 7.0f);
    const nf_status s = nf_gather_matmul(NF_FLOAT32, in.x.data(), &in.xl, in.index_dtype(), in.indices(), c.n, c.tg ? 1 : 0,
                                         in.b.data(), &in.bl, out.data(), &in.ol, done);
    if (status) *status = s;
    else EXPECT_EQ(s, NF_OK) << nf_last_error();
    EXPECT_EQ(nf_threads_set(saved), NF_OK);
    EXPECT_TRUE(out.intact("out"));
    return out;
}

// The library's answer to the query form (out NULL, no pointer read).
bool fuses(const Case& c, const Inputs& in, nf_dtype dtype = NF_FLOAT32) {
    int32_t asked = -1;
    EXPECT_EQ(nf_gather_matmul(dtype, nullptr, &in.xl, in.index_dtype(), nullptr, c.n, c.tg ? 1 : 0, nullptr, &in.bl, nullptr,
                               &in.ol, &asked), NF_OK) << nf_last_error();
    return asked == 1;
}

// What narrow_gemm takes (narrow_gemm.h, skinny_gemm.h), restated: the shapes the cases expect to fuse.
bool expect_fused(const Case& c) {
    const int64_t rows = c.tg ? c.K : c.n, inner = c.tg ? c.n : c.K;
    if (!wide_vectors() || c.b_kind == 2 || c.N > 256 || rows * c.N * inner < (1 << 19)) return false;
    if (!c.tg && c.N < 16) return false;
    if (c.tg && c.N <= 16 && inner >= 4096 && rows * c.N * inner >= (1 << 24)) return false;  // skinny_gemm's
    return !c.tg || inner * rows <= (1 << 22);
}

std::string name(const Case& c) {
    return std::string(c.tg ? "g^T @ b, " : "g @ b, ") + std::to_string(c.n) + " of " + std::to_string(c.L) + "x" +
           std::to_string(c.K) + " (+" + std::to_string(c.pad) + "), N " + std::to_string(c.N) + ", b kind " +
           std::to_string(c.b_kind) + (c.wide ? ", int64" : ", int32");
}

}  // namespace

TEST(GatherMatmul, SameBitsAsGatherThenMatmulOnAnyThreadCount) {
    uint32_t seed = 1200;
    int fused_cases = 0;
    for (const Case& c : kCases) {
        const Inputs in = make(c, seed += 4);
        const std::vector<float> want = separate(c, in);
        const bool expect = expect_fused(c);
        EXPECT_EQ(fuses(c, in), expect) << name(c);
        for (int threads : {1, 2, 3}) {
            int32_t done = -1;
            const Guarded<float> got = fused(c, in, threads, &done);
            EXPECT_EQ(done, expect ? 1 : 0) << name(c) << ", " << threads << " threads";
            if (done == 1) {
                EXPECT_EQ(std::memcmp(got.data(), want.data(), sizeof(float) * want.size()), 0)
                    << name(c) << ", " << threads << " threads: not nf_gather + nf_matmul's bits";
            } else {
                EXPECT_TRUE(std::all_of(got.begin(), got.end(), [](float v) { return v == 7.0f; }))
                    << name(c) << ": declined but wrote";
            }
        }
        fused_cases += expect;
    }
    if (wide_vectors()) EXPECT_GE(fused_cases, 12);
}

TEST(GatherMatmul, CloseToAFloat64Reference) {
    if (!wide_vectors()) GTEST_SKIP() << "no AVX-512 (or no SIMD clones): narrow_gemm declines, and so does this";
    uint32_t seed = 1300;
    for (const Case& c : kCases) {
        if (!expect_fused(c)) continue;
        const Inputs in = make(c, seed += 4);
        const std::vector<double> want = reference(c, in);
        int32_t done = -1;
        const Guarded<float> got = fused(c, in, 2, &done);
        ASSERT_EQ(done, 1) << name(c);
        const int64_t inner = c.tg ? c.n : c.K;
        for (size_t i = 0; i < want.size(); ++i)
            ASSERT_NEAR(got[i], want[i], 1e-6 * inner + 1e-5 * std::abs(want[i])) << name(c) << ", element " << i;
    }
}

TEST(GatherMatmul, ABadIndexFailsAsNfGatherBeforeWriting) {
    if (!wide_vectors()) GTEST_SKIP() << "declined before the indices are read without AVX-512";
    for (bool tg : {false, true}) {
        const Case c{6001, 784, 256, 50, 0, tg, tg, 0};
        for (int64_t bad : {int64_t{-1}, c.L}) {
            Inputs in = make(c, 1400);
            if (c.wide) in.i64[200] = bad;
            else in.i32[200] = static_cast<int32_t>(bad);
            std::vector<float> g(static_cast<size_t>(c.n * c.K));
            ASSERT_EQ(nf_gather(NF_FLOAT32, in.x.data(), &in.xl, 0, in.index_dtype(), in.indices(), c.n, g.data()),
                      NF_ERROR_INVALID_ARGUMENT);
            const std::string gather_msg = nf_last_error();
            int32_t done = -1;
            nf_status s = NF_OK;
            const Guarded<float> got = fused(c, in, 2, &done, &s);
            EXPECT_EQ(s, NF_ERROR_INVALID_ARGUMENT) << name(c) << ", index " << bad;
            EXPECT_EQ(done, 0);
            // The same message but for the function's name: "nf_gather: indices[200] = -1 is out of range ...".
            const std::string msg = nf_last_error(), prefix = "nf_gather_matmul";
            ASSERT_EQ(msg.rfind(prefix, 0), 0u) << msg;
            EXPECT_EQ(msg.substr(prefix.size()), gather_msg.substr(std::strlen("nf_gather"))) << msg;
            EXPECT_TRUE(std::all_of(got.begin(), got.end(), [](float v) { return v == 7.0f; })) << name(c) << ": wrote";
        }
    }
}

TEST(GatherMatmul, OtherDtypesAndLayoutsDecline) {
    const Case c{6001, 784, 256, 50, 0, false, false, 0};
    Inputs in = make(c, 1500);
    EXPECT_FALSE(fuses(c, in, NF_FLOAT64));
    in.xl.strides[1] = 2, in.xl.shape[1] = c.K / 2;  // every other column of x: not unit-stride
    Case half = c;
    half.K = c.K / 2;
    in.bl = contiguous({half.K, c.N});
    EXPECT_FALSE(fuses(half, in));
    int32_t done = -1;
    const nf_status s = nf_gather_matmul(NF_FLOAT32, in.x.data(), &in.xl, in.index_dtype(), in.indices(), c.n, 0,
                                         in.b.data(), &in.bl, nullptr, &in.ol, &done);
    EXPECT_EQ(s, NF_OK) << nf_last_error();
    EXPECT_EQ(done, 0);
}

TEST(GatherMatmul, RejectsBadArguments) {
    const Case c{6001, 784, 256, 50, 0, false, false, 0};
    const Inputs in = make(c, 1600);
    int32_t done = -1;
    Guarded<float> out(static_cast<size_t>(c.n * c.N), 7.0f);
    auto call = [&](const nf_layout& xl, const nf_layout& bl, const nf_layout& ol, int32_t tg, int32_t* f) {
        return nf_gather_matmul(NF_FLOAT32, in.x.data(), &xl, NF_INT32, in.indices(), c.n, tg, in.b.data(), &bl, out.data(),
                                &ol, f);
    };
    EXPECT_TRUE(fails_with(call(in.xl, in.bl, in.ol, 0, nullptr), NF_ERROR_INVALID_ARGUMENT, {"nf_gather_matmul", "fused"}));
    EXPECT_TRUE(fails_with(call(in.xl, in.bl, in.ol, 2, &done), NF_ERROR_INVALID_ARGUMENT, {"transpose_g"}));
    EXPECT_TRUE(fails_with(call(contiguous({c.L, c.K, 1}), in.bl, in.ol, 0, &done), NF_ERROR_INVALID_ARGUMENT,
                           {"x_layout.rank"}));
    EXPECT_TRUE(fails_with(call(in.xl, contiguous({c.K + 1, c.N}), in.ol, 0, &done), NF_ERROR_INVALID_ARGUMENT,
                           {"b_layout", "[784, N]"}));
    EXPECT_TRUE(fails_with(call(in.xl, in.bl, contiguous({c.n, c.N + 1}), 0, &done), NF_ERROR_INVALID_ARGUMENT,
                           {"out_layout", "[256, 50]"}));
    EXPECT_TRUE(fails_with(call(in.xl, in.bl, transposed(contiguous({c.N, c.n})), 0, &done), NF_ERROR_INVALID_ARGUMENT,
                           {"contiguous"}));
    EXPECT_TRUE(fails_with(nf_gather_matmul(NF_FLOAT32, in.x.data(), &in.xl, NF_FLOAT32, in.indices(), c.n, 0, in.b.data(),
                                            &in.bl, out.data(), &in.ol, &done),
                           NF_ERROR_INVALID_ARGUMENT, {"index_dtype"}));
    EXPECT_EQ(done, 0);
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](float v) { return v == 7.0f; }));
}
