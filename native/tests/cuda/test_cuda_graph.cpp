// CUDA graphs (issue 17): a captured sequence runs nothing at capture time, each launch runs it
// with that launch's random counters and optimizer hyperparameters (slots), giving the same bits
// as the same calls made eagerly; scratch the captured kernels use stays theirs; calls that need
// the host inside a capture fail with a message, and the capture still ends cleanly.
#include <cstring>
#include <string>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

constexpr int64_t M = 6, K = 8, N = 5;

// A[M, K] read through every other column of a [M, 2K] buffer: cuBLAS cannot take it in place,
// so matmul packs it into scratch first.
nf_layout every_other_column() {
    nf_layout l = contiguous({M, K});
    l.strides[0] = 2 * K;
    l.strides[1] = 2;
    return l;
}

nf_optimizer_params adam(int64_t step) {
    nf_optimizer_params p{};
    p.learning_rate = 0.01 * static_cast<double>(step);  // a schedule: each launch its own rate
    p.beta1 = 0.9;
    p.beta2 = 0.999;
    p.epsilon = 1e-7;
    p.step = step;
    return p;
}

// One "training step" on device buffers: r = uniform(seed, offset); y = a @ b; g = r * x;
// Adam on w with gradient g.
struct Step {
    DeviceBuffer a, b, y, x, r, g, w, s0, s1;
    Step()
        : a(random_values<float>(M * 2 * K, -1, 1, 1)), b(random_values<float>(K * N, -1, 1, 2)),
          y(std::vector<float>(M * N, 0.f)), x(random_values<float>(M * N, -1, 1, 3)), r(std::vector<float>(M * N, 0.f)),
          g(std::vector<float>(M * N, 0.f)), w(random_values<float>(M * N, -1, 1, 4)), s0(std::vector<float>(M * N, 0.f)),
          s1(std::vector<float>(M * N, 0.f)) {}

    nf_status run(uint64_t seed, uint64_t offset, int64_t step) {
        const nf_layout al = every_other_column(), bl = contiguous({K, N}), yl = contiguous({M, N});
        const nf_optimizer_params p = adam(step);
        nf_status s = nf_cuda_random_uniform(NF_FLOAT32, r.get(), M * N, seed, offset, 0.0, 1.0);
        if (s == NF_OK) s = nf_cuda_matmul(NF_FLOAT32, a.get(), &al, b.get(), &bl, y.get(), &yl);
        if (s == NF_OK) s = nf_cuda_binary(NF_BINARY_MUL, NF_FLOAT32, r.get(), &yl, x.get(), &yl, g.get(), &yl);
        if (s == NF_OK)
            s = nf_cuda_optimizer_update(NF_OPTIMIZER_ADAM, NF_FLOAT32, w.get(), g.get(), s0.get(), s1.get(), M * N, &p);
        return s;
    }
};

