// nf_where: out = cond ? x : y over one shape, any strides (0 = broadcast, negative allowed).
// A select, never arithmetic: the operand not chosen is not read into the result, so an inf or
// NaN in it cannot turn the chosen value into NaN (as cond*x + (1-cond)*y would).
#include <cstdint>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/layout.h"
#include "cpu/parallel.h"

namespace nf {
namespace {

template <class T>
void apply(const void* cond, const nf_layout& cl, const void* x, const nf_layout& xl, const void* y,
           const nf_layout& yl, void* out, const nf_layout& ol) {
    const uint8_t* pc = static_cast<const uint8_t*>(cond) + cl.offset;
    const T* px = static_cast<const T*>(x) + xl.offset;
    const T* py = static_cast<const T*>(y) + yl.offset;
    T* po = static_cast<T*>(out) + ol.offset;
    const nf_layout* ls[4] = {&cl, &xl, &yl, &ol};
    const Plan<4> p = make_plan(ls);
    const int64_t sc = p.inner(0), sx = p.inner(1), sy = p.inner(2), so = p.inner(3);
    run_plan(p, 1, [&](const int64_t* off, int64_t n) {
        const uint8_t* c = pc + off[0];
        const T* a = px + off[1];
        const T* b = py + off[2];
        T* o = po + off[3];
        if (sc == 1 && sx == 1 && sy == 1 && so == 1) {
            for (int64_t i = 0; i < n; ++i) o[i] = c[i] ? a[i] : b[i];
            return;
        }
        for (int64_t i = 0; i < n; ++i) o[i * so] = c[i * sc] ? a[i * sx] : b[i * sy];
    });
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_where(nf_dtype dtype, const void* cond, const nf_layout* cond_layout, const void* x,
                                     const nf_layout* x_layout, const void* y, const nf_layout* y_layout, void* out,
                                     const nf_layout* out_layout) {
    static const char* fn = "nf_where";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_where(fn, dtype, cond, cond_layout, x, x_layout, y, y_layout, out, out_layout);
        if (n == 0) return;
        nf::dispatch(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            nf::apply<T>(cond, *cond_layout, x, *x_layout, y, *y_layout, out, *out_layout);
        });
    });
}
