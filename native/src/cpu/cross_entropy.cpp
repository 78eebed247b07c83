// nf_softmax_cross_entropy: fused, numerically stable log-softmax cross-entropy per row, with
// the gradient softmax(x) - y written in the same call.
//
// Per row, in double: the max m (at column a, the first of the largest), d_c = x_c - m (exactly
// 0 at a), e_c = exp(d_c), rest = the sum of e_c over c != a, and s = 1 + rest (the max's own
// term is exactly 1). With those the loss is sum_c y_c * (log1p(rest) - d_c), a sum of
// non-negative terms, so it keeps full relative precision even for a confidently right
// prediction; the gradient e_c / s - y_c is formed in double and rounded once.
//
// Two layouts of the same arithmetic, chosen by the row length alone:
//  * short rows (C <= kShortRow, e.g. 10 classes): rows are the vector lanes. A block of kLanes
//    rows is transposed into a [C, kLanes] scratch, so that every step (max, exps, sums, log1p,
//    outputs) is a loop over lanes that vectorises whatever C is. Row by row, a 10-class row is
//    one vector and a bit, and the per-row scalar work (max search, sums, log1p, label) was most
//    of the kernel: 60000 x 10 logits took 1.37 ms on 2 threads (35 ns a row on one); now
//    0.71-0.85 ms (25-30 ns a row on one, of which the 10 double exps ~9 ns and the transposes
//    in and out ~7 ns).
//  * long rows: a block of rows at a time in a row-major scratch, each step a loop along the row.
// Both sum a row's terms in one order (sum_order below), so the layout never changes a bit.
#include <algorithm>
#include <cmath>
#include <new>
#include <type_traits>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/intmath.h"
#include "common/layout.h"
#include "cpu/cross_entropy.h"
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

// Rows up to this many classes go as vector lanes (transposed blocks); longer ones row-major.
constexpr int64_t kShortRow = kCrossEntropyShortRow;
// Rows per transposed block: four AVX-512 vectors of doubles per class (see lane_block).
constexpr int kLanes = 32;
// Long rows: cells (rows x classes) whose exponentials are taken in one loop, 8 KB of doubles.
constexpr int64_t kBlockCells = 1024;
// Work per class for the pool's split (cpu/parallel.h counts work in adds).
constexpr int64_t kCostPerClass = 8;

