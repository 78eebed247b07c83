// nf_scan: cumulative sum / product along one axis (tf.math.cumsum / cumprod), each line a
// sequential scan in the reductions' accumulator (common/reduce_acc.h: double for floats,
// wrapping 64-bit for integers), lines in parallel. A scan is linear in the axis length; a
// composition from reductions would be quadratic.
#include <cstdint>

#include "common/scan_sort.h"
#include "cpu/parallel.h"

namespace nf {
namespace {

template <ReduceKind K, class T>
void scan_lines(const T* x, T* out, const Lines& s, bool exclusive, bool reverse) {
    using Acc = ReduceAcc<K, T>;
    const nf_layout* ls[2] = {&s.x, &s.out};
    const Plan<2> p = make_plan(ls);
    const int64_t sx = p.inner(0), so = p.inner(1), len = s.len;
    // Walking backwards is walking forwards from the last element with negated steps.
    const int64_t xs = reverse ? -s.x_step : s.x_step, os = reverse ? -s.out_step : s.out_step;
    const int64_t first = reverse ? len - 1 : 0;
    run_plan(p, len > 0 ? len : 1, [&](const int64_t* off, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
            const T* xi = x + off[0] + i * sx + first * s.x_step;
            T* oi = out + off[1] + i * so + first * s.out_step;
            scan_line<Acc>(xi, xs, oi, os, len, exclusive);
        }
    });
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_scan(nf_scan_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                                    int32_t exclusive, int32_t reverse, void* out) {
    static const char* fn = "nf_scan";
    return nf::guard(fn, [&] {
        nf::scan_entry(fn, op, dtype, x, x_layout, axis, out, [&](auto kind, auto px, auto po, const nf::Lines& s) {
            nf::scan_lines<decltype(kind)::value>(px, po, s, exclusive != 0, reverse != 0);
        });
    });
}
