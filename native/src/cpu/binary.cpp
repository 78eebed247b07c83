// nf_binary: out = a (op) b over one shape, any strides (0 = broadcast, negative allowed).
#include <cmath>
#include <type_traits>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/elementwise_list.h"
#include "common/elementwise_ops.h"
#include "common/intmath.h"
#include "common/layout.h"
#include "cpu/parallel.h"

namespace nf {
namespace {

using namespace ops;  // Add, Sub, ... (common/elementwise_ops.h, shared with the CUDA engine)

// One run of n elements; specialised loops for the common contiguous / broadcast-scalar cases.
template <class Op, class T, class R>
void run(const T* a, int64_t sa, const T* b, int64_t sb, R* o, int64_t so, int64_t n) {
    if (so == 1) {
        if (sa == 1 && sb == 1) {
            for (int64_t i = 0; i < n; ++i) o[i] = Op::f(a[i], b[i]);
            return;
        }
        if (sa == 0 && sb == 1) {
            const T x = *a;
            for (int64_t i = 0; i < n; ++i) o[i] = Op::f(x, b[i]);
            return;
        }
        if (sa == 1 && sb == 0) {
            const T y = *b;
            for (int64_t i = 0; i < n; ++i) o[i] = Op::f(a[i], y);
            return;
        }
    }
    for (int64_t i = 0; i < n; ++i) o[i * so] = Op::f(a[i * sa], b[i * sb]);
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
    const int64_t sa = p.inner(0), sb = p.inner(1), so = p.inner(2);
    run_plan(p, cost, [&](const int64_t* off, int64_t n) {
        run<Op>(pa + off[0], sa, pb + off[1], sb, po + off[2], so, n);
    });
}

template <class T>
void dispatch_op(nf_binary_op op, const void* a, const void* b, void* out, const nf_layout& al,
                 const nf_layout& bl, const nf_layout& ol) {
    switch (op) {
#define NF_CASE(E, Op, name, on_bool, cost) \
        case E: return apply<Op, T>(a, b, out, al, bl, ol, cost);
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
