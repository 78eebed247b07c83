// nf_reduce: SUM/MEAN/MAX/MIN/PROD over any set of axes, ARGMAX/ARGMIN over one axis.
//
// The input is split into kept axes (which index the contiguous output) and reduced axes,
// each coalesced with make_plan. Two strategies:
//  * columns: the kept axes collapse to one contiguous run in x (e.g. [batch, units] -> [units],
//    the bias gradient). Rows of x are accumulated into an accumulator row, which streams
//    memory in order and vectorises; threads split either the columns or the rows (with
//    per-thread partial rows merged at the end).
//  * per output: everything else, including row sums (reduced axes innermost and contiguous,
//    where the run loop below is a tight multi-accumulator sum). Threads split the outputs,
//    or, when there are fewer outputs than threads (full reductions), the reduced range.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/layout.h"
#include "common/reduce_acc.h"
#include "cpu/parallel.h"
#include "cpu/simd.h"

namespace nf {
namespace {

// Partial rows at most for a column reduction (each part holds one row of accumulators).
constexpr int64_t kMaxRowParts = 16;
// Below this many outputs each output's range is split into parts (rather than the outputs
// shared out). A constant, not the thread count, so that which path runs, and so the result,
// does not depend on the thread count either.
constexpr int64_t kFewOutputs = 4;

using Kind = ReduceKind;

// The shared policy (common/reduce_acc.h) plus the CPU's run loop.
template <Kind K, class T>
struct Acc : ReduceAcc<K, T> {
    using Base = ReduceAcc<K, T>;
    using A = typename Base::A;

