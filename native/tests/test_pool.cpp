// nf_pool2d and nf_pool2d_backward against double references (max ties, NaN, windows wholly in
// the padding), and argument checks.
#include <cmath>
#include <limits>

#include "window_util.h"

using namespace nft;

namespace {

// In-image taps of output (oh, ow) as (h, w) pairs, in (kh, kw) order.
std::vector<std::pair<int64_t, int64_t>> taps_of(const WindowCase& c, int64_t oh, int64_t ow) {
    std::vector<std::pair<int64_t, int64_t>> r;
    for (int64_t kh = 0; kh < c.w.kernel_h; ++kh)
        for (int64_t kw = 0; kw < c.w.kernel_w; ++kw) {
            const int64_t h = ref_tap(oh, kh, c.w.stride_h, c.w.dilation_h, c.w.pad_top, c.x[1]);
            const int64_t w = ref_tap(ow, kw, c.w.stride_w, c.w.dilation_w, c.w.pad_left, c.x[2]);
            if (h >= 0 && w >= 0) r.emplace_back(h, w);
        }
    return r;
}

// Forward and backward references at once: out [N, OH, OW, C] and dx [N, H, W, C].
template <class T>
void ref_pool(nf_pool_op op, const std::vector<T>& x, const nf_layout& xl, const std::vector<T>& dy,
              const nf_layout& yl, const WindowCase& c, std::vector<double>& out, std::vector<double>& dx) {
    const Shape& s = c.x;
    const Shape ys = c.y();
    out.assign(numel(ys), 0.0);
    dx.assign(numel(s), 0.0);
    for (int64_t n = 0; n < s[0]; ++n)
        for (int64_t oh = 0; oh < c.oh; ++oh)
            for (int64_t ow = 0; ow < c.ow; ++ow) {
                const auto taps = taps_of(c, oh, ow);
                for (int64_t ch = 0; ch < s[3]; ++ch) {
                    const int64_t o = lin4(ys, n, oh, ow, ch);
                    const double g = static_cast<double>(dy[elem_offset(yl, o)]);
                    if (taps.empty()) continue;
                    auto xv = [&](size_t i) {
                        return static_cast<double>(x[elem_offset(xl, lin4(s, n, taps[i].first, taps[i].second, ch))]);
                    };
                    if (op == NF_POOL_MAX) {
                        size_t best = 0;
                        for (size_t i = 1; i < taps.size() && !std::isnan(xv(best)); ++i)
                            if (std::isnan(xv(i)) || xv(i) > xv(best)) best = i;
                        out[o] = xv(best);
                        dx[lin4(s, n, taps[best].first, taps[best].second, ch)] += g;
                    } else {
                        double sum = 0;
                        for (size_t i = 0; i < taps.size(); ++i) sum += xv(i);
                        out[o] = sum / taps.size();
                        for (const auto& t : taps) dx[lin4(s, n, t.first, t.second, ch)] += g / taps.size();
                    }
                }
            }
}

// ties: x takes only the values -1, 0, 1, so most windows hold their maximum more than once.
template <class T>
void check_pool(nf_pool_op op, bool ties) {
    const nf_dtype dt = dtype_of<T>();
    uint32_t seed = 11;
    for (const WindowCase& c : window_cases())
        for (Kind k : kAllKinds) {
            const std::string what = std::string(op == NF_POOL_MAX ? "max " : "avg ") + c.name() + " " + kind_name(k);
            const View xv = make_view(c.x, k), yv = make_view(c.y(), k);
            auto x = random_values<T>(xv.storage, -2, 2, seed++);
            if (ties)
                for (T& v : x) v = std::round(v / 2);
            const auto dy = random_values<T>(yv.storage, -2, 2, seed++);
            std::vector<double> want_out, want_dx;
            ref_pool(op, x, xv.l, dy, yv.l, c, want_out, want_dx);
            const nf_layout ol = contiguous(c.y()), dl = contiguous(c.x);
            Guarded<T> out(numel(c.y()), T(7)), dx(numel(c.x), T(7));
            ASSERT_EQ(nf_pool2d(op, dt, x.data(), &xv.l, &c.w, out.data(), &ol), NF_OK) << what << ": " << nf_last_error();
            EXPECT_TRUE(out.intact("pool2d " + what));
            // Float sums of mixed signs cancel: an absolute tolerance as well.
            EXPECT_TRUE(all_close(out.data(), want_out, 4 * rtol<T>(), 1e-6, "pool2d " + what));
            ASSERT_EQ(nf_pool2d_backward(op, dt, x.data(), &xv.l, dy.data(), &yv.l, &c.w, dx.data(), &dl), NF_OK)
                << what << ": " << nf_last_error();
            EXPECT_TRUE(dx.intact("pool2d_backward " + what));
            EXPECT_TRUE(all_close(dx.data(), want_dx, 8 * rtol<T>(), 1e-6, "pool2d_backward " + what));
        }
}

TEST(Pool, MaxFloat32) { check_pool<float>(NF_POOL_MAX, false); }
TEST(Pool, MaxFloat64) { check_pool<double>(NF_POOL_MAX, false); }
TEST(Pool, MaxTiesGoToTheFirstTap) {
    check_pool<float>(NF_POOL_MAX, true);
    check_pool<double>(NF_POOL_MAX, true);
}
TEST(Pool, AverageFloat32) { check_pool<float>(NF_POOL_AVERAGE, false); }
TEST(Pool, AverageFloat64) { check_pool<double>(NF_POOL_AVERAGE, false); }

TEST(Pool, MaxNaNPropagatesAndTakesTheGradient) {
    // One image 2 x 3, one channel, 2x2 window stride 1: outputs (0, 0) and (0, 1).
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> x = {1, 5, 2, nan, 0, 9};
    const nf_layout xl = contiguous({1, 2, 3, 1}), yl = contiguous({1, 1, 2, 1});
    const nf_window2d w{2, 2, 1, 1, 1, 1, 0, 0};
    Guarded<float> out(2), dx(6, 7.0f);
    ASSERT_EQ(nf_pool2d(NF_POOL_MAX, NF_FLOAT32, x.data(), &xl, &w, out.data(), &yl), NF_OK) << nf_last_error();
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_EQ(out[1], 9.0f);
    const std::vector<float> dy = {10, 20};
    ASSERT_EQ(nf_pool2d_backward(NF_POOL_MAX, NF_FLOAT32, x.data(), &xl, dy.data(), &yl, &w, dx.data(), &xl), NF_OK);
    // The NaN (tap (1, 0) of the first window) wins over 5; the second window's 9 takes its own.
    EXPECT_EQ(dx.values(), (std::vector<float>{0, 0, 0, 10, 0, 20}));
}

TEST(Pool, PaddingNeverWinsAndIsNotCounted) {
    // All-negative 1 x 2 x 2 x 1 image, 3x3 window, padding 1: every tap at the border is padding.
    const std::vector<double> x = {-4, -3, -2, -1};
    const nf_layout xl = contiguous({1, 2, 2, 1}), yl = contiguous({1, 2, 2, 1});
    const nf_window2d w{3, 3, 1, 1, 1, 1, 1, 1};
    Guarded<double> mx(4), av(4);
    ASSERT_EQ(nf_pool2d(NF_POOL_MAX, NF_FLOAT64, x.data(), &xl, &w, mx.data(), &yl), NF_OK);
    ASSERT_EQ(nf_pool2d(NF_POOL_AVERAGE, NF_FLOAT64, x.data(), &xl, &w, av.data(), &yl), NF_OK);
    EXPECT_EQ(mx.values(), (std::vector<double>{-1, -1, -1, -1}));
    EXPECT_EQ(av.values(), (std::vector<double>{-2.5, -2.5, -2.5, -2.5}));
}

TEST(Pool, AverageBackwardTakesNoX) {
    const std::vector<float> dy = {4};
    const nf_layout xl = contiguous({1, 2, 2, 1}), yl = contiguous({1, 1, 1, 1});
    const nf_window2d w{2, 2, 2, 2, 1, 1, 0, 0};
    Guarded<float> dx(4);
    ASSERT_EQ(nf_pool2d_backward(NF_POOL_AVERAGE, NF_FLOAT32, nullptr, &xl, dy.data(), &yl, &w, dx.data(), &xl), NF_OK)
        << nf_last_error();
    EXPECT_EQ(dx.values(), (std::vector<float>{1, 1, 1, 1}));
    EXPECT_TRUE(fails_with(nf_pool2d_backward(NF_POOL_MAX, NF_FLOAT32, nullptr, &xl, dy.data(), &yl, &w, dx.data(), &xl),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_pool2d_backward", "x"}));
}

TEST(Pool, ArgumentErrors) {
    std::vector<float> x(2 * 5 * 5 * 3), y(2 * 5 * 5 * 3), dx(2 * 5 * 5 * 3);
    const nf_window2d w{3, 3, 1, 1, 1, 1, 1, 1};
    const nf_layout xl = contiguous({2, 5, 5, 3}), yl = contiguous({2, 5, 5, 3});
    EXPECT_TRUE(fails_with(nf_pool2d(static_cast<nf_pool_op>(2), NF_FLOAT32, x.data(), &xl, &w, y.data(), &yl),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_pool2d", "op = 2 is not a pool op"}));
    EXPECT_TRUE(fails_with(nf_pool2d(NF_POOL_MAX, NF_UINT8, x.data(), &xl, &w, y.data(), &yl), NF_ERROR_UNSUPPORTED,
                           {"nf_pool2d", "uint8"}));
    const nf_layout y6 = contiguous({2, 5, 5, 3, 1, 1}), bad_c = contiguous({2, 5, 5, 2});
    EXPECT_TRUE(fails_with(nf_pool2d(NF_POOL_MAX, NF_FLOAT32, x.data(), &xl, &w, y.data(), &y6),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_pool2d", "out_layout has rank 6", "[N, OH, OW, C]"}));
    EXPECT_TRUE(fails_with(nf_pool2d(NF_POOL_MAX, NF_FLOAT32, x.data(), &xl, &w, y.data(), &bad_c),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_pool2d", "channels (C) mismatch"}));
    const nf_window2d no_kernel{3, 0, 1, 1, 1, 1, 1, 1};
    EXPECT_TRUE(fails_with(nf_pool2d(NF_POOL_AVERAGE, NF_FLOAT32, x.data(), &xl, &no_kernel, y.data(), &yl),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_pool2d", "window->kernel_w = 0"}));
    const nf_layout x_other = contiguous({2, 5, 4, 3});
    EXPECT_TRUE(fails_with(nf_pool2d_backward(NF_POOL_MAX, NF_FLOAT32, x.data(), &x_other, y.data(), &yl, &w,
                                              dx.data(), &xl),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_pool2d_backward", "x_layout", "dx_layout"}));
    const nf_layout bad_n = contiguous({1, 5, 5, 3});
    EXPECT_TRUE(fails_with(nf_pool2d_backward(NF_POOL_MAX, NF_FLOAT32, x.data(), &xl, y.data(), &bad_n, &w,
                                              dx.data(), &xl),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_pool2d_backward", "batch (N) mismatch"}));
    nf_layout dx_t = xl;
    std::swap(dx_t.strides[1], dx_t.strides[2]);
    EXPECT_TRUE(fails_with(nf_pool2d_backward(NF_POOL_MAX, NF_FLOAT32, x.data(), &xl, y.data(), &yl, &w, dx.data(),
                                              &dx_t),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_pool2d_backward", "dx_layout must be contiguous"}));
}

}  // namespace
