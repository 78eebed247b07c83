// Float products whose output has few columns (a dense layer's forward x @ W and its weight
// gradient x^T @ dy, up to kNarrowMaxCols units) run by narrow_gemm.cpp's AVX-512 register blocks
// instead of the provider's GEMM, which packs both operands for every block (native/README.md).
#pragma once

#include <cstdint>

#include "neuralflow.h"

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

// True when narrow_gemm runs this product (false: it returns false without doing anything).
bool narrow_gemm_takes(bool ta, bool tb, int64_t M, int64_t N, int64_t K);

// True when nf_matmul runs this float product (op(A) as matmul.cpp's gemm_threaded sees it) through
// narrow_gemm: skinny_gemm, tried first, does not take it and narrow_gemm does. The one choice,
// for nf_matmul and for nf_gather_matmul's promise of nf_matmul's bits (gather_matmul.cpp).
bool narrow_gemm_chosen(bool ta, bool tb, int64_t M, int64_t N, int64_t K);

// narrow_gemm(ta, false, M, N, K, g, ld, B, ldb, C, ldc) on g = x's rows indices[0, n) gathered
// into a packed [n, ld] matrix (n = K when ta: the summed index picks the row; else M), with the
// same bits, reading x's rows where they are (issue 17: a shuffled batch is multiplied without
// copying it). x's rows have unit column stride and row stride ldx; indices are nf_gather's
// (index_at), all in range. Only for a product narrow_gemm_takes(ta, false, M, N, K).
void narrow_gemm_rows(bool ta, int64_t M, int64_t N, int64_t K, const float* x, int64_t ldx, nf_dtype index_dtype,
                      const void* indices, const float* B, int64_t ldb, float* C, int64_t ldc);

}  // namespace nf
