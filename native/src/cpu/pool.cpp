// nf_pool2d and nf_pool2d_backward (NHWC) with common/window2d.h's arithmetic (the same the
// CUDA kernels run). The gradient is a gather over whole dx rows: MAX first records each
// output's winning tap, then every dx element sums the outputs whose winner it is, so no two
// parts write one element and results do not depend on the thread count.
//
// Two paths. When the channels are contiguous (channel stride 1: every NHWC tensor the layers
// make) the pixel paths below work out a window's taps once per output pixel and run,
// innermost, over the C channels side by side: the comparisons and sums of pool_max_tap /
// pool_avg_at / pool_backward_at, in the same tap order, so the bits agree, but in loops that
// vectorize. The element paths (any strides) call those functions per element. Measured on
// the ConvNet sample's first pooling (MAX 2x2 stride 2 of [64, 26, 26, 32] float32, 2 threads):
// forward 4.9-6.1 ms -> 0.18-0.33 ms, backward 12.4-13.0 ms -> 0.86-0.89 ms. With im2col's
// row path (cpu/conv.cpp) the sample's Fashion-MNIST epoch went from 41-47 s to 17-20 s.
#include <cstdint>
#include <vector>

#include "common/checks.h"
#include "common/window2d.h"
#include "cpu/parallel.h"

namespace {

bool channels_contiguous(const int64_t* strides) { return strides[3] == 1; }

// The pixel paths keep MAX's winning taps as int32 (half the memory traffic of int64, and the
// same lane width as float32 for the vector blends); larger windows take the element path.
bool taps_fit_int32(const nf::Window2DArgs& a) { return a.kh * a.kw <= INT32_MAX; }

// MAX over the window of output pixel (n, oh, ow) into m[0, C) and, with kTaps, the winning tap
// into best[0, C): pool_max_tap for every channel at once. No in-image tap: 0 and -1.
template <bool kTaps, class T>
void max_pixel(const T* x, const int64_t* xs, const nf::Window2DArgs& a, int64_t n, int64_t oh, int64_t ow, T* m,
               int32_t* best) {
    const int64_t C = a.c;
    bool first = true;
    nf::for_taps(a, oh, ow, [&](int64_t kh, int64_t kw, int64_t h, int64_t w) {
        const T* p = x + n * xs[0] + h * xs[1] + w * xs[2];
        const int32_t t = static_cast<int32_t>(kh * a.kw + kw);
        if (first) {
            for (int64_t c = 0; c < C; ++c) m[c] = p[c];
            if (kTaps)
                for (int64_t c = 0; c < C; ++c) best[c] = t;
            first = false;
            return;
        }
        for (int64_t c = 0; c < C; ++c) {
            const bool r = nf::pool_max_replaces(m[c], p[c]);
            m[c] = r ? p[c] : m[c];
            if (kTaps) best[c] = r ? t : best[c];
        }
    });
    if (first) {
        for (int64_t c = 0; c < C; ++c) m[c] = T(0);
        if (kTaps)
            for (int64_t c = 0; c < C; ++c) best[c] = -1;
    }
}

// AVERAGE over the window of output pixel (n, oh, ow) into o[0, C): pool_avg_at per channel.
template <class T>
void avg_pixel(const T* x, const int64_t* xs, const nf::Window2DArgs& a, int64_t n, int64_t oh, int64_t ow, T* o) {
    const int64_t C = a.c;
    for (int64_t c = 0; c < C; ++c) o[c] = T(0);
    int64_t count = 0;
    nf::for_taps(a, oh, ow, [&](int64_t, int64_t, int64_t h, int64_t w) {
        const T* p = x + n * xs[0] + h * xs[1] + w * xs[2];
        for (int64_t c = 0; c < C; ++c) o[c] += p[c];
        ++count;
    });
    for (int64_t c = 0; c < C; ++c) o[c] = count ? o[c] / static_cast<T>(count) : T(0);
}

// dx[n, h, w, 0..C) (d, contiguous) of pooling's gradient: pool_backward_at per channel. MAX
// adds 0 where pool_backward_at skips an output; the sum starts at +0 and so is never -0, and
// acc + 0 is then acc itself, bit for bit (NaN and infinities included).
template <class T>
void backward_pixel(bool is_max, const T* dy, const int64_t* ys, const int32_t* taps, const nf::Window2DArgs& a,
                    int64_t n, int64_t h, int64_t w, T* d) {
    const int64_t C = a.c;
    for (int64_t c = 0; c < C; ++c) d[c] = T(0);
    nf::for_readers(a, h, w, [&](int64_t kh, int64_t kw, int64_t oh, int64_t ow) {
        const T* g = dy + n * ys[0] + oh * ys[1] + ow * ys[2];
        if (is_max) {
            const int32_t* tp = taps + ((n * a.oh + oh) * a.ow + ow) * C;
            const int32_t t = static_cast<int32_t>(kh * a.kw + kw);
            // g[c] read whether or not it is taken: a load under the condition would keep the
            // loop scalar (the compiler may not read memory the source does not).
            for (int64_t c = 0; c < C; ++c) {
                const T gc = g[c];
                d[c] += tp[c] == t ? gc : T(0);
            }
        } else {
            const T cnt = static_cast<T>(nf::pool_tap_count(a, oh, ow));
            for (int64_t c = 0; c < C; ++c) d[c] += g[c] / cnt;
        }
    });
}

template <class T>
void pool2d_pixels(nf_pool_op op, const T* x, const int64_t* xs, const nf::Window2DArgs& a, T* out) {
    nf::parallel_chunks(a.n * a.oh * a.ow, a.c * a.kh * a.kw, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t ow = r % a.ow, oh = (r / a.ow) % a.oh, n = r / (a.ow * a.oh);
            if (op == NF_POOL_MAX)
                max_pixel<false>(x, xs, a, n, oh, ow, out + r * a.c, nullptr);
            else
                avg_pixel(x, xs, a, n, oh, ow, out + r * a.c);
        }
    });
}

