// nf_cuda_pool2d and nf_cuda_pool2d_backward: one thread per output element, with
// common/window2d.h's arithmetic (the CPU engine's). The gradient gathers, one thread per dx
// element: MAX first records each output's winning tap in scratch memory, then every dx
// element sums the outputs whose winner it is; no atomics, so results are deterministic.
#include "common/window2d.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

struct Strides4 {
    int64_t s[4];
};

Strides4 strides_of(const nf_layout& l) {
    Strides4 r{};
    for (int d = 0; d < 4; ++d) r.s[d] = l.strides[d];
    return r;
}


template <class T>
__global__ void pool_kernel(bool is_max, const T* x, Strides4 xs, Window2DArgs a, T* out, int64_t total) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const Index4 p = unflatten4(t, a.oh, a.ow, a.c);
        if (is_max) {
            T m;
            pool_max_tap(x, xs.s, a, p.n, p.b, p.c, p.d, &m);
            out[t] = m;
        } else {
            out[t] = pool_avg_at(x, xs.s, a, p.n, p.b, p.c, p.d);
        }
    }
}

template <class T>
__global__ void max_tap_kernel(const T* x, Strides4 xs, Window2DArgs a, int64_t* taps, int64_t total) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const Index4 p = unflatten4(t, a.oh, a.ow, a.c);
        T m;
        taps[t] = pool_max_tap(x, xs.s, a, p.n, p.b, p.c, p.d, &m);
    }
}

template <class T>
__global__ void pool_backward_kernel(bool is_max, const T* dy, Strides4 ys, const int64_t* taps, Window2DArgs a,
                                     T* dx, int64_t total) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const Index4 i = unflatten4(t, a.h, a.w, a.c);
        dx[t] = pool_backward_at(is_max, dy, ys.s, taps, a, i.n, i.b, i.c, i.d);
    }
}

template <class T>
void pool(const char* fn, bool is_max, const void* x, const nf_layout& xl, const Window2DArgs& a, void* out,
          int64_t total) {
    pool_kernel<T><<<grid_for(total), kThreads, 0, stream()>>>(is_max, static_cast<const T*>(x) + xl.offset, strides_of(xl), a,
                                                   static_cast<T*>(out), total);
    NF_CUDA_LAUNCHED(fn);
}

template <class T>
void pool_backward(const char* fn, bool is_max, const void* x, const nf_layout& xl, const void* dy,
                   const nf_layout& yl, const Window2DArgs& a, void* dx, int64_t total) {
    const int64_t outs = a.n * a.oh * a.ow * a.c;
    // MAX: the winning tap of every output (int64: a tap index is below KH * KW). Never a
    // zero-byte request: AVERAGE (or no output) takes one unused slot.
    Scratch slot(fn, (is_max && outs > 0 ? outs : 1) * static_cast<int64_t>(sizeof(int64_t)));
    int64_t* taps = static_cast<int64_t*>(slot.get());
    if (is_max && outs > 0) {
        max_tap_kernel<T><<<grid_for(outs), kThreads, 0, stream()>>>(static_cast<const T*>(x) + xl.offset, strides_of(xl), a,
                                                         taps, outs);
        NF_CUDA_LAUNCHED(fn);
    }
    pool_backward_kernel<T><<<grid_for(total), kThreads, 0, stream()>>>(is_max, static_cast<const T*>(dy) + yl.offset,
                                                            strides_of(yl), taps, a, static_cast<T*>(dx), total);
    NF_CUDA_LAUNCHED(fn);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_pool2d(nf_pool_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                           const nf_window2d* window, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_pool2d";
    return nf::guard(fn, [&] {
        const nf::Window2DArgs a = nf::check_pool2d(fn, op, dtype, x, x_layout, window, out, out_layout);
        const int64_t total = nf::numel_of(out_layout->shape, 4);
        if (total == 0) return;
        void* o = static_cast<char*>(out) + out_layout->offset * nf::dtype_size(dtype);
        const bool is_max = op == NF_POOL_MAX;
        if (dtype == NF_FLOAT32) nf::cuda::pool<float>(fn, is_max, x, *x_layout, a, o, total);
        else nf::cuda::pool<double>(fn, is_max, x, *x_layout, a, o, total);
    });
}

extern "C" NF_API nf_status nf_cuda_pool2d_backward(nf_pool_op op, nf_dtype dtype, const void* x,
                                                    const nf_layout* x_layout, const void* dy,
                                                    const nf_layout* dy_layout, const nf_window2d* window, void* dx,
                                                    const nf_layout* dx_layout) {
    static const char* fn = "nf_cuda_pool2d_backward";
    return nf::guard(fn, [&] {
        const nf::Window2DArgs a =
            nf::check_pool2d_backward(fn, op, dtype, x, x_layout, dy, dy_layout, window, dx, dx_layout);
        const int64_t total = nf::numel_of(dx_layout->shape, 4);
        if (total == 0) return;
        void* d = static_cast<char*>(dx) + dx_layout->offset * nf::dtype_size(dtype);
        const bool is_max = op == NF_POOL_MAX;
        if (dtype == NF_FLOAT32) nf::cuda::pool_backward<float>(fn, is_max, x, *x_layout, dy, *dy_layout, a, d, total);
        else nf::cuda::pool_backward<double>(fn, is_max, x, *x_layout, dy, *dy_layout, a, d, total);
    });
}
