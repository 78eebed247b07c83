// Float products with at most kSkinnyMaxCols output columns over a long dimension (skinny_gemm.cpp):
// the logits x @ w and the weight gradient x^T @ g of a linear layer on many rows.
#pragma once

#include <cstdint>

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

}  // namespace nf
