// nf_unary: out = op(x) over one shape, any strides. The functions and the contiguous loop are
// cpu/unary_math.h's, shared with the fused elementwise program.
#include "common/checks.h"
#include "common/dtype.h"
#include "common/elementwise_list.h"
#include "common/intmath.h"
#include "common/layout.h"
#include "cpu/parallel.h"
#include "cpu/unary_math.h"

namespace nf {

namespace cpu_math {
NF_SIMD_CLONES void exp_f32(const float* x, float* o, int64_t n) { contiguous<Exp>(x, o, n); }
NF_SIMD_CLONES void sigmoid_f32(const float* x, float* o, int64_t n) { contiguous<Sigmoid>(x, o, n); }
}  // namespace cpu_math

namespace {

using namespace cpu_math;  // the engine's functions and unary_span (cpu/unary_math.h)

template <class Op, class T>
void run(const T* x, int64_t sx, T* o, int64_t so, int64_t n) {
    if (sx == 1 && so == 1) {
        unary_span<Op>(x, o, n);
    } else {
        for (int64_t i = 0; i < n; ++i) o[i * so] = Op::f(x[i * sx]);
    }
}

template <class Op, class T>
void apply(const void* x, const nf_layout& xl, void* out, const nf_layout& ol, int64_t cost) {
    const T* px = static_cast<const T*>(x) + xl.offset;
    T* po = static_cast<T*>(out) + ol.offset;
    const nf_layout* ls[2] = {&xl, &ol};
    const Plan<2> p = make_plan(ls);
    const int64_t sx = p.inner(0), so = p.inner(1);
    run_plan(p, cost, [&](const int64_t* off, int64_t n) { run<Op>(px + off[0], sx, po + off[1], so, n); });
}

// Float-only ops (flag 0 in the list) are not instantiated for integers; check_unary has
// already refused those calls.
template <class T>
void dispatch_op(nf_unary_op op, const void* x, const nf_layout& xl, void* out, const nf_layout& ol) {
    switch (op) {
#define NF_CASE(E, Op, name, ints, cost) \
        case E: if constexpr (ints || is_float<T>) apply<Op, T>(x, xl, out, ol, cost); return;
        NF_UNARY_OPS(NF_CASE)
#undef NF_CASE
    }
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_unary(nf_unary_op op, nf_dtype dtype, const void* x,
                                     const nf_layout* x_layout, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_unary";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_unary(fn, op, dtype, x, x_layout, out, out_layout);
        if (n == 0) return;
        nf::dispatch(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            nf::dispatch_op<T>(op, x, *x_layout, out, *out_layout);
        });
    });
}
