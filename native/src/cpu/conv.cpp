// nf_im2col and its adjoint nf_col2im (NHWC). Work is cut into whole output rows (parallel.h),
// and col2im gathers into each dx row instead of scattering from cols, so no two parts touch one
// element and the sums (in common/window2d.h's (kh, kw) order) are the same on any thread count.
#include <cstring>
#include <vector>

#include "common/checks.h"
#include "common/window2d.h"
#include "cpu/parallel.h"

namespace {

// Up to this many channels im2col copies along output rows (im2col_rows): a tap of C floats
// costs more in index arithmetic than in copying. Measured on the ConvNet sample's first layer
// ([64, 28, 28, 1], 3x3, float32, 2 threads): 450-600 us -> 116-183 us.
constexpr int64_t kRowsMaxChannels = 4;

// Few channels: each part is whole output rows (n, oh); each tap (kh, kw) copies along ow, with
// the in-image range [lo, hi) of ow worked out once (tap_in is monotonic in ow, so the
// in-image outputs are one run) and zeros outside it. The same values as im2col's per-tap loop:
// only copies, in another order.
template <class T>
void im2col_rows(const T* x, const int64_t* xs, const nf::Window2DArgs& a, T* out) {
    const int64_t row_len = a.kh * a.kw * a.c, C = a.c;
    nf::parallel_chunks(a.n * a.oh, a.ow * row_len, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t oh = r % a.oh, n = r / a.oh;
            T* base = out + r * a.ow * row_len;
            for (int64_t kh = 0; kh < a.kh; ++kh) {
                const int64_t h = nf::tap_in(oh, kh, a.sh, a.dh, a.pt, a.h);
                const T* xr = x + n * xs[0] + h * xs[1];
                for (int64_t kw = 0; kw < a.kw; ++kw) {
                    T* o = base + (kh * a.kw + kw) * C;
                    int64_t lo = 0, hi = h < 0 ? 0 : a.ow;
                    while (lo < hi && nf::tap_in(lo, kw, a.sw, a.dw, a.pl, a.w) < 0) ++lo;
                    while (hi > lo && nf::tap_in(hi - 1, kw, a.sw, a.dw, a.pl, a.w) < 0) --hi;
                    for (int64_t ow = 0; ow < lo; ++ow)
                        for (int64_t c = 0; c < C; ++c) o[ow * row_len + c] = T(0);
                    // Successive in-image taps are stride_w columns apart.
                    const T* s = xr + nf::tap_in(lo, kw, a.sw, a.dw, a.pl, a.w) * xs[2];
                    const int64_t step = a.sw * xs[2];
                    if (C == 1)
                        for (int64_t ow = lo; ow < hi; ++ow, s += step) o[ow * row_len] = *s;
                    else
                        for (int64_t ow = lo; ow < hi; ++ow, s += step)
                            for (int64_t c = 0; c < C; ++c) o[ow * row_len + c] = s[c * xs[3]];
                    for (int64_t ow = hi; ow < a.ow; ++ow)
                        for (int64_t c = 0; c < C; ++c) o[ow * row_len + c] = T(0);
                }
            }
        }
    });
}

template <class T>
void im2col(const T* x, const int64_t* xs, const nf::Window2DArgs& a, T* out) {
    if (a.c <= kRowsMaxChannels) return im2col_rows(x, xs, a, out);
    const int64_t rows = a.n * a.oh * a.ow, row_len = a.kh * a.kw * a.c;
    nf::parallel_chunks(rows, row_len, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t ow = r % a.ow, oh = (r / a.ow) % a.oh, n = r / (a.ow * a.oh);
            T* o = out + r * row_len;
            for (int64_t kh = 0; kh < a.kh; ++kh) {
                const int64_t h = nf::tap_in(oh, kh, a.sh, a.dh, a.pt, a.h);
                for (int64_t kw = 0; kw < a.kw; ++kw, o += a.c) {
                    const int64_t w = nf::tap_in(ow, kw, a.sw, a.dw, a.pl, a.w);
                    if (h < 0 || w < 0) {
                        std::memset(o, 0, static_cast<size_t>(a.c) * sizeof(T));
                        continue;
                    }
                    const T* s = x + nf::off4(xs, n, h, w, 0);
                    if (xs[3] == 1)  // every NHWC tensor a layer makes: a tap is one block copy
                        std::memcpy(o, s, static_cast<size_t>(a.c) * sizeof(T));
                    else
                        for (int64_t c = 0; c < a.c; ++c) o[c] = s[c * xs[3]];
                }
            }
        }
    });
}