TEST(CudaGraph, LaunchesGiveTheBitsOfEagerCalls) {
    NFTC_REQUIRE_DEVICE();
    Step graphed, eager;
    ASSERT_EQ(nf_cuda_graph_capture_begin(2), NF_OK) << nf_cuda_last_error();
    const nf_status captured = graphed.run(7, 0, 1);
    nf_cuda_graph* graph = nullptr;
    ASSERT_EQ(nf_cuda_graph_capture_end(&graph), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(captured, NF_OK) << nf_cuda_last_error();
    ASSERT_NE(graph, nullptr);
    // Nothing ran during the capture.
    EXPECT_EQ(graphed.r.download<float>(M * N), std::vector<float>(M * N, 0.f));
    EXPECT_EQ(graphed.y.download<float>(M * N), std::vector<float>(M * N, 0.f));
    int32_t kinds[4] = {-1, -1, -1, -1}, count = 0;
    ASSERT_EQ(nf_cuda_graph_slot_kinds(graph, kinds, 4, &count), NF_OK);
    ASSERT_EQ(count, 2);
    EXPECT_EQ(kinds[0], 0);  // the random draw
    EXPECT_EQ(kinds[1], 1);  // the optimizer step
    // A block of the packed operand's size made now must not be the graph's scratch.
    DeviceBuffer bystander(std::vector<float>(M * K, 42.f));
    for (int64_t step = 1; step <= 3; ++step) {
        const uint64_t offset = static_cast<uint64_t>((step - 1) * M * N);
        const nf_optimizer_params p = adam(step);
        ASSERT_EQ(nf_cuda_graph_set_random(graph, 0, 7, offset), NF_OK) << nf_cuda_last_error();
        ASSERT_EQ(nf_cuda_graph_set_optimizer(graph, 1, NF_OPTIMIZER_ADAM, NF_FLOAT32, &p, nullptr), NF_OK)
            << nf_cuda_last_error();
        ASSERT_EQ(nf_cuda_graph_launch(graph), NF_OK) << nf_cuda_last_error();
        ASSERT_EQ(eager.run(7, offset, step), NF_OK) << nf_cuda_last_error();
        const std::string at = " after launch " + std::to_string(step);
        EXPECT_TRUE(same(graphed.r.download<float>(M * N), eager.r.download<float>(M * N), "random" + at));
        EXPECT_TRUE(same(graphed.y.download<float>(M * N), eager.y.download<float>(M * N), "matmul" + at));
        EXPECT_TRUE(same(graphed.w.download<float>(M * N), eager.w.download<float>(M * N), "adam param" + at));
        EXPECT_TRUE(same(graphed.s1.download<float>(M * N), eager.s1.download<float>(M * N), "adam v" + at));
    }
    EXPECT_EQ(bystander.download<float>(M * K), std::vector<float>(M * K, 42.f));
    EXPECT_EQ(nf_cuda_graph_destroy(graph), NF_OK) << nf_cuda_last_error();
}

// Runs `call` inside a capture and expects it to fail with `status` and a message containing
// `words`; the capture must still end, and a following eager call must work.
template <class F>
void expect_refused(F call, nf_status status, const std::string& words) {
    ASSERT_EQ(nf_cuda_graph_capture_begin(1), NF_OK) << nf_cuda_last_error();
    const nf_status got = call();
    const std::string message = nf_cuda_last_error();
    nf_cuda_graph* graph = nullptr;
    nf_cuda_graph_capture_end(&graph);
    nf_cuda_graph_destroy(graph);
    EXPECT_EQ(got, status) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
    DeviceBuffer after(std::vector<float>(4, 1.f));
    EXPECT_EQ(after.download<float>(4), std::vector<float>(4, 1.f));
}

TEST(CudaGraph, HostWorkInsideACaptureFailsClearly) {
    NFTC_REQUIRE_DEVICE();
    DeviceBuffer buffer(std::vector<float>(8, 0.f));
    DeviceBuffer indices(std::vector<int32_t>{0, 1});
    DeviceBuffer out(std::vector<float>(8, 0.f));
    float host[8] = {};
    expect_refused([&] { return nf_cuda_copy_to_host(host, buffer.get(), sizeof host); }, NF_ERROR_UNSUPPORTED,
                   "cannot be part of a CUDA graph capture");
    expect_refused([&] { return nf_cuda_copy_to_device(buffer.get(), host, sizeof host); }, NF_ERROR_UNSUPPORTED,
                   "cannot be part of a CUDA graph capture");
    const nf_layout xl = contiguous({4, 2});
    expect_refused([&] { return nf_cuda_gather(NF_FLOAT32, buffer.get(), &xl, 0, NF_INT32, indices.get(), 2, out.get()); },
                   NF_ERROR_UNSUPPORTED, "index check waits for the device");
    // max_slots = 1: the second random draw has no slot.
    expect_refused([&] {
        const nf_status first = nf_cuda_random_uniform(NF_FLOAT32, out.get(), 8, 1, 0, 0.0, 1.0);
        return first != NF_OK ? first : nf_cuda_random_uniform(NF_FLOAT32, out.get(), 8, 1, 8, 0.0, 1.0);
    }, NF_ERROR_UNSUPPORTED, "max_slots");
    expect_refused([] { return nf_cuda_graph_capture_begin(0); }, NF_ERROR_INVALID_ARGUMENT, "already capturing");
}

TEST(CudaGraph, BadArgumentsAreRefused) {
    NFTC_REQUIRE_DEVICE();
    nf_cuda_graph* graph = nullptr;
    EXPECT_EQ(nf_cuda_graph_capture_end(&graph), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("not capturing"), std::string::npos) << nf_cuda_last_error();
    EXPECT_EQ(nf_cuda_graph_capture_begin(-1), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_cuda_graph_launch(nullptr), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_cuda_graph_destroy(nullptr), NF_OK);
    DeviceBuffer out(std::vector<float>(8, 0.f));
    ASSERT_EQ(nf_cuda_graph_capture_begin(1), NF_OK);
    ASSERT_EQ(nf_cuda_random_uniform(NF_FLOAT32, out.get(), 8, 1, 0, 0.0, 1.0), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_graph_capture_end(&graph), NF_OK) << nf_cuda_last_error();
    const nf_optimizer_params p = adam(1);
    EXPECT_EQ(nf_cuda_graph_set_random(graph, 1, 0, 0), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_cuda_graph_set_optimizer(graph, 0, NF_OPTIMIZER_ADAM, NF_FLOAT32, &p, nullptr), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("holds a random draw"), std::string::npos) << nf_cuda_last_error();
    // Launched twice with the same counters: the same numbers; with new ones: others.
    ASSERT_EQ(nf_cuda_graph_launch(graph), NF_OK) << nf_cuda_last_error();
    const auto first = out.download<float>(8);
    ASSERT_EQ(nf_cuda_graph_launch(graph), NF_OK) << nf_cuda_last_error();
    EXPECT_EQ(out.download<float>(8), first);
    ASSERT_EQ(nf_cuda_graph_set_random(graph, 0, 1, 8), NF_OK);
    ASSERT_EQ(nf_cuda_graph_launch(graph), NF_OK) << nf_cuda_last_error();
    EXPECT_NE(out.download<float>(8), first);
    EXPECT_EQ(nf_cuda_graph_destroy(graph), NF_OK);
}

TEST(CudaGraph, SparseLabelsAreCheckedAtEachLaunch) {
    NFTC_REQUIRE_DEVICE();
    const int64_t n = 4, c = 3;
    const nf_layout xl = contiguous({n, c});
    DeviceBuffer x(random_values<float>(n * c, -1, 1, 9)), labels(std::vector<int32_t>{0, 2, 1, 2});
    DeviceBuffer loss(std::vector<float>(n, 0.f)), grad(std::vector<float>(n * c, 0.f));
    DeviceBuffer eager_loss(std::vector<float>(n, 0.f)), eager_grad(std::vector<float>(n * c, 0.f));
    ASSERT_EQ(nf_cuda_graph_capture_begin(0), NF_OK);
    const nf_status captured =
        nf_cuda_softmax_cross_entropy(NF_FLOAT32, x.get(), &xl, NF_INT32, labels.get(), 1, loss.get(), grad.get());
    nf_cuda_graph* graph = nullptr;
    ASSERT_EQ(nf_cuda_graph_capture_end(&graph), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(captured, NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_graph_launch(graph), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_softmax_cross_entropy(NF_FLOAT32, x.get(), &xl, NF_INT32, labels.get(), 1, eager_loss.get(), eager_grad.get()),
              NF_OK);
    EXPECT_TRUE(same(loss.download<float>(n), eager_loss.download<float>(n), "graph loss"));
    EXPECT_TRUE(same(grad.download<float>(n * c), eager_grad.download<float>(n * c), "graph gradient"));
    // A bad label written between launches: the launch fails with the eager call's message.
    const int32_t bad[4] = {0, 2, 3, 1};
    ASSERT_EQ(nf_cuda_copy_to_device(labels.get(), bad, sizeof bad), NF_OK);
    EXPECT_NE(nf_cuda_softmax_cross_entropy(NF_FLOAT32, x.get(), &xl, NF_INT32, labels.get(), 1, eager_loss.get(), eager_grad.get()),
              NF_OK);
    const std::string eager_message = nf_cuda_last_error();
    EXPECT_EQ(nf_cuda_graph_launch(graph), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(std::string(nf_cuda_last_error()), eager_message);
    EXPECT_EQ(nf_cuda_graph_destroy(graph), NF_OK);
}

}  // namespace
