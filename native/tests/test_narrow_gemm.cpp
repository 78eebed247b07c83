// Narrow float products (at most 256 output columns, from 2^19 multiply-adds: cpu/narrow_gemm.cpp):
// a dense layer's forward x @ W and weight gradient x^T @ dy, against a float64 product, with x
// read in place through a row stride past its columns, guard values after C, and the same bits
// on 1, 2 and 4 threads. On an AVX-512 machine the exact order of every sum is also checked (which
// only narrow_gemm.cpp's loops produce, so a product silently left to the provider fails it).
#include "test_util.h"

using namespace nft;

namespace {

struct Case {
    int64_t M, N, K;
    bool ta;  // op(A) = A^T, A stored [K, M]: a weight gradient
};

// The workshop's dense layer (784 -> 50, batch 256), the MLP's last layer (512 -> 10), and sizes
// around the loops' edges: N with no, one, two or fifteen columns past a whole 16, 64 and 65; rows that leave a part of a row block; K with a partial 16 and K
// past a chunk.
const Case kCases[] = {
    {256, 50, 784, false}, {784, 50, 256, true}, {256, 10, 512, false}, {512, 10, 256, true},
    {101, 33, 300, false}, {99, 47, 301, true},  {37, 64, 785, false},  {300, 17, 129, true},
    {255, 16, 257, false}, {257, 31, 255, true}, {64, 48, 1000, false}, {1000, 49, 70, true},
    {130, 65, 300, false}, {300, 65, 130, true}, {80, 2, 4000, true},   {600, 63, 33, false},
    // Wider: column groups of 3 + 3 vectors and 4 last columns, 3 + 3 + 3, 4 x 4 (the most taken), 257.
    {50, 100, 200, false}, {61, 144, 90, true},  {33, 256, 70, false},  {70, 256, 33, true}, {60, 257, 40, false},
    // K past one chunk of 1024 (each chunk continues C's sums): forward, gradient, gradient's last columns.
    {40, 50, 2500, false}, {70, 37, 2100, true}, {200, 3, 1500, true},
};

// A's storage with a row stride `pad` floats past its columns (a column slice of a wider array).
struct Input {
    int64_t rows, cols, ld;
    std::vector<float> a, b;
};

Input make_input(const Case& c, int64_t pad, uint32_t seed) {
    const int64_t rows = c.ta ? c.K : c.M, cols = c.ta ? c.M : c.K;
    return {rows, cols, cols + pad, random_values<float>(rows * (cols + pad), -1, 1, seed),
            random_values<float>(c.K * c.N, -1, 1, seed + 1)};
}

float a_at(const Case& c, const Input& in, int64_t i, int64_t k) {
    return c.ta ? in.a[k * in.ld + i] : in.a[i * in.ld + k];
}

// C through nf_matmul on `threads` threads; EXPECTs the guard values after C intact.
std::vector<float> product(const Case& c, const Input& in, int threads) {
    const int32_t saved = nf_threads_get();
    EXPECT_EQ(nf_threads_set(threads), NF_OK);
    nf_layout al = contiguous({in.rows, in.ld});
    al.shape[1] = in.cols;
    const nf_layout aop = transposed_if(c.ta, al), bl = contiguous({c.K, c.N}), cl = contiguous({c.M, c.N});
    Guarded<float> out(static_cast<size_t>(c.M * c.N), 99.0f);
    EXPECT_EQ(nf_matmul(NF_FLOAT32, in.a.data(), &aop, in.b.data(), &bl, out.data(), &cl), NF_OK) << nf_last_error();
    EXPECT_EQ(nf_threads_set(saved), NF_OK);
    return out.values();
}

std::string name(const Case& c) {
    return std::to_string(c.M) + "x" + std::to_string(c.N) + "x" + std::to_string(c.K) + (c.ta ? " (x^T @ dy)" : "");
}

}  // namespace

