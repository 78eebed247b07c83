// nf_batch_norm, nf_layer_norm and their gradients: fused, one call per direction, with
// common/norm.h's per-element arithmetic (the CUDA kernels' too). Statistics are accumulated
// in double in two passes (mean, then squared deviations).
//
// Every pass reads x in memory order, cut into parts by size alone: a per-feature sum is kept
// per part and the parts' sums are added in part order, so results do not depend on the thread
// count, and no part reads memory another part reads (splitting by feature instead would make
// each part of an NHWC [N*H*W, C] tensor walk the whole tensor for its channel: C times the
// memory traffic). Batch norm's parts are runs of (outer, feature) planes of `inner` elements;
// layer norm's are rows, and its gamma/beta gradients sum per column over row parts.
#include <vector>

#include "common/checks.h"
#include "common/norm.h"
#include "cpu/parallel.h"

namespace {

// x viewed as [outer, features, inner]; the statistics of feature f run over outer * inner.
struct BnGeom {
    int64_t outer, features, inner, count;  // count = outer * inner
    int64_t planes() const { return outer * features; }
};

// Runs f(part, begin, end) over `parts` fixed parts of [0, n) (on the calling thread for one).
template <class F>
void run_parts(int64_t n, int64_t parts, F&& f) {
    if (parts == 1) {
        f(int64_t{0}, int64_t{0}, n);
        return;
    }
    nf::parallel_parts(n, parts, [&](int, int64_t p, int64_t b, int64_t e) { f(p, b, e); });
}

// out[k * width + j] = sum over all rows of [0, rows) of term's k-th value for column j, for K
// sums at once: term(row, acc) adds row's contributions into acc[k * width + j]. Rows (each
// costing row_cost) are cut into fixed parts with their own accumulators, added in part order.
template <int K, class Term>
void column_sums(int64_t rows, int64_t width, int64_t row_cost, Term term, double* out) {
    const int64_t parts = nf::part_count(rows, row_cost);
    std::vector<double> partial(static_cast<size_t>(parts * K * width), 0.0);
    run_parts(rows, parts, [&](int64_t p, int64_t b, int64_t e) {
        double* acc = partial.data() + p * K * width;
        for (int64_t r = b; r < e; ++r) term(r, acc);
    });
    for (int64_t j = 0; j < K * width; ++j) {
        double s = 0;
        for (int64_t p = 0; p < parts; ++p) s += partial[p * K * width + j];
        out[j] = s;
    }
}

// K per-feature sums of batch norm: plane u = (o, f) adds term(f, k, acc) over its inner
// elements k into acc[f] (and acc[features + f] for a second sum).
template <int K, class Term>
void feature_sums(const BnGeom& g, int64_t cost, Term term, double* out) {
    column_sums<K>(g.planes(), g.features, nf::work_of(g.inner, cost), [&](int64_t u, double* acc) {
        const int64_t f = u % g.features, base = u * g.inner;
        double s[K] = {};
        for (int64_t i = 0; i < g.inner; ++i) term(f, base + i, s);
        for (int k = 0; k < K; ++k) acc[k * g.features + f] += s[k];
    }, out);
}

// Batch mean, biased variance and rstd of every feature, from x in double (two passes).
template <class T>
void batch_stats(const BnGeom& g, const T* x, double epsilon, double* mean, double* var, double* rstd) {
    feature_sums<1>(g, 1, [&](int64_t, int64_t k, double* s) { s[0] += static_cast<double>(x[k]); }, mean);
    for (int64_t f = 0; f < g.features; ++f) mean[f] /= static_cast<double>(g.count);
    feature_sums<1>(g, 2, [&](int64_t f, int64_t k, double* s) {
        const double d = static_cast<double>(x[k]) - mean[f];
        s[0] += d * d;
    }, var);
    for (int64_t f = 0; f < g.features; ++f) {
        var[f] /= static_cast<double>(g.count);
        rstd[f] = nf::norm_rstd(var[f], epsilon);
    }
}

// The statistics an inference call was given.
template <class T>
void given_stats(const BnGeom& g, const T* mean_in, const T* var_in, double epsilon, double* mean, double* rstd) {
    for (int64_t f = 0; f < g.features; ++f) {
        mean[f] = static_cast<double>(mean_in[f]);
        rstd[f] = nf::norm_rstd(static_cast<double>(var_in[f]), epsilon);
    }
}

// Calls fn(f, k) for every element, in parallel over fixed parts of the planes.
template <class F>
void for_each_element(const BnGeom& g, int64_t cost, F&& fn) {
    nf::parallel_chunks(g.planes(), nf::work_of(g.inner, cost), [&](int64_t b, int64_t e) {
        for (int64_t u = b; u < e; ++u) {
            const int64_t f = u % g.features, base = u * g.inner;
            for (int64_t i = 0; i < g.inner; ++i) fn(f, base + i);
        }
    });
}

template <class T>
void batch_norm(const BnGeom& g, const T* x, const T* gamma, const T* beta, const T* mean_in, const T* var_in,
                double epsilon, T* out, T* batch_mean, T* batch_var) {
    std::vector<double> mean(g.features), var(g.features), rstd(g.features);
    if (mean_in) {
        given_stats(g, mean_in, var_in, epsilon, mean.data(), rstd.data());
    } else {
        batch_stats(g, x, epsilon, mean.data(), var.data(), rstd.data());
        for (int64_t f = 0; f < g.features; ++f) {
            batch_mean[f] = static_cast<T>(mean[f]);
            batch_var[f] = static_cast<T>(var[f]);
        }
    }
    for_each_element(g, 4, [&](int64_t f, int64_t k) {
        out[k] = nf::norm_apply(x[k], mean[f], rstd[f], nf::norm_param(gamma, f, 1.0), nf::norm_param(beta, f, 0.0));
    });
}

template <class T>
void batch_norm_backward(const BnGeom& g, const T* x, const T* dy, const T* gamma, const T* mean_in,
                         const T* var_in, double epsilon, T* dx, T* dgamma, T* dbeta) {
    const bool training = mean_in == nullptr;
    const int64_t F = g.features;
    std::vector<double> mean(F), var(F), rstd(F), sums(2 * F, 0.0);  // sums: sum(dy), then sum(dy * xhat)
    if (training) batch_stats(g, x, epsilon, mean.data(), var.data(), rstd.data());
    else given_stats(g, mean_in, var_in, epsilon, mean.data(), rstd.data());
    // Inference dx needs no sums; they are skipped when neither gamma nor beta wants them.
    if (training || dgamma || dbeta)
        feature_sums<2>(g, 4, [&](int64_t f, int64_t k, double* s) {
            const double d = static_cast<double>(dy[k]);
            s[0] += d;
            s[1] += d * (static_cast<double>(x[k]) - mean[f]) * rstd[f];
        }, sums.data());
    const double* sdy = sums.data();
    const double* sdyx = sums.data() + F;
    for (int64_t f = 0; f < F; ++f) {
        if (dgamma) dgamma[f] = static_cast<T>(sdyx[f]);
        if (dbeta) dbeta[f] = static_cast<T>(sdy[f]);
    }
    if (!dx) return;
    const double n = static_cast<double>(g.count);
    for_each_element(g, 6, [&](int64_t f, int64_t k) {
        const double gm = nf::norm_param(gamma, f, 1.0), u = gm * static_cast<double>(dy[k]);
        if (!training) {
            dx[k] = static_cast<T>(u * rstd[f]);
            return;
        }
        const double xhat = (static_cast<double>(x[k]) - mean[f]) * rstd[f];
        dx[k] = static_cast<T>(nf::norm_dx_train(u, xhat, rstd[f], gm * sdy[f] / n, gm * sdyx[f] / n));
    });
}

// Row r's mean and rstd (double, two passes).
template <class T>
void row_stats(const T* row, int64_t cols, double epsilon, double* mean, double* rstd) {
    double s = 0;
    for (int64_t c = 0; c < cols; ++c) s += static_cast<double>(row[c]);
    const double m = s / static_cast<double>(cols);
    double v = 0;
    for (int64_t c = 0; c < cols; ++c) {
        const double d = static_cast<double>(row[c]) - m;
        v += d * d;
    }
    *mean = m;
    *rstd = nf::norm_rstd(v / static_cast<double>(cols), epsilon);
}

template <class T>
void layer_norm(const T* x, int64_t rows, int64_t cols, const T* gamma, const T* beta, double epsilon, T* out) {
    nf::parallel_chunks(rows, cols * 4, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const T* xr = x + r * cols;
            T* yr = out + r * cols;
            double mean, rstd;
            row_stats(xr, cols, epsilon, &mean, &rstd);
            for (int64_t c = 0; c < cols; ++c)
                yr[c] = nf::norm_apply(xr[c], mean, rstd, nf::norm_param(gamma, c, 1.0), nf::norm_param(beta, c, 0.0));
        }
    });
}

