// The engine's worker pool (cpu/thread_pool.h) through the public ABI: results that do not
// depend on the thread count, GEMMs cut into blocks, kernels called from several threads at
// once, and the thread count changed while they run.
#include <atomic>
#include <thread>

#include "test_util.h"

using namespace nft;

namespace {

// Restores the thread count a test changed.
struct ThreadCount {
    int saved = nf_threads_get();
    ~ThreadCount() { nf_threads_set(saved); }
};

template <class T>
std::vector<T> sum_columns(const std::vector<T>& x, int64_t rows, int64_t cols, uint32_t mask) {
    const nf_layout l = contiguous({rows, cols});
    nft::Guarded<T> out(mask == 3 ? 1 : (mask == 1 ? cols : rows));
    EXPECT_EQ(nf_reduce(NF_REDUCE_SUM, dtype_of<T>(), x.data(), &l, mask, out.data(), dtype_of<T>()), NF_OK)
        << nf_last_error();
    return out;
}

// op(a) [M, K] @ op(b) [K, N]; a is stored [K, M] when ta, b [N, K] when tb.
std::vector<float> matmul(const std::vector<float>& a, const std::vector<float>& b, int64_t M, int64_t N,
                          int64_t K, bool ta = false, bool tb = false) {
    const nf_layout al = ta ? contiguous({K, M}) : contiguous({M, K}), bl = tb ? contiguous({N, K}) : contiguous({K, N}),
                    ol = contiguous({M, N});
    nft::Guarded<float> out(static_cast<size_t>(M * N), -1.f);
    const nf_layout alt = transposed_if(ta, al), blt = transposed_if(tb, bl);
    EXPECT_EQ(nf_matmul(NF_FLOAT32, a.data(), &alt, b.data(), &blt, out.data(), &ol), NF_OK) << nf_last_error();
    return out;
}

// The provider's edge kernels (rows past the last full register tile) may sum in another
// order than its main kernels, so a product cut at other rows can differ in the last bits.
bool close(const std::vector<float>& got, const std::vector<float>& want) {
    if (got.size() != want.size()) return false;
    for (size_t i = 0; i < got.size(); ++i)
        if (!(std::fabs(got[i] - want[i]) <= 1e-5f * (1.f + std::fabs(want[i])))) return false;
    return true;
}

}  // namespace

// Parts are fixed by the sizes, never by the thread count or by who ran them: a sum merges
// the same partials in the same order with 1, 2, 3 or 7 threads, bit for bit. float64, whose
// double accumulator would show any other order in the last bit (float32 results hide it).
TEST(Threads, ReductionsDoNotDependOnTheThreadCount) {
    ThreadCount keep;
    const int64_t rows = 40000, cols = 3;  // few columns, many rows: per-part partial rows
    const auto x = random_values<double>(rows * cols, -1, 1, 7);
    for (uint32_t mask : {1u, 3u}) {
        ASSERT_EQ(nf_threads_set(1), NF_OK);
        const auto want = sum_columns(x, rows, cols, mask);
        for (int n : {2, 3, 7}) {
            ASSERT_EQ(nf_threads_set(n), NF_OK);
            for (int rep = 0; rep < 3; ++rep)
                EXPECT_EQ(sum_columns(x, rows, cols, mask), want) << "mask " << mask << ", " << n << " threads";
        }
    }
}

