// CUDA (cuBLAS) vs CPU (OpenBLAS) matmul: transposes, batches with broadcasting, layouts the
// GEMM reads in place and layouts that must be packed first, K = 0, float32 and float64.
#include <cmath>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

struct Case {
    Shape a, b, out;
    bool ta, tb;
    Kind ka, kb;
};

template <class T>
void check_matmul(const Case& c, double per_k = 0) {
    const View va = make_view(c.a, c.ka), vb = make_view(c.b, c.kb), vo = make_view(c.out, Kind::Contig);
    const auto a = random_values<T>(va.storage, -1.0, 1.0, 51), b = random_values<T>(vb.storage, -1.0, 1.0, 52);
    std::vector<T> cpu(std::max<int64_t>(numel(c.out), 1));
    const nf_layout al = transposed_if(c.ta, va.l), bl = transposed_if(c.tb, vb.l);
    ASSERT_EQ(nf_matmul(dtype_of<T>(), a.data(), &al, b.data(), &bl, cpu.data(), &vo.l), NF_OK)
        << nf_last_error();
    DeviceBuffer da(a), db(b), dout(std::vector<T>(cpu.size(), T(7)));
    ASSERT_EQ(nf_cuda_matmul(dtype_of<T>(), da.get(), &al, db.get(), &bl, dout.get(), &vo.l), NF_OK)
        << nf_cuda_last_error();
    const int64_t k = c.ta ? c.a[c.a.size() - 2] : c.a.back();
    // Sums of k products of numbers in [-1, 1], accumulated in other orders.
    if (per_k == 0) per_k = std::is_same_v<T, float> ? 2e-6 : 1e-14;
    const double at = per_k * static_cast<double>(std::max<int64_t>(k, 1));
    EXPECT_TRUE(near(dout.download<T>(cpu.size()), cpu, 0, at,
                     "matmul " + str(c.a) + (c.ta ? "^T" : "") + " " + kind_name(c.ka) + " @ " + str(c.b) +
                         (c.tb ? "^T" : "") + " " + kind_name(c.kb)));
}

std::vector<Case> cases() {
    std::vector<Case> cs;
    for (bool ta : {false, true})
        for (bool tb : {false, true}) {
            const int64_t m = 37, k = 65, n = 129;
            const Shape a = ta ? Shape{k, m} : Shape{m, k}, b = tb ? Shape{n, k} : Shape{k, n};
            for (Kind ka : {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative})
                for (Kind kb : {Kind::Contig, Kind::Transposed, Kind::Strided})
                    cs.push_back({a, b, {m, n}, ta, tb, ka, kb});
        }
    cs.push_back({{1, 1}, {1, 1}, {1, 1}, false, false, Kind::Contig, Kind::Contig});
    cs.push_back({{128, 784}, {784, 512}, {128, 512}, false, false, Kind::Contig, Kind::Contig});  // the MLP layer
    cs.push_back({{128, 512}, {784, 512}, {128, 784}, false, true, Kind::Contig, Kind::Contig});   // its input gradient
    cs.push_back({{128, 784}, {128, 512}, {784, 512}, true, false, Kind::Contig, Kind::Contig});   // its weight gradient
    cs.push_back({{5, 0}, {0, 6}, {5, 6}, false, false, Kind::Contig, Kind::Contig});              // K = 0
    cs.push_back({{4, 3, 17, 9}, {4, 3, 9, 5}, {4, 3, 17, 5}, false, false, Kind::Contig, Kind::Contig});
    cs.push_back({{4, 3, 17, 9}, {4, 3, 9, 5}, {4, 3, 17, 5}, false, false, Kind::Strided, Kind::Transposed});
    cs.push_back({{1, 3, 17, 9}, {4, 1, 9, 5}, {4, 3, 17, 5}, false, false, Kind::Contig, Kind::Contig});  // broadcast
    cs.push_back({{4, 3, 17, 9}, {4, 3, 9, 5}, {4, 3, 17, 5}, false, false, Kind::Broadcast, Kind::Contig});
    return cs;
}

TEST(CudaMatmul, Float32MatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    ASSERT_EQ(nf_cuda_tf32_set(0), NF_OK);
    for (const Case& c : cases()) check_matmul<float>(c);
}

TEST(CudaMatmul, Float64MatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (const Case& c : cases()) check_matmul<double>(c);
}

TEST(CudaMatmul, Tf32IsOptIn) {
    EXPECT_EQ(nf_cuda_tf32_set(2), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(), "nf_cuda_tf32_set: enabled = 2 must be 0 or 1");
    NFTC_REQUIRE_DEVICE();
    ASSERT_EQ(nf_cuda_tf32_set(1), NF_OK);
    // TF32 keeps 10 mantissa bits: products carry ~1e-3 relative error.
    check_matmul<float>({{256, 256}, {256, 256}, {256, 256}, false, false, Kind::Contig, Kind::Contig}, 1e-3);
    ASSERT_EQ(nf_cuda_tf32_set(0), NF_OK);
}

}  // namespace
