// CUDA vs CPU engine: gather, scatter_add, one_hot, fill, range, the Philox generators (the same numbers
// from the same seed) and the fused optimizer updates (bit for bit).
#include <cmath>
#include <cstring>
#include <type_traits>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

template <class I>
void check_gather(const Shape& s, Kind k, int axis, nf_dtype idt) {
    const View v = make_view(s, k);
    const auto x = random_values<float>(v.storage, -5.0, 5.0, 61);
    const auto idx = random_values<I>(9, 0.0, static_cast<double>(s[axis]), 62);
    int64_t total = 9;
    for (size_t d = 0; d < s.size(); ++d)
        if (static_cast<int>(d) != axis) total *= s[d];
    std::vector<float> cpu(total);
    ASSERT_EQ(nf_gather(NF_FLOAT32, x.data(), &v.l, axis, idt, idx.data(), 9, cpu.data()), NF_OK) << nf_last_error();
    DeviceBuffer dx(x), di(idx), dout(cpu.size() * sizeof(float));
    ASSERT_EQ(nf_cuda_gather(NF_FLOAT32, dx.get(), &v.l, axis, idt, di.get(), 9, dout.get()), NF_OK) << nf_cuda_last_error();
    EXPECT_TRUE(same(dout.download<float>(cpu.size()), cpu, "gather " + str(s) + " " + kind_name(k) + " axis " + std::to_string(axis)));
}

TEST(CudaIndex, GatherMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative})
        for (int axis = 0; axis < 3; ++axis) {
            check_gather<int32_t>({5, 7, 3}, k, axis, NF_INT32);
            check_gather<int64_t>({5, 7, 3}, k, axis, NF_INT64);
            check_gather<uint8_t>({5, 7, 3}, k, axis, NF_UINT8);
        }
}

TEST(CudaIndex, BadGatherIndexFailsLikeCpu) {
    NFTC_REQUIRE_DEVICE();
    const std::vector<float> x(10, 1.0f);
    const std::vector<int64_t> idx = {1, 4, 9, 5, -2};
    const nf_layout l = contiguous({5, 2});
    DeviceBuffer dx(x), di(idx), dout(5 * 2 * sizeof(float));
    EXPECT_EQ(nf_cuda_gather(NF_FLOAT32, dx.get(), &l, 0, NF_INT64, di.get(), 5, dout.get()), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(),
                 "nf_cuda_gather: indices[2] = 9 is out of range [0, 5) for axis 0 of x with shape [5, 2]");
}

// Scatter-add into a prefilled output, with every row named several times. Every dtype must match
// the CPU engine bit for bit: both add a row's terms in index order onto its old value.
template <class T, class I>
void check_scatter(const Shape& s, Kind k, int axis, nf_dtype dt, nf_dtype idt) {
    Shape ss = s;
    ss[axis] = 11;
    const View v = make_view(ss, k);
    const auto src = random_values<T>(v.storage, -5.0, 5.0, 64);
    std::vector<I> idx(11);
    for (int64_t j = 0; j < 11; ++j) idx[j] = static_cast<I>((j * 3 + 1) % s[axis]);
    const auto init = random_values<T>(numel(s), -1.0, 1.0, 65);
    std::vector<T> cpu = init;
    ASSERT_EQ(nf_scatter_add(dt, src.data(), &v.l, axis, idt, idx.data(), s[axis], cpu.data()), NF_OK) << nf_last_error();
    DeviceBuffer ds(src), di(idx), dout(init);
    ASSERT_EQ(nf_cuda_scatter_add(dt, ds.get(), &v.l, axis, idt, di.get(), s[axis], dout.get()), NF_OK)
        << nf_cuda_last_error();
    const std::string what = "scatter_add " + str(s) + " " + kind_name(k) + " axis " + std::to_string(axis);
    const auto got = dout.download<T>(cpu.size());
    EXPECT_TRUE(same(got, cpu, what));
}

TEST(CudaIndex, ScatterAddMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative})
        for (int axis = 0; axis < 3; ++axis) {
            check_scatter<float, int32_t>({5, 7, 3}, k, axis, NF_FLOAT32, NF_INT32);
            check_scatter<double, int64_t>({5, 7, 3}, k, axis, NF_FLOAT64, NF_INT64);
            check_scatter<int32_t, uint8_t>({5, 7, 3}, k, axis, NF_INT32, NF_UINT8);
            check_scatter<int64_t, int64_t>({5, 7, 3}, k, axis, NF_INT64, NF_INT64);
        }
}

