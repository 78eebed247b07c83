// nf_cuda_optimizer_update_ex (issue 16) against the CPU engine: Nadam, Adamax, Adadelta, AMSGrad,
// centered RMSprop, clipping and weight decay give the same bits on both engines.
#include <cmath>
#include <cstring>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

template <class T>
void check_ex(nf_optimizer kind, double momentum, nf_optimizer_options o, const char* name) {
    const int64_t n = 70001;
    auto w = random_values<T>(n, -1.0, 1.0, 81), g = random_values<T>(n, -1.0, 1.0, 82);
    auto s0 = random_values<T>(n, 0.0, 1.0, 83), s1 = random_values<T>(n, 0.0, 1.0, 84), s2 = random_values<T>(n, 0.0, 0.1, 85);
    nf_optimizer_params p{};
    p.learning_rate = 0.01;
    p.momentum = momentum;
    p.beta1 = 0.9;
    p.beta2 = 0.999;
    p.epsilon = 1e-7;
    p.rho = 0.9;
    p.step = 3;
    DeviceBuffer dw(w), dg(g), ds0(s0), ds1(s1), ds2(s2);
    ASSERT_EQ(nf_optimizer_update_ex(kind, dtype_of<T>(), w.data(), g.data(), s0.data(), s1.data(), s2.data(), n, &p, &o), NF_OK)
        << nf_last_error();
    ASSERT_EQ(nf_cuda_optimizer_update_ex(kind, dtype_of<T>(), dw.get(), dg.get(), ds0.get(), ds1.get(), ds2.get(), n, &p, &o),
              NF_OK)
        << nf_cuda_last_error();
    const std::string what = std::string("optimizer_ex ") + name;
    EXPECT_TRUE(same(dw.download<T>(n), w, what + " param"));
    EXPECT_TRUE(same(ds0.download<T>(n), s0, what + " slot0"));
    EXPECT_TRUE(same(ds1.download<T>(n), s1, what + " slot1"));
    EXPECT_TRUE(same(ds2.download<T>(n), s2, what + " slot2"));
}

TEST(CudaOptimizerEx, UpdatesAreBitIdentical) {
    NFTC_REQUIRE_DEVICE();
    for (auto f : {check_ex<float>, check_ex<double>}) {
        f(NF_OPTIMIZER_NADAM, 0, optimizer_options(0, 0, 0, 0, 0, 0), "nadam");
        f(NF_OPTIMIZER_ADAMAX, 0, optimizer_options(0, 0, 0, 0, 0, 0), "adamax");
        f(NF_OPTIMIZER_ADADELTA, 0, optimizer_options(0.01, 2, 3, 0, 0, 0), "adadelta decay scale");
        f(NF_OPTIMIZER_ADAM, 0, optimizer_options(0.004, 0, 0, 0.5, 1, 0), "adam amsgrad decay clipvalue");
        f(NF_OPTIMIZER_RMSPROP, 0.5, optimizer_options(0, 0.3, 1, 0, 0, 1), "rmsprop centered momentum scale");
        f(NF_OPTIMIZER_RMSPROP, 0, optimizer_options(0, 0, 0, 0, 0, 1), "rmsprop centered");
        f(NF_OPTIMIZER_SGD, 0.9, optimizer_options(0.1, 0, 0, 0.2, 0, 0), "sgd momentum decay clipvalue");
        f(NF_OPTIMIZER_ADAGRAD, 0, optimizer_options(0, 1, 4, 0, 0, 0), "adagrad scale");
        f(NF_OPTIMIZER_FTRL, 0, ftrl_options(-0.5), "ftrl");
#ifdef NFTC_EMULATED
        // Bit for bit only where the kernel's powf is the host's: a GPU's powf is within 2 ulp of
        // it, so on a device this power is left to the C# kernel tests' float64 tolerance.
        f(NF_OPTIMIZER_FTRL, 0, ftrl_options(-0.2, 0.05, 0.15, 0.01, 0.3, 0.004), "ftrl power l1 l2 shrinkage beta decay");
#endif
    }
}

TEST(CudaOptimizerEx, MissingSlotIsRefused) {
    float* none = nullptr;
    nf_optimizer_params p{};
    p.learning_rate = 0.1;
    p.step = 1;
    nf_optimizer_options o = optimizer_options(0, 0, 0, 0, 1, 0);
    float dummy = 0;
    EXPECT_EQ(nf_cuda_optimizer_update_ex(NF_OPTIMIZER_ADAM, NF_FLOAT32, &dummy, &dummy, &dummy, &dummy, none, 1, &p, &o),
              NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("slot2"), std::string::npos) << nf_cuda_last_error();
}

}  // namespace
