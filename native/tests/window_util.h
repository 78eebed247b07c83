// Shared by the window-op suites (test_conv, test_pool, cuda/test_cuda_conv): the cases of
// window geometry every kernel runs through, and NHWC index helpers for the references.
#pragma once

#include <string>
#include <vector>

#include "test_util.h"

namespace nft {

// Output size along one axis with `pad` on both sides (0 when the window does not fit).
inline int64_t window_out(int64_t in, int k, int s, int d, int p) {
    const int64_t r = in + 2 * p - static_cast<int64_t>(d) * (k - 1) - 1;
    return r < 0 ? 0 : r / s + 1;
}

struct WindowCase {
    Shape x;  // [N, H, W, C]
    nf_window2d w;
    int64_t oh, ow;
    Shape y() const { return {x[0], oh, ow, x[3]}; }
    Shape cols() const { return {x[0], oh, ow, w.kernel_h, w.kernel_w, x[3]}; }
    std::string name() const {
        return "x " + str(x) + " k " + std::to_string(w.kernel_h) + "x" + std::to_string(w.kernel_w) + " s " +
               std::to_string(w.stride_h) + "," + std::to_string(w.stride_w) + " d " + std::to_string(w.dilation_h) +
               "," + std::to_string(w.dilation_w) + " p " + std::to_string(w.pad_top) + "," +
               std::to_string(w.pad_left) + " out " + std::to_string(oh) + "x" + std::to_string(ow);
    }
};

// Odd sizes, stride 1/2, dilation 1/2, padding 0/1/2 (a 1x1 window with padding 2 has outputs
// wholly in the padding), and the empty edges N = 0 and H = 0.
inline std::vector<WindowCase> window_cases() {
    std::vector<WindowCase> r;
    const Shape shapes[] = {{2, 7, 5, 3}, {1, 5, 6, 1}, {0, 5, 5, 2}, {2, 0, 5, 2}};
    const int kernels[][2] = {{3, 2}, {1, 1}, {2, 3}};
    for (const Shape& x : shapes)
        for (const auto& k : kernels)
            for (int s : {1, 2})
                for (int d : {1, 2})
                    for (int p : {0, 1, 2}) {
                        WindowCase c{x, {k[0], k[1], s, s == 1 ? 2 : 1, d, d == 1 ? 2 : 1, p, 2 - p}, 0, 0};
                        c.oh = window_out(x[1], k[0], s, d, p);
                        c.ow = window_out(x[2], k[1], c.w.stride_w, c.w.dilation_w, c.w.pad_left);
                        r.push_back(c);
                    }
    return r;
}

// Input index of tap k of output o, or -1 in the padding.
inline int64_t ref_tap(int64_t o, int64_t k, int s, int d, int p, int64_t size) {
    const int64_t i = o * s + k * d - p;
    return i >= 0 && i < size ? i : -1;
}

inline int64_t lin4(const Shape& s, int64_t a, int64_t b, int64_t c, int64_t d) {
    return ((a * s[1] + b) * s[2] + c) * s[3] + d;
}

}  // namespace nft