// An embedding's gradient: thousands of indices in random order naming a few rows many times
// (a count that is no power of two, so the merge passes end on ragged runs). The sums must be the
// CPU engine's bits on every run: with atomicAdd they depended on the order the threads ran in,
// and a replayed training step drifted from the eager one on a real GPU.
TEST(CudaIndex, ScatterAddOfManyRepeatedIndicesIsTheCpuSumOnEveryRun) {
    NFTC_REQUIRE_DEVICE();
    const int64_t count = 3001, rows = 17, inner = 5;
    const nf_layout l = contiguous({count, inner});
    const auto src = random_values<float>(count * inner, -3.0, 3.0, 66);
    std::vector<int64_t> idx(count);
    uint64_t state = 12345;
    for (auto& v : idx) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        v = static_cast<int64_t>((state >> 33) % rows);
    }
    const auto init = random_values<float>(rows * inner, -1.0, 1.0, 67);
    std::vector<float> cpu = init;
    ASSERT_EQ(nf_scatter_add(NF_FLOAT32, src.data(), &l, 0, NF_INT64, idx.data(), rows, cpu.data()), NF_OK) << nf_last_error();
    DeviceBuffer ds(src), di(idx);
    for (int run = 0; run < 3; ++run) {
        DeviceBuffer dout(init);
        ASSERT_EQ(nf_cuda_scatter_add(NF_FLOAT32, ds.get(), &l, 0, NF_INT64, di.get(), rows, dout.get()), NF_OK)
            << nf_cuda_last_error();
        EXPECT_TRUE(same(dout.download<float>(cpu.size()), cpu, "scatter_add of 3001 repeated indices, run " + std::to_string(run)));
    }
}

TEST(CudaIndex, BadScatterIndexFailsLikeCpuAndWritesNothing) {
    NFTC_REQUIRE_DEVICE();
    const std::vector<float> src(10, 1.0f), init(10, 3.0f);
    const std::vector<int64_t> idx = {1, 4, 9, 5, -2};
    const nf_layout l = contiguous({5, 2});
    DeviceBuffer ds(src), di(idx), dout(init);
    EXPECT_EQ(nf_cuda_scatter_add(NF_FLOAT32, ds.get(), &l, 0, NF_INT64, di.get(), 5, dout.get()), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(),
                 "nf_cuda_scatter_add: indices[2] = 9 is out of range [0, 5) for axis 0 of out with shape [5, 2]");
    EXPECT_TRUE(same(dout.download<float>(10), init, "out after a bad index"));
}

TEST(CudaIndex, OneHotMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Negative}) {
        const Shape s = {6, 4};
        const View v = make_view(s, k);
        const auto idx = random_values<int32_t>(v.storage, -1.0, 12.0, 63);  // some outside [0, depth)
        std::vector<double> cpu(numel(s) * 10);
        ASSERT_EQ(nf_one_hot(NF_INT32, idx.data(), &v.l, 10, 1.5, -0.5, NF_FLOAT64, cpu.data()), NF_OK);
        DeviceBuffer di(idx), dout(cpu.size() * sizeof(double));
        ASSERT_EQ(nf_cuda_one_hot(NF_INT32, di.get(), &v.l, 10, 1.5, -0.5, NF_FLOAT64, dout.get()), NF_OK)
            << nf_cuda_last_error();
        EXPECT_TRUE(same(dout.download<double>(cpu.size()), cpu, std::string("one_hot ") + kind_name(k)));
    }
}

// Runs one generator on both engines into 8-byte slots and compares the raw bytes.
template <class Cpu, class Cuda>
void same_numbers(nf_dtype dt, int64_t count, Cpu cpu_fn, Cuda cuda_fn, const std::string& what, double rt = 0,
                  double at = 0) {
    const size_t bytes = static_cast<size_t>(count) * 8;
    std::vector<uint8_t> cpu(bytes, 0);
    ASSERT_EQ(cpu_fn(cpu.data()), NF_OK) << nf_last_error();
    DeviceBuffer d(std::vector<uint8_t>(bytes, 0));
    ASSERT_EQ(cuda_fn(d.get()), NF_OK) << nf_cuda_last_error();
    const auto got = d.download<uint8_t>(bytes);
    if (rt == 0) {
        EXPECT_TRUE(same(got, cpu, what));
        return;
    }
    if (dt == NF_FLOAT32) {
        std::vector<float> g(count), c(count);
        std::memcpy(g.data(), got.data(), count * 4);
        std::memcpy(c.data(), cpu.data(), count * 4);
        EXPECT_TRUE(near(g, c, rt, at, what));
    } else {
        std::vector<double> g(count), c(count);
        std::memcpy(g.data(), got.data(), count * 8);
        std::memcpy(c.data(), cpu.data(), count * 8);
        EXPECT_TRUE(near(g, c, rt, at, what));
    }
}

