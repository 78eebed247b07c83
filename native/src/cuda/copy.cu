// nf_cuda_copy: strided copy of one dtype, and copy_strided (cuda/runtime.h), which
// nf_cuda_cast of one dtype to itself, softmax and matmul share.
#include "cuda/elementwise.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

// Moves elements as raw 1/2/4/8-byte words: a copy never needs to know the dtype.
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
        case 2: return copy_words<uint16_t>(fn, x, xl, out, ol);
        default: return copy_words<uint8_t>(fn, x, xl, out, ol);
    }
}

}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_copy(nf_dtype dtype, const void* x, const nf_layout* x_layout, void* out,
                                         const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_copy";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_copy(fn, dtype, x, x_layout, out, out_layout);
        if (n == 0) return;
        nf::cuda::copy_strided(fn, nf::dtype_size(dtype), x, *x_layout, out, *out_layout);
    });
}
