// nf_matmul: batched out = a @ b through the GEMM provider (OpenBLAS or Eigen).
//
// Each operand's last two axes are viewed as a logical matrix (rows, cols, row stride,
// col stride); a transposed operand comes as a layout with those axes swapped. A matrix the GEMM can read in place
// (row-major or column-major with a leading dimension) is passed straight through with the
// matching transpose flag; anything else (negative, zero or interleaved strides) is packed
// into a contiguous temporary first. Batch axes are walked in the output's order, with
// stride 0 (or size 1) broadcasting a or b.
#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/intmath.h"
#include "common/layout.h"
#include "common/matrix.h"
#include "cpu/narrow_gemm.h"
#include "cpu/pack_matrix.h"
#include "cpu/parallel.h"
#include "cpu/skinny_gemm.h"

#if defined(NF_GEMM_OPENBLAS)
#include <cblas.h>
#elif defined(NF_GEMM_EIGEN)
#include <Eigen/Core>
#endif

namespace nf {
namespace {

// Row-major C[M,N] (leading dim ldc) = op(A) @ op(B); A is stored [M,K] (or [K,M] when
// ta) with leading dim lda, likewise B. All sizes fit int (checked by the caller).
template <class T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B, int64_t ldb,
          T* C, int64_t ldc) {
#if defined(NF_GEMM_OPENBLAS)
    const CBLAS_TRANSPOSE tra = ta ? CblasTrans : CblasNoTrans, trb = tb ? CblasTrans : CblasNoTrans;
    if constexpr (std::is_same_v<T, float>)
        cblas_sgemm(CblasRowMajor, tra, trb, (int)M, (int)N, (int)K, 1.0f, A, (int)lda, B, (int)ldb, 0.0f, C, (int)ldc);
    else
        cblas_dgemm(CblasRowMajor, tra, trb, (int)M, (int)N, (int)K, 1.0, A, (int)lda, B, (int)ldb, 0.0, C, (int)ldc);
#elif defined(NF_GEMM_EIGEN)
    using RM = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using CMap = Eigen::Map<const RM, 0, Eigen::OuterStride<>>;
    CMap a(A, ta ? K : M, ta ? M : K, Eigen::OuterStride<>(lda));
    CMap b(B, tb ? N : K, tb ? K : N, Eigen::OuterStride<>(ldb));
    Eigen::Map<RM, 0, Eigen::OuterStride<>> c(C, M, N, Eigen::OuterStride<>(ldc));
    if (!ta && !tb) c.noalias() = a * b;
    else if (ta && !tb) c.noalias() = a.transpose() * b;
    else if (!ta && tb) c.noalias() = a * b.transpose();
    else c.noalias() = a.transpose() * b.transpose();
#endif
}

// Threads for one GEMM, by size:
//  - below kGemmSplitMacs: one GEMM on the caller (a hand-off would cost more than it saves);
//  - above: the product is cut into row (or column) blocks, one single-threaded GEMM each,
//    claimed from our pool like any other parts. A block held up by another process delays
//    only itself, and once the pool has seen our cores contended (pool_contended) the caller
//    runs every block itself (pool_run), so nothing waits on a worker. The blocks depend on
//    the sizes only, so the result is the same bits on 1 or 8 threads, quiet or loaded (the
//    provider's edge kernels may round differently from its main ones, so one unsplit GEMM
//    need not match).
// The provider's own threads are never used. They once ran the products from 2^24
// multiply-adds (sharing packed panels between threads), but the OpenMP build of OpenBLAS
// parks its idle team in a spin of ~300K iterations after every call, and a fork/join team
// waits for a descheduled member: measured on the 2-core dev box with one core busy (a spin
// loop), the CNN of benchmarks/peers.sh --cnn took 32-36 s an epoch, 20-21 s with
// OMP_WAIT_POLICY=passive or on one thread, and PyTorch 28 s. The spin also takes the core
// from our own pool worker on a quiet machine. Each block calls the provider with one thread
// (set_gemm_threads(1): no OpenMP region at all); the OpenMP OpenBLAS reads the calling
// thread's OpenMP thread count on every call, so this is per call and per thread.
//
// What a block costs. Each block is a GEMM of its own, so it packs its own copy of the whole
// other operand (a block of C's columns re-packs all of op(A), a block of rows all of op(B)):
// about 30-40 us per block for the 256x784 input of a dense layer, against 1.0 ms for the
// whole 256x784x512 product on one core (OpenBLAS's Cooperlake kernels reach ~100 G
// multiply-adds/s per core here, Zen 5 with full-width AVX-512). Measured serially on one
// core (median of 100; the other core ran other work, load average 1-2), 256x784x512 took 1.0 ms as
// one GEMM, 1.02-1.09 in 2 column blocks, 1.16 in 4, 1.22 in 8 (64 columns each, the old
// blocking); 784x512x256 (x^T @ dz) 0.99-1.20 / 1.0-1.08 / 1.10-1.18 / 1.26 in 1 / 2 / 4 / 8
// row blocks. The same held for the conv products (cols^T @ dy, [288, 7744] @ [7744, 64]:
// 2.27 ms as one GEMM, 18 blocks of 16 rows 3.20 ms, 8 of 36 2.74, 4 of 72 2.49, 2 of 144
// 2.32). So blocks are large: about kGemmBlockMacs multiply-adds (~0.3 ms on one core) or
// more, a power of two of them (an even count keeps both cores of a 2-core machine busy to
// the end: 3 blocks on 2 threads take as long as 4), and at least 2 (both cores) from
// kGemmSplitMacs. Through nf_matmul (medians of 200 interleaved rounds, load average 3.5 from
// other work), the 8 products of the 784-512-512-10 MLP's training step
// at batch 256 (3 forward, 5 backward) took 2.77 ms on 2 threads with the old blocks (2^21
// multiply-adds each, 2^23 past 2^24), 2.42 with blocks of 2^24, 2.30 with blocks of 2^25
// (these), and with nf_threads_set(1) 5.37 / 4.88 / 4.68 ms. End to end (the replayed
// training steps of benchmarks/NeuralFlow.Peers mlp and custom_loop_function, one process
// switching between the old blocks and these every 20 steps, median step of 30-40 switches,
// three runs, load average 2.7-3.6 from other work): MLP SGD 7.62 -> 7.27, 3.83 -> 2.90 and
// 3.83 -> 3.48 ms, Adam 3.99 -> 3.67, 8.51 -> 8.05 and 3.15 -> 2.74, the workshop step 0.79 ->
// 0.79, 0.336 -> 0.326 and 0.224 -> 0.220; with one core also kept busy (busy_core.sh spin)
// 16.4 -> 14.6, 11.2 -> 10.3 and 5.68 -> 5.19, 12.3 -> 11.5, 6.58 -> 6.08 and 6.91 -> 6.27,
// 1.16 -> 1.04, 0.465 -> 0.372 and 0.569 -> 0.464. Never slower; the spread between runs is
// the machine's other load. Of the step's CPU time on the main thread (perf, new blocks), the
// GEMMs are 80%, all other kernels (fused elementwise, softmax cross-entropy, SGD) 8%.
// The price: blocks depend on the sizes only, so a product gets no more blocks on a machine
// with more cores; the MLP's 256x512x512 products use at most 2 threads, its 100M
// multiply-add products 2 (they would need 2^27 multiply-adds for 4).
//
// Small products (from kGemmSplitMacs = 2^20) go in two halves, which OpenBLAS 0.3.21 runs in
// its small-matrix kernels (calls up to about 100^3 multiply-adds) without packing: the MLP's
// h2 @ W3 (256x10x512) took 41 us as one GEMM and 25 us as two row blocks run serially, its
// h2^T @ dy (512x10x256) 45-56 us and 18 us (perf: sgemm_small_kernel_b0_nt for the halves;
// for the whole, the packed kernel with a third of its time in sgemm_otcopy).
constexpr int64_t kGemmSplitMacs = int64_t{1} << 20;
constexpr int64_t kGemmBlockMacs = int64_t{1} << 25;
// Blocks are whole micro-kernel tiles, so that only the last block runs the provider's edge code.
constexpr int64_t kGemmBlockEdge = 16;

// How a product of `macs` multiply-adds is cut: `parts` blocks of whole tiles along the longer
// side of C (rows when by_rows). Sizes only: never the thread count or the load.
struct GemmBlocks {
    bool by_rows;
    int64_t tiles, parts;
};

GemmBlocks gemm_blocks(int64_t M, int64_t N, int64_t K) {
    const int64_t macs = sat_mul(M * N, K);  // M, N fit int
    const bool by_rows = M >= N;
    const int64_t tiles = ((by_rows ? M : N) + kGemmBlockEdge - 1) / kGemmBlockEdge;
    if (macs < kGemmSplitMacs) return {by_rows, tiles, 1};
    int64_t parts = 2;
    while (parts * 2 <= macs / kGemmBlockMacs) parts *= 2;
    return {by_rows, tiles, std::min(tiles, parts)};
}

template <class T>
void gemm_threaded(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
                   int64_t ldb, T* C, int64_t ldc) {
    if constexpr (std::is_same_v<T, float>)
        // narrow_gemm_chosen: skinny_gemm first, then narrow_gemm (the choice nf_gather_matmul also asks).
        if ((narrow_gemm_chosen(ta, tb, M, N, K) && narrow_gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc)) ||
            skinny_gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc))
            return;
    set_gemm_threads(1);
    const GemmBlocks g = gemm_blocks(M, N, K);
    if (g.parts < 2) {
        gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc);
        return;
    }
    const int64_t len = g.by_rows ? M : N;
    parallel_parts(g.tiles, g.parts, [&](int, int64_t, int64_t t0, int64_t t1) {
        set_gemm_threads(1);
        const int64_t i0 = t0 * kGemmBlockEdge, i1 = std::min(len, t1 * kGemmBlockEdge);
        if (g.by_rows)  // rows i0..i1 of op(A) and of C
            gemm(ta, tb, i1 - i0, N, K, ta ? A + i0 : A + i0 * lda, lda, B, ldb, C + i0 * ldc, ldc);
        else  // columns i0..i1 of op(B) and of C
            gemm(ta, tb, M, i1 - i0, K, A, lda, tb ? B + i0 * ldb : B + i0, ldb, C + i0, ldc);
    });
}