TEST(CudaRandom, FillRangeUniformAreIdentical) {
    NFTC_REQUIRE_DEVICE();
    const int64_t n = 100003;
    for (nf_dtype dt : {NF_FLOAT32, NF_FLOAT64, NF_INT32, NF_INT64, NF_UINT8, NF_BOOL}) {
        const std::string name = "dtype " + std::to_string(dt);
        same_numbers(dt, n, [&](void* o) { return nf_fill(dt, o, n, 2.75); },
                     [&](void* o) { return nf_cuda_fill(dt, o, n, 2.75); }, "fill " + name);
        same_numbers(dt, n, [&](void* o) { return nf_range(dt, o, n, -3.5, 0.25); },
                     [&](void* o) { return nf_cuda_range(dt, o, n, -3.5, 0.25); }, "range " + name);
        if (dt == NF_UINT8 || dt == NF_BOOL) continue;
        same_numbers(dt, n, [&](void* o) { return nf_random_uniform(dt, o, n, 42, 7, -2.0, 3.0); },
                     [&](void* o) { return nf_cuda_random_uniform(dt, o, n, 42, 7, -2.0, 3.0); }, "uniform " + name);
    }
}

TEST(CudaRandom, NormalMatchesToTheLastBitsOfDouble) {
    NFTC_REQUIRE_DEVICE();
    const int64_t n = 100003;
    // The device's log/cos may differ from glibc's in the last bit of a double; after rounding
    // to float32 that almost never shows, so allow one float32 ulp there. In float64 an ulp of
    // z becomes ~4e-16 absolute in mean + stddev * z, which is far more than 1e-14 relative
    // where the sum cancels to near 0 (about 600 of these samples): allow it absolutely too.
    same_numbers(NF_FLOAT32, n, [&](void* o) { return nf_random_normal(NF_FLOAT32, o, n, 9, (1ull << 32) - 5, 1.0, 2.0); },
                 [&](void* o) { return nf_cuda_random_normal(NF_FLOAT32, o, n, 9, (1ull << 32) - 5, 1.0, 2.0); },
                 "normal float32", 1.2e-7);
    same_numbers(NF_FLOAT64, n, [&](void* o) { return nf_random_normal(NF_FLOAT64, o, n, 9, 3, 1.0, 2.0); },
                 [&](void* o) { return nf_cuda_random_normal(NF_FLOAT64, o, n, 9, 3, 1.0, 2.0); }, "normal float64",
                 1e-14, 1e-14);
}

template <class T>
void check_optimizer(nf_optimizer kind, double momentum, int nesterov) {
    const int64_t n = 70001;
    auto w = random_values<T>(n, -1.0, 1.0, 71), g = random_values<T>(n, -1.0, 1.0, 72);
    auto s0 = random_values<T>(n, 0.0, 1.0, 73), s1 = random_values<T>(n, 0.0, 1.0, 74);
    const nf_optimizer_params p = optimizer_params(0.01, momentum, nesterov, 3);
    DeviceBuffer dw(w), dg(g), ds0(s0), ds1(s1);
    ASSERT_EQ(nf_optimizer_update(kind, dtype_of<T>(), w.data(), g.data(), s0.data(), s1.data(), n, &p), NF_OK)
        << nf_last_error();
    ASSERT_EQ(nf_cuda_optimizer_update(kind, dtype_of<T>(), dw.get(), dg.get(), ds0.get(), ds1.get(), n, &p), NF_OK)
        << nf_cuda_last_error();
    const std::string what = "optimizer " + std::to_string(kind) + " momentum " + std::to_string(momentum);
    EXPECT_TRUE(same(dw.download<T>(n), w, what + " param"));
    EXPECT_TRUE(same(ds0.download<T>(n), s0, what + " slot0"));
    EXPECT_TRUE(same(ds1.download<T>(n), s1, what + " slot1"));
}

TEST(CudaOptimizer, UpdatesAreBitIdentical) {
    NFTC_REQUIRE_DEVICE();
    for (auto f : {check_optimizer<float>, check_optimizer<double>}) {
        f(NF_OPTIMIZER_SGD, 0.0, 0);
        f(NF_OPTIMIZER_SGD, 0.9, 0);
        f(NF_OPTIMIZER_SGD, 0.9, 1);
        f(NF_OPTIMIZER_ADAM, 0.0, 0);
        f(NF_OPTIMIZER_RMSPROP, 0.0, 0);
        f(NF_OPTIMIZER_RMSPROP, 0.5, 0);
        f(NF_OPTIMIZER_ADAGRAD, 0.0, 0);
    }
}

}  // namespace
