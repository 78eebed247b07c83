// CUDA vs CPU engine: binary, unary, cast and copy over contiguous, transposed, strided,
// negative-stride and broadcast layouts, for every dtype.
#include <cmath>
#include <limits>
#include <type_traits>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

const Shape kShapes[] = {{}, {7}, {1025}, {70001}, {0, 5}, {33, 65}, {3, 5, 7}};

template <class T>
std::vector<T> inputs(int64_t n, uint32_t seed) {
    auto v = random_values<T>(n, std::is_unsigned_v<T> ? 0.0 : -6.0, std::is_unsigned_v<T> ? 12.0 : 6.0, seed);
    if constexpr (std::is_floating_point_v<T>) {
        if (v.size() > 3) {  // the special values every op must treat like the CPU
            v[1] = std::numeric_limits<T>::quiet_NaN();
            v[2] = std::numeric_limits<T>::infinity();
            v[3] = T(0);
        }
    }
    return v;
}

template <class T>
void check_binary(nf_binary_op op, const Shape& s, Kind ka, Kind kb) {
    const bool cmp = op >= NF_BINARY_EQUAL && op <= NF_BINARY_GREATER_EQUAL;
    using R = uint8_t;
    const View va = make_view(s, ka), vb = make_view(s, kb), vo = make_view(s, Kind::Contig);
    const auto a = inputs<T>(va.storage, 1), b = inputs<T>(vb.storage, 2);
    const std::string what = std::string("binary op ") + std::to_string(op) + " " + str(s) + " " + kind_name(ka) + "/" +
                             kind_name(kb);
    auto run = [&](auto zero) {
        using O = decltype(zero);
        std::vector<O> cpu(std::max<int64_t>(vo.storage, 1));
        ASSERT_EQ(nf_binary(op, dtype_of<T>(), a.data(), &va.l, b.data(), &vb.l, cpu.data(), &vo.l), NF_OK)
            << nf_last_error();
        DeviceBuffer da(a), db(b), dout(std::vector<O>(cpu.size()));
        ASSERT_EQ(nf_cuda_binary(op, dtype_of<T>(), da.get(), &va.l, db.get(), &vb.l, dout.get(), &vo.l), NF_OK)
            << nf_cuda_last_error();
        const auto got = dout.download<O>(cpu.size());
        if constexpr (std::is_floating_point_v<O>) {
            // The device's pow is within 4 ulp (powf) or 2 ulp (pow) of the exact result, libm's
            // within 1: up to ~5 float ulp (6e-7) or ~3 double ulp (7e-16) apart.
            if (op == NF_BINARY_POW) {
                EXPECT_TRUE(near(got, cpu, std::is_same_v<O, float> ? 1e-6 : 1e-15, 0, what));
                return;
            }
        }
        EXPECT_TRUE(same(got, cpu, what));
    };
    if (cmp) run(R{});
    else run(T{});
}

template <class T>
void binary_suite(bool arith) {
    for (int op = NF_BINARY_ADD; op <= NF_BINARY_TRUNCATE_MOD; ++op) {
        if (!arith && (op <= NF_BINARY_POW || op >= NF_BINARY_FLOOR_DIV)) continue;
        for (const Shape& s : kShapes)
            for (Kind ka : kAllKinds)
                for (Kind kb : {Kind::Contig, Kind::Broadcast, Kind::Negative})
                    check_binary<T>(static_cast<nf_binary_op>(op), s, ka, kb);
    }
}

TEST(CudaBinary, Float32MatchesCpu) { NFTC_REQUIRE_DEVICE(); binary_suite<float>(true); }
TEST(CudaBinary, Float64MatchesCpu) { NFTC_REQUIRE_DEVICE(); binary_suite<double>(true); }
TEST(CudaBinary, Int32MatchesCpu) { NFTC_REQUIRE_DEVICE(); binary_suite<int32_t>(true); }
TEST(CudaBinary, Int64MatchesCpu) { NFTC_REQUIRE_DEVICE(); binary_suite<int64_t>(true); }
TEST(CudaBinary, Uint8MatchesCpu) { NFTC_REQUIRE_DEVICE(); binary_suite<uint8_t>(true); }

template <class T>
void unary_suite() {
    for (int op = NF_UNARY_NEG; op <= NF_UNARY_ERFC; ++op) {
        const bool int_ok = op == NF_UNARY_NEG || op == NF_UNARY_ABS || op == NF_UNARY_SQUARE ||
                            op == NF_UNARY_RELU || op == NF_UNARY_SIGN;
        if (!std::is_floating_point_v<T> && !int_ok) continue;
        for (const Shape& s : kShapes)
            for (Kind k : kAllKinds) {
                const View vx = make_view(s, k), vo = make_view(s, Kind::Contig);
                const auto x = inputs<T>(vx.storage, 3);
                std::vector<T> cpu(std::max<int64_t>(vo.storage, 1));
                const auto u = static_cast<nf_unary_op>(op);
                ASSERT_EQ(nf_unary(u, dtype_of<T>(), x.data(), &vx.l, cpu.data(), &vo.l), NF_OK) << nf_last_error();
                DeviceBuffer dx(x), dout(std::vector<T>(cpu.size()));
                ASSERT_EQ(nf_cuda_unary(u, dtype_of<T>(), dx.get(), &vx.l, dout.get(), &vo.l), NF_OK) << nf_cuda_last_error();
                const auto got = dout.download<T>(cpu.size());
                const std::string what = "unary op " + std::to_string(op) + " " + str(s) + " " + kind_name(k);
                // exp/log/tanh/sigmoid: device and host libraries round differently (a few ulp).
                const bool exact = u == NF_UNARY_SQRT || u == NF_UNARY_RSQRT || u == NF_UNARY_FLOOR ||
                                   u == NF_UNARY_CEIL || u == NF_UNARY_ROUND;
                if (std::is_floating_point_v<T> && !int_ok && !exact)
                    EXPECT_TRUE(near(got, cpu, std::is_same_v<T, float> ? 2e-6 : 1e-14, 1e-30, what));
                else
                    EXPECT_TRUE(same(got, cpu, what));
            }
    }
}

