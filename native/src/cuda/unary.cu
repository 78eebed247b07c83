// nf_cuda_unary: out = op(x) over one shape, any strides. Mirrors cpu/unary.cpp.
#include <type_traits>

#include "common/elementwise_list.h"
#include "cuda/elementwise.cuh"
#include "cuda/unary_math.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

using namespace math;  // the engine's functions (cuda/unary_math.cuh), shared with cuda/fused.cu

template <class Op, class T>
struct UnaryFn {
    const T* x;
    T* o;
    __device__ void at(const int64_t (&off)[2]) const { o[off[1]] = Op::template f<T>(x[off[0]]); }
    __device__ void pack(int64_t i) const {
        Pack4<T> v = reinterpret_cast<const Pack4<T>*>(x)[i];
#pragma unroll
        for (int k = 0; k < 4; ++k) v.v[k] = Op::template f<T>(v.v[k]);
        reinterpret_cast<Pack4<T>*>(o)[i] = v;
    }
};

template <class Op, class T>
void apply(const char* fn, const void* x, const nf_layout& xl, void* out, const nf_layout& ol) {
    UnaryFn<Op, T> f{static_cast<const T*>(x) + xl.offset, static_cast<T*>(out) + ol.offset};
    const nf_layout* ls[2] = {&xl, &ol};
    elementwise(fn, make_plan(ls), f, aligned4<T>(f.x) && aligned4<T>(f.o));
}

// Float-only ops (flag 0 in the list) are not instantiated for integers; check_unary has
// already refused those calls.
template <class T>
void dispatch_op(const char* fn, nf_unary_op op, const void* x, const nf_layout& xl, void* out, const nf_layout& ol) {
    switch (op) {
#define NF_CASE(E, Op, name, ints, cost) \
        case E: if constexpr (ints || is_float<T>) apply<Op, T>(fn, x, xl, out, ol); return;
        NF_UNARY_OPS(NF_CASE)
#undef NF_CASE
    }
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_unary(nf_unary_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                          void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_unary";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_unary(fn, op, dtype, x, x_layout, out, out_layout);
        if (n == 0) return;
        nf::dispatch(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            nf::cuda::dispatch_op<T>(fn, op, x, *x_layout, out, *out_layout);
        });
    });
}
