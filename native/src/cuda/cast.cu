// nf_cuda_cast (dtype conversion into a contiguous output) and nf_cuda_copy (strided copy of
// one dtype). The element conversion is common/dtype.h's convert(), shared with the CPU.
#include "cuda/elementwise.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

template <class S, class DTag>
struct CastFn {
    using D = typename DTag::type;
    const S* x;
    D* o;
    __device__ void at(const int64_t (&off)[2]) const { o[off[1]] = convert<S, DTag>(x[off[0]]); }
    __device__ void pack(int64_t i) const {
        const Pack4<S> v = reinterpret_cast<const Pack4<S>*>(x)[i];
        Pack4<D> r;
#pragma unroll
        for (int k = 0; k < 4; ++k) r.v[k] = convert<S, DTag>(v.v[k]);
        reinterpret_cast<Pack4<D>*>(o)[i] = r;
    }
};

// Moves elements as raw 1/4/8-byte words: a copy never needs to know the dtype.
template <class W>
struct CopyFn {
    const W* x;
    W* o;
    __device__ void at(const int64_t (&off)[2]) const { o[off[1]] = x[off[0]]; }
    __device__ void pack(int64_t i) const { reinterpret_cast<Pack4<W>*>(o)[i] = reinterpret_cast<const Pack4<W>*>(x)[i]; }
};

template <class W>
void copy_words(const char* fn, const void* x, const nf_layout& xl, void* out, const nf_layout& ol) {
    CopyFn<W> f{static_cast<const W*>(x) + xl.offset, static_cast<W*>(out) + ol.offset};
    const nf_layout* ls[2] = {&xl, &ol};
    elementwise(fn, make_plan(ls), f, aligned4<W>(f.x) && aligned4<W>(f.o));
}

}  // namespace

// Shared with softmax and matmul, which first pack their input into a contiguous buffer.
void copy_strided(const char* fn, int64_t elem_size, const void* x, const nf_layout& xl, void* out,
                  const nf_layout& ol) {
    switch (elem_size) {
        case 8: return copy_words<uint64_t>(fn, x, xl, out, ol);
        case 4: return copy_words<uint32_t>(fn, x, xl, out, ol);
        default: return copy_words<uint8_t>(fn, x, xl, out, ol);
    }
}

}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_cast(nf_dtype src, const void* x, const nf_layout* x_layout, nf_dtype dst,
                                         void* out) {
    static const char* fn = "nf_cuda_cast";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_cast(fn, src, x, x_layout, dst, out);
        if (n == 0) return;
        const nf_layout ol = nf::contiguous_like(*x_layout);
        if (src == dst) return nf::cuda::copy_strided(fn, nf::dtype_size(src), x, *x_layout, out, ol);
        nf::dispatch(src, [&](auto stag) {
            using S = typename decltype(stag)::type;
            nf::dispatch(dst, [&](auto dtag) {
                using DTag = decltype(dtag);
                using D = typename DTag::type;
                nf::cuda::CastFn<S, DTag> f{static_cast<const S*>(x) + x_layout->offset, static_cast<D*>(out)};
                const nf_layout* ls[2] = {x_layout, &ol};
                nf::cuda::elementwise(fn, nf::make_plan(ls), f,
                                      nf::cuda::aligned4<S>(f.x) && nf::cuda::aligned4<D>(f.o));
            });
        });
    });
}

extern "C" NF_API nf_status nf_cuda_copy(nf_dtype dtype, const void* x, const nf_layout* x_layout, void* out,
                                         const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_copy";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_copy(fn, dtype, x, x_layout, out, out_layout);
        if (n == 0) return;
        nf::cuda::copy_strided(fn, nf::dtype_size(dtype), x, *x_layout, out, *out_layout);
    });
}