// A GEMM cut into row or column blocks (the products of a training step, from 2^20
// multiply-adds; a power of two of blocks of about 2^25, never the provider's threads), like
// one below the split (one GEMM), gives the same bits on 1, 2, 3 or 5 threads, with and without
// transposes, at sizes that are not whole register tiles: the blocks depend on the sizes only.
// Every result is also checked against a float64 product.
TEST(Threads, GemmBlocksMatchTheSingleThreadedProduct) {
    ThreadCount keep;
    struct Case { int64_t M, N, K; bool ta, tb; };
    const Case cases[] = {
        {100, 65, 120, false, false},                               // below the split (2^20): one GEMM
        {333, 65, 120, false, false}, {40, 517, 96, false, false},  // just above: two blocks
        {256, 50, 784, false, false},                               // the workshop's forward, split by rows
        {784, 50, 256, true, false},                                // its kernel gradient x^T @ g
        {256, 784, 50, false, true},                                // its input gradient g @ w^T, split by columns
        {61, 1203, 77, true, true},                                 // odd sizes, column blocks, both transposed
        {1000, 37, 300, false, true},                               // odd sizes, row blocks
        {257, 257, 300, false, false},                              // past 2^24: large row blocks
        {288, 64, 7744, true, false},                               // a conv layer's kernel gradient cols^T @ dy
        // The 784-512-512-10 MLP's step at batch 256: 2 blocks each (2^26 to 2^27 multiply-adds).
        {256, 512, 784, false, false},                              // x @ W1, column blocks
        {784, 512, 256, true, false},                               // x^T @ dz1, row blocks
        {256, 512, 512, false, true},                               // dz2 @ W2^T
        {512, 512, 256, true, false},                               // h1^T @ dz2, square: row blocks
        // From 2^20: two blocks, each within the provider's small-matrix path.
        {256, 10, 512, false, false},                               // h2 @ W3
        {512, 10, 256, true, false},                                // h2^T @ dy
        {256, 512, 10, false, true},                                // dy @ W3^T, column blocks
        {300, 7, 600, false, false},                                // odd: 19 tiles in 2 blocks
        {600, 700, 520, false, true},                               // 6.5 blocks' worth: 4 column blocks
    };
    for (const auto& c : cases) {
        const auto a = random_values<float>(c.M * c.K, -1, 1, 1), b = random_values<float>(c.K * c.N, -1, 1, 2);
        ASSERT_EQ(nf_threads_set(1), NF_OK);
        const auto want = matmul(a, b, c.M, c.N, c.K, c.ta, c.tb);
        // A float64 reference: the single-threaded product is itself right.
        for (int64_t i = 0; i < c.M; i += 7)
            for (int64_t j = 0; j < c.N; j += 5) {
                double r = 0;
                for (int64_t k = 0; k < c.K; ++k)
                    r += double(c.ta ? a[k * c.M + i] : a[i * c.K + k]) * double(c.tb ? b[j * c.K + k] : b[k * c.N + j]);
                ASSERT_NEAR(want[i * c.N + j], r, 1e-4 * (1 + std::fabs(r))) << c.M << "x" << c.N << "x" << c.K;
            }
        for (int n : {2, 3, 5}) {
            ASSERT_EQ(nf_threads_set(n), NF_OK);
            for (int rep = 0; rep < 3; ++rep)
                EXPECT_TRUE(matmul(a, b, c.M, c.N, c.K, c.ta, c.tb) == want)
                    << c.M << "x" << c.N << "x" << c.K << " ta " << c.ta << " tb " << c.tb << ", " << n << " threads";
        }
    }
}

// Kernels called from several threads at once (a .NET caller and its prefetch thread), while
// another thread keeps changing the thread count: every result stays right.
TEST(Threads, ConcurrentCallersAndResizes) {
    ThreadCount keep;
    const int64_t n = 1 << 18, M = 96, N = 80, K = 64;
    const auto x = random_values<float>(n, -1, 1, 3), y = random_values<float>(n, -1, 1, 4);
    const auto a = random_values<float>(M * K, -1, 1, 5), b = random_values<float>(K * N, -1, 1, 6);
    ASSERT_EQ(nf_threads_set(2), NF_OK);
    const auto want_mm = matmul(a, b, M, N, K);
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::thread resizer([&] {
        for (int i = 0; !stop.load(); ++i) {
            nf_threads_set(1 + i % 3);
            std::this_thread::yield();
        }
    });
    std::vector<std::thread> callers;
    for (int t = 0; t < 3; ++t)
        callers.emplace_back([&] {
            const nf_layout l = contiguous({n});
            nft::Guarded<float> out(static_cast<size_t>(n));
            for (int it = 0; it < 30; ++it) {
                if (nf_binary(NF_BINARY_ADD, NF_FLOAT32, x.data(), &l, y.data(), &l, out.data(), &l) != NF_OK) bad++;
                for (int64_t i = 0; i < n; i += 4099)
                    if (out[i] != x[i] + y[i]) bad++;
                if (!close(matmul(a, b, M, N, K), want_mm)) bad++;
            }
        });
    for (auto& t : callers) t.join();
    stop = true;
    resizer.join();
    EXPECT_EQ(bad.load(), 0);
}

TEST(Threads, ThreadCountIsSetAndRead) {
    ThreadCount keep;
    EXPECT_GE(nf_threads_get(), 1);
    ASSERT_EQ(nf_threads_set(3), NF_OK);
    EXPECT_EQ(nf_threads_get(), 3);
    EXPECT_NE(std::string(nf_build_info()).find("threads: 3"), std::string::npos) << nf_build_info();
    EXPECT_EQ(nf_threads_set(0), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_threads_get(), 3);
}

