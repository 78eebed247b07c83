// CUDA vs CPU engine: reductions over every axis set (both kernel strategies, the two-pass
// split of long reductions), arg-reductions, softmax and the fused cross-entropy.
#include <cmath>
#include <limits>
#include <type_traits>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

template <class T>
void check_reduce(nf_reduce_op op, const Shape& s, Kind k, uint32_t mask, uint32_t seed) {
    const View v = make_view(s, k);
    auto x = random_values<T>(v.storage, std::is_unsigned_v<T> ? 0.0 : -3.0, 3.0, seed);
    if constexpr (std::is_floating_point_v<T>) {
        if (op == NF_REDUCE_PROD) for (auto& e : x) e = T(1) + e / T(64);  // keep products finite
    }
    const bool arg = op == NF_REDUCE_ARGMAX || op == NF_REDUCE_ARGMIN;
    int64_t nout = 1;
    for (int d = 0; d < v.l.rank; ++d)
        if (!((mask >> d) & 1u)) nout *= s[d];
    const std::string what = "reduce op " + std::to_string(op) + " " + str(s) + " " + kind_name(k) + " mask " +
                             std::to_string(mask);
    auto run = [&](auto zero, nf_dtype out_dtype) {
        using O = decltype(zero);
        std::vector<O> cpu(std::max<int64_t>(nout, 1));
        ASSERT_EQ(nf_reduce(op, dtype_of<T>(), x.data(), &v.l, mask, cpu.data(), out_dtype), NF_OK) << nf_last_error();
        DeviceBuffer dx(x), dout(std::vector<O>(cpu.size()));
        ASSERT_EQ(nf_cuda_reduce(op, dtype_of<T>(), dx.get(), &v.l, mask, dout.get(), out_dtype), NF_OK)
            << nf_cuda_last_error();
        const auto got = dout.download<O>(cpu.size());
        // Sums in double in another order: equal after rounding to float32 almost always, so
        // allow one float ulp; double results to 1e-12.
        if constexpr (std::is_floating_point_v<O>)
            EXPECT_TRUE(near(got, cpu, std::is_same_v<O, float> ? 2.4e-7 : 1e-12, 1e-12, what));
        else
            EXPECT_TRUE(same(got, cpu, what));
    };
    if (arg) run(int64_t{}, NF_INT64);
    else run(T{}, dtype_of<T>());
}

template <class T>
void reduce_suite() {
    const Shape s = {7, 33, 65};
    for (int op = NF_REDUCE_SUM; op <= NF_REDUCE_PROD; ++op)
        for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative})
            for (uint32_t mask = 0; mask < 8; ++mask) check_reduce<T>(static_cast<nf_reduce_op>(op), s, k, mask, 11);
    for (int op : {NF_REDUCE_ARGMAX, NF_REDUCE_ARGMIN})
        for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Negative})
            for (uint32_t mask : {1u, 2u, 4u}) check_reduce<T>(static_cast<nf_reduce_op>(op), s, k, mask, 12);
}

TEST(CudaReduce, Float32MatchesCpu) { NFTC_REQUIRE_DEVICE(); reduce_suite<float>(); }
TEST(CudaReduce, Float64MatchesCpu) { NFTC_REQUIRE_DEVICE(); reduce_suite<double>(); }
TEST(CudaReduce, Int32MatchesCpu) { NFTC_REQUIRE_DEVICE(); reduce_suite<int32_t>(); }
TEST(CudaReduce, Int64MatchesCpu) { NFTC_REQUIRE_DEVICE(); reduce_suite<int64_t>(); }
TEST(CudaReduce, Uint8MatchesCpu) { NFTC_REQUIRE_DEVICE(); reduce_suite<uint8_t>(); }

// Long rows (block per output), long columns (thread per output), a full reduction of 4M
// elements (split over many blocks, then combined) and an empty axis.
TEST(CudaReduce, LargeShapesUseEveryStrategy) {
    NFTC_REQUIRE_DEVICE();
    for (int op : {NF_REDUCE_SUM, NF_REDUCE_MEAN, NF_REDUCE_MAX, NF_REDUCE_MIN}) {
        const auto r = static_cast<nf_reduce_op>(op);
        const int64_t rows = kEmulated ? 1024 : 4096, full = kEmulated ? 1 << 18 : 1 << 22;
        check_reduce<float>(r, {rows, 300}, Kind::Contig, 2u, 21);
        check_reduce<float>(r, {rows, 300}, Kind::Contig, 1u, 22);
        check_reduce<float>(r, {full}, Kind::Contig, 1u, 23);  // split over several blocks, then combined
        check_reduce<double>(r, {kEmulated ? 100 : 1000, 5000}, Kind::Transposed, 3u, 24);
        check_reduce<int32_t>(r, {full / 4}, Kind::Strided, 1u, 25);
    }
    check_reduce<float>(NF_REDUCE_SUM, {5, 0}, Kind::Contig, 2u, 26);
    check_reduce<float>(NF_REDUCE_MEAN, {5, 0}, Kind::Contig, 2u, 27);
}

