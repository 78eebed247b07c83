// Float weight gradients x^T @ g with at most kSkinnyMaxCols columns summed over many rows (skinny_gemm.cpp).
#pragma once

#include <cstdint>

namespace nf {

constexpr int64_t kSkinnyMaxCols = 16;
// Only large products: below this the provider's GEMM (and its blocks on the pool) serve well.
constexpr int64_t kSkinnyMinMacs = int64_t{1} << 24;
// The summed dimension (rows of x) at least this long.
constexpr int64_t kSkinnyMinLong = 4096;

// Row-major C[M, N] (ldc) = op(A) @ op(B), as matmul.cpp's gemm: true when done here, false when
// it is not such a gradient (A not transposed, or too small or wide; the caller runs the provider's GEMM).
bool skinny_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float* C, int64_t ldc);

}  // namespace nf