template <class T>
void pool2d_backward_pixels(nf_pool_op op, const T* x, const int64_t* xs, const T* dy, const int64_t* ys,
                            const nf::Window2DArgs& a, T* dx) {
    const bool is_max = op == NF_POOL_MAX;
    std::vector<int32_t> taps;
    if (is_max) {
        taps.resize(static_cast<size_t>(a.n * a.oh * a.ow * a.c));
        nf::parallel_chunks(a.n * a.oh * a.ow, a.c * a.kh * a.kw, [&](int64_t b, int64_t e) {
            std::vector<T> m(static_cast<size_t>(a.c));
            for (int64_t r = b; r < e; ++r) {
                const int64_t ow = r % a.ow, oh = (r / a.ow) % a.oh, n = r / (a.ow * a.oh);
                max_pixel<true>(x, xs, a, n, oh, ow, m.data(), taps.data() + r * a.c);
            }
        });
    }
    nf::parallel_chunks(a.n * a.h, a.w * a.c * a.kh * a.kw, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t h = r % a.h, n = r / a.h;
            for (int64_t w = 0; w < a.w; ++w)
                backward_pixel(is_max, dy, ys, taps.data(), a, n, h, w, dx + (r * a.w + w) * a.c);
        }
    });
}

template <class T>
void pool2d(nf_pool_op op, const T* x, const int64_t* xs, const nf::Window2DArgs& a, T* out) {
    if (channels_contiguous(xs)) return pool2d_pixels(op, x, xs, a, out);
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
    if ((!is_max || channels_contiguous(xs)) && channels_contiguous(ys) && taps_fit_int32(a))
        return pool2d_backward_pixels(op, x, xs, dy, ys, a, dx);
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
