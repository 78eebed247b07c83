// nf_cuda_binary: out = a (op) b over one shape, any strides (0 = broadcast, negative allowed).
// The ops are the CPU engine's (common/elementwise_ops.h).
#include <type_traits>

#include "common/elementwise_list.h"
#include "common/elementwise_ops.h"
#include "cuda/elementwise.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

using namespace ops;  // Add, Sub, ... (common/elementwise_ops.h: the CPU engine's own definitions)

template <class Op, class T>
struct BinaryFn {
    using R = typename Op::template Out<T>;
    const T* a;
    const T* b;
    R* o;
    __device__ void at(const int64_t (&off)[3]) const { o[off[2]] = Op::template f<T>(a[off[0]], b[off[1]]); }
    __device__ void pack(int64_t i) const {
        const Pack4<T> x = reinterpret_cast<const Pack4<T>*>(a)[i];
        const Pack4<T> y = reinterpret_cast<const Pack4<T>*>(b)[i];
        Pack4<R> r;
#pragma unroll
        for (int k = 0; k < 4; ++k) r.v[k] = Op::template f<T>(x.v[k], y.v[k]);
        reinterpret_cast<Pack4<R>*>(o)[i] = r;
    }
};

template <class Op, class T>
void apply(const char* fn, const void* a, const nf_layout& al, const void* b, const nf_layout& bl, void* out,
           const nf_layout& ol) {
    using R = typename Op::template Out<T>;
    BinaryFn<Op, T> f{static_cast<const T*>(a) + al.offset, static_cast<const T*>(b) + bl.offset,
                      static_cast<R*>(out) + ol.offset};
    const nf_layout* ls[3] = {&al, &bl, &ol};
    const bool aligned = aligned4<T>(f.a) && aligned4<T>(f.b) && aligned4<R>(f.o);
    elementwise(fn, make_plan(ls), f, aligned);
}

template <class T>
void dispatch_op(const char* fn, nf_binary_op op, const void* a, const nf_layout& al, const void* b,
                 const nf_layout& bl, void* out, const nf_layout& ol) {
    switch (op) {
#define NF_CASE(E, Op, name, flag, cost) \
        case E: if constexpr (binary_takes_floats(flag) || !is_float<T>) apply<Op, T>(fn, a, al, b, bl, out, ol); return;
        NF_BINARY_OPS(NF_CASE)
#undef NF_CASE
    }
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_binary(nf_binary_op op, nf_dtype dtype, const void* a, const nf_layout* a_layout,
                                           const void* b, const nf_layout* b_layout, void* out,
                                           const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_binary";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_binary(fn, op, dtype, a, a_layout, b, b_layout, out, out_layout);
        if (n == 0) return;
        // Bool maximum/minimum on 0/1 bytes are exactly or/and.
        nf::dispatch(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            nf::cuda::dispatch_op<T>(fn, op, a, *a_layout, b, *b_layout, out, *out_layout);
        });
    });
}
