// nf_cuda_im2col and nf_cuda_col2im: one thread per output element, with common/window2d.h's
// arithmetic (the CPU engine's). col2im gathers: each out element sums the cols entries that
// read it, in (kh, kw) order, so there are no atomics and the result is deterministic.
#include "common/window2d.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

struct Strides6 {
    int64_t s[6];
};

Strides6 strides_of(const nf_layout& l) {
    Strides6 r{};
    for (int d = 0; d < l.rank; ++d) r.s[d] = l.strides[d];
    return r;
}

template <class T>
__global__ void im2col_kernel(const T* x, Strides6 xs, Window2DArgs a, T* out, int64_t total) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        int64_t q = t;
        const int64_t c = q % a.c; q /= a.c;
        const int64_t kw = q % a.kw; q /= a.kw;
        const int64_t kh = q % a.kh; q /= a.kh;
        const int64_t ow = q % a.ow; q /= a.ow;
        const int64_t oh = q % a.oh;
        out[t] = im2col_at(x, xs.s, a, q / a.oh, oh, ow, kh, kw, c);
    }
}

template <class T>
__global__ void col2im_kernel(const T* cols, Strides6 cs, Window2DArgs a, T* out, int64_t total) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const Index4 i = unflatten4(t, a.h, a.w, a.c);
        out[t] = col2im_at(cols, cs.s, a, i.n, i.b, i.c, i.d);
    }
}

template <class T>
void im2col(const char* fn, const void* x, const nf_layout& xl, const Window2DArgs& a, void* out, int64_t total) {
    im2col_kernel<T><<<grid_for(total), kThreads, 0, stream()>>>(static_cast<const T*>(x) + xl.offset, strides_of(xl), a,
                                                     static_cast<T*>(out), total);
    NF_CUDA_LAUNCHED(fn);
}

template <class T>
void col2im(const char* fn, const void* cols, const nf_layout& cl, const Window2DArgs& a, void* out, int64_t total) {
    col2im_kernel<T><<<grid_for(total), kThreads, 0, stream()>>>(static_cast<const T*>(cols) + cl.offset, strides_of(cl), a,
                                                     static_cast<T*>(out), total);
    NF_CUDA_LAUNCHED(fn);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_im2col(nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                           const nf_window2d* window, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_im2col";
    return nf::guard(fn, [&] {
        const nf::Window2DArgs a = nf::check_im2col(fn, dtype, x, x_layout, window, out, out_layout);
        const int64_t total = nf::numel_of(out_layout->shape, 6);
        if (total == 0) return;
        const int64_t es = nf::dtype_size(dtype);
        void* o = static_cast<char*>(out) + out_layout->offset * es;
        if (dtype == NF_FLOAT32) nf::cuda::im2col<float>(fn, x, *x_layout, a, o, total);
        else nf::cuda::im2col<double>(fn, x, *x_layout, a, o, total);
    });
}

extern "C" NF_API nf_status nf_cuda_col2im(nf_dtype dtype, const void* cols, const nf_layout* cols_layout,
                                           const nf_window2d* window, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_col2im";
    return nf::guard(fn, [&] {
        const nf::Window2DArgs a = nf::check_col2im(fn, dtype, cols, cols_layout, window, out, out_layout);
        const int64_t total = nf::numel_of(out_layout->shape, 4);
        if (total == 0) return;
        const int64_t es = nf::dtype_size(dtype);
        void* o = static_cast<char*>(out) + out_layout->offset * es;
        if (dtype == NF_FLOAT32) nf::cuda::col2im<float>(fn, cols, *cols_layout, a, o, total);
        else nf::cuda::col2im<double>(fn, cols, *cols_layout, a, o, total);
    });
}
