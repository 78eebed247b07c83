// nf_cuda_optimizer_update_multi (issue 17, multi-tensor apply): for every kind, with and without
// options, and both float dtypes, one call over a mix of device tensors (more than one launch's
// table of them) gives the bits of one nf_cuda_optimizer_update_ex call per tensor, and of the
// CPU engine's nf_optimizer_update_multi; inside a CUDA graph it takes one hyperparameter slot
// and each launch gives the bits of the eager call with that launch's step.
#include <memory>
#include <string>

#include "../optimizer_multi_util.h"
#include "cuda_util.h"

using namespace nft;
using namespace nftc;
using namespace nftm;

namespace {

// One tensor on the device (guarded buffers) with its host copy.
template <class T>
struct DeviceTensor {
    int64_t n;
    MultiData<T> host;
    std::unique_ptr<DeviceBuffer> w, g, s0, s1, s2;
    DeviceTensor(int64_t count, uint32_t seed) : n(count), host(multi_data<T>(count, seed)) {
        const auto dev = [&](const std::vector<T>& v) {
            return std::make_unique<DeviceBuffer>(std::vector<T>(v.begin(), v.begin() + n));
        };
        w = dev(host.w), g = dev(host.g), s0 = dev(host.s0), s1 = dev(host.s1), s2 = dev(host.s2);
    }
    nf_optimizer_tensor tensor() const { return {w->get(), g->get(), s0->get(), s1->get(), s2->get(), n}; }
    std::vector<std::vector<T>> state() const {
        return {w->download<T>(n), s0->download<T>(n), s1->download<T>(n), s2->download<T>(n)};
    }
};

// Sizes of multi_sizes, repeated past one launch's table (NF_CUDA_OPTIMIZER_MULTI_PER_LAUNCH).
std::vector<int64_t> many_sizes() {
    std::vector<int64_t> sizes = multi_sizes(kEmulated);
    for (int k = 0; sizes.size() <= NF_CUDA_OPTIMIZER_MULTI_PER_LAUNCH; ++k) sizes.push_back(1 + (k * 37) % 300);
    return sizes;
}

template <class T>
std::vector<std::unique_ptr<DeviceTensor<T>>> make_tensors(const std::vector<int64_t>& sizes) {
    std::vector<std::unique_ptr<DeviceTensor<T>>> ts;
    for (size_t k = 0; k < sizes.size(); ++k) ts.push_back(std::make_unique<DeviceTensor<T>>(sizes[k], static_cast<uint32_t>(300 + 10 * k)));
    return ts;
}

template <class T>
std::vector<nf_optimizer_tensor> table(const std::vector<std::unique_ptr<DeviceTensor<T>>>& ts) {
    std::vector<nf_optimizer_tensor> r;
    for (const auto& t : ts) r.push_back(t->tensor());
    return r;
}

template <class T>
void expect_multi_equals_per_variable(const MultiCase& c) {
    const std::vector<int64_t> sizes = many_sizes();
    auto one = make_tensors<T>(sizes), multi = make_tensors<T>(sizes);
    std::vector<MultiData<T>> cpu;
    for (size_t k = 0; k < sizes.size(); ++k) cpu.push_back(multi[k]->host);
    nf_optimizer_params p = c.p;
    for (const auto& t : one) {
        const nf_optimizer_tensor x = t->tensor();
        ASSERT_EQ(nf_cuda_optimizer_update_ex(c.kind, dtype_of<T>(), x.param, x.grad, x.slot0, x.slot1, x.slot2, x.count, &p, &c.o),
                  NF_OK) << nf_cuda_last_error();
    }
    const auto ts = table(multi);
    ASSERT_EQ(nf_cuda_optimizer_update_multi(c.kind, dtype_of<T>(), ts.data(), static_cast<int32_t>(ts.size()), &p, &c.o), NF_OK)
        << nf_cuda_last_error();
    std::vector<nf_optimizer_tensor> host;
    for (size_t k = 0; k < sizes.size(); ++k)
        host.push_back({cpu[k].w.data(), cpu[k].g.data(), cpu[k].s0.data(), cpu[k].s1.data(), cpu[k].s2.data(), sizes[k]});
    ASSERT_EQ(nf_optimizer_update_multi(c.kind, dtype_of<T>(), host.data(), static_cast<int32_t>(host.size()), &p, &c.o), NF_OK)
        << nf_last_error();
    const char* names[] = {"param", "slot0", "slot1", "slot2"};
    for (size_t k = 0; k < sizes.size(); ++k) {
        const auto a = one[k]->state(), b = multi[k]->state();
        const std::vector<std::vector<T>> want = {cpu[k].w, cpu[k].s0, cpu[k].s1, cpu[k].s2};
        for (int s = 0; s < 4; ++s) {
            const std::string at = c.name + " tensor " + std::to_string(k) + " " + names[s];
            EXPECT_TRUE(same(b[s], a[s], at + " (multi vs per variable)"));
            EXPECT_TRUE(same(b[s], std::vector<T>(want[s].begin(), want[s].begin() + sizes[k]), at + " (cuda vs cpu)"));
        }
    }
}

TEST(CudaOptimizerMulti, EqualsOneCallPerVariableAndTheCpuEngineFloat32) {
    NFTC_REQUIRE_DEVICE();
    for (const MultiCase& c : multi_cases()) expect_multi_equals_per_variable<float>(c);
}

TEST(CudaOptimizerMulti, EqualsOneCallPerVariableAndTheCpuEngineFloat64) {
    NFTC_REQUIRE_DEVICE();
    for (const MultiCase& c : multi_cases()) expect_multi_equals_per_variable<double>(c);
}

// Captured once with step 1; each launch takes its step from the graph's one slot.
TEST(CudaOptimizerMulti, OneGraphSlotAndEachLaunchGivesTheEagerBits) {
    NFTC_REQUIRE_DEVICE();
    const MultiCase c = multi_cases()[4];  // Adam with AMSGrad and weight decay
    const std::vector<int64_t> sizes = many_sizes();
    auto graphed = make_tensors<float>(sizes), eager = make_tensors<float>(sizes);
    const auto gt = table(graphed), et = table(eager);
    const int32_t n = static_cast<int32_t>(gt.size());
    ASSERT_EQ(nf_cuda_graph_capture_begin(1), NF_OK) << nf_cuda_last_error();
    nf_optimizer_params p = c.p;
    p.step = 1;
    const nf_status captured = nf_cuda_optimizer_update_multi(c.kind, NF_FLOAT32, gt.data(), n, &p, &c.o);
    nf_cuda_graph* graph = nullptr;
    ASSERT_EQ(nf_cuda_graph_capture_end(&graph), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(captured, NF_OK) << nf_cuda_last_error();
    int32_t kinds[2] = {-1, -1}, count = 0;
    ASSERT_EQ(nf_cuda_graph_slot_kinds(graph, kinds, 2, &count), NF_OK);
    ASSERT_EQ(count, 1);  // one slot for all tensors and all launches
    EXPECT_EQ(kinds[0], 1);
    EXPECT_TRUE(same(graphed[4]->w->download<float>(sizes[4]), std::vector<float>(graphed[4]->host.w.begin(), graphed[4]->host.w.begin() + sizes[4]),
                     "nothing ran at capture"));
    for (int64_t step = 1; step <= 3; ++step) {
        p.step = step;
        p.learning_rate = c.p.learning_rate * static_cast<double>(step);
        ASSERT_EQ(nf_cuda_graph_set_optimizer(graph, 0, c.kind, NF_FLOAT32, &p, &c.o), NF_OK) << nf_cuda_last_error();
        ASSERT_EQ(nf_cuda_graph_launch(graph), NF_OK) << nf_cuda_last_error();
        ASSERT_EQ(nf_cuda_optimizer_update_multi(c.kind, NF_FLOAT32, et.data(), n, &p, &c.o), NF_OK) << nf_cuda_last_error();
        for (size_t k = 0; k < sizes.size(); ++k) {
            const auto a = graphed[k]->state(), b = eager[k]->state();
            const std::string at = "launch " + std::to_string(step) + " tensor " + std::to_string(k);
            EXPECT_TRUE(same(a[0], b[0], at + " param"));
            EXPECT_TRUE(same(a[3], b[3], at + " v_hat"));
        }
    }
    EXPECT_EQ(nf_cuda_graph_destroy(graph), NF_OK) << nf_cuda_last_error();
}

TEST(CudaOptimizerMulti, BadCallsFailAsOnTheCpuEngine) {
    // Argument checks run before any device work (shared with the CPU engine: common/optimizer_multi.cpp).
    const nf_optimizer_params p = multi_params(0.1);
    alignas(8) static char fake[4][64];
    nf_optimizer_tensor t[2] = {{fake[0], fake[1], fake[2], fake[3], nullptr, 8}, {fake[0], fake[1], fake[2], fake[3], nullptr, 8}};
    EXPECT_EQ(nf_cuda_optimizer_update_multi(NF_OPTIMIZER_ADAM, NF_FLOAT32, t, 2, &p, nullptr), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("nf_cuda_optimizer_update_multi: tensors[0].param overlaps tensors[1].param"),
              std::string::npos) << nf_cuda_last_error();
    EXPECT_EQ(nf_cuda_optimizer_update_multi(NF_OPTIMIZER_ADAM, NF_FLOAT32, t, -2, &p, nullptr), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("tensor_count = -2 is negative"), std::string::npos) << nf_cuda_last_error();
    t[1].slot0 = nullptr;
    EXPECT_EQ(nf_cuda_optimizer_update_multi(NF_OPTIMIZER_ADAM, NF_FLOAT32, t, 2, &p, nullptr), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("tensors[1]: slot0 (m)"), std::string::npos) << nf_cuda_last_error();
}

}  // namespace
