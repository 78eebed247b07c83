// nf_pool2d and nf_pool2d_backward against double references (max ties, NaN, windows wholly in
// the padding), the channel-contiguous pixel path against the element path bit for bit, and
// argument checks.
#include <cmath>
#include <cstring>
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

// ---- the pixel path (channel stride 1) against the element path (any other strides) --------

// Values that stress the rules the two paths must share: ties (few distinct values), NaN, -0
// next to +0 (max keeps the first of equal values), and infinities.
template <class T>
std::vector<T> special_values(int64_t n, uint32_t seed) {
    std::mt19937 g(seed);
    std::uniform_int_distribution<int> pick(0, 19);
    const T inf = std::numeric_limits<T>::infinity();
    std::vector<T> v(static_cast<size_t>(n));
    for (T& x : v) {
        const int k = pick(g);
        x = k == 0 ? std::numeric_limits<T>::quiet_NaN()
            : k == 1 ? T(-0.0)
            : k == 2 ? inf
            : k == 3 ? -inf
                     : static_cast<T>(k % 5 - 2) / T(2);  // -1, -0.5, 0, 0.5, 1
    }
    return v;
}

// The first numel(shape) logical (row-major) values copied into the storage of view v.
template <class T>
std::vector<T> laid_out(const std::vector<T>& logical, const Shape& shape, const View& v) {
    std::vector<T> s(static_cast<size_t>(std::max<int64_t>(v.storage, 1)), T(99));
    for (int64_t i = 0; i < numel(shape); ++i) s[elem_offset(v.l, i)] = logical[i];
    return s;
}

template <class T>
struct PoolResult {
    std::vector<T> out, dx;
};

// Forward and backward of x and dy (logical values) passed in layouts of `kind`: Contig takes
// the pixel path, Strided (channel stride 2) the element path.
template <class T>
PoolResult<T> run_pool(nf_pool_op op, const WindowCase& c, const std::vector<T>& x, const std::vector<T>& dy, Kind k) {
    const View xv = make_view(c.x, k), yv = make_view(c.y(), k);
    const std::vector<T> xs = laid_out(x, c.x, xv), ys = laid_out(dy, c.y(), yv);
    const nf_layout ol = contiguous(c.y()), dl = contiguous(c.x);
    Guarded<T> out(numel(c.y()), T(7)), dx(numel(c.x), T(7));
    const nf_dtype dt = dtype_of<T>();
    EXPECT_EQ(nf_pool2d(op, dt, xs.data(), &xv.l, &c.w, out.data(), &ol), NF_OK) << nf_last_error();
    EXPECT_EQ(nf_pool2d_backward(op, dt, xs.data(), &xv.l, ys.data(), &yv.l, &c.w, dx.data(), &dl), NF_OK)
        << nf_last_error();
    EXPECT_TRUE(out.intact("pool2d " + c.name()));
    EXPECT_TRUE(dx.intact("pool2d_backward " + c.name()));
    return {out.values(), dx.values()};
}

// Bit for bit, except that with any_nan one NaN matches another: a sum of two NaNs (or of
// inf and -inf, which makes x86's negative default NaN) carries the payload and sign of the
// operand the compiler happens to put first, which IEEE 754 leaves open and which vector and
// scalar code order differently. MAX copies its values, so its NaNs match exactly.
template <class T>
::testing::AssertionResult same_bits(const std::vector<T>& got, const std::vector<T>& want, const std::string& what,
                                     bool any_nan = false) {
    if (got.size() != want.size()) return ::testing::AssertionFailure() << what << ": sizes differ";
    for (size_t i = 0; i < got.size(); ++i)
        if (!(any_nan && std::isnan(got[i]) && std::isnan(want[i])) && std::memcmp(&got[i], &want[i], sizeof(T)) != 0)
            return ::testing::AssertionFailure() << what << ": element " << i << " is " << got[i] << ", want "
                                                 << want[i] << " (bits differ)";
    return ::testing::AssertionSuccess();
}