TEST(CudaUnary, Float32MatchesCpu) { NFTC_REQUIRE_DEVICE(); unary_suite<float>(); }
TEST(CudaUnary, Float64MatchesCpu) { NFTC_REQUIRE_DEVICE(); unary_suite<double>(); }
TEST(CudaUnary, Int32MatchesCpu) { NFTC_REQUIRE_DEVICE(); unary_suite<int32_t>(); }
TEST(CudaUnary, Int64MatchesCpu) { NFTC_REQUIRE_DEVICE(); unary_suite<int64_t>(); }

// Every (src, dst) pair, with values that exercise truncation, saturation, NaN and wrapping.
TEST(CudaCast, EveryPairMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    const std::vector<double> values = {0.0, 1.0, -1.0, 2.5, -7.9, 255.5, 256.0, 3e9, -3e9, 1e300, -1e300,
                                        std::nan(""), std::numeric_limits<double>::infinity(), 0.25, 127.0, -128.5};
    const nf_dtype all[] = {NF_FLOAT32, NF_FLOAT64, NF_INT32, NF_INT64, NF_UINT8, NF_BOOL};
    const Shape s = {static_cast<int64_t>(values.size())};
    for (nf_dtype src : all) {
        // The source values as src (made with the CPU engine's own conversion).
        std::vector<uint64_t> srcbuf(values.size()), tmp(values.size());
        const nf_layout l = contiguous(s);
        ASSERT_EQ(nf_cast(NF_FLOAT64, values.data(), &l, src, srcbuf.data()), NF_OK) << nf_last_error();
        for (nf_dtype dst : all) {
            std::vector<uint64_t> cpu(values.size(), 0);
            ASSERT_EQ(nf_cast(src, srcbuf.data(), &l, dst, cpu.data()), NF_OK) << nf_last_error();
            DeviceBuffer dx(srcbuf), dout(std::vector<uint64_t>(values.size(), 0));
            ASSERT_EQ(nf_cuda_cast(src, dx.get(), &l, dst, dout.get()), NF_OK) << nf_cuda_last_error();
            const auto got = dout.download<uint64_t>(values.size());
            const std::string what = std::string("cast ") + std::to_string(src) + " -> " + std::to_string(dst);
            // Float results compare as values: a converted NaN must be a NaN, but its payload is
            // not specified (the GPU may give its canonical NaN where x86 keeps the payload).
            auto as = [&](auto zero, const std::vector<uint64_t>& words) {
                std::vector<decltype(zero)> v(values.size());
                std::memcpy(v.data(), words.data(), v.size() * sizeof(zero));
                return v;
            };
            if (dst == NF_FLOAT32) EXPECT_TRUE(same(as(0.0f, got), as(0.0f, cpu), what));
            else if (dst == NF_FLOAT64) EXPECT_TRUE(same(as(0.0, got), as(0.0, cpu), what));
            else EXPECT_TRUE(same(got, cpu, what));
        }
    }
}

TEST(CudaCast, StridedInputMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (Kind k : kAllKinds) {
        const Shape s = {33, 65};
        const View v = make_view(s, k);
        const auto x = inputs<float>(v.storage, 4);
        std::vector<int32_t> cpu(numel(s));
        ASSERT_EQ(nf_cast(NF_FLOAT32, x.data(), &v.l, NF_INT32, cpu.data()), NF_OK);
        DeviceBuffer dx(x), dout(cpu.size() * sizeof(int32_t));
        ASSERT_EQ(nf_cuda_cast(NF_FLOAT32, dx.get(), &v.l, NF_INT32, dout.get()), NF_OK) << nf_cuda_last_error();
        EXPECT_TRUE(same(dout.download<int32_t>(cpu.size()), cpu, kind_name(k)));
    }
}

TEST(CudaCopy, EveryLayoutPairMatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (const Shape& s : kShapes)
        for (Kind kx : kAllKinds)
            for (Kind ko : {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative}) {
                const View vx = make_view(s, kx), vo = make_view(s, ko);
                const auto x = inputs<double>(vx.storage, 5);
                std::vector<double> cpu(std::max<int64_t>(vo.storage, 1), -1.0);
                ASSERT_EQ(nf_copy(NF_FLOAT64, x.data(), &vx.l, cpu.data(), &vo.l), NF_OK);
                DeviceBuffer dx(x), dout(std::vector<double>(cpu.size(), -1.0));
                ASSERT_EQ(nf_cuda_copy(NF_FLOAT64, dx.get(), &vx.l, dout.get(), &vo.l), NF_OK) << nf_cuda_last_error();
                EXPECT_TRUE(same(dout.download<double>(cpu.size()), cpu,
                                 "copy " + str(s) + " " + kind_name(kx) + " -> " + kind_name(ko)));
            }
}

}  // namespace