TEST(NarrowGemm, MatchesFloat64AndGivesTheSameBitsOnAnyThreadCount) {
    uint32_t seed = 500;
    for (const Case& c : kCases) {
        const Input in = make_input(c, 5, seed += 2);
        const auto got = product(c, in, 1);
        std::vector<double> want(static_cast<size_t>(c.M * c.N));
        for (int64_t i = 0; i < c.M; ++i)
            for (int64_t j = 0; j < c.N; ++j) {
                double s = 0;
                for (int64_t k = 0; k < c.K; ++k) s += double(a_at(c, in, i, k)) * double(in.b[k * c.N + j]);
                want[i * c.N + j] = s;
            }
        const double tol = 2e-5 * std::sqrt(double(c.K) + 1);
        EXPECT_TRUE(all_close(got.data(), want, tol, tol, name(c)));
        for (int threads : {2, 4}) EXPECT_TRUE(product(c, in, threads) == got) << name(c) << ", " << threads << " threads";
    }
}

// x read in place through its row stride gives the same bits as its contiguous copy.
TEST(NarrowGemm, StridedRowsGiveTheSameBitsAsAContiguousCopy) {
    for (const Case& c : {kCases[0], kCases[1], kCases[5]}) {
        const Input wide = make_input(c, 7, 900);
        Input tight{wide.rows, wide.cols, wide.cols, std::vector<float>(static_cast<size_t>(wide.rows * wide.cols)), wide.b};
        for (int64_t r = 0; r < wide.rows; ++r)
            for (int64_t k = 0; k < wide.cols; ++k) tight.a[r * wide.cols + k] = wide.a[r * wide.ld + k];
        EXPECT_TRUE(product(c, wide, 2) == product(c, tight, 2)) << name(c);
    }
}

// On AVX-512 every output of a taken product is one chain of FMAs in k order, except a forward's
// last N % 16 columns: 16 lane chains (lane k % 16) added as one tree (l + l+8, + 4, + 2, + 1).
// Replayed here in scalar code, bit for bit.
TEST(NarrowGemm, SumsInTheDocumentedOrder) {
#if defined(NF_NO_SIMD_CLONES)
    // The sanitizer build (native/CMakeLists.txt) defines it for the library and these tests alike;
    // without the AVX-512 clone, cpu/wide_vectors.h declines and the provider runs these products.
    GTEST_SKIP() << "built without SIMD clones (sanitizer build): the provider runs these products";
#elif defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
    if (!__builtin_cpu_supports("x86-64-v4")) GTEST_SKIP() << "no AVX-512 here: the provider runs these products";
#else
    GTEST_SKIP() << "the AVX-512 loops are built with GCC on x86-64 only";
#endif
    uint32_t seed = 700;
    for (const Case& c : kCases) {
        if (c.N > 256 || (!c.ta && c.N < 16) || c.M * c.N * c.K < (1 << 19)) continue;  // declined: the provider's sums
        const Input in = make_input(c, 3, seed += 2);
        const auto got = product(c, in, 2);
        const int64_t whole = c.N / 16 * 16;
        for (int64_t i = 0; i < c.M; ++i)
            for (int64_t j = 0; j < c.N; ++j) {
                float want;
                if (c.ta || j < whole) {
                    want = 0.0f;
                    for (int64_t k = 0; k < c.K; ++k) want = std::fmaf(a_at(c, in, i, k), in.b[k * c.N + j], want);
                } else {
                    float lane[16] = {};
                    for (int64_t k = 0; k < c.K; ++k)
                        lane[k % 16] = std::fmaf(a_at(c, in, i, k), in.b[k * c.N + j], lane[k % 16]);
                    for (int w = 8; w >= 1; w /= 2)
                        for (int l = 0; l < w; ++l) lane[l] += lane[l + w];
                    want = lane[0];
                }
                ASSERT_EQ(got[i * c.N + j], want) << name(c) << " at (" << i << ", " << j << ")";
            }
    }
}
