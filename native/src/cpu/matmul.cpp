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
#include "cpu/parallel.h"

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
//  - up to kGemmProviderMacs: the product is cut into row (or column) blocks, one
//    single-threaded GEMM each, claimed from our pool like any other parts. These are the
//    products of a training step (256x784x50: 105 us on one thread, 60-70 us in blocks on two
//    here), too short to wait a scheduler slice for a descheduled thread: a block held up by
//    another process delays only itself, and once the pool has seen our cores contended
//    (pool_contended) the caller runs every block itself, so nothing waits on a worker.
//    The blocks depend on the sizes only, so the result is the same bits on 1 or 8 threads,
//    quiet or loaded (the provider's edge kernels round differently from its main ones, so
//    one unsplit GEMM would not match). Running them serially costs 5-15% over one GEMM.
//  - from kGemmProviderMacs up: the provider's own threads, which share packed panels between
//    threads (blocks would each repack the whole other operand) and whose milliseconds-long
//    calls dwarf a late start. There the result may differ in the last bits between thread
//    counts, as with every BLAS.
// The OpenMP OpenBLAS reads the calling thread's OpenMP thread count on every call, so
// set_gemm_threads is per call and per thread (nothing global changes under another thread's
// GEMM).
constexpr int64_t kGemmSplitMacs = int64_t{1} << 22;
constexpr int64_t kGemmProviderMacs = int64_t{1} << 24;  // 256^3
// Work per block (about 20 us on one core here) and the block edge granularity (whole
// micro-kernel tiles, so that only the last block runs the provider's edge code).
constexpr int64_t kGemmBlockMacs = int64_t{1} << 21;
constexpr int64_t kGemmBlockEdge = 16;

template <class T>
void gemm_threaded(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
                   int64_t ldb, T* C, int64_t ldc) {
    const int nt = threads();
    const int64_t macs = sat_mul(M * N, K);  // M, N fit int
    if (nt > 1 && macs >= kGemmProviderMacs) {
        set_gemm_threads(nt);
        gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc);
        return;
    }
    set_gemm_threads(1);
    // Blocks of whole tiles along the longer side of C.
    const bool by_rows = M >= N;
    const int64_t len = by_rows ? M : N;
    const int64_t tiles = (len + kGemmBlockEdge - 1) / kGemmBlockEdge;
    const int64_t parts = std::min(tiles, macs / kGemmBlockMacs);
    if (macs < kGemmSplitMacs || parts < 2) {
        gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc);
        return;
    }
    parallel_parts(tiles, parts, [&](int, int64_t, int64_t t0, int64_t t1) {
        set_gemm_threads(1);
        const int64_t i0 = t0 * kGemmBlockEdge, i1 = std::min(len, t1 * kGemmBlockEdge);
        if (by_rows)  // rows i0..i1 of op(A) and of C
            gemm(ta, tb, i1 - i0, N, K, ta ? A + i0 : A + i0 * lda, lda, B, ldb, C + i0 * ldc, ldc);
        else  // columns i0..i1 of op(B) and of C
            gemm(ta, tb, M, i1 - i0, K, A, lda, tb ? B + i0 * ldb : B + i0, ldb, C + i0, ldc);
    }, pool_contended() ? 1 : nt);
}

template <class T>
const T* pack(const T* p, const Mat& m, std::vector<T>& buf) {
    buf.resize(static_cast<size_t>(m.rows * m.cols));
    T* d = buf.data();
    for (int64_t i = 0; i < m.rows; ++i)
        for (int64_t j = 0; j < m.cols; ++j) d[i * m.cols + j] = p[i * m.rs + j * m.cs];
    return d;
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