template <class T>
void matmul(const T* a, const Operand& A, const T* b, const Operand& B, T* c, const nf_layout& ol) {
    const int nb = ol.rank - 2;
    const int64_t M = A.m.rows, K = A.m.cols, N = B.m.cols;
    const int64_t batches = numel_of(ol.shape, nb);
    if (M == 0 || N == 0 || batches == 0) return;
    if (K == 0) {
        std::memset(c, 0, sizeof(T) * static_cast<size_t>(batches * M * N));
        return;
    }
    bool ta = false, tb = false;
    int64_t lda = 0, ldb = 0;
    const bool a_direct = blas_form(A.m, &ta, &lda), b_direct = blas_form(B.m, &tb, &ldb);

    // Dense layer on a batch: b shared by every batch and a's batches stacked row-major right
    // after each other -> one GEMM with M * batches rows instead of `batches` small ones.
    bool b_shared = true;
    for (int d = 0; d < nb; ++d) b_shared = b_shared && (B.batch_strides[d] == 0 || ol.shape[d] == 1);
    if (nb > 0 && batches > 1 && b_shared && a_direct && !ta && M * batches <= INT_MAX) {
        bool stacked = true;
        int64_t expect = M * lda;
        for (int d = nb - 1; d >= 0 && stacked; --d) {
            if (ol.shape[d] == 1) continue;
            stacked = A.batch_strides[d] == expect;
            expect *= ol.shape[d];
        }
        if (stacked && b_direct) {
            gemm_threaded(false, tb, M * batches, N, K, a, lda, b, ldb, c, N);
            return;
        }
    }

    std::vector<T> abuf, bbuf;
    auto one = [&](int64_t i) {
        const T* pa = a + offset_of(i, ol.shape, A.batch_strides, nb);
        const T* pb = b + offset_of(i, ol.shape, B.batch_strides, nb);
        bool ta1 = ta, tb1 = tb;
        int64_t lda1 = lda, ldb1 = ldb;
        if (!a_direct) { pa = pack(pa, A.m, abuf); ta1 = false; lda1 = K; }
        if (!b_direct) { pb = pack(pb, B.m, bbuf); tb1 = false; ldb1 = N; }
        gemm_threaded(ta1, tb1, M, N, K, pa, lda1, pb, ldb1, c + i * M * N, N);
    };
    // Many small products: one GEMM per thread at a time beats threading inside each tiny
    // GEMM (the provider runs single-threaded inside our parallel region). Only without
    // packing, which allocates and so must not run inside the region.
    // M, N and K each fit int, but their product need not fit int64.
    const int64_t flops = sat_mul(M * N, K);
    if (batches >= 2 && a_direct && b_direct && flops <= 64 * 64 * 64) {
        parallel_chunks(batches, flops / 8, [&](int64_t s, int64_t e) {
            for (int64_t i = s; i < e; ++i) one(i);
        });
        return;
    }
    for (int64_t i = 0; i < batches; ++i) one(i);
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_matmul(nf_dtype dtype, const void* a, const nf_layout* a_layout, const void* b,
                                      const nf_layout* b_layout, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_matmul";
    return nf::guard(fn, [&] {
        const nf::MatmulArgs m = nf::check_matmul(fn, dtype, a, a_layout, b, b_layout, out, out_layout);
        const nf_layout &al = *a_layout, &bl = *b_layout, &ol = *out_layout;
        const nf::Operand A = nf::make_operand(al, ol);
        const nf::Operand B = nf::make_operand(bl, ol);
        if (m.out_numel == 0) return;
        if (dtype == NF_FLOAT32)
            nf::matmul(static_cast<const float*>(a) + al.offset, A, static_cast<const float*>(b) + bl.offset, B,
                       static_cast<float*>(out) + ol.offset, ol);
        else
            nf::matmul(static_cast<const double*>(a) + al.offset, A, static_cast<const double*>(b) + bl.offset, B,
                       static_cast<double*>(out) + ol.offset, ol);
    });
}
