// The per-element arithmetic of batch and layer normalization, shared by the CPU engine and
// the CUDA kernels (NF_HD) so both compute every element with the same double-precision
// formula. Statistics are always accumulated in double by the callers, two passes (the mean,
// then the mean squared deviation from it): a float32 input around 1e4 with a spread of 1e-2
// would lose every significant digit of its variance in a one-pass float sum of squares.
#pragma once

#include <cmath>

#include "common/hd.h"

namespace nf {

// 1 / sqrt(variance + epsilon).
NF_HD inline double norm_rstd(double variance, double epsilon) { return 1.0 / sqrt(variance + epsilon); }

// y = gamma * (x - mean) * rstd + beta, in double, rounded once to T.
template <class T>
NF_HD inline T norm_apply(T x, double mean, double rstd, double gamma, double beta) {
    return static_cast<T>((static_cast<double>(x) - mean) * rstd * gamma + beta);
}

// The input gradient of one normalized element through its statistics. With u = gamma * dy
// (per element) and means over the n elements sharing the statistics,
// dx = rstd * (u - mean(u) - xhat * mean(u * xhat)).
// Batch norm's gamma is one value per feature, so its means are gamma * mean(dy) etc.
NF_HD inline double norm_dx_train(double u, double xhat, double rstd, double mean_u, double mean_u_xhat) {
    return rstd * (u - mean_u - xhat * mean_u_xhat);
}

// Reads element i of an optional per-feature buffer (gamma, beta) as double: `fallback` when NULL.
template <class T>
NF_HD inline double norm_param(const T* p, int64_t i, double fallback) {
    return p ? static_cast<double>(p[i]) : fallback;
}

}  // namespace nf
