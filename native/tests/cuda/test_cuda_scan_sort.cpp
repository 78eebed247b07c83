// CUDA vs CPU engine: nf_scan and nf_sort bit for bit (same accumulator, same order), over
// layouts that make the line walk strided, and the shared argument checks.
#include <cmath>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

template <class T>
void check_scan(nf_dtype dt, nf_scan_op op, const Shape& s, Kind k, int axis, int ex, int rev) {
    const View v = make_view(s, k);
    const auto x = random_values<T>(v.storage, op == NF_SCAN_PROD ? 0.5 : -9, op == NF_SCAN_PROD ? 1.5 : 9, 81);
    const size_t n = static_cast<size_t>(numel(s));
    std::vector<T> cpu(std::max<size_t>(n, 1));
    ASSERT_EQ(nf_scan(op, dt, x.data(), &v.l, axis, ex, rev, cpu.data()), NF_OK) << nf_last_error();
    DeviceBuffer dx(x), dout(std::max<size_t>(n, 1) * sizeof(T));
    ASSERT_EQ(nf_cuda_scan(op, dt, dx.get(), &v.l, axis, ex, rev, dout.get()), NF_OK) << nf_cuda_last_error();
    cpu.resize(n);
    EXPECT_TRUE(same(dout.download<T>(n), cpu, "scan " + str(s) + " " + kind_name(k) + " axis " + std::to_string(axis)));
}

template <class T>
void check_sort(nf_dtype dt, const Shape& s, Kind k, int axis, int desc) {
    const View v = make_view(s, k);
    auto x = random_values<T>(v.storage, -3, 3, 82);
    if constexpr (std::is_floating_point_v<T>) {
        for (auto& e : x) e = std::round(e);
        if (x.size() > 3) x[3] = NAN;
    }
    const size_t n = static_cast<size_t>(numel(s));
    std::vector<T> cv(std::max<size_t>(n, 1));
    std::vector<int32_t> ci(std::max<size_t>(n, 1));
    ASSERT_EQ(nf_sort(dt, x.data(), &v.l, axis, desc, cv.data(), NF_INT32, ci.data()), NF_OK) << nf_last_error();
    DeviceBuffer dx(x), dv(cv.size() * sizeof(T)), di(ci.size() * sizeof(int32_t));
    ASSERT_EQ(nf_cuda_sort(dt, dx.get(), &v.l, axis, desc, dv.get(), NF_INT32, di.get()), NF_OK) << nf_cuda_last_error();
    cv.resize(n);
    ci.resize(n);
    const std::string what = "sort " + str(s) + " " + kind_name(k) + " axis " + std::to_string(axis);
    EXPECT_TRUE(same(di.download<int32_t>(n), ci, what + " indices"));
    auto got = dv.download<T>(n);
    for (size_t i = 0; i < n; ++i)  // NaN != NaN: compare through the indices instead
        if (!(got[i] != got[i])) EXPECT_EQ(got[i], cv[i]) << what << " value " << i;
}

}  // namespace

TEST(CudaScan, MatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (const Shape& s : {Shape{7}, Shape{0, 4}, Shape{5, 33}, Shape{2, 3, 9}})
        for (int axis = 0; axis < static_cast<int>(s.size()); ++axis)
            for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Negative})
                for (int f = 0; f < 4; ++f) {
                    check_scan<float>(NF_FLOAT32, NF_SCAN_SUM, s, k, axis, f & 1, f >> 1);
                    check_scan<double>(NF_FLOAT64, NF_SCAN_PROD, s, k, axis, f & 1, f >> 1);
                    check_scan<int64_t>(NF_INT64, NF_SCAN_SUM, s, k, axis, f & 1, f >> 1);
                }
}

TEST(CudaSort, MatchesCpu) {
    NFTC_REQUIRE_DEVICE();
    for (const Shape& s : {Shape{9}, Shape{0, 4}, Shape{6, 33}, Shape{2, 3, 17}})
        for (int axis = 0; axis < static_cast<int>(s.size()); ++axis)
            for (Kind k : {Kind::Contig, Kind::Transposed, Kind::Broadcast})
                for (int desc = 0; desc < 2; ++desc) {
                    check_sort<float>(NF_FLOAT32, s, k, axis, desc);
                    check_sort<int32_t>(NF_INT32, s, k, axis, desc);
                }
}

TEST(CudaScanSort, BadAxisFailsLikeCpu) {
    const nf_layout l = contiguous({2, 3});
    float x[6] = {}, out[6] = {};
    EXPECT_EQ(nf_cuda_scan(NF_SCAN_SUM, NF_FLOAT32, x, &l, 3, 0, 0, out), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_cuda_last_error()).find("nf_cuda_scan: axis = 3"), std::string::npos) << nf_cuda_last_error();
    EXPECT_EQ(nf_cuda_sort(NF_FLOAT32, x, &l, 2, 0, out, NF_INT32, nullptr), NF_ERROR_INVALID_ARGUMENT);
}
