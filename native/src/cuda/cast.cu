// nf_cuda_cast: dtype conversion into a contiguous output (same dtype: copy.cu's copy_strided).
// The element conversion is common/dtype.h's convert(), shared with the CPU.
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

}  // namespace
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
        nf::dispatch_storage(src, [&](auto stag) {
            using S = typename decltype(stag)::type;
            nf::dispatch_storage(dst, [&](auto dtag) {
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
