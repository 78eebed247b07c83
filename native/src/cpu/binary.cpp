// nf_binary: out = a (op) b over one shape, any strides (0 = broadcast, negative allowed).
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/elementwise_list.h"
#include "common/elementwise_ops.h"
#include "common/intmath.h"
#include "common/layout.h"
#include "cpu/binary_run.h"
#include "cpu/parallel.h"

namespace nf {
namespace {

using namespace ops;  // Add, Sub, ... (common/elementwise_ops.h, shared with the CUDA engine)

// Short rows broadcast along one axis ([M, 10] + [10], the bias; [M, 10] * [M, 1]): the plan's
// runs are rows of C values, and a run loop per row (for_runs' step, the stride dispatch, a loop
// of 10) cost 3x the arithmetic (60000 x 10 + 10: 189 us on 2 threads). Here rows go straight
// to binary_run(), and a broadcast row is repeated g times into a pattern so that g rows at a
// time are one contiguous run. Out must be contiguous; each input a whole row (strides [C, 1]), a
// broadcast row ([0, 1]) or a value per row ([s, 0]).
constexpr int64_t kShortRow = 64;
constexpr int64_t kPatternLen = 256;  // a run of 256 values is long enough for the vector loop

template <class Op, class T, class R>
bool short_rows(const T* a, const T* b, R* o, const Plan<3>& p, int64_t cost) {
    if (p.rank != 2 || p.shape[1] >= kShortRow) return false;
    const int64_t rows = p.shape[0], C = p.shape[1];
    if (p.strides[2][0] != C || p.strides[2][1] != 1) return false;
    auto kind = [&](int k) {  // 0: whole rows, 1: a broadcast row, 2: a value per row, -1: other
        const int64_t s0 = p.strides[k][0], s1 = p.strides[k][1];
        return s1 == 1 ? (s0 == C ? 0 : s0 == 0 ? 1 : -1) : s1 == 0 ? 2 : -1;
    };
    const int ka = kind(0), kb = kind(1);
    // One input whole rows, the other broadcast; two broadcast inputs ([C] op [C] into [M, C],
    // [M, 1] op [1, C]: an outer product) are left to the runs.
    if (ka < 0 || kb < 0 || (ka == 0) == (kb == 0)) return false;
    if (ka == 1 || kb == 1) {
        // g rows at a time against the broadcast row repeated g times.
        const int64_t g = std::min(rows, std::max<int64_t>(1, kPatternLen / C)), len = g * C;
        T pattern[kPatternLen];
        const T* row = ka == 1 ? a : b;
        for (int64_t k = 0; k < g; ++k) std::copy(row, row + C, pattern + k * C);
        // n elements from element off, the pattern on the broadcast input's side.
        const auto span = [&](int64_t off, int64_t n) {
            if (ka == 1) binary_run<Op>(pattern, 1, b + off, 1, o + off, 1, n);
            else binary_run<Op>(a + off, 1, pattern, 1, o + off, 1, n);
        };
        parallel_chunks(rows, sat_mul(C, cost), [&](int64_t rb, int64_t re) {
            int64_t i = rb;
            for (; i + g <= re; i += g) span(i * C, len);
            span(i * C, (re - i) * C);
        });
        return true;
    }
    // A value per row against whole rows.
    const int64_t sa = p.strides[0][0], sb = p.strides[1][0];
    parallel_chunks(rows, sat_mul(C, cost), [&](int64_t rb, int64_t re) {
        for (int64_t i = rb; i < re; ++i) {
            if (ka == 2) binary_run<Op>(a + i * sa, 0, b + i * C, 1, o + i * C, 1, C);
            else binary_run<Op>(a + i * C, 1, b + i * sb, 0, o + i * C, 1, C);
        }
    });
    return true;
}

template <class Op, class T>
void apply(const void* a, const void* b, void* out, const nf_layout& al, const nf_layout& bl,
           const nf_layout& ol, int64_t cost) {
    using R = typename Op::template Out<T>;
    const T* pa = static_cast<const T*>(a) + al.offset;
    const T* pb = static_cast<const T*>(b) + bl.offset;
    R* po = static_cast<R*>(out) + ol.offset;
    const nf_layout* ls[3] = {&al, &bl, &ol};
    const Plan<3> p = make_plan(ls);
    if (short_rows<Op>(pa, pb, po, p, cost)) return;
    const int64_t sa = p.inner(0), sb = p.inner(1), so = p.inner(2);
    run_plan(p, cost, [&](const int64_t* off, int64_t n) {
        binary_run<Op>(pa + off[0], sa, pb + off[1], sb, po + off[2], so, n);
    });
}

template <class T>
void dispatch_op(nf_binary_op op, const void* a, const void* b, void* out, const nf_layout& al,
                 const nf_layout& bl, const nf_layout& ol) {
    switch (op) {
#define NF_CASE(E, Op, name, flag, cost) \
        case E: if constexpr (binary_takes_floats(flag) || !is_float<T>) apply<Op, T>(a, b, out, al, bl, ol, cost); return;
        NF_BINARY_OPS(NF_CASE)
#undef NF_CASE
    }
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_binary(nf_binary_op op, nf_dtype dtype, const void* a,
                                      const nf_layout* a_layout, const void* b,
                                      const nf_layout* b_layout, void* out,
                                      const nf_layout* out_layout) {
    static const char* fn = "nf_binary";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_binary(fn, op, dtype, a, a_layout, b, b_layout, out, out_layout);
        if (n == 0) return;
        // Bool maximum/minimum on 0/1 bytes are exactly or/and.
        nf::dispatch(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            nf::dispatch_op<T>(op, a, b, out, *a_layout, *b_layout, *out_layout);
        });
    });
}
