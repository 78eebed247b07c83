// nf_softmax_cross_entropy: fused, numerically stable log-softmax cross-entropy per row, with
// the gradient softmax(x) - y written in the same call.
//
// Per row: one pass over the logits for the max m (at column a), one computing
// e_c = exp(x_c - m) in double (kept in a per-thread scratch row) and their sum s = 1 + rest,
// one writing. With d_c = x_c - m the loss is sum_c y_c * (log1p(rest) - d_c), a sum of
// non-negative terms, so it keeps full relative precision even for a confidently right
// prediction; the gradient e_c / s - y_c is formed in double and rounded once.
#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/intmath.h"
#include "common/layout.h"
#include "cpu/parallel.h"

namespace nf {
namespace {

struct Rows {
    int64_t n, c;            // N rows of C classes
    int64_t row_stride, col_stride;
    nf_dtype label_dtype;
    const void* labels;
    bool sparse;
};

template <class T>
void cross_entropy(const T* x, const Rows& r, T* loss, T* grad) {
    const int nt = threads();
    // One scratch row of exps per worker, allocated here: nothing may throw inside the region.
    // nt * C can pass int64 (and wrap size_t) for an absurd C: that is out of memory, never a short row.
    int64_t cells;
    if (mul_overflows<int64_t>(nt, r.c, &cells) || cells > kMaxElements) throw std::bad_alloc();
    std::vector<double> scratch(static_cast<size_t>(cells));
    parallel_chunks_tid(r.n, sat_mul(r.c, 24), [&](int tid, int64_t b, int64_t e) {
        double* ex = scratch.data() + static_cast<size_t>(tid) * static_cast<size_t>(r.c);
        for (int64_t i = b; i < e; ++i) {
            const T* row = x + i * r.row_stride;
            const int64_t cs = r.col_stride;
            int64_t arg = 0;
            for (int64_t c = 1; c < r.c; ++c)
                if (row[c * cs] > row[arg * cs]) arg = c;
            const double md = static_cast<double>(row[arg * cs]);
            // d_c = x_c - m, exactly 0 at the max (also when the max is +inf).
            auto d = [&](int64_t c) { return c == arg ? 0.0 : static_cast<double>(row[c * cs]) - md; };
            // s = 1 + rest, the max's own term being exactly 1: log1p(rest) keeps the relative
            // precision of a small loss, where log(s) of an s rounded near 1 would not.
            double rest = 0.0;
            for (int64_t c = 0; c < r.c; ++c) {
                ex[c] = std::exp(d(c));
                rest += c == arg ? 0.0 : ex[c];
            }
            const double log_s = std::log1p(rest), inv_s = 1.0 / (1.0 + rest);
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
