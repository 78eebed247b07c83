// nf_lu, nf_triangular_solve and nf_cholesky: the unblocked LAPACK algorithms (getf2, trsm,
// potf2) on one matrix at a time, matrices in parallel over the pool when the batch is large.
// Each matrix is copied into a double work buffer and rounded once on the way out: float32 gets
// double accumulation for the price of a copy (the O(n^3) loops dominate), and float64 runs the
// same code. Sizes users reach here (n up to a few hundred) do not need blocking.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/intmath.h"
#include "common/linalg.h"
#include "cpu/parallel.h"

namespace nf {
namespace {

// Runs f(slot, matrix, work) for every matrix of the batch, with a double work buffer of
// `work_size` elements per slot; `cost` is the work of one matrix in multiply-adds.
template <class F>
void for_matrices(int64_t batch, int64_t cost, int64_t work_size, F&& f) {
    // One buffer per thread that can get a part: a single large matrix needs one, not one per core.
    const int nt = static_cast<int>(std::min<int64_t>(threads(), part_count(batch, cost)));
    std::vector<double> work(static_cast<size_t>(nt) * static_cast<size_t>(work_size));
    parallel_chunks_tid(batch, cost, [&](int slot, int64_t b, int64_t e) {
        double* w = work.data() + slot * work_size;
        for (int64_t m = b; m < e; ++m) f(m, w);
    }, nt);
}

int64_t cube(int64_t n) { return sat_mul(sat_mul(n, n), std::max<int64_t>(n, 1)); }

template <class T>
void lu(const T* a, const nf_layout& al, const LinalgArgs& g, T* lu_out, int32_t* piv, int32_t* perm, int32_t* info) {
    const int64_t n = g.n, rs = al.strides[al.rank - 2], cs = al.strides[al.rank - 1];
    for_matrices(g.batch, cube(n), n * n, [&](int64_t m, double* w) {
        const T* am = a + matrix_offset(al, m);
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j) w[i * n + j] = static_cast<double>(am[i * rs + j * cs]);
        int32_t* pm = perm + m * n;
        int32_t* pv = piv + m * n;
        int32_t bad = 0;
        for (int64_t i = 0; i < n; ++i) pm[i] = static_cast<int32_t>(i);
        for (int64_t k = 0; k < n; ++k) {
            int64_t p = k;
            double best = std::fabs(w[k * n + k]);
            for (int64_t i = k + 1; i < n; ++i) {
                const double v = std::fabs(w[i * n + k]);
                if (v > best) {
                    best = v;
                    p = i;
                }
            }
            pv[k] = static_cast<int32_t>(p);
            if (p != k) {
                for (int64_t j = 0; j < n; ++j) std::swap(w[k * n + j], w[p * n + j]);
                std::swap(pm[k], pm[p]);
            }
            const double d = w[k * n + k];
            if (d == 0) {  // getf2: note the first zero pivot and go on with the next column
                if (bad == 0) bad = static_cast<int32_t>(k + 1);
                continue;
            }
            for (int64_t i = k + 1; i < n; ++i) {
                const double l = w[i * n + k] /= d;
                if (l == 0) continue;
                for (int64_t j = k + 1; j < n; ++j) w[i * n + j] -= l * w[k * n + j];
            }
        }
        info[m] = bad;
        T* om = lu_out + m * n * n;
        for (int64_t i = 0; i < n * n; ++i) om[i] = static_cast<T>(w[i]);
    });
}

// Columns of B solved together: the work buffer holds n x kc of them.
constexpr int64_t kSolveColumns = 64;

template <class T>
void triangular_solve(const T* a, const nf_layout& al, const T* b, const nf_layout& bl, const LinalgArgs& g, bool lower,
                      bool unit, T* out) {
    const int64_t n = g.n, k = g.k, kc = std::min(k, kSolveColumns);
    const int64_t ars = al.strides[al.rank - 2], acs = al.strides[al.rank - 1];
    const int64_t brs = bl.strides[bl.rank - 2], bcs = bl.strides[bl.rank - 1];
    for_matrices(g.batch, sat_mul(sat_mul(n, n), std::max<int64_t>(k, 1)), n * kc, [&](int64_t m, double* w) {
        const T* am = a + matrix_offset(al, m);
        const T* bm = b + matrix_offset(bl, m);
        T* om = out + m * n * k;
        for (int64_t c0 = 0; c0 < k; c0 += kc) {
            const int64_t c1 = std::min(k, c0 + kc), nc = c1 - c0;
            for (int64_t i = 0; i < n; ++i)
                for (int64_t c = 0; c < nc; ++c) w[i * nc + c] = static_cast<double>(bm[i * brs + (c0 + c) * bcs]);
            // Row i of X: (B[i] - sum over the solved rows j of A[i, j] X[j]) / A[i, i].
            for (int64_t s = 0; s < n; ++s) {
                const int64_t i = lower ? s : n - 1 - s;
                double* xi = w + i * nc;
                const int64_t j0 = lower ? 0 : i + 1, j1 = lower ? i : n;
                for (int64_t j = j0; j < j1; ++j) {
                    const double aij = static_cast<double>(am[i * ars + j * acs]);
                    if (aij == 0) continue;
                    const double* xj = w + j * nc;
                    for (int64_t c = 0; c < nc; ++c) xi[c] -= aij * xj[c];
                }
                if (!unit) {
                    const double d = static_cast<double>(am[i * ars + i * acs]);
                    for (int64_t c = 0; c < nc; ++c) xi[c] /= d;
                }
            }
            for (int64_t i = 0; i < n; ++i)
                for (int64_t c = 0; c < nc; ++c) om[i * k + c0 + c] = static_cast<T>(w[i * nc + c]);
        }
    });
}

template <class T>
void cholesky(const T* a, const nf_layout& al, const LinalgArgs& g, T* l_out, int32_t* info) {
    const int64_t n = g.n, rs = al.strides[al.rank - 2], cs = al.strides[al.rank - 1];
    for_matrices(g.batch, cube(n), n * n, [&](int64_t m, double* w) {
        const T* am = a + matrix_offset(al, m);
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j) w[i * n + j] = j <= i ? static_cast<double>(am[i * rs + j * cs]) : 0.0;
        int32_t bad = 0;
        for (int64_t j = 0; j < n && bad == 0; ++j) {
            double d = w[j * n + j];
            for (int64_t p = 0; p < j; ++p) d -= w[j * n + p] * w[j * n + p];
            if (!(d > 0)) {  // NaN too
                bad = static_cast<int32_t>(j + 1);
                for (int64_t i = j; i < n; ++i)
                    for (int64_t c = j; c <= i; ++c) w[i * n + c] = 0;
                break;
            }
            d = std::sqrt(d);
            w[j * n + j] = d;
            for (int64_t i = j + 1; i < n; ++i) {
                double s = w[i * n + j];
                for (int64_t p = 0; p < j; ++p) s -= w[i * n + p] * w[j * n + p];
                w[i * n + j] = s / d;
            }
        }
        info[m] = bad;
        T* om = l_out + m * n * n;
        for (int64_t i = 0; i < n * n; ++i) om[i] = static_cast<T>(w[i]);
    });
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_lu(nf_dtype dtype, const void* a, const nf_layout* a_layout, void* lu_out,
                                  int32_t* pivots_out, int32_t* perm_out, int32_t* info_out, int32_t check) {
    static const char* fn = "nf_lu";
    return nf::guard(fn, [&] {
        const nf::LinalgArgs g = nf::check_lu(fn, dtype, a, a_layout, lu_out, pivots_out, perm_out, info_out);
        if (dtype == NF_FLOAT32)
            nf::lu(static_cast<const float*>(a), *a_layout, g, static_cast<float*>(lu_out), pivots_out, perm_out, info_out);
        else
            nf::lu(static_cast<const double*>(a), *a_layout, g, static_cast<double*>(lu_out), pivots_out, perm_out, info_out);
        if (check) nf::check_lu_info(fn, info_out, g.batch);
    });
}

extern "C" NF_API nf_status nf_triangular_solve(nf_dtype dtype, const void* a, const nf_layout* a_layout, const void* b,
                                                const nf_layout* b_layout, int32_t lower, int32_t unit_diagonal, void* out) {
    static const char* fn = "nf_triangular_solve";
    return nf::guard(fn, [&] {
        const nf::LinalgArgs g = nf::check_triangular_solve(fn, dtype, a, a_layout, b, b_layout, out);
        if (g.k == 0) return;
        if (dtype == NF_FLOAT32)
            nf::triangular_solve(static_cast<const float*>(a), *a_layout, static_cast<const float*>(b), *b_layout, g,
                                 lower != 0, unit_diagonal != 0, static_cast<float*>(out));
        else
            nf::triangular_solve(static_cast<const double*>(a), *a_layout, static_cast<const double*>(b), *b_layout, g,
                                 lower != 0, unit_diagonal != 0, static_cast<double*>(out));
    });
}

extern "C" NF_API nf_status nf_cholesky(nf_dtype dtype, const void* a, const nf_layout* a_layout, void* l_out,
                                        int32_t* info_out, int32_t check) {
    static const char* fn = "nf_cholesky";
    return nf::guard(fn, [&] {
        const nf::LinalgArgs g = nf::check_cholesky(fn, dtype, a, a_layout, l_out, info_out);
        if (dtype == NF_FLOAT32)
            nf::cholesky(static_cast<const float*>(a), *a_layout, g, static_cast<float*>(l_out), info_out);
        else
            nf::cholesky(static_cast<const double*>(a), *a_layout, g, static_cast<double*>(l_out), info_out);
        if (check) nf::check_cholesky_info(fn, info_out, g.batch);
    });
}