template <class T>
void layer_norm_backward(const T* x, int64_t rows, int64_t cols, const T* dy, const T* gamma, double epsilon, T* dx,
                         T* dgamma, T* dbeta) {
    // Pass 1 (rows): statistics, kept for pass 2, and dx.
    std::vector<double> mean(rows), rstd(rows);
    nf::parallel_chunks(rows, cols * 6, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const T* xr = x + r * cols;
            const T* gr = dy + r * cols;
            row_stats(xr, cols, epsilon, &mean[r], &rstd[r]);
            if (!dx) continue;
            double su = 0, sux = 0;
            for (int64_t c = 0; c < cols; ++c) {
                const double u = nf::norm_param(gamma, c, 1.0) * static_cast<double>(gr[c]);
                su += u;
                sux += u * (static_cast<double>(xr[c]) - mean[r]) * rstd[r];
            }
            const double n = static_cast<double>(cols);
            T* dr = dx + r * cols;
            for (int64_t c = 0; c < cols; ++c) {
                const double u = nf::norm_param(gamma, c, 1.0) * static_cast<double>(gr[c]);
                const double xhat = (static_cast<double>(xr[c]) - mean[r]) * rstd[r];
                dr[c] = static_cast<T>(nf::norm_dx_train(u, xhat, rstd[r], su / n, sux / n));
            }
        }
    });
    if (!dgamma && !dbeta) return;
    // Pass 2: each column's sums over the rows, in fixed row parts (memory order).
    std::vector<double> sums(2 * cols);  // sum(dy * xhat), then sum(dy)
    column_sums<2>(rows, cols, nf::work_of(cols, 3), [&](int64_t r, double* acc) {
        const T* xr = x + r * cols;
        const T* gr = dy + r * cols;
        for (int64_t c = 0; c < cols; ++c) {
            const double d = static_cast<double>(gr[c]);
            acc[c] += d * (static_cast<double>(xr[c]) - mean[r]) * rstd[r];
            acc[cols + c] += d;
        }
    }, sums.data());
    for (int64_t c = 0; c < cols; ++c) {
        if (dgamma) dgamma[c] = static_cast<T>(sums[c]);
        if (dbeta) dbeta[c] = static_cast<T>(sums[cols + c]);
    }
}

