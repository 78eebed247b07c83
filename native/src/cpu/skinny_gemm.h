// Float products with at most kSkinnyMaxCols output columns over a long dimension (skinny_gemm.cpp):
// the logits x @ w and the weight gradient x^T @ g of a linear layer on many rows.
#pragma once

#include <cstdint>
#include <vector>

namespace nf {

constexpr int64_t kSkinnyMaxCols = 16;
// Only large products: below this the provider's GEMM (and its blocks on the pool) serve well.
constexpr int64_t kSkinnyMinMacs = int64_t{1} << 24;
// The long dimension (rows of x: the summed one of a gradient, the output rows of logits) at least this long.
constexpr int64_t kSkinnyMinLong = 4096;
// Logits only: rows of x at least this long (shorter rows would leave most of the 16 lanes idle).
constexpr int64_t kSkinnyMinDepth = 64;

// Row-major C[M, N] (ldc) = op(A) @ op(B), as matmul.cpp's gemm: true when done here, false when
// it is not such a product (too small or too wide, or A transposed with a short K) or the
// machine lacks AVX-512 (cpu/wide_vectors.h: its register blocks spill on
// AVX2 and SSE2): the caller runs the provider's GEMM. Either A not
// transposed with M >= kSkinnyMinLong (logits) or A transposed with K >= kSkinnyMinLong (gradient).
bool skinny_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float* C, int64_t ldc);

// ---- the blocks skinny_gemm is made of, shared with the fused linear cross-entropy step
// (linear_cross_entropy.cpp), so that both sum every output in one order.

// Rows of x per chunk of the gradient (~200 KB at K = 784: stays in L2 while it is summed).
constexpr int64_t kSkinnyGradRows = 64;

// True when skinny_gemm runs the product: gradient, A^T [M, K] @ B [K, N] with A stored [K][M];
// otherwise logits, A [M, K] @ B [K, N].
bool skinny_takes(bool gradient, int64_t M, int64_t N, int64_t K);

// Parts a product over `long_dim` rows of x is cut into (by the size alone: the same bits on any
// thread count); parallel_parts(long_dim, parts) gives each part's rows.
int64_t skinny_parts(int64_t long_dim);

// M rounded up to 16: the row length of a gradient partial.
int64_t skinny_padded(int64_t M);

// The logits' right operand B [K, N] (element (k, j) at B[k * row_stride + j * col_stride]),
// packed transposed [N][kp] (kp: K rounded up to 16, zeros after K), 64-byte aligned.
struct SkinnyPackedB {
    int64_t n, k, kp;
    std::vector<float> v;
    float* p;
    SkinnyPackedB(int64_t N, int64_t K, const float* B, int64_t row_stride, int64_t col_stride);
};

// C rows [0, rows) (ldc) = A rows [0, rows) (lda) @ b; `ahead`: rows of A after these that may be
// prefetched. Each output is one row's sum in a fixed order, whatever rows share the call.
void skinny_logits_rows(const SkinnyPackedB& b, const float* A, int64_t lda, float* C, int64_t ldc, int64_t rows,
                        int64_t ahead);

// part[j][m] (j < N, m < M, row stride mp) += sum over r < rows, in r order, of A[r][m] * bp[r][j]
// (A: rows of lda floats, bp: rows of N floats), in chunks of kSkinnyGradRows rows; `ahead`: rows
// of A after these that may be prefetched. Summing a part's rows in one call or chunk by chunk
// in order gives the same bits.
void skinny_gradient_rows(int64_t N, const float* A, int64_t lda, const float* bp, int64_t M, float* part, int64_t mp,
                          int64_t rows, int64_t ahead);

// The calling thread's buffer for `parts` gradient partials of N x mp floats (not zeroed).
float* skinny_gradient_partials(int64_t parts, int64_t N, int64_t mp);

// C[m][j] (ldc) = the sum of the parts' partials, added in part order (overwrites partial 0).
void skinny_gradient_finish(float* partials, int64_t parts, int64_t N, int64_t M, int64_t mp, float* C, int64_t ldc);

}  // namespace nf
