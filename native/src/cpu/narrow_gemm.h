// Float products whose output has few columns (a dense layer's forward x @ W and its weight
// gradient x^T @ dy, up to kNarrowMaxCols units) run by narrow_gemm.cpp's AVX-512 register blocks
// instead of the provider's GEMM, which packs both operands for every block (native/README.md).
#pragma once

#include <cstdint>

namespace nf {

// Output columns at most. Measured on two threads against the provider (native/bench/
// narrow_gemm_bench.cpp, load average 4 from other jobs): x @ W at 256x784 and x^T @ dy at 784x256
// took 0.79 / 0.82 of its time at N = 64, 0.84 / 0.88 at 128, 0.87 / 0.91 at 256, and 1.13 / 0.92
// at 512 (the MLP's layers), where its packed kernels win.
constexpr int64_t kNarrowMaxCols = 256;
// A weight gradient's stored x [K, M] at most this many floats (16 MB; narrow_gemm.cpp).
constexpr int64_t kNarrowMaxGradientFloats = int64_t{1} << 22;
// Multiply-adds at least: below, the provider's small-matrix kernels serve as well (64x50x128, 2^18.6:
// 4.5 us against 4.9). Above matmul.cpp's batched products (at most 64^3 = 2^18 each, one per
// thread of a parallel region), so this never runs inside a part, where its scratch could not grow.
constexpr int64_t kNarrowMinMacs = int64_t{1} << 19;

// Row-major C[M, N] (ldc) = op(A) @ B, as matmul.cpp's gemm, B not transposed: true when done
// here; false when the product is not narrow (N > kNarrowMaxCols), too small, has B transposed,
// is a gradient over a large x,
// or the machine lacks AVX-512 (cpu/wide_vectors.h): the caller runs the provider's GEMM.
// Every output is one sum in k order, so the bits do not depend on the thread count.
bool narrow_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float* C, int64_t ldc);

}  // namespace nf