template <class T>
const T* cp(const void* p) { return static_cast<const T*>(p); }
template <class T>
T* mp(void* p) { return static_cast<T*>(p); }

}  // namespace

extern "C" NF_API nf_status nf_batch_norm(nf_dtype dtype, const void* x, int64_t outer, int64_t features,
                                          int64_t inner, const void* gamma, const void* beta, const void* mean,
                                          const void* variance, double epsilon, void* out, void* batch_mean,
                                          void* batch_variance) {
    static const char* fn = "nf_batch_norm";
    return nf::guard(fn, [&] {
        const int64_t count = nf::check_batch_norm(fn, dtype, x, outer, features, inner, mean, variance, epsilon,
                                                   out, batch_mean, batch_variance);
        if (features == 0) return;
        const BnGeom g{outer, features, inner, count};
        if (dtype == NF_FLOAT32)
            batch_norm(g, cp<float>(x), cp<float>(gamma), cp<float>(beta), cp<float>(mean), cp<float>(variance),
                       epsilon, mp<float>(out), mp<float>(batch_mean), mp<float>(batch_variance));
        else
            batch_norm(g, cp<double>(x), cp<double>(gamma), cp<double>(beta), cp<double>(mean),
                       cp<double>(variance), epsilon, mp<double>(out), mp<double>(batch_mean),
                       mp<double>(batch_variance));
    });
}

