// Float products whose output has few columns (a dense layer's forward x @ W and its weight
// gradient x^T @ dy, up to kNarrowMaxCols units) run by narrow_gemm.cpp's AVX-512 register blocks
// instead of the provider's GEMM, which packs both operands for every block (native/README.md).
#pragma once

#include <cstdint>

namespace nf {

// Output columns at most (wider: the provider's packed kernels win, narrow_gemm.cpp's header).
constexpr int64_t kNarrowMaxCols = 64;
// Multiply-adds at least: below, the provider's small-matrix kernels serve as well.
constexpr int64_t kNarrowMinMacs = int64_t{1} << 18;

// Row-major C[M, N] (ldc) = op(A) @ B, as matmul.cpp's gemm, B not transposed: true when done
// here; false when the product is not narrow (N > kNarrowMaxCols), too small, has B transposed,
// or the machine lacks AVX-512 (cpu/wide_vectors.h): the caller runs the provider's GEMM.
// Every output is one sum in k order, so the bits do not depend on the thread count.
bool narrow_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float* C, int64_t ldc);

}  // namespace nf
