// nf_cast (all 36 dtype pairs, saturation, NaN) and nf_copy (views in and out).
#include <limits>

#include "test_util.h"

using namespace nft;

namespace {

const nf_dtype kAll[] = {NF_FLOAT32, NF_FLOAT64, NF_INT32, NF_INT64, NF_UINT8, NF_BOOL};

// Source values as doubles (exactly representable in every float source type used).
const std::vector<double> kVals = {0.0, 1.0, -1.0, 2.5, -2.5, 0.75, 127.0, 200.0, 255.0, 256.0, -129.0, 1e10, -1e10,
                                   3e9, -3e9, 1e30, -1e30, INFINITY, -INFINITY, NAN};

double src_value(nf_dtype src, double v) {
    switch (src) {
        case NF_FLOAT32: return static_cast<float>(v);
        case NF_FLOAT64: return v;
        // Integer sources: the reference type holds what the buffer holds.
        case NF_INT32: return std::isfinite(v) && std::fabs(v) < 2e9 ? std::trunc(v) : 7.0;
        case NF_INT64: return std::isfinite(v) && std::fabs(v) < 9e18 ? std::trunc(v) : 7.0;
        case NF_UINT8: return std::isfinite(v) && v >= 0 && v < 256 ? std::trunc(v) : 3.0;
        case NF_BOOL: return v != 0 && !std::isnan(v) ? 1.0 : 0.0;
    }
    return 0;
}

// Expected result of converting the (already source-typed) value x to dst.
double expect(nf_dtype src, nf_dtype dst, double x) {
    const bool fsrc = src == NF_FLOAT32 || src == NF_FLOAT64;
    auto sat = [&](double lo, double hi) {
        if (std::isnan(x)) return 0.0;
        if (!fsrc) {  // integer -> integer wraps modulo 2^bits
            const uint64_t bits = static_cast<uint64_t>(static_cast<int64_t>(x));
            if (dst == NF_INT32) return static_cast<double>(static_cast<int32_t>(bits));
            if (dst == NF_UINT8) return static_cast<double>(static_cast<uint8_t>(bits));
            return static_cast<double>(static_cast<int64_t>(bits));
        }
        const double t = std::trunc(x);
        return t < lo ? lo : t > hi ? hi : t;
    };
    switch (dst) {
        case NF_FLOAT32: return static_cast<float>(x);
        case NF_FLOAT64: return x;
        case NF_INT32: return sat(-2147483648.0, 2147483647.0);
        case NF_INT64: return sat(-9223372036854775808.0, 9223372036854775807.0);
        case NF_UINT8: return sat(0, 255);
        case NF_BOOL: return x != 0 ? 1.0 : 0.0;
    }
    return 0;
}

void store(nf_dtype dt, std::vector<uint8_t>& buf, int64_t i, double v) {
    switch (dt) {
        case NF_FLOAT32: reinterpret_cast<float*>(buf.data())[i] = static_cast<float>(v); break;
        case NF_FLOAT64: reinterpret_cast<double*>(buf.data())[i] = v; break;
        case NF_INT32: reinterpret_cast<int32_t*>(buf.data())[i] = static_cast<int32_t>(v); break;
        case NF_INT64: reinterpret_cast<int64_t*>(buf.data())[i] = static_cast<int64_t>(v); break;
        default: buf[i] = static_cast<uint8_t>(v); break;
    }
}

double load(nf_dtype dt, const std::vector<uint8_t>& buf, int64_t i) {
    switch (dt) {
        case NF_FLOAT32: return reinterpret_cast<const float*>(buf.data())[i];
        case NF_FLOAT64: return reinterpret_cast<const double*>(buf.data())[i];
        case NF_INT32: return reinterpret_cast<const int32_t*>(buf.data())[i];
        case NF_INT64: return static_cast<double>(reinterpret_cast<const int64_t*>(buf.data())[i]);
        default: return buf[i];
    }
}

}  // namespace