// Adds a tap's C channels into o. Contiguous channels (every cols tensor the conv op makes):
// a loop the compiler vectorizes, the same additions per element in the same order.
template <class T>
inline void add_tap(T* __restrict o, const T* __restrict s, int64_t C, int64_t cstride) {
    if (cstride == 1)
        for (int64_t c = 0; c < C; ++c) o[c] += s[c];
    else
        for (int64_t c = 0; c < C; ++c) o[c] += s[c * cstride];
}

template <class T>
void col2im(const T* cols, const int64_t* cs, const nf::Window2DArgs& a, T* out) {
    // The output reading (h, kh) and (w, kw), or -1 (window2d.h's tap_out), tabled once per call:
    // tap_out divides, and per element that cost more than the additions (for_readers' order).
    std::vector<int64_t> oh_of(static_cast<size_t>(a.h * a.kh)), ow_of(static_cast<size_t>(a.w * a.kw));
    for (int64_t h = 0; h < a.h; ++h)
        for (int64_t kh = 0; kh < a.kh; ++kh) oh_of[h * a.kh + kh] = nf::tap_out(h, kh, a.sh, a.dh, a.pt, a.oh);
    for (int64_t w = 0; w < a.w; ++w)
        for (int64_t kw = 0; kw < a.kw; ++kw) ow_of[w * a.kw + kw] = nf::tap_out(w, kw, a.sw, a.dw, a.pl, a.ow);
    // One part: whole rows (n, h) of out; each element sums its taps in (kh, kw) order, as
    // window2d.h's col2im_at (the CUDA kernel) does.
    nf::parallel_chunks(a.n * a.h, a.w * a.c * a.kh * a.kw, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t h = r % a.h, n = r / a.h;
            T* row = out + r * a.w * a.c;
            std::memset(row, 0, static_cast<size_t>(a.w * a.c) * sizeof(T));
            for (int64_t w = 0; w < a.w; ++w) {
                T* o = row + w * a.c;
                for (int64_t kh = 0; kh < a.kh; ++kh) {
                    const int64_t oh = oh_of[h * a.kh + kh];
                    if (oh < 0) continue;
                    for (int64_t kw = 0; kw < a.kw; ++kw) {
                        const int64_t ow = ow_of[w * a.kw + kw];
                        if (ow >= 0) add_tap(o, cols + nf::cols_offset(cs, n, oh, ow, kh, kw), a.c, cs[5]);
                    }
                }
            }
        }
    });
}

}  // namespace

extern "C" NF_API nf_status nf_im2col(nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                      const nf_window2d* window, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_im2col";
    return nf::guard(fn, [&] {
        const nf::Window2DArgs a = nf::check_im2col(fn, dtype, x, x_layout, window, out, out_layout);
        if (nf::numel_of(out_layout->shape, 6) == 0) return;
        if (dtype == NF_FLOAT32)
            im2col(static_cast<const float*>(x) + x_layout->offset, x_layout->strides, a,
                   static_cast<float*>(out) + out_layout->offset);
        else
            im2col(static_cast<const double*>(x) + x_layout->offset, x_layout->strides, a,
                   static_cast<double*>(out) + out_layout->offset);
    });
}

extern "C" NF_API nf_status nf_col2im(nf_dtype dtype, const void* cols, const nf_layout* cols_layout,
                                      const nf_window2d* window, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_col2im";
    return nf::guard(fn, [&] {
        const nf::Window2DArgs a = nf::check_col2im(fn, dtype, cols, cols_layout, window, out, out_layout);
        if (nf::numel_of(out_layout->shape, 4) == 0) return;
        if (dtype == NF_FLOAT32)
            col2im(static_cast<const float*>(cols) + cols_layout->offset, cols_layout->strides, a,
                   static_cast<float*>(out) + out_layout->offset);
        else
            col2im(static_cast<const double*>(cols) + cols_layout->offset, cols_layout->strides, a,
                   static_cast<double*>(out) + out_layout->offset);
    });
}