TEST(CudaReduce, NaNPropagatesLikeCpu) {
    NFTC_REQUIRE_DEVICE();
    std::vector<float> x = {1, 2, std::nanf(""), 4, 5, 6};
    const nf_layout l = contiguous({2, 3});
    for (int op : {NF_REDUCE_MAX, NF_REDUCE_MIN, NF_REDUCE_ARGMAX, NF_REDUCE_ARGMIN})
        for (uint32_t mask : {1u, 2u}) {
            const auto r = static_cast<nf_reduce_op>(op);
            const bool arg = op >= NF_REDUCE_ARGMAX;
            const nf_dtype od = arg ? NF_INT64 : NF_FLOAT32;
            std::vector<int64_t> cpu(3, 0);
            ASSERT_EQ(nf_reduce(r, NF_FLOAT32, x.data(), &l, mask, cpu.data(), od), NF_OK);
            DeviceBuffer dx(x), dout(std::vector<int64_t>(3, 0));
            ASSERT_EQ(nf_cuda_reduce(r, NF_FLOAT32, dx.get(), &l, mask, dout.get(), od), NF_OK) << nf_cuda_last_error();
            auto got = dout.download<int64_t>(3);
            if (!arg) {  // compare the float bits (NaN payloads included)
                EXPECT_EQ(std::memcmp(got.data(), cpu.data(), 3 * sizeof(int64_t)), 0) << "op " << op << " mask " << mask;
            } else {
                EXPECT_TRUE(same(got, cpu, "arg op " + std::to_string(op)));
            }
        }
}

template <class T>
void check_softmax(const Shape& s, Kind k, int axis, bool log) {
    const View v = make_view(s, k);
    const auto x = random_values<T>(v.storage, -8.0, 8.0, 31);
    std::vector<T> cpu(numel(s));
    ASSERT_EQ(nf_softmax(log, dtype_of<T>(), x.data(), &v.l, axis, cpu.data()), NF_OK) << nf_last_error();
    DeviceBuffer dx(x), dout(cpu.size() * sizeof(T));
    ASSERT_EQ(nf_cuda_softmax(log, dtype_of<T>(), dx.get(), &v.l, axis, dout.get()), NF_OK) << nf_cuda_last_error();
    EXPECT_TRUE(near(dout.download<T>(cpu.size()), cpu, std::is_same_v<T, float> ? 3e-6 : 1e-13, 1e-7,
                     "softmax " + str(s) + " " + kind_name(k) + " axis " + std::to_string(axis) + (log ? " log" : "")));
}

TEST(CudaSoftmax, EveryAxisMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (bool log : {false, true}) {
        for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Strided})
            for (int axis = 0; axis < 3; ++axis) {
                check_softmax<float>({7, 33, 65}, k, axis, log);
                check_softmax<double>({7, 33, 65}, k, axis, log);
            }
        check_softmax<float>({kEmulated ? 2048 : 65536, 10}, Kind::Contig, 1, log);  // warp per row
        check_softmax<float>({3, 5000}, Kind::Contig, 1, log);    // block per row
        check_softmax<double>({3, 5000}, Kind::Contig, 1, log);
    }
}

template <class T, class L>
void check_cross_entropy(int64_t n, int64_t c, Kind k, bool sparse, nf_dtype label_dtype) {
    const View v = make_view({n, c}, k);
    const auto x = random_values<T>(v.storage, -10.0, 10.0, 41);
    std::vector<L> labels;
    if (sparse) {
        labels = random_values<L>(n, 0.0, static_cast<double>(c), 42);
    } else {
        auto p = random_values<double>(n * c, 0.0, 1.0, 43);
        for (int64_t i = 0; i < n * c; ++i) labels.push_back(static_cast<L>(p[i] < 0.7 ? 0.0 : p[i]));
    }
    std::vector<T> loss(n), grad(n * c);
    ASSERT_EQ(nf_softmax_cross_entropy(dtype_of<T>(), x.data(), &v.l, label_dtype, labels.data(), sparse, loss.data(),
                                       grad.data()),
              NF_OK)
        << nf_last_error();
    DeviceBuffer dx(x), dl(labels), dloss(std::max<size_t>(loss.size(), 1) * sizeof(T)),
        dgrad(std::max<size_t>(grad.size(), 1) * sizeof(T));
    ASSERT_EQ(nf_cuda_softmax_cross_entropy(dtype_of<T>(), dx.get(), &v.l, label_dtype, dl.get(), sparse, dloss.get(),
                                            dgrad.get()),
              NF_OK)
        << nf_cuda_last_error();
    const std::string what = "cross-entropy [" + std::to_string(n) + "," + std::to_string(c) + "] " + kind_name(k) +
                             (sparse ? " sparse" : " dense");
    const double rt = std::is_same_v<T, float> ? 2.4e-7 : 1e-14;
    EXPECT_TRUE(near(dloss.download<T>(loss.size()), loss, rt, 1e-30, what + " loss"));
    EXPECT_TRUE(near(dgrad.download<T>(grad.size()), grad, rt, 1e-30, what + " grad"));
}

TEST(CudaCrossEntropy, SparseAndDenseMatchCpu) {
    NFTC_REQUIRE_DEVICE();
    for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Strided}) {
        check_cross_entropy<float, int32_t>(300, 10, k, true, NF_INT32);
        check_cross_entropy<float, int64_t>(300, 10, k, true, NF_INT64);
        check_cross_entropy<double, uint8_t>(300, 10, k, true, NF_UINT8);
        check_cross_entropy<float, float>(300, 10, k, false, NF_FLOAT32);
        check_cross_entropy<double, double>(5, 2000, k, false, NF_FLOAT64);
        check_cross_entropy<float, int32_t>(5, 2000, k, true, NF_INT32);
    }
}

TEST(CudaCrossEntropy, BadLabelFailsLikeCpu) {
    NFTC_REQUIRE_DEVICE();
    const std::vector<float> x(4 * 3, 0.5f);
    const std::vector<int32_t> labels = {0, 2, 3, -1};
    const nf_layout l = contiguous({4, 3});
    DeviceBuffer dx(x), dl(labels), dloss(4 * sizeof(float));
    EXPECT_EQ(nf_cuda_softmax_cross_entropy(NF_FLOAT32, dx.get(), &l, NF_INT32, dl.get(), 1, dloss.get(), nullptr),
              NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(), "nf_cuda_softmax_cross_entropy: row 2 has label 3, outside [0, 3)");
}

}  // namespace