TEST(Cast, AllPairsSpecialValues) {
    const int64_t n = static_cast<int64_t>(kVals.size());
    for (nf_dtype src : kAll)
        for (nf_dtype dst : kAll) {
            // Strided source: every other element.
            nf_layout l = contiguous({n});
            l.strides[0] = 2;
            std::vector<uint8_t> in(16 * n), out(8 * n, 0xAB);
            std::vector<double> want(n);
            for (int64_t i = 0; i < n; ++i) {
                const double x = src_value(src, kVals[i]);
                store(src, in, 2 * i, x);
                want[i] = expect(src, dst, x);
            }
            ASSERT_EQ(nf_cast(src, in.data(), &l, dst, out.data()), NF_OK) << nf_last_error();
            for (int64_t i = 0; i < n; ++i) {
                const double got = load(dst, out, i);
                EXPECT_TRUE(close(got, want[i], 0, 0)) << "src " << src << " dst " << dst << " value " << kVals[i]
                                                       << " got " << got << " want " << want[i];
            }
        }
}

TEST(Cast, LayoutsAndSizes) {
    uint32_t seed = 3;
    for (const Shape& s : elementwise_shapes())
        for (Kind k : kAllKinds) {
            const View v = make_view(s, k);
            auto x = random_values<float>(v.storage, -300, 300, seed++);
            const int64_t n = numel(s);
            nft::Guarded<int32_t> out(std::max<int64_t>(n, 1));
            nft::Guarded<uint8_t> out8(std::max<int64_t>(n, 1));
            ASSERT_EQ(nf_cast(NF_FLOAT32, x.data(), &v.l, NF_INT32, out.data()), NF_OK) << nf_last_error();
            ASSERT_EQ(nf_cast(NF_FLOAT32, x.data(), &v.l, NF_UINT8, out8.data()), NF_OK) << nf_last_error();
            std::vector<double> want(n), want8(n);
            for (int64_t i = 0; i < n; ++i) {
                const double t = std::trunc(x[elem_offset(v.l, i)]);
                want[i] = t;
                want8[i] = std::min(255.0, std::max(0.0, t));
            }
            EXPECT_TRUE(all_close(out.data(), want, 0, 0, "f32->i32 " + str(s) + " " + kind_name(k)));
            EXPECT_TRUE(all_close(out8.data(), want8, 0, 0, "f32->u8 " + str(s) + " " + kind_name(k)));
        }
}

TEST(Copy, ViewsToViewsAllSizes) {
    uint32_t seed = 11;
    const Kind outs[] = {Kind::Contig, Kind::Strided, Kind::Negative, Kind::Transposed};
    for (const Shape& s : elementwise_shapes())
        for (Kind kx : kAllKinds)
            for (Kind ko : outs) {
                const View vx = make_view(s, kx), vo = make_view(s, ko);
                auto x = random_values<int64_t>(vx.storage, -1e6, 1e6, seed++);
                nft::Guarded<int64_t> out(std::max<int64_t>(vo.storage, 1), -1);
                ASSERT_EQ(nf_copy(NF_INT64, x.data(), &vx.l, out.data(), &vo.l), NF_OK) << nf_last_error();
                const int64_t n = numel(s);
                std::vector<double> want(n);
                std::vector<int64_t> got(std::max<int64_t>(n, 1));
                for (int64_t i = 0; i < n; ++i) {
                    want[i] = static_cast<double>(x[elem_offset(vx.l, i)]);
                    got[i] = out[elem_offset(vo.l, i)];
                }
                EXPECT_TRUE(all_close(got.data(), want, 0, 0, str(s) + " " + kind_name(kx) + "->" + kind_name(ko)));
            }
}

TEST(Copy, OneByteAndFourByteTypes) {
    std::vector<uint8_t> x = {1, 0, 1, 1, 0, 0}, out(6);
    nf_layout l = contiguous({2, 3}), lt = contiguous({2, 3});
    lt.strides[0] = 1;
    lt.strides[1] = 2;  // transposed view of a [3, 2] buffer
    ASSERT_EQ(nf_copy(NF_BOOL, x.data(), &lt, out.data(), &l), NF_OK);
    EXPECT_EQ(out, std::vector<uint8_t>({1, 1, 0, 0, 1, 0}));
    std::vector<float> xf = {1, 2, 3, 4, 5, 6}, of(6);
    ASSERT_EQ(nf_copy(NF_FLOAT32, xf.data(), &lt, of.data(), &l), NF_OK);
    EXPECT_EQ(of, std::vector<float>({1, 3, 5, 2, 4, 6}));
}
