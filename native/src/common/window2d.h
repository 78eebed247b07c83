// The per-element arithmetic of the 2-D window ops (im2col, col2im, pooling and their
// gradients) over NHWC data, shared by the CPU engine and the CUDA kernels (NF_HD) so both
// engines visit taps in the same order and produce the same sums.
//
// Every gradient is a gather: each output element of col2im / pool backward sums, in (kh, kw)
// order, the few window outputs that read its input position. No element is written by two
// threads, so results do not depend on scheduling.
#pragma once

#include <cstdint>

#include "common/hd.h"

namespace nf {

// The checked geometry (common/checks.h): the image [N, H, W, C], OH x OW output positions and
// the window. (O - 1) * stride + (K - 1) * dilation cannot overflow.
struct Window2DArgs {
    int64_t n, h, w, c;
    int64_t oh, ow;
    int64_t kh, kw, sh, sw, dh, dw, pt, pl;
};

// Input index read by tap k of output o along one axis, or -1 when it falls in the padding.
NF_HD inline int64_t tap_in(int64_t o, int64_t k, int64_t stride, int64_t dilation, int64_t pad, int64_t size) {
    const int64_t i = o * stride + k * dilation - pad;
    return i >= 0 && i < size ? i : -1;
}

// The output whose tap k reads input i along one axis, or -1 when no output does.
NF_HD inline int64_t tap_out(int64_t i, int64_t k, int64_t stride, int64_t dilation, int64_t pad, int64_t osize) {
    const int64_t t = i + pad - k * dilation;
    if (t < 0 || t % stride != 0) return -1;
    const int64_t o = t / stride;
    return o < osize ? o : -1;
}

// Element offset of [a, b, c, d] in a rank-4 layout's strides.
NF_HD inline int64_t off4(const int64_t* s, int64_t a, int64_t b, int64_t c, int64_t d) {
    return a * s[0] + b * s[1] + c * s[2] + d * s[3];
}

// [n, b, c, d] of row-major linear index t in a tensor [*, B, C, D].
struct Index4 {
    int64_t n, b, c, d;
};
NF_HD inline Index4 unflatten4(int64_t t, int64_t B, int64_t C, int64_t D) {
    Index4 r;
    r.d = t % D;
    t /= D;
    r.c = t % C;
    t /= C;
    r.b = t % B;
    r.n = t / B;
    return r;
}

// Calls f(kh, kw, h, w) for every in-image tap (h, w) of output (oh, ow), in (kh, kw) order.
template <class F>
NF_HD void for_taps(const Window2DArgs& a, int64_t oh, int64_t ow, F&& f) {
    for (int64_t kh = 0; kh < a.kh; ++kh) {
        const int64_t h = tap_in(oh, kh, a.sh, a.dh, a.pt, a.h);
        if (h < 0) continue;
        for (int64_t kw = 0; kw < a.kw; ++kw) {
            const int64_t w = tap_in(ow, kw, a.sw, a.dw, a.pl, a.w);
            if (w >= 0) f(kh, kw, h, w);
        }
    }
}

// Calls f(kh, kw, oh, ow) for every output (oh, ow) whose tap (kh, kw) reads input (h, w), in
// (kh, kw) order: the gather that replaces a scatter in the gradients.
template <class F>
NF_HD void for_readers(const Window2DArgs& a, int64_t h, int64_t w, F&& f) {
    for (int64_t kh = 0; kh < a.kh; ++kh) {
        const int64_t oh = tap_out(h, kh, a.sh, a.dh, a.pt, a.oh);
        if (oh < 0) continue;
        for (int64_t kw = 0; kw < a.kw; ++kw) {
            const int64_t ow = tap_out(w, kw, a.sw, a.dw, a.pl, a.ow);
            if (ow >= 0) f(kh, kw, oh, ow);
        }
    }
}

// out[n, oh, ow, kh, kw, c] of im2col; x points at element [0, 0, 0, 0].
template <class T>
NF_HD T im2col_at(const T* x, const int64_t* xs, const Window2DArgs& a, int64_t n, int64_t oh, int64_t ow,
                  int64_t kh, int64_t kw, int64_t c) {
    const int64_t h = tap_in(oh, kh, a.sh, a.dh, a.pt, a.h), w = tap_in(ow, kw, a.sw, a.dw, a.pl, a.w);
    return h < 0 || w < 0 ? T(0) : x[off4(xs, n, h, w, c)];
}

// Element offset of cols[n, oh, ow, kh, kw, 0] for cols strides cs (6).
NF_HD inline int64_t cols_offset(const int64_t* cs, int64_t n, int64_t oh, int64_t ow, int64_t kh, int64_t kw) {
    return n * cs[0] + oh * cs[1] + ow * cs[2] + kh * cs[3] + kw * cs[4];
}

// out[n, h, w, c] of col2im: cols [N, OH, OW, KH, KW, C] with strides cs (6), summed in (kh, kw) order.
template <class T>
NF_HD T col2im_at(const T* cols, const int64_t* cs, const Window2DArgs& a, int64_t n, int64_t h, int64_t w,
                  int64_t c) {
    T acc = T(0);
    for_readers(a, h, w, [&](int64_t kh, int64_t kw, int64_t oh, int64_t ow) {
        acc += cols[cols_offset(cs, n, oh, ow, kh, kw) + c * cs[5]];
    });
    return acc;
}

// Whether MAX pooling's running maximum m gives way to the next tap's value v: a larger number
// or a NaN replaces it, an equal value does not (the first tap holding the maximum wins), and
// once m is NaN nothing replaces it (m == m is false). v != v: NaN.
template <class T>
NF_HD inline bool pool_max_replaces(T m, T v) {
    // & and | rather than && and ||: the same truth table without branches, so that the CPU's
    // channel loops (cpu/pool.cpp) compile to vector compares and blends.
    return (m == m) & ((v > m) | (v != v));
}

// The tap (kh * KW + kw) of output [n, oh, ow, c] that MAX pooling picks: the first holding the
// maximum, a NaN winning over every number; -1 when the window has no in-image tap.
template <class T>
NF_HD int64_t pool_max_tap(const T* x, const int64_t* xs, const Window2DArgs& a, int64_t n, int64_t oh, int64_t ow,
                           int64_t c, T* value) {
    int64_t best = -1;
    T m = T(0);
    for_taps(a, oh, ow, [&](int64_t kh, int64_t kw, int64_t h, int64_t w) {
        const T v = x[off4(xs, n, h, w, c)];
        if (best < 0 || pool_max_replaces(m, v)) {
            best = kh * a.kw + kw;
            m = v;
        }
    });
    *value = m;
    return best;
}

// In-image taps of output position o along one axis (their product over both axes divides
// AVERAGE pooling's sum and gradient).
NF_HD inline int64_t tap_count(int64_t o, int64_t k, int64_t stride, int64_t dilation, int64_t pad, int64_t size) {
    int64_t n = 0;
    for (int64_t i = 0; i < k; ++i) n += tap_in(o, i, stride, dilation, pad, size) >= 0;
    return n;
}

// In-image taps of output (oh, ow): AVERAGE pooling's divisor.
NF_HD inline int64_t pool_tap_count(const Window2DArgs& a, int64_t oh, int64_t ow) {
    return tap_count(oh, a.kh, a.sh, a.dh, a.pt, a.h) * tap_count(ow, a.kw, a.sw, a.dw, a.pl, a.w);
}

// AVERAGE pooling of output [n, oh, ow, c]: the mean of the in-image taps, 0 when there is none.
template <class T>
NF_HD T pool_avg_at(const T* x, const int64_t* xs, const Window2DArgs& a, int64_t n, int64_t oh, int64_t ow,
                    int64_t c) {
    T acc = T(0);
    int64_t count = 0;
    for_taps(a, oh, ow, [&](int64_t, int64_t, int64_t h, int64_t w) {
        acc += x[off4(xs, n, h, w, c)];
        ++count;
    });
    return count ? acc / static_cast<T>(count) : T(0);
}

// dx[n, h, w, c] of pooling's gradient. MAX: taps[n, oh, ow, c] (contiguous) holds each output's
// pool_max_tap; AVERAGE: taps is unused and each output's share is dy / its in-image tap count.
template <class T>
NF_HD T pool_backward_at(bool is_max, const T* dy, const int64_t* ys, const int64_t* taps, const Window2DArgs& a,
                         int64_t n, int64_t h, int64_t w, int64_t c) {
    T acc = T(0);
    for_readers(a, h, w, [&](int64_t kh, int64_t kw, int64_t oh, int64_t ow) {
        const T g = dy[off4(ys, n, oh, ow, c)];
        if (is_max) {
            if (taps[((n * a.oh + oh) * a.ow + ow) * a.c + c] == kh * a.kw + kw) acc += g;
        } else {
            acc += g / static_cast<T>(pool_tap_count(a, oh, ow));
        }
    });
    return acc;
}

}  // namespace nf
