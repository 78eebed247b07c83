// CUDA vs CPU engine: nf_where bit for bit over mixed layouts (vector, contiguous and strided
// launcher paths), and the shared argument checks.
#include <cmath>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

template <class T>
void check_where(nf_dtype dt, const Shape& s, Kind kc, Kind kx, Kind ky) {
    const View vc = make_view(s, kc), vx = make_view(s, kx), vy = make_view(s, ky);
    const auto c = random_values<uint8_t>(vc.storage, 0, 2, 71);
    const auto x = random_values<T>(vx.storage, -9, 9, 72);
    const auto y = random_values<T>(vy.storage, -9, 9, 73);
    const nf_layout ol = contiguous(s);
    const size_t n = static_cast<size_t>(std::max<int64_t>(numel(s), 1));
    std::vector<T> cpu(n);
    ASSERT_EQ(nf_where(dt, c.data(), &vc.l, x.data(), &vx.l, y.data(), &vy.l, cpu.data(), &ol), NF_OK) << nf_last_error();
    DeviceBuffer dc(c), dx(x), dy(y), dout(n * sizeof(T));
    ASSERT_EQ(nf_cuda_where(dt, dc.get(), &vc.l, dx.get(), &vx.l, dy.get(), &vy.l, dout.get(), &ol), NF_OK)
        << nf_cuda_last_error();
    cpu.resize(numel(s));
    EXPECT_TRUE(same(dout.download<T>(cpu.size()), cpu,
                     std::string("where ") + str(s) + " " + kind_name(kc) + "/" + kind_name(kx) + "/" + kind_name(ky)));
}

}  // namespace

TEST(CudaWhere, MatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (const Shape& s : {Shape{}, Shape{0}, Shape{7}, Shape{1025}, Shape{3, 33}, Shape{2, 3, 5}})
        for (Kind kc : {Kind::Contig, Kind::Broadcast, Kind::Negative}) {
            check_where<float>(NF_FLOAT32, s, kc, Kind::Contig, Kind::Contig);
            check_where<double>(NF_FLOAT64, s, kc, Kind::Strided, Kind::Broadcast);
            check_where<int64_t>(NF_INT64, s, kc, Kind::Transposed, Kind::Contig);
            check_where<uint8_t>(NF_BOOL, s, kc, Kind::Contig, Kind::Negative);
        }
}

TEST(CudaWhere, NonFiniteUnselectedNeverLeaks) {
    NFTC_REQUIRE_DEVICE();
    const std::vector<uint8_t> c = {1, 0, 1, 0, 1, 0, 1, 0};
    const std::vector<float> x = {1, INFINITY, 3, NAN, 5, NAN, 7, -INFINITY};
    const std::vector<float> y = {NAN, 2, -INFINITY, 4, NAN, 6, INFINITY, 8};
    const nf_layout l = contiguous({8});
    DeviceBuffer dc(c), dx(x), dy(y), dout(8 * sizeof(float));
    ASSERT_EQ(nf_cuda_where(NF_FLOAT32, dc.get(), &l, dx.get(), &l, dy.get(), &l, dout.get(), &l), NF_OK)
        << nf_cuda_last_error();
    EXPECT_EQ(dout.download<float>(8), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(CudaWhere, BadShapeFailsLikeCpu) {
    const nf_layout l = contiguous({2, 3}), other = contiguous({3, 2});
    uint8_t c[6] = {};
    float x[6] = {}, y[6] = {}, out[6] = {};
    EXPECT_EQ(nf_cuda_where(NF_FLOAT32, c, &other, x, &l, y, &l, out, &l), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("nf_cuda_where: shape mismatch"), std::string::npos)
        << nf_cuda_last_error();
}
