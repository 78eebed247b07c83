// nf_batch_norm, nf_layer_norm and their gradients: fused, one call per direction, with
// common/norm.h's per-element arithmetic (the CUDA kernels' too). Statistics are accumulated
// in double in two passes (mean, then squared deviations). Batch norm is parallel over blocks
// of features, each block walking x row by row (so axis -1's [N, C] reads stay contiguous);
// layer norm is parallel over rows, and its gamma/beta gradients over blocks of columns with
// the row statistics saved by the first pass. Every sum has one owner and a fixed order, so
// results do not depend on the thread count.
#include <vector>

#include "common/checks.h"
#include "common/norm.h"
#include "cpu/parallel.h"

namespace {

// x viewed as [outer, features, inner]; the statistics of feature f run over outer * inner.
struct BnGeom {
    int64_t outer, features, inner, count;  // count = outer * inner
    int64_t at(int64_t o, int64_t f, int64_t i) const { return (o * features + f) * inner + i; }
};

// Calls fn(f, index) for every element of features [f0, f1), row by row.
template <class F>
void for_block(const BnGeom& g, int64_t f0, int64_t f1, F&& fn) {
    for (int64_t o = 0; o < g.outer; ++o)
        for (int64_t f = f0; f < f1; ++f) {
            const int64_t base = g.at(o, f, 0);
            for (int64_t i = 0; i < g.inner; ++i) fn(f, base + i);
        }
}

// mean[f] and rstd[f] of features [f0, f1) from x, in double; variance[f] too (biased).
template <class T>
void batch_stats(const BnGeom& g, const T* x, int64_t f0, int64_t f1, double epsilon, double* mean, double* var,
                 double* rstd) {
    for (int64_t f = f0; f < f1; ++f) mean[f] = var[f] = 0;
    for_block(g, f0, f1, [&](int64_t f, int64_t k) { mean[f] += static_cast<double>(x[k]); });
    for (int64_t f = f0; f < f1; ++f) mean[f] /= static_cast<double>(g.count);
    for_block(g, f0, f1, [&](int64_t f, int64_t k) {
        const double d = static_cast<double>(x[k]) - mean[f];
        var[f] += d * d;
    });
    for (int64_t f = f0; f < f1; ++f) {
        var[f] /= static_cast<double>(g.count);
        rstd[f] = nf::norm_rstd(var[f], epsilon);
    }
}

template <class T>
void batch_norm(const BnGeom& g, const T* x, const T* gamma, const T* beta, const T* mean_in, const T* var_in,
                double epsilon, T* out, T* batch_mean, T* batch_var) {
    std::vector<double> mean(g.features), var(g.features), rstd(g.features);
    nf::parallel_chunks(g.features, g.count * 4, [&](int64_t f0, int64_t f1) {
        if (mean_in) {
            for (int64_t f = f0; f < f1; ++f) {
                mean[f] = static_cast<double>(mean_in[f]);
                rstd[f] = nf::norm_rstd(static_cast<double>(var_in[f]), epsilon);
            }
        } else {
            batch_stats(g, x, f0, f1, epsilon, mean.data(), var.data(), rstd.data());
            for (int64_t f = f0; f < f1; ++f) {
                batch_mean[f] = static_cast<T>(mean[f]);
                batch_var[f] = static_cast<T>(var[f]);
            }
        }
        for_block(g, f0, f1, [&](int64_t f, int64_t k) {
            out[k] = nf::norm_apply(x[k], mean[f], rstd[f], nf::norm_param(gamma, f, 1.0), nf::norm_param(beta, f, 0.0));
        });
    });
}

template <class T>
void batch_norm_backward(const BnGeom& g, const T* x, const T* dy, const T* gamma, const T* mean_in,
                         const T* var_in, double epsilon, T* dx, T* dgamma, T* dbeta) {
    const bool training = mean_in == nullptr;
    std::vector<double> mean(g.features), var(g.features), rstd(g.features), sdy(g.features), sdyx(g.features);
    nf::parallel_chunks(g.features, g.count * 6, [&](int64_t f0, int64_t f1) {
        if (training) {
            batch_stats(g, x, f0, f1, epsilon, mean.data(), var.data(), rstd.data());
        } else {
            for (int64_t f = f0; f < f1; ++f) {
                mean[f] = static_cast<double>(mean_in[f]);
                rstd[f] = nf::norm_rstd(static_cast<double>(var_in[f]), epsilon);
            }
        }
        for (int64_t f = f0; f < f1; ++f) sdy[f] = sdyx[f] = 0;
        // Inference dx needs no sums; they are skipped when neither gamma nor beta wants them.
        if (training || dgamma || dbeta)
            for_block(g, f0, f1, [&](int64_t f, int64_t k) {
                const double d = static_cast<double>(dy[k]);
                sdy[f] += d;
                sdyx[f] += d * (static_cast<double>(x[k]) - mean[f]) * rstd[f];
            });
        for (int64_t f = f0; f < f1; ++f) {
            if (dgamma) dgamma[f] = static_cast<T>(sdyx[f]);
            if (dbeta) dbeta[f] = static_cast<T>(sdy[f]);
        }
        if (!dx) return;
        const double n = static_cast<double>(g.count);
        for_block(g, f0, f1, [&](int64_t f, int64_t k) {
            const double gm = nf::norm_param(gamma, f, 1.0), u = gm * static_cast<double>(dy[k]);
            if (!training) {
                dx[k] = static_cast<T>(u * rstd[f]);
                return;
            }
            const double xhat = (static_cast<double>(x[k]) - mean[f]) * rstd[f];
            dx[k] = static_cast<T>(nf::norm_dx_train(u, xhat, rstd[f], gm * sdy[f] / n, gm * sdyx[f] / n));
        });
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
    // Pass 2 (blocks of columns): each column's sums over the rows, in row order.
    std::vector<double> sg(cols), sb(cols);
    nf::parallel_chunks(cols, rows * 3, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) sg[c] = sb[c] = 0;
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = c0; c < c1; ++c) {
                const double d = static_cast<double>(dy[r * cols + c]);
                sb[c] += d;
                sg[c] += d * (static_cast<double>(x[r * cols + c]) - mean[r]) * rstd[r];
            }
        for (int64_t c = c0; c < c1; ++c) {
            if (dgamma) dgamma[c] = static_cast<T>(sg[c]);
            if (dbeta) dbeta[c] = static_cast<T>(sb[c]);
        }
    });
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
