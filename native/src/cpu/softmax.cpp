// nf_softmax: softmax / log_softmax along one axis, max-subtracted.
//
// x is first copied into out (which is contiguous with x's shape), then the op runs in place
// on contiguous data viewed as [outer, L, inner]. That keeps one pair of kernels: rows
// (axis last, inner == 1) and column blocks (inner > 1), where a block of up to kBlock
// adjacent columns is reduced together so memory is read in order and the loops vectorise.
#include <algorithm>
#include <cmath>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/intmath.h"
#include "common/layout.h"
#include "cpu/fastmath.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"
#include "cpu/simd.h"

namespace nf {
namespace {

constexpr int64_t kBlock = 256;

// Max and double sum of n values with 8 independent accumulators: a single running max or sum
// is one dependent chain (4 cycles a step), which made long rows latency-bound; 8 chains keep
// the pipeline full and vectorise. The combining order is fixed, so results do not depend on
// threads.
template <class T>
NF_INLINE T row_max(const T* p, int64_t n) {
    T m[8];
    for (int k = 0; k < 8; ++k) m[k] = p[0];
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; ++k) m[k] = p[i + k] > m[k] ? p[i + k] : m[k];
    for (; i < n; ++i) m[0] = p[i] > m[0] ? p[i] : m[0];
    for (int k = 1; k < 8; ++k) m[0] = m[k] > m[0] ? m[k] : m[0];
    return m[0];
}

template <class T>
NF_INLINE double row_sum(const T* p, int64_t n) {
    double s[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; ++k) s[k] += static_cast<double>(p[i + k]);
    for (; i < n; ++i) s[0] += static_cast<double>(p[i]);
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

template <class T>
NF_INLINE void softmax_rows(T* p, int64_t L, bool log) {
    const T m = row_max(p, L);
    // exp in its own loop (vectorised), then the sum in double in a second one: a reduction in
    // the same loop would keep both scalar.
    double s = 0.0;
    if (log) {
        T buffer[kBlock];
        for (int64_t b = 0; b < L; b += kBlock) {
            const int64_t n = std::min(kBlock, L - b);
            for (int64_t i = 0; i < n; ++i) buffer[i] = exp_of(p[b + i] - m);
            s += row_sum(buffer, n);
        }
        const T shift = static_cast<T>(std::log(s));
        for (int64_t i = 0; i < L; ++i) p[i] = (p[i] - m) - shift;
    } else {
        for (int64_t i = 0; i < L; ++i) p[i] = exp_of(p[i] - m);
        s = row_sum(p, L);
        const T inv = static_cast<T>(1.0 / s);
        for (int64_t i = 0; i < L; ++i) p[i] *= inv;
    }
}

// Columns [c0, c0 + w) of one [L, inner] slab starting at p.
template <class T>
NF_INLINE void softmax_cols(T* p, int64_t L, int64_t inner, int64_t w, bool log) {
    T m[kBlock];
    double s[kBlock];
    std::copy(p, p + w, m);
    for (int64_t k = 1; k < L; ++k) {
        const T* row = p + k * inner;
        for (int64_t i = 0; i < w; ++i) m[i] = row[i] > m[i] ? row[i] : m[i];
    }
    std::fill(s, s + w, 0.0);
    for (int64_t k = 0; k < L; ++k) {
        T* row = p + k * inner;
        for (int64_t i = 0; i < w; ++i) {
            const T e = exp_of(row[i] - m[i]);
            if (!log) row[i] = e;
            s[i] += static_cast<double>(e);
        }
    }
    T f[kBlock];
    for (int64_t i = 0; i < w; ++i) f[i] = static_cast<T>(log ? std::log(s[i]) : 1.0 / s[i]);
    for (int64_t k = 0; k < L; ++k) {
        T* row = p + k * inner;
        if (log)
            for (int64_t i = 0; i < w; ++i) row[i] = (row[i] - m[i]) - f[i];
        else
            for (int64_t i = 0; i < w; ++i) row[i] *= f[i];
    }
}

// The units the pool hands out (rows [b, e), or column blocks [b, e) of nblk per slab),
// compiled once per SIMD level (cpu/simd.h).
template <class T>
NF_INLINE void rows_chunk(T* p, int64_t b, int64_t e, int64_t L, bool log) {
    for (int64_t o = b; o < e; ++o) softmax_rows(p + o * L, L, log);
}

template <class T>
NF_INLINE void cols_chunk(T* p, int64_t b, int64_t e, int64_t L, int64_t inner, int64_t nblk, bool log) {
    for (int64_t t = b; t < e; ++t) {
        const int64_t o = t / nblk, c0 = (t % nblk) * kBlock;
        softmax_cols(p + o * L * inner + c0, L, inner, std::min(kBlock, inner - c0), log);
    }
}

NF_SIMD_CLONES void rows_f32(float* p, int64_t b, int64_t e, int64_t L, bool log) { rows_chunk(p, b, e, L, log); }
NF_SIMD_CLONES void rows_f64(double* p, int64_t b, int64_t e, int64_t L, bool log) { rows_chunk(p, b, e, L, log); }
NF_SIMD_CLONES void cols_f32(float* p, int64_t b, int64_t e, int64_t L, int64_t inner, int64_t nblk, bool log) {
    cols_chunk(p, b, e, L, inner, nblk, log);
}
NF_SIMD_CLONES void cols_f64(double* p, int64_t b, int64_t e, int64_t L, int64_t inner, int64_t nblk, bool log) {
    cols_chunk(p, b, e, L, inner, nblk, log);
}
void rows(float* p, int64_t b, int64_t e, int64_t L, bool log) { rows_f32(p, b, e, L, log); }
void rows(double* p, int64_t b, int64_t e, int64_t L, bool log) { rows_f64(p, b, e, L, log); }
void cols(float* p, int64_t b, int64_t e, int64_t L, int64_t inner, int64_t nblk, bool log) {
    cols_f32(p, b, e, L, inner, nblk, log);
}
void cols(double* p, int64_t b, int64_t e, int64_t L, int64_t inner, int64_t nblk, bool log) {
    cols_f64(p, b, e, L, inner, nblk, log);
}

template <class T>
void softmax_inplace(T* p, int64_t outer, int64_t L, int64_t inner, bool log) {
    // Per element: exp and a few passes, about 4 adds' worth with wide vectors (L may be near 2^60).
    const int64_t cost = sat_mul(L, 4);
    if (inner == 1) {
        parallel_chunks(outer, cost, [&](int64_t b, int64_t e) { rows(p, b, e, L, log); });
        return;
    }
    const int64_t nblk = (inner + kBlock - 1) / kBlock;
    parallel_chunks(outer * nblk, sat_mul(cost, std::min(inner, kBlock)),
                    [&](int64_t b, int64_t e) { cols(p, b, e, L, inner, nblk, log); });
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_softmax(int32_t log, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                       int32_t axis, void* out) {
    static const char* fn = "nf_softmax";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_softmax(fn, dtype, x, x_layout, axis, out);
        const nf_layout& xl = *x_layout;
        if (n == 0) return;
        const nf_layout ol = nf::contiguous_like(xl);
        // In place when x already is out's contiguous buffer; otherwise gather x into out.
        if (!(x == out && xl.offset == 0 && nf::is_contiguous(xl)))
            nf::copy_strided(nf::dtype_size(dtype), x, xl, out, ol);
        int64_t outer = 1, inner = 1;
        for (int d = 0; d < axis; ++d) outer *= xl.shape[d];
        for (int d = axis + 1; d < xl.rank; ++d) inner *= xl.shape[d];
        const int64_t L = xl.shape[axis];
        if (dtype == NF_FLOAT32)
            nf::softmax_inplace(static_cast<float*>(out), outer, L, inner, log != 0);
        else
            nf::softmax_inplace(static_cast<double*>(out), outer, L, inner, log != 0);
    });
}
