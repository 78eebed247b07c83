// CUDA vs CPU engine: im2col, col2im, pool2d and pool2d_backward on the same inputs, window
// cases and layouts. Both engines run common/window2d.h's arithmetic in the same tap order
// (sums start at 0, no products to contract), so results agree bit for bit.
#include <cmath>

#include "../window_util.h"
#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

const Kind kKinds[] = {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative};

template <class T>
void check_conv(const WindowCase& c, Kind k, uint32_t seed) {
    const nf_dtype dt = dtype_of<T>();
    const std::string what = c.name() + " " + kind_name(k);
    const View xv = make_view(c.x, k), cv = make_view(c.cols(), k);
    const auto x = random_values<T>(xv.storage, -2, 2, seed);
    const auto cols = random_values<T>(cv.storage, -2, 2, seed + 1);
    const nf_layout ol = contiguous(c.cols()), il = contiguous(c.x);
    std::vector<T> cpu_cols(numel(c.cols())), cpu_img(numel(c.x));
    ASSERT_EQ(nf_im2col(dt, x.data(), &xv.l, &c.w, cpu_cols.data(), &ol), NF_OK) << nf_last_error();
    ASSERT_EQ(nf_col2im(dt, cols.data(), &cv.l, &c.w, cpu_img.data(), &il), NF_OK) << nf_last_error();
    DeviceBuffer dx(x), dcols(cols), dout(cpu_cols.size() * sizeof(T)), dimg(cpu_img.size() * sizeof(T));
    ASSERT_EQ(nf_cuda_im2col(dt, dx.get(), &xv.l, &c.w, dout.get(), &ol), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_col2im(dt, dcols.get(), &cv.l, &c.w, dimg.get(), &il), NF_OK) << nf_cuda_last_error();
    EXPECT_TRUE(same(dout.download<T>(cpu_cols.size()), cpu_cols, "im2col " + what));
    EXPECT_TRUE(same(dimg.download<T>(cpu_img.size()), cpu_img, "col2im " + what));
    EXPECT_TRUE(dout.intact("im2col " + what));
    EXPECT_TRUE(dimg.intact("col2im " + what));
}

template <class T>
void check_pool(nf_pool_op op, const WindowCase& c, Kind k, uint32_t seed) {
    const nf_dtype dt = dtype_of<T>();
    const std::string what = std::string(op == NF_POOL_MAX ? "max " : "avg ") + c.name() + " " + kind_name(k);
    const View xv = make_view(c.x, k), yv = make_view(c.y(), k);
    auto x = random_values<T>(xv.storage, -2, 2, seed);
    for (size_t i = 0; i < x.size(); i += 3) x[i] = std::round(x[i]);  // ties
    if (x.size() > 7) x[7] = std::nan("");
    const auto dy = random_values<T>(yv.storage, -2, 2, seed + 1);
    const nf_layout ol = contiguous(c.y()), dl = contiguous(c.x);
    std::vector<T> cpu_out(numel(c.y())), cpu_dx(numel(c.x));
    ASSERT_EQ(nf_pool2d(op, dt, x.data(), &xv.l, &c.w, cpu_out.data(), &ol), NF_OK) << nf_last_error();
    ASSERT_EQ(nf_pool2d_backward(op, dt, x.data(), &xv.l, dy.data(), &yv.l, &c.w, cpu_dx.data(), &dl), NF_OK)
        << nf_last_error();
    DeviceBuffer dx(x), ddy(dy), dout(cpu_out.size() * sizeof(T)), ddx(cpu_dx.size() * sizeof(T));
    ASSERT_EQ(nf_cuda_pool2d(op, dt, dx.get(), &xv.l, &c.w, dout.get(), &ol), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_pool2d_backward(op, dt, dx.get(), &xv.l, ddy.get(), &yv.l, &c.w, ddx.get(), &dl), NF_OK)
        << nf_cuda_last_error();
    EXPECT_TRUE(same(dout.download<T>(cpu_out.size()), cpu_out, "pool2d " + what));
    EXPECT_TRUE(same(ddx.download<T>(cpu_dx.size()), cpu_dx, "pool2d_backward " + what));
    EXPECT_TRUE(dout.intact("pool2d " + what));
    EXPECT_TRUE(ddx.intact("pool2d_backward " + what));
}

TEST(CudaConv, Im2ColAndCol2ImMatchCpu) {
    NFTC_REQUIRE_DEVICE();
    uint32_t seed = 1;
    for (const WindowCase& c : window_cases())
        for (Kind k : kKinds) {
            check_conv<float>(c, k, seed += 2);
            check_conv<double>(c, k, seed += 2);
        }
}

TEST(CudaConv, PoolMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    uint32_t seed = 7;
    for (const WindowCase& c : window_cases())
        for (Kind k : kKinds)
            for (nf_pool_op op : {NF_POOL_MAX, NF_POOL_AVERAGE}) {
                check_pool<float>(op, c, k, seed += 2);
                check_pool<double>(op, c, k, seed += 2);
            }
}

// The shared checks run before any device work: same rules and messages on every machine.
TEST(CudaConv, ArgumentErrorsLikeCpu) {
    const nf_window2d w{3, 3, 1, 1, 1, 1, 1, 1}, bad{3, 3, 1, 1, 0, 1, 1, 1};
    const nf_layout xl = contiguous({2, 5, 5, 3}), ol = contiguous({2, 5, 5, 3, 3, 3}), x3 = contiguous({2, 5, 15});
    void* p = reinterpret_cast<void*>(0x1000);
    EXPECT_EQ(nf_cuda_im2col(NF_FLOAT32, p, &xl, &bad, p, &ol), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(), "nf_cuda_im2col: window->dilation_h = 0 must be >= 1");
    EXPECT_EQ(nf_cuda_col2im(NF_FLOAT32, p, &x3, &w, p, &xl), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("nf_cuda_col2im: cols_layout has rank 3"), std::string::npos);
    EXPECT_EQ(nf_cuda_pool2d(NF_POOL_MAX, NF_INT32, p, &xl, &w, p, &xl), NF_ERROR_UNSUPPORTED);
    EXPECT_EQ(nf_cuda_pool2d_backward(static_cast<nf_pool_op>(5), NF_FLOAT32, p, &xl, p, &xl, &w, p, &xl),
              NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("op = 5 is not a pool op"), std::string::npos);
}

}  // namespace
