// Float weight gradients with a thin output summed over many rows, which the GEMM provider runs
// at a fraction of its speed: a full-batch logistic regression's x^T [784, 60000] @ g [60000, 10].
// OpenBLAS cuts the long summed dimension into panels it packs, each reused only N = 10 times,
// and our row blocks of C each stream a strided slice of every row of x: 17-19 ms here. These
// loops read x once, in chunks of rows that stay in cache, each part of the rows summing its
// outer products into its own partial: 10 ms on the two cores.
// (The logits x @ w of the same model stay with the provider: without FMA, which the SIMD
// clones may not use, a dot-product loop here ran at half the provider's speed.)
//
// Results depend on the sizes only (parts fixed by the sizes, partial sums combined in part
// order), so they are the same bits on any number of threads and for every SIMD clone (no FMA
// contraction, no reassociation: see simd.h).
#include <algorithm>
#include <cstring>
#include <vector>

#include "cpu/parallel.h"
#include "cpu/simd.h"
#include "cpu/skinny_gemm.h"

// V16 below is passed between always-inlined helpers only, never across an ABI boundary.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace nf {
namespace {

constexpr int kLanes = 16;       // one AVX-512 vector of floats; two AVX2 or four SSE vectors
constexpr int kCols = 4;         // output columns per pass (padded with zero columns)
constexpr int kGradVectors = 4;  // columns of x (rows of the gradient) per register block: 4 x 16
constexpr int64_t kGradRows = 64;  // rows of x per chunk: ~200 KB at K = 784, stays in L2

// A vector of 16 floats that the compiler keeps in registers (a float[16] accumulator ends up
// on the stack, with a store-to-load round trip per add); each clone lowers it to its widest
// vectors. Loads and stores go through memcpy: the rows need not be aligned.
typedef float V16 __attribute__((vector_size(64)));

NF_INLINE V16 load16(const float* p) {
    V16 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

NF_INLINE void store16(float* p, V16 v) { std::memcpy(p, &v, sizeof v); }

// partial[j][m] (npad x M) += sum over rows r of [r0, r1): A[r][m] * bp[r][j], bp packed [K][npad]:
// chunks of rows that stay in cache, and in each a register block of 64 columns of A by kCols
// columns of B, accumulated over the chunk's rows.
NF_SIMD_CLONES void gradient_rows(const float* A, int64_t lda, const float* bp, int64_t M, int64_t npad,
                                  float* partial, int64_t r0, int64_t r1) {
    constexpr int block = kGradVectors * kLanes;
    for (int64_t c0 = r0; c0 < r1; c0 += kGradRows) {
        const int64_t c1 = std::min(r1, c0 + kGradRows);
        for (int64_t j0 = 0; j0 < npad; j0 += kCols) {
            int64_t m0 = 0;
            for (; m0 + block <= M; m0 += block) {
                V16 acc[kCols][kGradVectors];
                for (int c = 0; c < kCols; ++c)
                    for (int v = 0; v < kGradVectors; ++v) acc[c][v] = load16(partial + (j0 + c) * M + m0 + v * kLanes);
                for (int64_t r = c0; r < c1; ++r) {
                    const float* a = A + r * lda + m0;
                    const float* b = bp + r * npad + j0;
                    V16 av[kGradVectors];
                    for (int v = 0; v < kGradVectors; ++v) av[v] = load16(a + v * kLanes);
                    for (int c = 0; c < kCols; ++c)
                        for (int v = 0; v < kGradVectors; ++v) acc[c][v] += b[c] * av[v];
                }
                for (int c = 0; c < kCols; ++c)
                    for (int v = 0; v < kGradVectors; ++v) store16(partial + (j0 + c) * M + m0 + v * kLanes, acc[c][v]);
            }
            for (int64_t r = c0; r < c1; ++r)  // the last columns of x, fewer than a block
                for (int c = 0; c < kCols; ++c)
                    for (int64_t m = m0; m < M; ++m) partial[(j0 + c) * M + m] += bp[r * npad + j0 + c] * A[r * lda + m];
        }
    }
}

int64_t padded(int64_t n) { return (n + kCols - 1) / kCols * kCols; }

}  // namespace

bool skinny_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float* C, int64_t ldc) {
    if (N > kSkinnyMaxCols || sat_mul(M * N, K) < kSkinnyMinMacs || !ta || K < kSkinnyMinLong) return false;
    const int64_t npad = padded(N);
    // B's element (k, j), whichever way it is stored.
    auto b_at = [&](int64_t k, int64_t j) { return tb ? B[j * ldb + k] : B[k * ldb + j]; };
    // A is stored [K][M]; each part sums its rows' outer products into its own partial, and the
    // partials are added in part order.
    std::vector<float> bp(static_cast<size_t>(K * npad), 0.0f);
    for (int64_t k = 0; k < K; ++k)
        for (int64_t j = 0; j < N; ++j) bp[k * npad + j] = b_at(k, j);
    const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(kMaxParts, K / 512));
    std::vector<float> partials(static_cast<size_t>(parts * npad * M), 0.0f);
    parallel_parts(K, parts, [&](int, int64_t p, int64_t r0, int64_t r1) {
        gradient_rows(A, lda, bp.data(), M, npad, partials.data() + p * npad * M, r0, r1);
    });
    for (int64_t m = 0; m < M; ++m)
        for (int64_t j = 0; j < N; ++j) {
            float s = partials[j * M + m];
            for (int64_t p = 1; p < parts; ++p) s += partials[(p * npad + j) * M + m];
            C[m * ldc + j] = s;
        }
    return true;
}

}  // namespace nf
