// nf_cuda_where: out = cond ? x : y over one shape, any strides (0 = broadcast, negative
// allowed), through the elementwise launcher. A select, never arithmetic (see cpu/select.cpp).
#include <cstdint>

#include "common/checks.h"
#include "cuda/elementwise.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

template <class T>
struct WhereFn {
    const uint8_t* c;
    const T* a;
    const T* b;
    T* o;
    __device__ void at(const int64_t (&off)[4]) const { o[off[3]] = c[off[0]] ? a[off[1]] : b[off[2]]; }
    __device__ void pack(int64_t i) const {
        const Pack4<uint8_t> m = reinterpret_cast<const Pack4<uint8_t>*>(c)[i];
        const Pack4<T> x = reinterpret_cast<const Pack4<T>*>(a)[i];
        const Pack4<T> y = reinterpret_cast<const Pack4<T>*>(b)[i];
        Pack4<T> r;
#pragma unroll
        for (int k = 0; k < 4; ++k) r.v[k] = m.v[k] ? x.v[k] : y.v[k];
        reinterpret_cast<Pack4<T>*>(o)[i] = r;
    }
};

template <class T>
void apply(const char* fn, const void* cond, const nf_layout& cl, const void* x, const nf_layout& xl, const void* y,
           const nf_layout& yl, void* out, const nf_layout& ol) {
    WhereFn<T> f{static_cast<const uint8_t*>(cond) + cl.offset, static_cast<const T*>(x) + xl.offset,
                 static_cast<const T*>(y) + yl.offset, static_cast<T*>(out) + ol.offset};
    const nf_layout* ls[4] = {&cl, &xl, &yl, &ol};
    const bool aligned = aligned4<uint8_t>(f.c) && aligned4<T>(f.a) && aligned4<T>(f.b) && aligned4<T>(f.o);
    elementwise(fn, make_plan(ls), f, aligned);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_where(nf_dtype dtype, const void* cond, const nf_layout* cond_layout,
                                          const void* x, const nf_layout* x_layout, const void* y,
                                          const nf_layout* y_layout, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_where";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_where(fn, dtype, cond, cond_layout, x, x_layout, y, y_layout, out, out_layout);
        if (n == 0) return;
        nf::dispatch(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            nf::cuda::apply<T>(fn, cond, *cond_layout, x, *x_layout, y, *y_layout, out, *out_layout);
        });
    });
}
