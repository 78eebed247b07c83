// nf_im2col and nf_col2im against double references, their adjointness, and argument checks.
#include <cmath>
#include <cstddef>

#include "window_util.h"

using namespace nft;

// The C# binding NfWindow2D mirrors this layout (BindingsTests).
static_assert(sizeof(nf_window2d) == 32 && offsetof(nf_window2d, pad_top) == 24 && offsetof(nf_window2d, pad_left) == 28,
              "nf_window2d layout");

namespace {

// Calls f(t, n, h, w, ch) for every cols element t in row-major order, with (h, w) the pixel it
// reads (-1 in the padding), straight from the header's formula.
template <class F>
void for_each_col(const WindowCase& c, F f) {
    const Shape& s = c.x;
    int64_t t = 0;
    for (int64_t n = 0; n < s[0]; ++n)
        for (int64_t oh = 0; oh < c.oh; ++oh)
            for (int64_t ow = 0; ow < c.ow; ++ow)
                for (int64_t kh = 0; kh < c.w.kernel_h; ++kh)
                    for (int64_t kw = 0; kw < c.w.kernel_w; ++kw)
                        for (int64_t ch = 0; ch < s[3]; ++ch, ++t) {
                            const int64_t h = ref_tap(oh, kh, c.w.stride_h, c.w.dilation_h, c.w.pad_top, s[1]);
                            const int64_t w = ref_tap(ow, kw, c.w.stride_w, c.w.dilation_w, c.w.pad_left, s[2]);
                            f(t, n, h < 0 || w < 0 ? -1 : h, w, ch);
                        }
}

template <class T>
std::vector<double> ref_im2col(const std::vector<T>& x, const nf_layout& xl, const WindowCase& c) {
    std::vector<double> out(numel(c.cols()));
    for_each_col(c, [&](int64_t t, int64_t n, int64_t h, int64_t w, int64_t ch) {
        out[t] = h < 0 ? 0.0 : static_cast<double>(x[elem_offset(xl, lin4(c.x, n, h, w, ch))]);
    });
    return out;
}

// col2im in double: scatter every cols entry onto the pixel it was read from.
template <class T>
std::vector<double> ref_col2im(const std::vector<T>& cols, const nf_layout& cl, const WindowCase& c) {
    std::vector<double> out(numel(c.x), 0.0);
    for_each_col(c, [&](int64_t t, int64_t n, int64_t h, int64_t w, int64_t ch) {
        if (h >= 0) out[lin4(c.x, n, h, w, ch)] += static_cast<double>(cols[elem_offset(cl, t)]);
    });
    return out;
}

template <class T>
void check_conv() {
    const nf_dtype dt = dtype_of<T>();
    uint32_t seed = 5;
    // The shared cases have C <= 3 (im2col's row path); C = 4 is its last, 5 and 16 take the
    // per-tap path.
    std::vector<WindowCase> cases = window_cases();
    for (const WindowCase& c : {WindowCase{{2, 6, 7, 4}, {3, 2, 2, 1, 1, 2, 1, 1}, 0, 0},
                                WindowCase{{1, 5, 6, 5}, {2, 3, 1, 2, 2, 1, 2, 0}, 0, 0},
                                WindowCase{{2, 9, 8, 16}, {3, 3, 1, 1, 1, 1, 1, 1}, 0, 0}}) {
        WindowCase d = c;
        d.oh = window_out(c.x[1], c.w.kernel_h, c.w.stride_h, c.w.dilation_h, c.w.pad_top);
        d.ow = window_out(c.x[2], c.w.kernel_w, c.w.stride_w, c.w.dilation_w, c.w.pad_left);
        cases.push_back(d);
    }
    for (const WindowCase& c : cases)
        for (Kind k : kAllKinds) {
            const std::string what = c.name() + " " + kind_name(k);
            const View xv = make_view(c.x, k);
            const auto x = random_values<T>(xv.storage, -2, 2, seed++);
            const nf_layout ol = contiguous(c.cols());
            Guarded<T> out(numel(c.cols()), T(7));
            ASSERT_EQ(nf_im2col(dt, x.data(), &xv.l, &c.w, out.data(), &ol), NF_OK) << what << ": " << nf_last_error();
            EXPECT_TRUE(out.intact("im2col " + what));
            EXPECT_TRUE(all_close(out.data(), ref_im2col(x, xv.l, c), 0, 0, "im2col " + what));

            const View cv = make_view(c.cols(), k);
            const auto cols = random_values<T>(cv.storage, -2, 2, seed++);
            const nf_layout xl = contiguous(c.x);
            Guarded<T> img(numel(c.x), T(7));
            ASSERT_EQ(nf_col2im(dt, cols.data(), &cv.l, &c.w, img.data(), &xl), NF_OK) << what << ": " << nf_last_error();
            EXPECT_TRUE(img.intact("col2im " + what));
            EXPECT_TRUE(all_close(img.data(), ref_col2im(cols, cv.l, c), 4 * rtol<T>(), 1e-6, "col2im " + what));
        }
}

TEST(Conv, Float32) { check_conv<float>(); }
TEST(Conv, Float64) { check_conv<double>(); }

// <im2col(x), y> == <x, col2im(y)>: col2im is im2col's adjoint, the identity conv2d's input
// gradient relies on.
TEST(Conv, Col2ImIsTheAdjointOfIm2Col) {
    uint32_t seed = 90;
    for (const WindowCase& c : window_cases()) {
        const auto x = random_values<double>(numel(c.x), -1, 1, seed++);
        const auto y = random_values<double>(numel(c.cols()), -1, 1, seed++);
        const nf_layout xl = contiguous(c.x), cl = contiguous(c.cols());
        Guarded<double> ix(numel(c.cols())), ty(numel(c.x));
        ASSERT_EQ(nf_im2col(NF_FLOAT64, x.data(), &xl, &c.w, ix.data(), &cl), NF_OK) << nf_last_error();
        ASSERT_EQ(nf_col2im(NF_FLOAT64, y.data(), &cl, &c.w, ty.data(), &xl), NF_OK) << nf_last_error();
        double lhs = 0, rhs = 0;
        for (int64_t i = 0; i < numel(c.cols()); ++i) lhs += ix[i] * y[i];
        for (int64_t i = 0; i < numel(c.x); ++i) rhs += x[i] * ty[i];
        EXPECT_NEAR(lhs, rhs, 1e-10 * (1 + std::fabs(lhs))) << c.name();
    }
}

TEST(Conv, LargeEnoughToSplitIsTheSameOnOneThread) {
    // 2 x 33 x 31 x 16 with a 3x3 window: many parts; results must not depend on the split.
    const WindowCase c{{2, 33, 31, 16}, {3, 3, 1, 1, 1, 1, 1, 1}, 33, 31};
    const auto x = random_values<float>(numel(c.x), -1, 1, 3);
    const nf_layout xl = contiguous(c.x), cl = contiguous(c.cols());
    std::vector<float> cols(numel(c.cols())), a(numel(c.x)), b(numel(c.x));
    ASSERT_EQ(nf_im2col(NF_FLOAT32, x.data(), &xl, &c.w, cols.data(), &cl), NF_OK);
    ASSERT_EQ(nf_col2im(NF_FLOAT32, cols.data(), &cl, &c.w, a.data(), &xl), NF_OK);
    const int before = nf_threads_get();
    ASSERT_EQ(nf_threads_set(1), NF_OK);
    ASSERT_EQ(nf_col2im(NF_FLOAT32, cols.data(), &cl, &c.w, b.data(), &xl), NF_OK);
    ASSERT_EQ(nf_threads_set(before), NF_OK);
    EXPECT_EQ(a, b);
    // Interior pixels of a 3x3 "same" window are read 9 times.
    EXPECT_FLOAT_EQ(a[lin4(c.x, 1, 10, 10, 5)], 9 * x[lin4(c.x, 1, 10, 10, 5)]);
}

TEST(Conv, ArgumentErrors) {
    std::vector<float> x(2 * 5 * 5 * 3), out(2 * 5 * 5 * 9 * 3);
    const nf_window2d w{3, 3, 1, 1, 1, 1, 1, 1};
    const nf_layout xl = contiguous({2, 5, 5, 3}), ol = contiguous({2, 5, 5, 3, 3, 3});
    ASSERT_EQ(nf_im2col(NF_FLOAT32, x.data(), &xl, &w, out.data(), &ol), NF_OK) << nf_last_error();
    const nf_layout x3 = contiguous({2, 5, 15});
    EXPECT_TRUE(fails_with(nf_im2col(NF_FLOAT32, x.data(), &x3, &w, out.data(), &ol), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_im2col", "x_layout has rank 3", "[N, H, W, C]"}));
    EXPECT_TRUE(fails_with(nf_im2col(NF_INT32, x.data(), &xl, &w, out.data(), &ol), NF_ERROR_UNSUPPORTED,
                           {"nf_im2col", "int32"}));
    EXPECT_TRUE(fails_with(nf_im2col(NF_FLOAT32, x.data(), &xl, nullptr, out.data(), &ol), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_im2col", "window is NULL"}));
    const nf_window2d fields[] = {{0, 3, 1, 1, 1, 1, 1, 1}, {3, 3, 0, 1, 1, 1, 1, 1}, {3, 3, 1, 1, 1, 0, 1, 1},
                                  {3, 3, 1, 1, 1, 1, -1, 1}};
    const char* names[] = {"window->kernel_h = 0 must be >= 1", "window->stride_h = 0", "window->dilation_w = 0",
                           "window->pad_top = -1 must be >= 0"};
    for (int i = 0; i < 4; ++i)
        EXPECT_TRUE(fails_with(nf_im2col(NF_FLOAT32, x.data(), &xl, &fields[i], out.data(), &ol),
                               NF_ERROR_INVALID_ARGUMENT, {"nf_im2col", names[i]}));
    const nf_layout bad_k = contiguous({2, 5, 5, 3, 2, 3});
    EXPECT_TRUE(fails_with(nf_im2col(NF_FLOAT32, x.data(), &xl, &w, out.data(), &bad_k), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_im2col", "kernel_h, kernel_w = 3, 3"}));
    const nf_layout bad_n = contiguous({1, 5, 5, 3, 3, 3}), bad_c = contiguous({2, 5, 5, 3, 3, 2});
    EXPECT_TRUE(fails_with(nf_im2col(NF_FLOAT32, x.data(), &xl, &w, out.data(), &bad_n), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_im2col", "batch (N) mismatch"}));
    EXPECT_TRUE(fails_with(nf_im2col(NF_FLOAT32, x.data(), &xl, &w, out.data(), &bad_c), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_im2col", "channels (C) mismatch"}));
    nf_layout strided_out = ol;
    strided_out.strides[5] = 2;
    EXPECT_TRUE(fails_with(nf_im2col(NF_FLOAT32, x.data(), &xl, &w, out.data(), &strided_out),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_im2col", "out_layout must be contiguous"}));
    nf_layout neg = ol;
    neg.shape[1] = -1;
    EXPECT_TRUE(fails_with(nf_im2col(NF_FLOAT32, x.data(), &xl, &w, out.data(), &neg), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_im2col", "out_layout"}));
    // An output height whose last window starts past 2^60.
    nf_layout huge = contiguous({0, int64_t(1) << 40, 5, 3, 3, 3});
    const nf_window2d far{3, 3, 1 << 30, 1, 1, 1, 0, 0};
    const nf_layout x0 = contiguous({0, 5, 5, 3});
    EXPECT_TRUE(fails_with(nf_im2col(NF_FLOAT32, x.data(), &x0, &far, out.data(), &huge), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_im2col", "window reach"}));
    // col2im: its own argument names.
    EXPECT_TRUE(fails_with(nf_col2im(NF_FLOAT32, out.data(), &xl, &w, x.data(), &xl), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_col2im", "cols_layout has rank 4"}));
    EXPECT_TRUE(fails_with(nf_col2im(NF_FLOAT32, out.data(), &ol, &w, x.data(), &x3), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_col2im", "out_layout has rank 3"}));
    EXPECT_TRUE(fails_with(nf_col2im(NF_FLOAT32, nullptr, &ol, &w, x.data(), &xl), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_col2im", "cols"}));
}

}  // namespace
