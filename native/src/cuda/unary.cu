// nf_cuda_unary: out = op(x) over one shape, any strides. Mirrors cpu/unary.cpp.
#include <type_traits>

#include "common/elementwise_ops.h"
#include "cuda/elementwise.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

using namespace ops;  // Neg, Abs, Square, Relu, Sign: the CPU engine's (common/elementwise_ops.h)

struct Exp { template <class T> __device__ static T f(T x) { return exp(x); } };
struct Log { template <class T> __device__ static T f(T x) { return log(x); } };
struct Sqrt { template <class T> __device__ static T f(T x) { return sqrt(x); } };
struct Tanh { template <class T> __device__ static T f(T x) { return tanh(x); } };
// Stable on both tails: exp only of a non-positive number.
struct Sigmoid {
    template <class T> __device__ static T f(T x) {
        if (x >= T(0)) return T(1) / (T(1) + exp(-x));
        const T e = exp(x);
        return e / (T(1) + e);
    }
};

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

template <class T>
void dispatch_op(const char* fn, nf_unary_op op, const void* x, const nf_layout& xl, void* out, const nf_layout& ol) {
    switch (op) {
        case NF_UNARY_NEG: return apply<Neg, T>(fn, x, xl, out, ol);
        case NF_UNARY_ABS: return apply<Abs, T>(fn, x, xl, out, ol);
        case NF_UNARY_SQUARE: return apply<Square, T>(fn, x, xl, out, ol);
        case NF_UNARY_RELU: return apply<Relu, T>(fn, x, xl, out, ol);
        case NF_UNARY_SIGN: return apply<Sign, T>(fn, x, xl, out, ol);
        default: break;
    }
    if constexpr (is_float<T>) {
        switch (op) {
            case NF_UNARY_EXP: return apply<Exp, T>(fn, x, xl, out, ol);
            case NF_UNARY_LOG: return apply<Log, T>(fn, x, xl, out, ol);
            case NF_UNARY_SQRT: return apply<Sqrt, T>(fn, x, xl, out, ol);
            case NF_UNARY_SIGMOID: return apply<Sigmoid, T>(fn, x, xl, out, ol);
            case NF_UNARY_TANH: return apply<Tanh, T>(fn, x, xl, out, ol);
            default: break;
        }
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
