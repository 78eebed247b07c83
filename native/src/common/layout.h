// Layout validation and the strided N-d iterator every elementwise kernel runs on.
//
// Kernels never walk an N-d index per element: make_plan() drops size-1 axes and merges axes
// that are contiguous with respect to each other in *every* operand, so a contiguous tensor
// becomes one long run and a [rows, cols] tensor with a stride-0 broadcast row becomes rows
// runs of length cols. for_runs() then hands the kernel (offsets, run length) pairs and the
// kernel specialises its inner loop on the inner strides (1/1, 0/1, ...).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/hd.h"
#include "neuralflow.h"

namespace nf {

// The most elements a tensor may hold or a layout may reach: 2^60, so that the byte count or
// byte offset of any element (8 bytes at most) fits int64 and no kernel arithmetic on indices,
// offsets or sizes of a checked layout can overflow.
constexpr int64_t kMaxElements = INT64_MAX / 8;

// Validates a layout argument: non-null, rank 0..8, reserved 0, shape >= 0, the product of
// the nonzero axes at most kMaxElements and (unless it holds no element) the lowest and highest
// addressed element within [0, kMaxElements], all computed without overflow. Returns the element count. `fn`/`arg` name the
// call and argument in messages.
int64_t check_layout(const char* fn, const char* arg, const nf_layout* l);

// a * b (both >= 0) for the size `what` ("output elements"), failing with NF_INVALID naming it
// when the product passes kMaxElements (or int64).
int64_t size_mul(const char* fn, const char* what, int64_t a, int64_t b);

// Fails unless a and b have one rank and shape ("nf_binary: shape mismatch: a_layout is [2, 3]
// but out_layout is [3, 2]").
void check_same_shape(const char* fn, const char* a_name, const nf_layout& a,
                      const char* b_name, const nf_layout& b);

// A NULL buffer is only acceptable when it holds no elements.
void check_buffer(const char* fn, const char* arg, const void* p, int64_t numel);

// The usual elementwise checks for an input x and an output out of one shape (argument names
// "x"/"x_layout" and "out"/"out_layout" unless given). Returns the element count. The names are
// literals, not built per call: this runs on every op.
int64_t check_x_out(const char* fn, const void* x, const nf_layout* x_layout, const void* out,
                    const nf_layout* out_layout, const char* x_name = "x",
                    const char* x_layout_name = "x_layout");

// "[2, 3, 4]"
std::string shape_str(const int64_t* shape, int rank);

// Row-major contiguous (size-1 axes may carry any stride).
bool is_contiguous(const nf_layout& l);
// Fills strides with the row-major contiguous strides of shape and sets offset 0.
nf_layout contiguous_like(const nf_layout& l);

int64_t numel_of(const int64_t* shape, int rank);

// ---- N-d iteration -------------------------------------------------------------------------

template <int N>
struct Plan {
    int rank = 1;  // >= 1 after coalescing; a scalar becomes shape [1]
    int64_t numel = 1;
    int64_t shape[NF_MAX_RANK] = {1};
    int64_t strides[N][NF_MAX_RANK] = {};
    // Inner (fastest) stride of operand k.
    int64_t inner(int k) const { return strides[k][rank - 1]; }
};

// All layouts share one shape (checked by the caller).
template <int N>
Plan<N> make_plan(const nf_layout* const (&ls)[N]) {
    Plan<N> p;
    const nf_layout& l0 = *ls[0];
    p.numel = numel_of(l0.shape, l0.rank);
    int r = 0;  // dims collected innermost-first, reversed at the end
    int64_t shape[NF_MAX_RANK];
    int64_t st[N][NF_MAX_RANK];
    for (int d = l0.rank - 1; d >= 0; --d) {
        const int64_t n = l0.shape[d];
        if (n == 1) continue;  // size-1 axes contribute nothing, whatever their stride
        bool merge = r > 0;
        for (int k = 0; k < N && merge; ++k)
            merge = ls[k]->strides[d] == st[k][r - 1] * shape[r - 1];
        if (merge) {
            shape[r - 1] *= n;
        } else {
            shape[r] = n;
            for (int k = 0; k < N; ++k) st[k][r] = ls[k]->strides[d];
            ++r;
        }
    }
    if (r == 0) {  // scalar or all size-1
        p.rank = 1;
        p.shape[0] = 1;
        for (int k = 0; k < N; ++k) p.strides[k][0] = 1;
        return p;
    }
    p.rank = r;
    for (int i = 0; i < r; ++i) {
        p.shape[i] = shape[r - 1 - i];
        for (int k = 0; k < N; ++k) p.strides[k][i] = st[k][r - 1 - i];
    }
    return p;
}

// Calls f(off, n) for consecutive runs covering linear elements [begin, end) in row-major
// order, where off[k] is operand k's element offset of the run start and the run continues
// with stride p.inner(k) for n elements.
template <int N, class F>
void for_runs(const Plan<N>& p, int64_t begin, int64_t end, F&& f) {
    if (begin >= end) return;
    const int r = p.rank;
    const int64_t inner_n = p.shape[r - 1];
    int64_t idx[NF_MAX_RANK];
    int64_t off[N] = {};
    int64_t rem = begin;
    for (int d = r - 1; d >= 0; --d) {
        idx[d] = rem % p.shape[d];
        rem /= p.shape[d];
        for (int k = 0; k < N; ++k) off[k] += idx[d] * p.strides[k][d];
    }
    int64_t pos = begin;
    while (pos < end) {
        const int64_t n = std::min(inner_n - idx[r - 1], end - pos);
        f(static_cast<const int64_t*>(off), n);
        pos += n;
        if (pos >= end) break;
        // Step to the start of the next inner row, carrying into outer axes.
        for (int k = 0; k < N; ++k) off[k] -= idx[r - 1] * p.strides[k][r - 1];
        idx[r - 1] = 0;
        for (int d = r - 2; d >= 0; --d) {
            for (int k = 0; k < N; ++k) off[k] += p.strides[k][d];
            if (++idx[d] < p.shape[d]) break;
            for (int k = 0; k < N; ++k) off[k] -= idx[d] * p.strides[k][d];
            idx[d] = 0;
        }
    }
}

// Element offset of linear row-major index `i` within dims [0, rank) of shape/strides.
NF_HD inline int64_t offset_of(int64_t i, const int64_t* shape, const int64_t* strides, int rank) {
    int64_t off = 0;
    for (int d = rank - 1; d >= 0; --d) {
        const int64_t q = i / shape[d];
        off += (i - q * shape[d]) * strides[d];
        i = q;
    }
    return off;
}

}  // namespace nf
