// CUDA vs CPU engine: batch norm (training and inference) and layer norm, forward and backward,
// on the same inputs, including float32 values around 1e4 with a small spread. Both engines
// compute each element with common/norm.h in double, but sum the statistics in different
// orders (block trees vs rows), so results agree to double rounding, not bit for bit; the CPU
// engine itself is checked against textbook double references in test_norm.cpp.
#include "../test_util.h"
#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

template <class T>
double tol() { return std::is_same_v<T, float> ? 1e-6 : 1e-11; }

template <class T>
void check_batch_norm(int64_t outer, int64_t F, int64_t inner, bool training, double center, double spread) {
    NFTC_REQUIRE_DEVICE();
    const nf_dtype dt = dtype_of<T>();
    const std::string what = std::string(training ? "training " : "inference ") + std::to_string(outer) + "x" +
                             std::to_string(F) + "x" + std::to_string(inner);
    const int64_t total = outer * F * inner;
    const auto x = random_values<T>(total, center - spread, center + spread, 31);
    const auto dy = random_values<T>(total, -1, 1, 32);
    const auto gamma = random_values<T>(F, 0.5, 1.5, 33), beta = random_values<T>(F, -1, 1, 34);
    const auto rm = random_values<T>(F, center - spread, center + spread, 35);
    const auto rv = random_values<T>(F, 0.1 * spread * spread, spread * spread, 36);
    const T* m = training ? nullptr : rm.data();
    const T* v = training ? nullptr : rv.data();
    std::vector<T> out(total), bm(F), bv(F), dx(total), dg(F), db(F);
    ASSERT_EQ(nf_batch_norm(dt, x.data(), outer, F, inner, gamma.data(), beta.data(), m, v, 1e-3, out.data(),
                            training ? bm.data() : nullptr, training ? bv.data() : nullptr),
              NF_OK)
        << nf_last_error();
    ASSERT_EQ(nf_batch_norm_backward(dt, x.data(), outer, F, inner, dy.data(), gamma.data(), m, v, 1e-3, training,
                                     dx.data(), dg.data(), db.data()),
              NF_OK)
        << nf_last_error();
    DeviceBuffer gx(x), gdy(dy), gg(gamma), gb(beta), grm(rm), grv(rv);
    DeviceBuffer gout(total * sizeof(T)), gbm(F * sizeof(T)), gbv(F * sizeof(T)), gdx(total * sizeof(T)),
        gdg(F * sizeof(T)), gdb(F * sizeof(T));
    void* dm = training ? nullptr : grm.get();
    void* dv = training ? nullptr : grv.get();
    ASSERT_EQ(nf_cuda_batch_norm(dt, gx.get(), outer, F, inner, gg.get(), gb.get(), dm, dv, 1e-3, gout.get(),
                                 training ? gbm.get() : nullptr, training ? gbv.get() : nullptr),
              NF_OK)
        << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_batch_norm_backward(dt, gx.get(), outer, F, inner, gdy.get(), gg.get(), dm, dv, 1e-3, training,
                                          gdx.get(), gdg.get(), gdb.get()),
              NF_OK)
        << nf_cuda_last_error();
    EXPECT_TRUE(near(gout.download<T>(total), out, tol<T>(), tol<T>(), "out " + what));
    if (training) {
        EXPECT_TRUE(near(gbm.download<T>(F), bm, tol<T>(), 0, "batch mean " + what));
        EXPECT_TRUE(near(gbv.download<T>(F), bv, tol<T>(), 0, "batch variance " + what));
    }
    EXPECT_TRUE(near(gdx.download<T>(total), dx, tol<T>(), tol<T>(), "dx " + what));
    EXPECT_TRUE(near(gdg.download<T>(F), dg, tol<T>(), tol<T>(), "dgamma " + what));
    EXPECT_TRUE(near(gdb.download<T>(F), db, tol<T>(), tol<T>(), "dbeta " + what));
}

template <class T>
void check_layer_norm(int64_t rows, int64_t cols, double center, double spread) {
    NFTC_REQUIRE_DEVICE();
    const nf_dtype dt = dtype_of<T>();
    const std::string what = std::to_string(rows) + "x" + std::to_string(cols);
    const int64_t total = rows * cols;
    const auto x = random_values<T>(total, center - spread, center + spread, 41);
    const auto dy = random_values<T>(total, -1, 1, 42);
    const auto gamma = random_values<T>(cols, 0.5, 1.5, 43), beta = random_values<T>(cols, -1, 1, 44);
    std::vector<T> out(total), dx(total), dg(cols), db(cols);
    ASSERT_EQ(nf_layer_norm(dt, x.data(), rows, cols, gamma.data(), beta.data(), 1e-5, out.data()), NF_OK);
    ASSERT_EQ(nf_layer_norm_backward(dt, x.data(), rows, cols, dy.data(), gamma.data(), 1e-5, dx.data(), dg.data(),
                                     db.data()),
              NF_OK);
    DeviceBuffer gx(x), gdy(dy), gg(gamma), gb(beta), gout(total * sizeof(T)), gdx(total * sizeof(T)),
        gdg(cols * sizeof(T)), gdb(cols * sizeof(T));
    ASSERT_EQ(nf_cuda_layer_norm(dt, gx.get(), rows, cols, gg.get(), gb.get(), 1e-5, gout.get()), NF_OK)
        << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_layer_norm_backward(dt, gx.get(), rows, cols, gdy.get(), gg.get(), 1e-5, gdx.get(), gdg.get(),
                                          gdb.get()),
              NF_OK)
        << nf_cuda_last_error();
    EXPECT_TRUE(near(gout.download<T>(total), out, tol<T>(), tol<T>(), "out " + what));
    EXPECT_TRUE(near(gdx.download<T>(total), dx, tol<T>(), tol<T>(), "dx " + what));
    EXPECT_TRUE(near(gdg.download<T>(cols), dg, tol<T>(), tol<T>(), "dgamma " + what));
    EXPECT_TRUE(near(gdb.download<T>(cols), db, tol<T>(), tol<T>(), "dbeta " + what));
}

TEST(CudaNorm, BatchNormMatchesCpu) {
    for (bool training : {true, false}) {
        check_batch_norm<float>(64, 5, 1, training, 0, 2);
        check_batch_norm<double>(64, 5, 1, training, 0, 2);
        check_batch_norm<float>(3, 4, 300, training, 0, 2);
        check_batch_norm<double>(2, 3, 7, training, 0, 2);
    }
}

TEST(CudaNorm, BatchNormLargeMeanFloat32) { check_batch_norm<float>(600, 3, 1, true, 1e4, 1e-2); }

TEST(CudaNorm, LayerNormMatchesCpu) {
    check_layer_norm<float>(9, 300, 0, 2);
    check_layer_norm<double>(9, 300, 0, 2);
    check_layer_norm<double>(70, 3, 0, 2);
    check_layer_norm<float>(5, 1000, 1e4, 1e-2);
}

TEST(CudaNorm, ArgumentErrorsMatchCpu) {
    EXPECT_EQ(nf_cuda_batch_norm(NF_INT32, nullptr, 0, 0, 0, nullptr, nullptr, nullptr, nullptr, 1e-3, nullptr, nullptr,
                                 nullptr),
              NF_ERROR_UNSUPPORTED);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("nf_cuda_batch_norm"), std::string::npos);
    EXPECT_EQ(nf_cuda_layer_norm(NF_FLOAT32, nullptr, 2, 3, nullptr, nullptr, 1e-3, nullptr),
              NF_ERROR_INVALID_ARGUMENT);
}

}  // namespace
