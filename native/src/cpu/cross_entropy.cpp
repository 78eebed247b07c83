// nf_softmax_cross_entropy: fused, numerically stable log-softmax cross-entropy per row, with
// the gradient softmax(x) - y written in the same call.
//
// Per row: one pass over the logits for the max m (at column a), one computing
// e_c = exp(x_c - m) in double (kept in a per-thread scratch, a block of rows at a time so that
// the exps are one vector loop) and their sum s = 1 + rest, one writing. With d_c = x_c - m the loss is sum_c y_c * (log1p(rest) - d_c), a sum of
// non-negative terms, so it keeps full relative precision even for a confidently right
// prediction; the gradient e_c / s - y_c is formed in double and rounded once.
#include <algorithm>
#include <cmath>
#include <new>
#include <type_traits>
#include <vector>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/intmath.h"
#include "common/layout.h"
#include "cpu/fastmath.h"
#include "cpu/parallel.h"
#include "cpu/simd.h"
#include "cpu/thread_scratch.h"

namespace nf {
namespace {

struct Rows {
    int64_t n, c;            // N rows of C classes
    int64_t row_stride, col_stride;
    nf_dtype label_dtype;
    const void* labels;
    bool sparse;
};

// Cells (rows x classes) whose exponentials are taken in one loop: 8 KB of doubles per thread.
constexpr int64_t kBlockCells = 1024;

// p[i] = e^p[i] and l[i] = log1p(l[i]). For float logits, exp_fast_f64 and log1p_fast_f64
// (cpu/fastmath.h) in one loop each per SIMD level: a libm call per class and per row was most
// of the kernel (256 x 10 logits: 14 us, of which the 2560 exps ~9 and the logs ~3). Their 1-2
// ulp of double still round to the nearest float (native/tests/test_cross_entropy.cpp,
// Float32ExpsAreRightOverTheWholeRange). Double logits keep libm's: their results are doubles.
NF_SIMD_CLONES void exp_span_f64(double* p, int64_t n) {
    for (int64_t i = 0; i < n; ++i) p[i] = exp_fast_f64(p[i]);
}
NF_SIMD_CLONES void log1p_span_f64(double* p, int64_t n) {
    for (int64_t i = 0; i < n; ++i) p[i] = log1p_fast_f64(p[i]);
}

template <class T>
void exps(double* p, int64_t n) {
    if constexpr (std::is_same_v<T, float>) exp_span_f64(p, n);
    else
        for (int64_t i = 0; i < n; ++i) p[i] = std::exp(p[i]);
}

template <class T>
void log1ps(double* p, int64_t n) {
    if constexpr (std::is_same_v<T, float>) log1p_span_f64(p, n);
    else
        for (int64_t i = 0; i < n; ++i) p[i] = std::log1p(p[i]);
}

// Tag of this kernel's per-thread scratch (cpu/thread_scratch.h).
struct CrossEntropyScratch;

template <class T>
void cross_entropy(const T* x, const Rows& r, T* loss, T* grad) {
    const int nt = threads();
    // Rows go in blocks of up to kBlockCells cells (one row at least): per block, a pass finds
    // each row's max and writes d_c = x_c - m to a per-thread scratch, one loop takes every
    // exponential, one sums each row, one takes every log1p, one writes. The scratch is sized
    // here: nothing may throw inside the region. nt * cells can pass int64 (and wrap size_t) for
    // an absurd C: that is out of memory, never a short row.
    const int64_t block_rows = std::max<int64_t>(1, kBlockCells / r.c);
    // Per thread: the block's cells, then per row its rest and log1p(rest); and its max's column.
    int64_t cells, all;
    if (mul_overflows<int64_t>(block_rows, r.c, &cells) || mul_overflows<int64_t>(nt, cells + 2 * block_rows, &all) ||
        all > kMaxElements)
        throw std::bad_alloc();
    const int64_t per_thread = cells + 2 * block_rows;
    double* const scratch = thread_scratch<CrossEntropyScratch, double>(static_cast<size_t>(all));
    int64_t* const maxima = thread_scratch<CrossEntropyScratch, int64_t>(static_cast<size_t>(nt * block_rows));
    // Per class about 8 adds' worth now that the exps are vector code: 256 x 10 logits (a few
    // microseconds) stay on the calling thread rather than wake a worker.
    parallel_chunks_tid(r.n, sat_mul(r.c, 8), [&](int tid, int64_t b, int64_t e) {
        double* const ex_block = scratch + static_cast<size_t>(tid) * static_cast<size_t>(per_thread);
        double* const rests = ex_block + cells;
        double* const logs = rests + block_rows;
        int64_t* const args = maxima + static_cast<size_t>(tid) * static_cast<size_t>(block_rows);
        const int64_t cs = r.col_stride;
        for (int64_t i0 = b; i0 < e; i0 += block_rows) {
            const int64_t rows = std::min(block_rows, e - i0);
            for (int64_t j = 0; j < rows; ++j) {
                const T* row = x + (i0 + j) * r.row_stride;
                int64_t arg = 0;
                for (int64_t c = 1; c < r.c; ++c)
                    if (row[c * cs] > row[arg * cs]) arg = c;
                args[j] = arg;
                const double md = static_cast<double>(row[arg * cs]);
                // d_c = x_c - m, exactly 0 at the max (also when the max is +inf, where x - m is
                // NaN: so it is set after the loop, which then has no branch on the max's column,
                // one that random logits mispredicted on every row).
                double* d = ex_block + j * r.c;
                for (int64_t c = 0; c < r.c; ++c) d[c] = static_cast<double>(row[c * cs]) - md;
                d[arg] = 0.0;
            }
            exps<T>(ex_block, rows * r.c);
            // s = 1 + rest, the max's own term being exactly 1: log1p(rest) keeps the relative
            // precision of a small loss, where log(s) of an s rounded near 1 would not.
            for (int64_t j = 0; j < rows; ++j) {
                // The max's term (exactly 1) is left out by adding 0 in its place: the same sum,
                // in the same order, without a branch on the max's column.
                double* ex = ex_block + j * r.c;
                ex[args[j]] = 0.0;
                double rest = 0.0;
                for (int64_t c = 0; c < r.c; ++c) rest += ex[c];
                ex[args[j]] = 1.0;
                rests[j] = logs[j] = rest;
            }
            log1ps<T>(logs, rows);
            for (int64_t j = 0; j < rows; ++j) {
                const int64_t i = i0 + j, arg = args[j];
                const T* row = x + i * r.row_stride;
                const double md = static_cast<double>(row[arg * cs]);
                auto d = [&](int64_t c) { return c == arg ? 0.0 : static_cast<double>(row[c * cs]) - md; };
                const double* ex = ex_block + j * r.c;
                const double log_s = logs[j], inv_s = 1.0 / (1.0 + rests[j]);
                T* g = grad ? grad + i * r.c : nullptr;
                if (r.sparse) {
                    const int64_t k = index_at(r.label_dtype, r.labels, i);
                    loss[i] = static_cast<T>(log_s - d(k));
                    if (g) {
                        for (int64_t c = 0; c < r.c; ++c) g[c] = static_cast<T>(ex[c] * inv_s);
                        g[k] = static_cast<T>(ex[k] * inv_s - 1.0);
                    }
                    continue;
                }
                const T* y = static_cast<const T*>(r.labels) + i * r.c;
                double acc = 0.0;
                for (int64_t c = 0; c < r.c; ++c) {
                    const double yc = static_cast<double>(y[c]);
                    // A zero label contributes nothing, even where log_softmax is -inf.
                    if (yc != 0.0) acc += yc * (log_s - d(c));
                    if (g) g[c] = static_cast<T>(ex[c] * inv_s - yc);
                }
                loss[i] = static_cast<T>(acc);
            }
        }
    }, nt);
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_softmax_cross_entropy(nf_dtype dtype, const void* logits,
                                                     const nf_layout* logits_layout, nf_dtype label_dtype,
                                                     const void* labels, int32_t sparse, void* loss_out,
                                                     void* grad_out) {
    static const char* fn = "nf_softmax_cross_entropy";
    return nf::guard(fn, [&] {
        const nf::CrossEntropyArgs ce =
            nf::check_cross_entropy(fn, dtype, logits, logits_layout, label_dtype, labels, sparse, loss_out);
        const nf_layout& xl = *logits_layout;
        const int64_t n = ce.n, c = ce.c;
        // Every label is checked before anything is written, so a bad one leaves no partial result.
        if (sparse) {
            for (int64_t i = 0; i < n; ++i) {
                const int64_t k = nf::index_at(label_dtype, labels, i);
                if (k < 0 || k >= c) nf::fail_label(fn, i, k, c);
            }
        }
        if (n == 0) return;
        if (c == 0) {  // dense only (sparse failed above): no terms, zero loss, empty gradient
            if (dtype == NF_FLOAT32) std::fill_n(static_cast<float*>(loss_out), n, 0.0f);
            else std::fill_n(static_cast<double*>(loss_out), n, 0.0);
            return;
        }
        const nf::Rows rows{n, c, xl.strides[0], xl.strides[1], label_dtype, labels, sparse != 0};
        if (dtype == NF_FLOAT32)
            nf::cross_entropy(static_cast<const float*>(logits) + xl.offset, rows, static_cast<float*>(loss_out),
                              static_cast<float*>(grad_out));
        else
            nf::cross_entropy(static_cast<const double*>(logits) + xl.offset, rows, static_cast<double*>(loss_out),
                              static_cast<double*>(grad_out));
    });
}