    // Reduces one run; the contiguous sum uses 8 independent accumulators, written so the
    // compiler turns them into vector registers (and the result is closer to a pairwise sum
    // than a single running total).
    static A run(A a, const T* p, int64_t s, int64_t n) {
        if constexpr (K == Kind::Sum) {
            if (s == 1 && n >= 16) {
                A acc[8] = {};
                int64_t i = 0;
                for (; i + 8 <= n; i += 8)
                    for (int k = 0; k < 8; ++k) acc[k] += Base::widen(p[i + k]);
                for (; i < n; ++i) acc[0] += Base::widen(p[i]);
                return a + (((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])));
            }
        }
        if (s == 1) {
            for (int64_t i = 0; i < n; ++i) a = Base::step(a, p[i]);
        } else {
            for (int64_t i = 0; i < n; ++i) a = Base::step(a, p[i * s]);
        }
        return a;
    }
};

// acc[j] += x[j] over one row of a column sum of floats, per SIMD level (cpu/simd.h): each
// column's sum is the same additions in the same order at every vector width. Compiled for
// SSE2 alone, the bias gradient of a 256 x 50 batch took 2.6 us (two doubles a step).
NF_SIMD_CLONES void add_row_f32(double* acc, const float* x, int64_t n) {
    for (int64_t j = 0; j < n; ++j) acc[j] += static_cast<double>(x[j]);
}
NF_SIMD_CLONES void add_row_f64(double* acc, const double* x, int64_t n) {
    for (int64_t j = 0; j < n; ++j) acc[j] += x[j];
}
void add_row(double* acc, const float* x, int64_t n) { add_row_f32(acc, x, n); }
void add_row(double* acc, const double* x, int64_t n) { add_row_f64(acc, x, n); }

// Short rows (the bias gradient's [batch, 10]): a call per row of 10 floats cost more than its
// adds (60000 x 10: 362 us on 2 threads). Rows that follow each other in memory are summed g at
// a time as one flat row of g * n values into g partial rows (row i of a part into partial
// i mod g), so each call is a long vector loop; the partials are then added in order
// (fold_groups). g, the smallest count that makes g * n a whole number of 16 floats, and the
// parts depend on the sizes only: the same bits on any thread count.
constexpr int64_t kMaxGroupLen = 2048;
inline int64_t group_rows(int64_t n) {
    int64_t g = 16;
    while (g > 1 && (n * (g / 2)) % 16 == 0) g /= 2;
    return g * n <= kMaxGroupLen ? g : 1;
}
// acc[0, len) += each of `groups` consecutive runs of len values at x.
template <class T>
NF_INLINE void add_groups(double* acc, const T* x, int64_t groups, int64_t len) {
    for (int64_t b = 0; b < groups; ++b) {
        const T* p = x + b * len;
        for (int64_t j = 0; j < len; ++j) acc[j] += static_cast<double>(p[j]);
    }
}
NF_SIMD_CLONES void add_groups_f32(double* acc, const float* x, int64_t groups, int64_t len) { add_groups(acc, x, groups, len); }
NF_SIMD_CLONES void add_groups_f64(double* acc, const double* x, int64_t groups, int64_t len) { add_groups(acc, x, groups, len); }
void add_groups_of(double* acc, const float* x, int64_t groups, int64_t len) { add_groups_f32(acc, x, groups, len); }
void add_groups_of(double* acc, const double* x, int64_t groups, int64_t len) { add_groups_f64(acc, x, groups, len); }

// Column sums of rows [0, rows) of n values at x (consecutive in memory) into acc[0, n), through
// g partial rows at part (g * n doubles, overwritten).
template <class T>
void sum_short_rows(const T* x, int64_t rows, int64_t n, int64_t g, double* part, double* acc) {
    const int64_t len = g * n, groups = rows / g;
    std::fill(part, part + len, 0.0);
    add_groups_of(part, x, groups, len);
    // The rows after the last whole group go on into partials 0, 1, ...
    add_groups_of(part, x + groups * len, 1, (rows - groups * g) * n);
    for (int64_t k = 0; k < g; ++k)
        for (int64_t j = 0; j < n; ++j) acc[j] += part[k * n + j];
}

struct Split {
    nf_layout kx, ko, rx;  // kept axes in x, kept axes in out (contiguous), reduced axes in x
};

Split split_axes(const nf_layout& x, uint32_t mask) {
    Split s{};
    s.kx.rank = s.ko.rank = s.rx.rank = 0;
    for (int d = 0; d < x.rank; ++d) {
        nf_layout& dst = (mask >> d) & 1u ? s.rx : s.kx;
        dst.shape[dst.rank] = x.shape[d];
        dst.strides[dst.rank] = x.strides[d];
        dst.rank++;
    }
    s.ko = contiguous_like(s.kx);
    return s;
}

// Reduces linear reduced elements [b, e) of plan rp starting from x offset base.
template <class R, class T>
typename R::A reduce_range(const Plan<1>& rp, const T* base, int64_t b, int64_t e) {
    typename R::A a = R::init();
    const int64_t s = rp.inner(0);
    for_runs(rp, b, e, [&](const int64_t* off, int64_t n) { a = R::run(a, base + off[0], s, n); });
    return a;
}

template <Kind K, class T>
void reduce_values(const T* x, const Split& sp, T* out, bool mean) {
    using R = Acc<K, T>;
    using A = typename R::A;
    const nf_layout* kls[2] = {&sp.kx, &sp.ko};
    const nf_layout* rls[1] = {&sp.rx};
    const Plan<2> kp = make_plan(kls);
    const Plan<1> rp = make_plan(rls);
    const int64_t nout = kp.numel, nred = numel_of(sp.rx.shape, sp.rx.rank);
    if (nout == 0) return;

    if (kp.rank == 1 && kp.inner(0) == 1 && nout >= 2 && nred > 1) {
        // Columns: out[j] = reduce_i x[row_i + j]; rows enumerated by the reduced plan.
        const int64_t rs = rp.inner(0);
        auto accumulate = [&](A* acc, int64_t rb, int64_t re, int64_t cb, int64_t ce) {
            for_runs(rp, rb, re, [&](const int64_t* off, int64_t n) {
                for (int64_t i = 0; i < n; ++i) {
                    const T* row = x + off[0] + i * rs;
                    if constexpr (K == Kind::Sum && std::is_floating_point_v<T>)
                        add_row(acc + cb, row + cb, ce - cb);
                    else
                        for (int64_t j = cb; j < ce; ++j) acc[j] = R::step(acc[j], row[j]);
                }
            });
        };
        std::vector<A> acc;
        const int64_t row_parts = nout >= 4096 ? 1 : part_count(nred, nout, kMaxRowParts);
        if constexpr (K == Kind::Sum && std::is_floating_point_v<T>) {
            // Rows one run of consecutive rows (x's [rows, n] contiguous): sum_short_rows.
            const int64_t g = group_rows(nout);
            if (rp.rank == 1 && rs == nout && g > 1) {
                acc.assign(static_cast<size_t>(nout * row_parts), 0.0);
                std::vector<double> partials(static_cast<size_t>(g * nout * row_parts));
                auto part = [&](int, int64_t p, int64_t rb, int64_t re) {
                    sum_short_rows(x + rb * rs, re - rb, nout, g, partials.data() + g * nout * p, acc.data() + nout * p);
                };
                if (row_parts == 1) part(0, 0, 0, nred);  // no pool wake for a small batch's bias gradient
                else parallel_parts(nred, row_parts, [&](int t, int64_t p, int64_t rb, int64_t re) { part(t, p, rb, re); });
                for (int64_t p = 1; p < row_parts; ++p)
                    for (int64_t j = 0; j < nout; ++j) acc[j] = R::merge(acc[j], acc[nout * p + j]);
                for (int64_t j = 0; j < nout; ++j) out[j] = R::finish(acc[j], nred, mean);
                return;
            }
        }
        if (row_parts == 1) {
            acc.assign(static_cast<size_t>(nout), R::init());
            parallel_chunks(nout, nred, [&](int64_t cb, int64_t ce) { accumulate(acc.data(), 0, nred, cb, ce); });
        } else {
            // Few columns, many rows: each part sums its rows into its own partial row, merged
            // in part order (the parts depend on the sizes only, so the result does too).
            acc.assign(static_cast<size_t>(nout * row_parts), R::init());
            parallel_parts(nred, row_parts, [&](int, int64_t p, int64_t rb, int64_t re) {
                accumulate(acc.data() + nout * p, rb, re, 0, nout);
            });
            for (int64_t p = 1; p < row_parts; ++p)
                for (int64_t j = 0; j < nout; ++j) acc[j] = R::merge(acc[j], acc[nout * p + j]);
        }
        for (int64_t j = 0; j < nout; ++j) out[j] = R::finish(acc[j], nred, mean);
        return;
    }

    if (nout < kFewOutputs && work_of(nred, nout) >= kParallelMin) {
        // Full (or nearly full) reduction: split each output's range into parts, merged in
        // part order.
        const int64_t parts = part_count(nred, 1);
        std::vector<A> part(static_cast<size_t>(parts));
        for_runs(kp, 0, nout, [&](const int64_t* off, int64_t n) {
            for (int64_t j = 0; j < n; ++j) {
                const T* base = x + off[0] + j * kp.inner(0);
                parallel_parts(nred, parts, [&](int, int64_t p, int64_t b, int64_t e) {
                    part[static_cast<size_t>(p)] = reduce_range<R>(rp, base, b, e);
                });
                A a = part[0];
                for (int64_t p = 1; p < parts; ++p) a = R::merge(a, part[static_cast<size_t>(p)]);
                out[off[1] + j] = R::finish(a, nred, mean);
            }
        });
        return;
    }

    parallel_chunks(nout, nred, [&](int64_t b, int64_t e) {
        for_runs(kp, b, e, [&](const int64_t* off, int64_t n) {
            for (int64_t j = 0; j < n; ++j)
                out[off[1] + j] = R::finish(reduce_range<R>(rp, x + off[0] + j * kp.inner(0), 0, nred), nred, mean);
        });
    });
}

// First index of the extreme along one axis; the first NaN wins outright.
template <bool IsMax, class T, class I>
void arg_reduce(const T* x, const nf_layout& xl, int axis, I* out) {
    nf_layout kx{}, ko{};
    for (int d = 0; d < xl.rank; ++d) {
        if (d == axis) continue;
        kx.shape[kx.rank] = xl.shape[d];
        kx.strides[kx.rank] = xl.strides[d];
        kx.rank++;
    }
    ko = contiguous_like(kx);
    const nf_layout* kls[2] = {&kx, &ko};
    const Plan<2> kp = make_plan(kls);
    const int64_t len = xl.shape[axis], s = xl.strides[axis];
    auto scan = [&](const T* p) -> int64_t {
        T best = p[0];
        int64_t bi = 0;
        if (best != best) return 0;
        for (int64_t i = 1; i < len; ++i) {
            const T v = p[i * s];
            if (v != v) return i;
            if (IsMax ? v > best : v < best) {
                best = v;
                bi = i;
            }
        }
        return bi;
    };
    parallel_chunks(kp.numel, len, [&](int64_t b, int64_t e) {
        for_runs(kp, b, e, [&](const int64_t* off, int64_t n) {
            for (int64_t j = 0; j < n; ++j) out[off[1] + j] = static_cast<I>(scan(x + off[0] + j * kp.inner(0)));
        });
    });
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_reduce(nf_reduce_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                      uint32_t axes_mask, void* out, nf_dtype out_dtype) {
    static const char* fn = "nf_reduce";
    return nf::guard(fn, [&] {
        const nf::ReduceArgs ra = nf::check_reduce(fn, op, dtype, x, x_layout, axes_mask, out, out_dtype);
        const nf_layout& xl = *x_layout;
        const bool arg = ra.arg;
        if (ra.nout == 0) return;

        nf::dispatch(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            const T* px = static_cast<const T*>(x) + xl.offset;
            if (arg) {
                const int axis = ra.axis;
                const bool mx = op == NF_REDUCE_ARGMAX;
                if (out_dtype == NF_INT64)
                    mx ? nf::arg_reduce<true>(px, xl, axis, static_cast<int64_t*>(out))
                       : nf::arg_reduce<false>(px, xl, axis, static_cast<int64_t*>(out));
                else
                    mx ? nf::arg_reduce<true>(px, xl, axis, static_cast<int32_t*>(out))
                       : nf::arg_reduce<false>(px, xl, axis, static_cast<int32_t*>(out));
                return;
            }
            const nf::Split sp = nf::split_axes(xl, axes_mask);
            T* po = static_cast<T*>(out);
            switch (op) {
                case NF_REDUCE_SUM: return nf::reduce_values<nf::Kind::Sum>(px, sp, po, false);
                case NF_REDUCE_MEAN: return nf::reduce_values<nf::Kind::Sum>(px, sp, po, true);
                case NF_REDUCE_PROD: return nf::reduce_values<nf::Kind::Prod>(px, sp, po, false);
                case NF_REDUCE_MAX: return nf::reduce_values<nf::Kind::Max>(px, sp, po, false);
                case NF_REDUCE_MIN: return nf::reduce_values<nf::Kind::Min>(px, sp, po, false);
                default: return;
            }
        });
    });
}