// The one summation order of a row's terms t_0..t_{C-1} (the rest of s, the dense loss): eight
// running sums, t_c going to sum c mod 8, combined as ((0 + 4) + (1 + 5)) + ((2 + 6) + (3 + 7)).
// Eight chains instead of one keep a long row from waiting on each add's latency; the order
// depends on C only, so both layouts and every thread count give the same bits.
NF_INLINE double sum_order(const double* t, int64_t n) {
    double s[8] = {};
    int64_t c = 0;
    for (; c + 8 <= n; c += 8)
        for (int k = 0; k < 8; ++k) s[k] += t[c + k];
    for (int k = 0; c + k < n; ++k) s[k] += t[c + k];
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

// p[i] = e^p[i] and p[i] = log1p(p[i]). For float logits, exp_fast_f64 and log1p_fast_f64
// (cpu/fastmath.h), vector code in each SIMD clone: a libm call per class and per row was most
// of the kernel. Their 1-2 ulp of double still round to the nearest float
// (native/tests/test_cross_entropy.cpp, Float32ExpsAreRightOverTheWholeRange). Double logits
// keep libm's: their results are doubles.
// Each its own clone with a count unknown at compile time: inlined into the lane blocks with
// n = kLanes, GCC left the log1p loop scalar ("control flow in loop"), 16% of the kernel.
NF_SIMD_CLONES void exp_span_f64(double* p, int64_t n) {
    for (int64_t i = 0; i < n; ++i) p[i] = exp_fast_f64(p[i]);
}
NF_SIMD_CLONES void log1p_span_f64(double* p, int64_t n) {
    for (int64_t i = 0; i < n; ++i) p[i] = log1p_fast_f64(p[i]);
}

template <class T>
NF_INLINE void exps(double* p, int64_t n) {
    if constexpr (std::is_same_v<T, float>) exp_span_f64(p, n);
    else
        for (int64_t i = 0; i < n; ++i) p[i] = std::exp(p[i]);
}

template <class T>
NF_INLINE void log1ps(double* p, int64_t n) {
    if constexpr (std::is_same_v<T, float>) log1p_span_f64(p, n);
    else
        for (int64_t i = 0; i < n; ++i) p[i] = std::log1p(p[i]);
}

// ---- short rows: kLanes rows side by side -----------------------------------------------------

// sum_order of term(c, j) over c < C for every lane j at once, into out[j]; acc: 8 * kLanes.
template <class F>
NF_INLINE void sum_lanes(int64_t C, double* acc, F term, double* out) {
    constexpr int L = kLanes;
    for (int j = 0; j < 8 * L; ++j) acc[j] = 0.0;
    int64_t c = 0;
    for (; c + 8 <= C; c += 8)
        for (int k = 0; k < 8; ++k)
            for (int j = 0; j < L; ++j) acc[k * L + j] += term(c + k, j);
    for (int k = 0; c + k < C; ++k)
        for (int j = 0; j < L; ++j) acc[k * L + j] += term(c + k, j);
    for (int j = 0; j < L; ++j)
        out[j] = ((acc[j] + acc[4 * L + j]) + (acc[L + j] + acc[5 * L + j])) +
                 ((acc[2 * L + j] + acc[6 * L + j]) + (acc[3 * L + j] + acc[7 * L + j]));
}

// Rows [i0, i0 + rows) (rows <= kLanes) of C <= kShortRow classes. Every array is
// [class][lane] and every step a loop over the lanes, which GCC vectorises as long as it does
// not unroll it first: it unrolled the 16-lane loops into scalar code (then 4x slower than row
// by row), so kLanes is past its complete-peeling limit of 16 iterations. (16-lane vector
// types, as in skinny_gemm.cpp, had their compares and selects lowered to scalar branches.)
// Lanes past `rows` hold zeros and are never written out.
template <class T>
NF_INLINE void lane_block(const T* x, const Rows& r, int64_t i0, int rows, T* loss, T* grad) {
    constexpr int L = kLanes;
    const int64_t C = r.c;
    alignas(64) double d[kShortRow * L];   // x, then d = x - m, then e = exp(d)
    alignas(64) double dd[kShortRow * L];  // dense labels: d, kept for the loss
    alignas(64) double y[kShortRow * L];   // dense labels
    alignas(64) double acc[8 * L];
    alignas(64) double m[L], a[L], lab[L], dk[L], rest[L], logs[L], lv[L], inv[L];
    alignas(64) T g[kShortRow * L];
    auto transpose_in = [&](const T* p, int64_t row_stride, int64_t col_stride, double* to) {
        for (int j = 0; j < rows; ++j)
            for (int64_t c = 0; c < C; ++c) to[c * L + j] = static_cast<double>(p[(i0 + j) * row_stride + c * col_stride]);
        for (int j = rows; j < L; ++j)
            for (int64_t c = 0; c < C; ++c) to[c * L + j] = 0.0;
    };
    std::fill(d, d + L, 0.0);  // class 0 is overwritten below; this tells GCC (-Wmaybe-uninitialized) so
    transpose_in(x, r.row_stride, r.col_stride, d);
    for (int j = 0; j < L; ++j) lab[j] = -1.0;  // dense: no lane has a class -1
    if (r.sparse)
        for (int j = 0; j < rows; ++j) lab[j] = static_cast<double>(index_at(r.label_dtype, r.labels, i0 + j));
    // The first of the largest (a NaN is never larger; a NaN in column 0 keeps a = 0), a select
    // per lane where a row's scan branched on every random logit.
    for (int j = 0; j < L; ++j) {
        m[j] = d[j];
        a[j] = 0.0;
    }
    for (int64_t c = 1; c < C; ++c) {
        const double cd = static_cast<double>(c);
        const double* v = d + c * L;
        for (int j = 0; j < L; ++j) {
            const bool gt = v[j] > m[j];
            m[j] = gt ? v[j] : m[j];
            a[j] = gt ? cd : a[j];
        }
    }
    // d_c = x_c - m, exactly 0 at a (also when m is +inf, where x - m is NaN); the labelled
    // class's d picked out on the way.
    for (int j = 0; j < L; ++j) dk[j] = 0.0;
    for (int64_t c = 0; c < C; ++c) {
        const double cd = static_cast<double>(c);
        double* v = d + c * L;
        for (int j = 0; j < L; ++j) {
            const double dc = cd == a[j] ? 0.0 : v[j] - m[j];
            v[j] = dc;
            dk[j] = cd == lab[j] ? dc : dk[j];
        }
    }
    if (!r.sparse) std::copy(d, d + C * L, dd);
    exps<T>(d, C * L);
    // rest: the max's term (exactly 1) left out as a 0 in its place.
    sum_lanes(C, acc, [&](int64_t c, int j) { return static_cast<double>(c) == a[j] ? 0.0 : d[c * L + j]; }, rest);
    std::copy(rest, rest + L, logs);
    log1ps<T>(logs, L);
    if (r.sparse) {
        for (int j = 0; j < L; ++j) lv[j] = logs[j] - dk[j];
    } else {
        // A zero label adds nothing, even where d is -inf.
        transpose_in(static_cast<const T*>(r.labels), C, 1, y);
        sum_lanes(C, acc, [&](int64_t c, int j) {
            const double yc = y[c * L + j];
            return yc != 0.0 ? yc * (logs[j] - dd[c * L + j]) : 0.0;
        }, lv);
    }
    for (int j = 0; j < rows; ++j) loss[i0 + j] = static_cast<T>(lv[j]);
    if (!grad) return;
    // e / s - y rounded once, still transposed, then written out row by row.
    for (int j = 0; j < L; ++j) inv[j] = 1.0 / (1.0 + rest[j]);
    for (int64_t c = 0; c < C; ++c) {
        const double cd = static_cast<double>(c);
        for (int j = 0; j < L; ++j) {
            const double yc = r.sparse ? (cd == lab[j] ? 1.0 : 0.0) : y[c * L + j];
            g[c * L + j] = static_cast<T>(d[c * L + j] * inv[j] - yc);
        }
    }
    for (int j = 0; j < rows; ++j) {
        T* out = grad + (i0 + j) * C;
        for (int64_t c = 0; c < C; ++c) out[c] = g[c * L + j];
    }
}

template <class T>
NF_INLINE void lane_rows(const T* x, const Rows& r, int64_t b, int64_t e, T* loss, T* grad) {
    for (int64_t i0 = b; i0 < e; i0 += kLanes)
        lane_block(x, r, i0, static_cast<int>(std::min<int64_t>(kLanes, e - i0)), loss, grad);
}

// ---- long rows: a block of rows, each step along the row --------------------------------------

inline int64_t long_block_rows(int64_t c) { return std::max<int64_t>(1, kBlockCells / c); }

// Per block: a pass per row finds its max and writes d = x - m into the scratch, one loop takes
// every exponential of the block, a pass sums each row, one loop takes every log1p, a pass per
// row writes. scratch: the block's cells, then per row the max's column, rest and log1p(rest).
template <class T>
NF_INLINE void long_rows(const T* x, const Rows& r, int64_t b, int64_t e, T* loss, T* grad, double* scratch) {
    const int64_t C = r.c, cs = r.col_stride, block_rows = long_block_rows(C);
    double* const cells = scratch;
    double* const args = cells + block_rows * C;  // column indices, exact in a double
    double* const rests = args + block_rows;
    double* const logs = rests + block_rows;
    for (int64_t i0 = b; i0 < e; i0 += block_rows) {
        const int64_t rows = std::min(block_rows, e - i0);
        for (int64_t j = 0; j < rows; ++j) {
            const T* row = x + (i0 + j) * r.row_stride;
            double* d = cells + j * C;
            for (int64_t c = 0; c < C; ++c) d[c] = static_cast<double>(row[c * cs]);
            // The largest in 8 lanes (a NaN never replaces a lane's value; a NaN in column 0
            // is every lane's), then its first column: the first of the largest, as a scan by
            // > finds it (column 0 when that is NaN: nothing equals it).
            double m8[8];
            for (int k = 0; k < 8; ++k) m8[k] = d[0];
            int64_t c = 0;
            for (; c + 8 <= C; c += 8)
                for (int k = 0; k < 8; ++k) m8[k] = d[c + k] > m8[k] ? d[c + k] : m8[k];
            for (int k = 0; c + k < C; ++k) m8[k] = d[c + k] > m8[k] ? d[c + k] : m8[k];
            double m = m8[0];
            for (int k = 1; k < 8; ++k) m = m8[k] > m ? m8[k] : m;
            int64_t arg = 0;
            while (arg < C && !(d[arg] == m)) ++arg;
            if (arg == C) arg = 0;
            const double md = d[arg];
            for (c = 0; c < C; ++c) d[c] -= md;
            d[arg] = 0.0;  // also when the max is +inf, where x - m is NaN
            args[j] = static_cast<double>(arg);
        }
        exps<T>(cells, rows * C);
        for (int64_t j = 0; j < rows; ++j) {
            // rest: the max's term (exactly 1) left out as a 0 in its place.
            double* ex = cells + j * C;
            const int64_t arg = static_cast<int64_t>(args[j]);
            ex[arg] = 0.0;
            rests[j] = logs[j] = sum_order(ex, C);
            ex[arg] = 1.0;
        }
        log1ps<T>(logs, rows);
        for (int64_t j = 0; j < rows; ++j) {
            const int64_t i = i0 + j, arg = static_cast<int64_t>(args[j]);
            const T* row = x + i * r.row_stride;
            const double md = static_cast<double>(row[arg * cs]);
            auto d = [&](int64_t c) { return c == arg ? 0.0 : static_cast<double>(row[c * cs]) - md; };
            double* ex = cells + j * C;
            const double log_s = logs[j], inv_s = 1.0 / (1.0 + rests[j]);
            T* g = grad ? grad + i * C : nullptr;
            if (r.sparse) {
                const int64_t k = index_at(r.label_dtype, r.labels, i);
                loss[i] = static_cast<T>(log_s - d(k));
                if (g) {
                    for (int64_t c = 0; c < C; ++c) g[c] = static_cast<T>(ex[c] * inv_s);
                    g[k] = static_cast<T>(ex[k] * inv_s - 1.0);
                }
                continue;
            }
            // Dense: the gradient from e, then e's place holds the loss's terms (a zero label
            // adds nothing, even where d is -inf).
            const T* y = static_cast<const T*>(r.labels) + i * C;
            for (int64_t c = 0; c < C; ++c) {
                const double yc = static_cast<double>(y[c]);
                if (g) g[c] = static_cast<T>(ex[c] * inv_s - yc);
                ex[c] = yc != 0.0 ? yc * (log_s - d(c)) : 0.0;
            }
            loss[i] = static_cast<T>(sum_order(ex, C));
        }
    }
}

// Per SIMD level (cpu/simd.h).
NF_SIMD_CLONES void lanes_f32(const float* x, const Rows& r, int64_t b, int64_t e, float* loss, float* grad) {
    lane_rows(x, r, b, e, loss, grad);
}
NF_SIMD_CLONES void lanes_f64(const double* x, const Rows& r, int64_t b, int64_t e, double* loss, double* grad) {
    lane_rows(x, r, b, e, loss, grad);
}
NF_SIMD_CLONES void long_f32(const float* x, const Rows& r, int64_t b, int64_t e, float* loss, float* grad, double* s) {
    long_rows(x, r, b, e, loss, grad, s);
}
NF_SIMD_CLONES void long_f64(const double* x, const Rows& r, int64_t b, int64_t e, double* loss, double* grad, double* s) {
    long_rows(x, r, b, e, loss, grad, s);
}
void lanes(const float* x, const Rows& r, int64_t b, int64_t e, float* loss, float* grad) { lanes_f32(x, r, b, e, loss, grad); }
void lanes(const double* x, const Rows& r, int64_t b, int64_t e, double* loss, double* grad) { lanes_f64(x, r, b, e, loss, grad); }
void long_path(const float* x, const Rows& r, int64_t b, int64_t e, float* loss, float* grad, double* s) {
    long_f32(x, r, b, e, loss, grad, s);
}
void long_path(const double* x, const Rows& r, int64_t b, int64_t e, double* loss, double* grad, double* s) {
    long_f64(x, r, b, e, loss, grad, s);
}

// Tag of the long-row path's per-thread scratch (cpu/thread_scratch.h).
struct CrossEntropyScratch;

template <class T>
void cross_entropy(const T* x, const Rows& r, T* loss, T* grad) {
    // 256 x 10 logits (about a microsecond) stay on the calling thread rather than wake a worker.
    const int64_t cost = sat_mul(r.c, kCostPerClass);
    if (r.c <= kShortRow) {
        parallel_chunks(r.n, cost, [&](int64_t b, int64_t e) { lanes(x, r, b, e, loss, grad); });
        return;
    }
    // The scratch is sized here: nothing may throw inside the region. nt * cells can pass
    // int64 (and wrap size_t) for an absurd C: that is out of memory, never a short row.
    const int nt = threads();
    const int64_t block_rows = long_block_rows(r.c);
    int64_t cells, all;
    if (mul_overflows<int64_t>(block_rows, r.c, &cells) || mul_overflows<int64_t>(nt, cells + 3 * block_rows, &all) ||
        all > kMaxElements)
        throw std::bad_alloc();
    const int64_t per_thread = cells + 3 * block_rows;
    double* const scratch = thread_scratch<CrossEntropyScratch, double>(static_cast<size_t>(all));
    parallel_chunks_tid(r.n, cost, [&](int tid, int64_t b, int64_t e) {
        long_path(x, r, b, e, loss, grad, scratch + static_cast<size_t>(tid) * static_cast<size_t>(per_thread));
    }, nt);
}

// The first row whose sparse label is outside [0, c), or -1: one typed loop per label dtype
// (a switch per row cost ~1 ns of 60000 rows' checks), vector code per SIMD level.
template <class L>
NF_INLINE int64_t first_bad(const L* p, int64_t n, int64_t c) {
    constexpr int64_t kBlock = 1024;
    for (int64_t b = 0; b < n; b += kBlock) {
        const int64_t e = std::min(n, b + kBlock);
        bool bad = false;
        for (int64_t i = b; i < e; ++i) bad |= static_cast<uint64_t>(static_cast<int64_t>(p[i])) >= static_cast<uint64_t>(c);
        if (bad)
            for (int64_t i = b; i < e; ++i)
                if (static_cast<uint64_t>(static_cast<int64_t>(p[i])) >= static_cast<uint64_t>(c)) return i;
    }
    return -1;
}
NF_SIMD_CLONES int64_t first_bad_i32(const int32_t* p, int64_t n, int64_t c) { return first_bad(p, n, c); }
NF_SIMD_CLONES int64_t first_bad_i64(const int64_t* p, int64_t n, int64_t c) { return first_bad(p, n, c); }
NF_SIMD_CLONES int64_t first_bad_u8(const uint8_t* p, int64_t n, int64_t c) { return first_bad(p, n, c); }

int64_t first_bad_label(nf_dtype dt, const void* labels, int64_t n, int64_t c) {
    switch (dt) {
        case NF_INT32: return first_bad_i32(static_cast<const int32_t*>(labels), n, c);
        case NF_INT64: return first_bad_i64(static_cast<const int64_t*>(labels), n, c);
        default: return first_bad_u8(static_cast<const uint8_t*>(labels), n, c);
    }
}

}  // namespace

void cross_entropy_short_rows(const float* logits, int64_t row_stride, int64_t C, nf_dtype label_dtype,
                              const void* labels, int64_t rows, float* loss, float* grad) {
    const Rows r{rows, C, row_stride, 1, label_dtype, labels, true};
    lanes(logits, r, 0, rows, loss, grad);
}

void check_sparse_labels(const char* fn, nf_dtype label_dtype, const void* labels, int64_t n, int64_t c) {
    const int64_t i = first_bad_label(label_dtype, labels, n, c);
    if (i >= 0) fail_label(fn, i, index_at(label_dtype, labels, i), c);
}

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
        if (sparse) nf::check_sparse_labels(fn, label_dtype, labels, n, c);
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
