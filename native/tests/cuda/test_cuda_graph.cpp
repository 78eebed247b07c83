// CUDA graphs (issue 17): a captured sequence runs nothing at capture time, each launch runs it
// with that launch's random counters and optimizer hyperparameters (slots), giving the same bits
// as the same calls made eagerly; scratch the captured kernels use stays theirs; calls that need
// the host inside a capture fail with a message, and the capture still ends cleanly.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

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
    DeviceBuffer out(std::vector<float>(8, 0.f));
    float host[8] = {};
    expect_refused([&] { return nf_cuda_copy_to_host(host, buffer.get(), sizeof host); }, NF_ERROR_UNSUPPORTED,
                   "cannot be part of a CUDA graph capture");
    expect_refused([&] { return nf_cuda_copy_to_device(buffer.get(), host, sizeof host); }, NF_ERROR_UNSUPPORTED,
                   "cannot be part of a CUDA graph capture");
    // A linalg call's check reads every matrix's info on the host.
    const nf_layout al = contiguous({2, 2});
    DeviceBuffer a(std::vector<float>{2.f, 1.f, 1.f, 3.f}), lu(std::vector<float>(4, 0.f));
    DeviceBuffer pivots(std::vector<int32_t>(2, 0)), perm(std::vector<int32_t>(2, 0)), info(std::vector<int32_t>(1, 0));
    expect_refused([&] {
        return nf_cuda_lu(NF_FLOAT32, a.get(), &al, lu.get(), static_cast<int32_t*>(pivots.get()),
                          static_cast<int32_t*>(perm.get()), static_cast<int32_t*>(info.get()), 1);
    }, NF_ERROR_UNSUPPORTED, "its check waits for the device");
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

// Gather and scatter-add inside a graph: their index checks run in the graph, the launch gives
// the eager bits, and a bad index written between launches fails the launch with the eager
// message while the kernels skip it (nothing written past the output: guard values stay).
TEST(CudaGraph, GatherAndScatterIndicesAreCheckedAtEachLaunch) {
    NFTC_REQUIRE_DEVICE();
    const int64_t rows = 5, cols = 3, count = 4, guard = 3;
    const float sentinel = -7.5f;
    const nf_layout xl = contiguous({rows, cols}), sl = contiguous({count, cols});
    DeviceBuffer x(random_values<float>(rows * cols, -1, 1, 11)), src(random_values<float>(count * cols, -1, 1, 12));
    DeviceBuffer indices(std::vector<int64_t>{4, 0, 2, 0});
    auto fresh = [&](int64_t n) { std::vector<float> v(n + guard, 0.f); std::fill(v.end() - guard, v.end(), sentinel); return v; };
    DeviceBuffer gathered(fresh(count * cols)), scattered(fresh(rows * cols));
    ASSERT_EQ(nf_cuda_graph_capture_begin(0), NF_OK);
    const nf_status g1 = nf_cuda_gather(NF_FLOAT32, x.get(), &xl, 0, NF_INT64, indices.get(), count, gathered.get());
    const nf_status s1 = nf_cuda_scatter_add(NF_FLOAT32, src.get(), &sl, 0, NF_INT64, indices.get(), rows, scattered.get());
    nf_cuda_graph* graph = nullptr;
    ASSERT_EQ(nf_cuda_graph_capture_end(&graph), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(g1, NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(s1, NF_OK) << nf_cuda_last_error();
    EXPECT_EQ(scattered.download<float>(rows * cols + guard), fresh(rows * cols)) << "the capture ran a kernel";
    ASSERT_EQ(nf_cuda_graph_launch(graph), NF_OK) << nf_cuda_last_error();
    DeviceBuffer eager_gathered(fresh(count * cols)), eager_scattered(fresh(rows * cols));
    ASSERT_EQ(nf_cuda_gather(NF_FLOAT32, x.get(), &xl, 0, NF_INT64, indices.get(), count, eager_gathered.get()), NF_OK);
    ASSERT_EQ(nf_cuda_scatter_add(NF_FLOAT32, src.get(), &sl, 0, NF_INT64, indices.get(), rows, eager_scattered.get()), NF_OK);
    EXPECT_TRUE(same(gathered.download<float>(count * cols + guard), eager_gathered.download<float>(count * cols + guard), "gather"));
    EXPECT_TRUE(same(scattered.download<float>(rows * cols + guard), eager_scattered.download<float>(rows * cols + guard), "scatter"));
    // Bad indices, past the end and negative: the gather's check fails first, as eagerly.
    for (const int64_t bad_value : {rows, int64_t{-1}}) {
        const std::vector<int64_t> bad{4, 0, bad_value, 0};
        ASSERT_EQ(nf_cuda_copy_to_device(indices.get(), bad.data(), bad.size() * sizeof(int64_t)), NF_OK);
        const nf_status eager = nf_cuda_gather(NF_FLOAT32, x.get(), &xl, 0, NF_INT64, indices.get(), count, eager_gathered.get());
        ASSERT_NE(eager, NF_OK);
        const std::string message = nf_cuda_last_error();
        EXPECT_NE(message.find("indices[2] = " + std::to_string(bad_value)), std::string::npos) << message;
        EXPECT_EQ(nf_cuda_graph_launch(graph), eager);
        EXPECT_EQ(std::string(nf_cuda_last_error()), message);
        const auto g = gathered.download<float>(count * cols + guard);
        const auto sc = scattered.download<float>(rows * cols + guard);
        for (int64_t k = 0; k < guard; ++k) {
            EXPECT_EQ(g[count * cols + k], sentinel) << "gather wrote past its output";
            EXPECT_EQ(sc[rows * cols + k], sentinel) << "scatter-add wrote past its output";
        }
    }
    EXPECT_EQ(nf_cuda_graph_destroy(graph), NF_OK);

    // A graph of the scatter-add alone fails with the scatter-add's own message.
    const std::vector<int64_t> good{4, 0, 2, 0}, bad{4, 0, 2, 9};
    ASSERT_EQ(nf_cuda_copy_to_device(indices.get(), good.data(), good.size() * sizeof(int64_t)), NF_OK);
    ASSERT_EQ(nf_cuda_graph_capture_begin(0), NF_OK);
    const nf_status s2 = nf_cuda_scatter_add(NF_FLOAT32, src.get(), &sl, 0, NF_INT64, indices.get(), rows, scattered.get());
    ASSERT_EQ(nf_cuda_graph_capture_end(&graph), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(s2, NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_graph_launch(graph), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_copy_to_device(indices.get(), bad.data(), bad.size() * sizeof(int64_t)), NF_OK);
    const nf_status eager = nf_cuda_scatter_add(NF_FLOAT32, src.get(), &sl, 0, NF_INT64, indices.get(), rows, eager_scattered.get());
    ASSERT_NE(eager, NF_OK);
    const std::string message = nf_cuda_last_error();
    EXPECT_NE(message.find("nf_cuda_scatter_add"), std::string::npos) << message;
    EXPECT_EQ(nf_cuda_graph_launch(graph), eager);
    EXPECT_EQ(std::string(nf_cuda_last_error()), message);
    EXPECT_EQ(scattered.download<float>(rows * cols + guard)[rows * cols], sentinel);
    EXPECT_EQ(nf_cuda_graph_destroy(graph), NF_OK);
}

}  // namespace