// Issue 17: below cpu/parallel.h's kWorkersMin (2^16 adds of work) the parts of cheap elements
// (SGD, a fused relu gradient) run one after another on the calling thread; from it, and for
// dearer elements (Adam, the float cross-entropy's rows with their per-thread scratch) from
// kParallelMin, they are shared with the workers. Either way the parts are the sizes', so
// kernels whose work lies on both sides of those lines give the same bits on 1, 2 and 4 threads.
TEST(Threads, KernelsAroundTheWorkersThresholdDoNotDependOnTheThreadCount) {
    ThreadCount keep;
    const int threads[] = {1, 2, 4};
    uint32_t seed = 71;
    for (int64_t rows : {300, 409, 410, 820, 1700}) {  // 10 classes: work rows * 80, 24,000 to 136,000
        const int64_t C = 10;
        const auto x = random_values<float>(rows * C, -4, 4, seed++);
        std::vector<int32_t> labels(rows);
        for (int64_t r = 0; r < rows; ++r) labels[r] = static_cast<int32_t>((r * 7) % C);
        const nf_layout l = contiguous({rows, C});
        std::vector<std::vector<float>> results;
        for (int t : threads) {
            ASSERT_EQ(nf_threads_set(t), NF_OK);
            nft::Guarded<float> loss(rows), grad(rows * C);
            ASSERT_EQ(nf_softmax_cross_entropy(NF_FLOAT32, x.data(), &l, NF_INT32, labels.data(), 1, loss.data(), grad.data()),
                      NF_OK)
                << nf_last_error();
            std::vector<float> both(loss.begin(), loss.end());
            both.insert(both.end(), grad.begin(), grad.end());
            results.push_back(both);
        }
        for (size_t i = 1; i < results.size(); ++i)
            EXPECT_EQ(0, std::memcmp(results[0].data(), results[i].data(), results[0].size() * sizeof(float)))
                << "cross-entropy rows=" << rows << " on " << threads[i] << " threads";
    }
    for (nf_optimizer kind : {NF_OPTIMIZER_SGD, NF_OPTIMIZER_ADAM}) {
        for (int64_t total : {32000, 39760, 65535, 65536, 140001}) {  // SGD costs 1 an element, Adam 4
            const int64_t counts[] = {total - total / 4 - 17, 17, total / 4};
            std::vector<std::vector<float>> results;
            for (int t : threads) {
                ASSERT_EQ(nf_threads_set(t), NF_OK);
                std::vector<std::vector<float>> w, g, m, v;
                std::vector<nf_optimizer_tensor> ts;
                uint32_t s = 5;
                for (int64_t c : counts) {
                    w.push_back(random_values<float>(c, -1, 1, s++));
                    g.push_back(random_values<float>(c, -1, 1, s++));
                    m.emplace_back(c, 0.f);
                    v.emplace_back(c, 0.f);
                }
                for (size_t i = 0; i < w.size(); ++i) {
                    const bool adam = kind == NF_OPTIMIZER_ADAM;
                    ts.push_back({w[i].data(), g[i].data(), adam ? m[i].data() : nullptr, adam ? v[i].data() : nullptr,
                                  nullptr, counts[i]});
                }
                nf_optimizer_params p = optimizer_params(0.01);
                p.step = 3;
                ASSERT_EQ(nf_optimizer_update_multi(kind, NF_FLOAT32, ts.data(), 3, &p, nullptr), NF_OK) << nf_last_error();
                std::vector<float> all;
                for (auto* set : {&w, &m, &v})
                    for (auto& b : *set) all.insert(all.end(), b.begin(), b.end());
                results.push_back(all);
            }
            for (size_t i = 1; i < results.size(); ++i)
                EXPECT_EQ(results[0], results[i]) << "optimizer " << kind << " total=" << total << " on " << threads[i] << " threads";
        }
    }
    for (int64_t rows : {256, 655, 656, 2600}) {  // 50 columns, 2 steps: work rows * 100
        const int64_t C = 50;
        const auto y = random_values<float>(rows * C, -1, 1, seed++), dy = random_values<float>(rows * C, -1, 1, seed++);
        const float zero = 0.f;
        const nf_layout l = contiguous({rows, C});
        nf_layout scalar = l;
        scalar.strides[0] = scalar.strides[1] = 0;
        const void* in[] = {y.data(), &zero, dy.data()};
        const nf_layout ls[] = {l, scalar, l};
        const nf_fused_step steps[] = {{NF_FUSED_BINARY, NF_BINARY_GREATER, 0, 1}, {NF_FUSED_BINARY, NF_BINARY_MUL, 3, 2}};
        std::vector<std::vector<float>> results;
        for (int t : threads) {
            ASSERT_EQ(nf_threads_set(t), NF_OK);
            nft::Guarded<float> out(rows * C);
            ASSERT_EQ(nf_fused_elementwise(NF_FLOAT32, 3, in, ls, 2, steps, out.data(), &l), NF_OK) << nf_last_error();
            results.emplace_back(out.begin(), out.end());
        }
        for (size_t i = 1; i < results.size(); ++i)
            EXPECT_EQ(results[0], results[i]) << "fused rows=" << rows << " on " << threads[i] << " threads";
    }
}
