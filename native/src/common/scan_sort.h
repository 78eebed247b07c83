// What the cumulative-scan and sort kernels of both engines share (cpu/scan.cpp, cpu/sort.cpp,
// cuda/scan.cu, cuda/sort.cu): how a tensor is cut into lines along one axis, and the one order
// both engines sort by, so they agree bit for bit.
#pragma once

#include <cstdint>
#include <type_traits>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/hd.h"
#include "common/layout.h"
#include "common/reduce_acc.h"

namespace nf {

// The lines of x along `axis`: every index of the other axes, as a layout pair (x's strides,
// and the contiguous output's) of rank - 1 that make_plan can walk; each element of that walk
// is the start of one line of `len` elements, `x_step` / `out_step` apart. Offsets are the
// caller's: kernels read x from its element [0, ..., 0].
struct Lines {
    nf_layout x, out;  // rank - 1: the other axes
    int64_t len, x_step, out_step;
};

inline Lines lines_of(const nf_layout& xl, int axis) {
    Lines s{};
    const nf_layout ol = contiguous_like(xl);
    s.len = xl.shape[axis];
    s.x_step = xl.strides[axis];
    s.out_step = ol.strides[axis];
    int r = 0;
    for (int d = 0; d < xl.rank; ++d) {
        if (d == axis) continue;
        s.x.shape[r] = s.out.shape[r] = xl.shape[d];
        s.x.strides[r] = xl.strides[d];
        s.out.strides[r] = ol.strides[d];
        ++r;
    }
    s.x.rank = s.out.rank = r;
    return s;
}

// The sort order: ascending puts NaN last (NumPy), descending is its reverse with ties still in
// index order (stable), so NaN comes first. -0 and +0 are equal. `before(a, b)`: a sorts
// strictly before b.
template <class T>
NF_HD inline bool sorts_before(T a, T b, bool descending) {
    const bool an = a != a, bn = b != b;  // NaN tests, false for integers
    if (descending) return (an && !bn) || (!an && !bn && a > b);
    return (!an && bn) || (!an && !bn && a < b);
}

// One line of a scan: `len` elements read `xs` apart from x into out, `os` apart, in the
// accumulator Acc (common/reduce_acc.h's ReduceAcc of the engine); exclusive: each output
// before its element is added.
template <class Acc, class T>
NF_HD inline void scan_line(const T* x, int64_t xs, T* out, int64_t os, int64_t len, bool exclusive) {
    auto a = Acc::init();
    for (int64_t j = 0; j < len; ++j) {
        if (exclusive) out[j * os] = Acc::finish(a, 0, false);
        a = Acc::step(a, x[j * xs]);
        if (!exclusive) out[j * os] = Acc::finish(a, 0, false);
    }
}

// The entry points of nf_scan / nf_cuda_scan after their names: the shared checks, then
// run(kind, x, out, lines) with kind a std::integral_constant<ReduceKind, ...> and x/out typed.
template <class Run>
void scan_entry(const char* fn, nf_scan_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                void* out, Run&& run) {
    if (check_scan(fn, op, dtype, x, x_layout, axis, out) == 0) return;
    const Lines s = lines_of(*x_layout, axis);
    dispatch(dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        if constexpr (decltype(tag)::dtype != NF_BOOL) {  // refused by check_scan
            const T* px = static_cast<const T*>(x) + x_layout->offset;
            T* po = static_cast<T*>(out);
            if (op == NF_SCAN_SUM) run(std::integral_constant<ReduceKind, ReduceKind::Sum>{}, px, po, s);
            else run(std::integral_constant<ReduceKind, ReduceKind::Prod>{}, px, po, s);
        }
    });
}

// The same for nf_sort / nf_cuda_sort: run(x, values, lines) with x and values typed.
template <class Run>
void sort_entry(const char* fn, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis, void* values_out,
                nf_dtype index_dtype, void* indices_out, Run&& run) {
    const int64_t n = check_sort(fn, dtype, x, x_layout, axis, values_out, index_dtype, indices_out);
    if (n == 0 || (!values_out && !indices_out)) return;
    const Lines s = lines_of(*x_layout, axis);
    dispatch(dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        run(static_cast<const T*>(x) + x_layout->offset, static_cast<T*>(values_out), s);
    });
}

}  // namespace nf
