// nf_pool2d and nf_pool2d_backward (NHWC), element by element with common/window2d.h's
// arithmetic (the same the CUDA kernels run). The gradient is a gather over whole dx rows: MAX
// first records each output's winning tap, then every dx element sums the outputs whose winner
// it is, so no two parts write one element and results do not depend on the thread count.
#include <vector>

#include "common/checks.h"
#include "common/window2d.h"
#include "cpu/parallel.h"

namespace {

template <class T>
void pool2d(nf_pool_op op, const T* x, const int64_t* xs, const nf::Window2DArgs& a, T* out) {
    const int64_t rows = a.n * a.oh * a.ow;
    nf::parallel_chunks(rows, a.c * a.kh * a.kw, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t ow = r % a.ow, oh = (r / a.ow) % a.oh, n = r / (a.ow * a.oh);
            T* o = out + r * a.c;
            for (int64_t c = 0; c < a.c; ++c) {
                if (op == NF_POOL_MAX) {
                    T m;
                    nf::pool_max_tap(x, xs, a, n, oh, ow, c, &m);
                    o[c] = m;
                } else {
                    o[c] = nf::pool_avg_at(x, xs, a, n, oh, ow, c);
                }
            }
        }
    });
}

template <class T>
void pool2d_backward(nf_pool_op op, const T* x, const int64_t* xs, const T* dy, const int64_t* ys,
                     const nf::Window2DArgs& a, T* dx) {
    const bool is_max = op == NF_POOL_MAX;
    std::vector<int64_t> taps;
    if (is_max) {
        taps.resize(static_cast<size_t>(a.n * a.oh * a.ow * a.c));
        nf::parallel_chunks(a.n * a.oh * a.ow, a.c * a.kh * a.kw, [&](int64_t b, int64_t e) {
            for (int64_t r = b; r < e; ++r) {
                const int64_t ow = r % a.ow, oh = (r / a.ow) % a.oh, n = r / (a.ow * a.oh);
                for (int64_t c = 0; c < a.c; ++c) {
                    T m;
                    taps[r * a.c + c] = nf::pool_max_tap(x, xs, a, n, oh, ow, c, &m);
                }
            }
        });
    }
    nf::parallel_chunks(a.n * a.h, a.w * a.c * a.kh * a.kw, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t h = r % a.h, n = r / a.h;
            T* row = dx + r * a.w * a.c;
            for (int64_t w = 0; w < a.w; ++w)
                for (int64_t c = 0; c < a.c; ++c)
                    row[w * a.c + c] = nf::pool_backward_at(is_max, dy, ys, taps.data(), a, n, h, w, c);
        }
    });
}

}  // namespace

extern "C" NF_API nf_status nf_pool2d(nf_pool_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                      const nf_window2d* window, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_pool2d";
    return nf::guard(fn, [&] {
        const nf::Window2DArgs a = nf::check_pool2d(fn, op, dtype, x, x_layout, window, out, out_layout);
        if (nf::numel_of(out_layout->shape, 4) == 0) return;
        if (dtype == NF_FLOAT32)
            pool2d(op, static_cast<const float*>(x) + x_layout->offset, x_layout->strides, a,
                   static_cast<float*>(out) + out_layout->offset);
        else
            pool2d(op, static_cast<const double*>(x) + x_layout->offset, x_layout->strides, a,
                   static_cast<double*>(out) + out_layout->offset);
    });
}

extern "C" NF_API nf_status nf_pool2d_backward(nf_pool_op op, nf_dtype dtype, const void* x,
                                               const nf_layout* x_layout, const void* dy, const nf_layout* dy_layout,
                                               const nf_window2d* window, void* dx, const nf_layout* dx_layout) {
    static const char* fn = "nf_pool2d_backward";
    return nf::guard(fn, [&] {
        const nf::Window2DArgs a =
            nf::check_pool2d_backward(fn, op, dtype, x, x_layout, dy, dy_layout, window, dx, dx_layout);
        if (nf::numel_of(dx_layout->shape, 4) == 0) return;
        // AVERAGE never reads x, which may then be NULL.
        if (op == NF_POOL_AVERAGE) x = nullptr;
        if (dtype == NF_FLOAT32)
            pool2d_backward(op, x ? static_cast<const float*>(x) + x_layout->offset : nullptr, x_layout->strides,
                            static_cast<const float*>(dy) + dy_layout->offset, dy_layout->strides, a,
                            static_cast<float*>(dx) + dx_layout->offset);
        else
            pool2d_backward(op, x ? static_cast<const double*>(x) + x_layout->offset : nullptr, x_layout->strides,
                            static_cast<const double*>(dy) + dy_layout->offset, dy_layout->strides, a,
                            static_cast<double*>(dx) + dx_layout->offset);
    });
}