// The shared window cases (C = 1, 2, 3), and channel counts past a vector's width with odd
// remainders (37, 19) and the ConvNet sample's shapes (32 and 64 channels, 2x2 stride 2), large
// enough that the work is split among threads.
std::vector<WindowCase> pixel_path_cases() {
    std::vector<WindowCase> r = window_cases();
    auto add = [&](Shape x, nf_window2d w) {
        WindowCase c{x, w, window_out(x[1], w.kernel_h, w.stride_h, w.dilation_h, w.pad_top),
                     window_out(x[2], w.kernel_w, w.stride_w, w.dilation_w, w.pad_left)};
        r.push_back(c);
    };
    add({2, 9, 11, 37}, {3, 3, 2, 2, 1, 1, 1, 1});
    add({1, 7, 9, 19}, {3, 2, 1, 2, 2, 1, 2, 0});
    add({8, 26, 26, 32}, {2, 2, 2, 2, 1, 1, 0, 0});
    add({8, 11, 11, 64}, {2, 2, 2, 2, 1, 1, 0, 0});
    add({3, 10, 10, 33}, {3, 3, 1, 1, 1, 1, 1, 1});
    return r;
}

struct ThreadCount {
    int saved = nf_threads_get();
    ~ThreadCount() { nf_threads_set(saved); }
};

template <class T>
void check_paths_agree(nf_pool_op op) {
    ThreadCount restore;
    uint32_t seed = 101;
    for (const WindowCase& c : pixel_path_cases()) {
        const std::string what = std::string(op == NF_POOL_MAX ? "max " : "avg ") + c.name();
        const auto x = special_values<T>(numel(c.x), seed++);
        auto dy = random_values<T>(numel(c.y()), -2, 2, seed++);
        // A NaN gradient of an output that is not a tap's winner must not reach that tap.
        if (!dy.empty()) dy[dy.size() / 2] = std::numeric_limits<T>::quiet_NaN();
        ASSERT_EQ(nf_threads_set(1), NF_OK);
        const PoolResult<T> element = run_pool(op, c, x, dy, Kind::Strided);
        const PoolResult<T> pixel1 = run_pool(op, c, x, dy, Kind::Contig);
        ASSERT_EQ(nf_threads_set(4), NF_OK);
        const PoolResult<T> pixel4 = run_pool(op, c, x, dy, Kind::Contig);
        const PoolResult<T> element4 = run_pool(op, c, x, dy, Kind::Strided);
        const bool any_nan = op == NF_POOL_AVERAGE;
        EXPECT_TRUE(same_bits(pixel1.out, element.out, "pool2d, 1 thread, " + what, any_nan));
        EXPECT_TRUE(same_bits(pixel1.dx, element.dx, "pool2d_backward, 1 thread, " + what, any_nan));
        EXPECT_TRUE(same_bits(pixel4.out, pixel1.out, "pool2d, 4 threads vs 1, " + what));
        EXPECT_TRUE(same_bits(pixel4.dx, pixel1.dx, "pool2d_backward, 4 threads vs 1, " + what));
        EXPECT_TRUE(same_bits(element4.dx, element.dx, "element path, 4 threads vs 1, " + what));
    }
}

TEST(Pool, PixelPathMatchesElementPathBitForBit) {
    check_paths_agree<float>(NF_POOL_MAX);
    check_paths_agree<double>(NF_POOL_MAX);
    check_paths_agree<float>(NF_POOL_AVERAGE);
    check_paths_agree<double>(NF_POOL_AVERAGE);
}

TEST(Pool, PixelPathMaxTiesNaNAndSignedZero) {
    // One image 2 x 2, two channels, 2x2 window: channel 0 holds -0 then +0 (equal: the first,
    // -0, wins), channel 1 holds 3, NaN, 3, 5 (the NaN wins over the later 5).
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> x = {-0.0f, 3, 0.0f, nan, 0.0f, 3, 0.0f, 5};
    const nf_layout xl = contiguous({1, 2, 2, 2}), yl = contiguous({1, 1, 1, 2});
    const nf_window2d w{2, 2, 1, 1, 1, 1, 0, 0};
    Guarded<float> out(2), dx(8, 7.0f);
    ASSERT_EQ(nf_pool2d(NF_POOL_MAX, NF_FLOAT32, x.data(), &xl, &w, out.data(), &yl), NF_OK) << nf_last_error();
    EXPECT_TRUE(std::signbit(out[0]));
    EXPECT_TRUE(std::isnan(out[1]));
    const std::vector<float> dy = {10, 20};
    ASSERT_EQ(nf_pool2d_backward(NF_POOL_MAX, NF_FLOAT32, x.data(), &xl, dy.data(), &yl, &w, dx.data(), &xl), NF_OK);
    EXPECT_EQ(dx.values(), (std::vector<float>{10, 0, 0, 20, 0, 0, 0, 0}));
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