extern "C" NF_API nf_status nf_batch_norm_backward(nf_dtype dtype, const void* x, int64_t outer, int64_t features,
                                                   int64_t inner, const void* dy, const void* gamma,
                                                   const void* mean, const void* variance, double epsilon,
                                                   int32_t training, void* dx, void* dgamma, void* dbeta) {
    static const char* fn = "nf_batch_norm_backward";
    return nf::guard(fn, [&] {
        const int64_t count = nf::check_batch_norm_backward(fn, dtype, x, outer, features, inner, dy, mean,
                                                            variance, epsilon, training);
        if (features == 0) return;
        const BnGeom g{outer, features, inner, count};
        if (dtype == NF_FLOAT32)
            batch_norm_backward(g, cp<float>(x), cp<float>(dy), cp<float>(gamma), cp<float>(mean),
                                cp<float>(variance), epsilon, mp<float>(dx), mp<float>(dgamma), mp<float>(dbeta));
        else
            batch_norm_backward(g, cp<double>(x), cp<double>(dy), cp<double>(gamma), cp<double>(mean),
                                cp<double>(variance), epsilon, mp<double>(dx), mp<double>(dgamma),
                                mp<double>(dbeta));
    });
}

extern "C" NF_API nf_status nf_layer_norm(nf_dtype dtype, const void* x, int64_t rows, int64_t cols,
                                          const void* gamma, const void* beta, double epsilon, void* out) {
    static const char* fn = "nf_layer_norm";
    return nf::guard(fn, [&] {
        nf::check_layer_norm(fn, dtype, x, rows, cols, epsilon, out, "out");
        if (rows == 0 || cols == 0) return;
        if (dtype == NF_FLOAT32)
            layer_norm(cp<float>(x), rows, cols, cp<float>(gamma), cp<float>(beta), epsilon, mp<float>(out));
        else
            layer_norm(cp<double>(x), rows, cols, cp<double>(gamma), cp<double>(beta), epsilon, mp<double>(out));
    });
}

extern "C" NF_API nf_status nf_layer_norm_backward(nf_dtype dtype, const void* x, int64_t rows, int64_t cols,
                                                   const void* dy, const void* gamma, double epsilon, void* dx,
                                                   void* dgamma, void* dbeta) {
    static const char* fn = "nf_layer_norm_backward";
    return nf::guard(fn, [&] {
        nf::check_layer_norm(fn, dtype, x, rows, cols, epsilon, dy, "dy");
        if (cols == 0) return;
        // No rows: the parameter gradients are sums over nothing.
        if (dtype == NF_FLOAT32)
            layer_norm_backward(cp<float>(x), rows, cols, cp<float>(dy), cp<float>(gamma), epsilon, mp<float>(dx),
                                mp<float>(dgamma), mp<float>(dbeta));
        else
            layer_norm_backward(cp<double>(x), rows, cols, cp<double>(dy), cp<double>(gamma), epsilon,
                                mp<double>(dx), mp<double>(dgamma), mp<double>(dbeta));
    });
}
