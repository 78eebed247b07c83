// Philox4x32-10 generators: known answers (computed independently from the published
// algorithm), determinism, split invariance, and distribution sanity; fill and range.
#include "test_util.h"

using namespace nft;

namespace {

// Recovers (w0, w1 >> 11) from a float64 uniform on [0, 1): u * 2^53 = (w0 << 21) | (w1 >> 11).
std::pair<uint32_t, uint32_t> words(uint64_t seed, uint64_t offset) {
    double u = -1;
    EXPECT_EQ(nf_random_uniform(NF_FLOAT64, &u, 1, seed, offset, 0.0, 1.0), NF_OK);
    const uint64_t bits = static_cast<uint64_t>(u * 9007199254740992.0);
    return {static_cast<uint32_t>(bits >> 21), static_cast<uint32_t>(bits & 0x1FFFFF)};
}

}  // namespace

TEST(Random, PhiloxKnownAnswers) {
    // Random123 kat_vectors: philox4x32 10, ctr 0, key 0 -> 6627e8d5 e169c58d ...
    auto w = words(0, 0);
    EXPECT_EQ(w.first, 0x6627e8d5u);
    EXPECT_EQ(w.second, 0xe169c58du >> 11);
    // Independently computed (Python big-int implementation of the same spec).
    struct Kat { uint64_t seed, offset; uint32_t w0, w1; };
    const Kat kats[] = {{42, 0, 0x9ceaf053u, 0x77f5493bu}, {42, 1, 0xfcdb2127u, 0x53ba6cfdu},
                        {42, 99, 0x9946577du, 0x1abc0b75u}, {42, 12345, 0xef322867u, 0x9ef3c3f2u},
                        {(7ull << 32) + 3, (1ull << 32) + 5, 0x68293c1eu, 0xa3290cd0u}};
    for (const Kat& k : kats) {
        w = words(k.seed, k.offset);
        EXPECT_EQ(w.first, k.w0) << "seed " << k.seed << " offset " << k.offset;
        EXPECT_EQ(w.second, k.w1 >> 11) << "seed " << k.seed << " offset " << k.offset;
    }
}

TEST(Random, Float32ReferenceValues) {
    // The values quoted for the C# managed backend to cross-check.
    float u[4], n[4];
    ASSERT_EQ(nf_random_uniform(NF_FLOAT32, u, 4, 42, 0, 0.0, 1.0), NF_OK);
    ASSERT_EQ(nf_random_normal(NF_FLOAT32, n, 4, 42, 0, 0.0, 1.0), NF_OK);
    const float wu[4] = {0.612959862f, 0.987718642f, 0.825866818f, 0.729599237f};
    const float wn[4] = {-0.970189691f, -0.0731813088f, -0.336961955f, -0.379737407f};
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(u[i], wu[i]) << i;
        EXPECT_EQ(n[i], wn[i]) << i;
    }
    // uniform float32 is (w0 >> 8) * 2^-24 exactly.
    EXPECT_EQ(u[0], static_cast<float>((0x9ceaf053u >> 8) / 16777216.0));
}

TEST(Random, DeterministicAndSplitInvariant) {
    for (nf_dtype dt : {NF_FLOAT32, NF_FLOAT64}) {
        nft::Guarded<double> one(100), two(100), again(100);  // storage big enough for either dtype
        char* p2 = reinterpret_cast<char*>(two.data());
        const int64_t es = dt == NF_FLOAT32 ? 4 : 8;
        ASSERT_EQ(nf_random_uniform(dt, one.data(), 100, 1234, 0, -2.0, 3.0), NF_OK);
        ASSERT_EQ(nf_random_uniform(dt, p2, 50, 1234, 0, -2.0, 3.0), NF_OK);
        ASSERT_EQ(nf_random_uniform(dt, p2 + 50 * es, 50, 1234, 50, -2.0, 3.0), NF_OK);
        ASSERT_EQ(nf_random_uniform(dt, again.data(), 100, 1234, 0, -2.0, 3.0), NF_OK);
        EXPECT_EQ(0, std::memcmp(one.data(), two.data(), 100 * es));
        EXPECT_EQ(0, std::memcmp(one.data(), again.data(), 100 * es));
        ASSERT_EQ(nf_random_normal(dt, one.data(), 100, 99, 7, 1.0, 2.0), NF_OK);
        ASSERT_EQ(nf_random_normal(dt, p2, 50, 99, 7, 1.0, 2.0), NF_OK);
        ASSERT_EQ(nf_random_normal(dt, p2 + 50 * es, 50, 99, 57, 1.0, 2.0), NF_OK);
        EXPECT_EQ(0, std::memcmp(one.data(), two.data(), 100 * es));
        // Another seed gives other numbers.
        ASSERT_EQ(nf_random_normal(dt, again.data(), 100, 100, 7, 1.0, 2.0), NF_OK);
        EXPECT_NE(0, std::memcmp(one.data(), again.data(), 100 * es));
    }
    // Large calls (threaded) equal the concatenation of small ones (single-threaded).
    std::vector<float> big(200000), parts(200000);
    ASSERT_EQ(nf_random_normal(NF_FLOAT32, big.data(), 200000, 5, 0, 0.0, 1.0), NF_OK);
    for (int64_t o = 0; o < 200000; o += 1000)
        ASSERT_EQ(nf_random_normal(NF_FLOAT32, parts.data() + o, 1000, 5, o, 0.0, 1.0), NF_OK);
    EXPECT_EQ(big, parts);
}

TEST(Random, UniformAndNormalMoments) {
    const int64_t n = 1000000;
    std::vector<double> x(n);
    ASSERT_EQ(nf_random_uniform(NF_FLOAT64, x.data(), n, 2024, 0, -1.0, 3.0), NF_OK);
    double m = 0, v = 0, lo = 1e9, hi = -1e9;
    for (double e : x) { m += e; lo = std::min(lo, e); hi = std::max(hi, e); }
    m /= n;
    for (double e : x) v += (e - m) * (e - m);
    v /= n;
    EXPECT_NEAR(m, 1.0, 0.01);
    EXPECT_NEAR(v, 16.0 / 12.0, 0.01);
    EXPECT_GE(lo, -1.0);
    EXPECT_LT(hi, 3.0);
    std::vector<float> g(n);
    ASSERT_EQ(nf_random_normal(NF_FLOAT32, g.data(), n, 2025, 0, 0.5, 2.0), NF_OK);
    m = v = 0;
    for (float e : g) m += e;
    m /= n;
    for (float e : g) v += (e - m) * (e - m);
    EXPECT_NEAR(m, 0.5, 0.01);
    EXPECT_NEAR(std::sqrt(v / n), 2.0, 0.01);
}

TEST(Random, UniformIntegersFloor) {
    std::vector<int32_t> x(100000);
    ASSERT_EQ(nf_random_uniform(NF_INT32, x.data(), 100000, 3, 0, -3.0, 3.0), NF_OK);
    int counts[6] = {};
    for (int32_t e : x) {
        ASSERT_GE(e, -3);
        ASSERT_LE(e, 2);
        counts[e + 3]++;
    }
    for (int c : counts) EXPECT_NEAR(c, 100000 / 6, 800);
    std::vector<int64_t> y(10);
    ASSERT_EQ(nf_random_uniform(NF_INT64, y.data(), 10, 3, 0, -3.0, 3.0), NF_OK);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(y[i], x[i]);
    EXPECT_TRUE(fails_with(nf_random_uniform(NF_UINT8, y.data(), 1, 0, 0, 0, 1), NF_ERROR_UNSUPPORTED,
                           {"nf_random_uniform", "uint8"}));
    EXPECT_TRUE(fails_with(nf_random_normal(NF_INT32, y.data(), 1, 0, 0, 0, 1), NF_ERROR_UNSUPPORTED,
                           {"nf_random_normal", "int32"}));
}

TEST(FillRange, AllDtypes) {
    std::vector<double> buf(100);
    ASSERT_EQ(nf_fill(NF_FLOAT32, buf.data(), 70, 2.5), NF_OK);
    for (int i = 0; i < 70; ++i) EXPECT_EQ(reinterpret_cast<float*>(buf.data())[i], 2.5f);
    ASSERT_EQ(nf_fill(NF_INT32, buf.data(), 3, -7.9), NF_OK);
    EXPECT_EQ(reinterpret_cast<int32_t*>(buf.data())[2], -7);
    ASSERT_EQ(nf_fill(NF_UINT8, buf.data(), 3, 1000.0), NF_OK);
    EXPECT_EQ(reinterpret_cast<uint8_t*>(buf.data())[1], 255);
    ASSERT_EQ(nf_fill(NF_BOOL, buf.data(), 3, 0.5), NF_OK);
    EXPECT_EQ(reinterpret_cast<uint8_t*>(buf.data())[0], 1);
    std::vector<float> big(100000);
    ASSERT_EQ(nf_fill(NF_FLOAT32, big.data(), 100000, -1.0), NF_OK);
    for (float e : big) ASSERT_EQ(e, -1.0f);
    ASSERT_EQ(nf_range(NF_FLOAT64, buf.data(), 100, 1.0, 0.5), NF_OK);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(buf[i], 1.0 + i * 0.5);
    std::vector<int64_t> r(5);
    ASSERT_EQ(nf_range(NF_INT64, r.data(), 5, 10.0, -2.5), NF_OK);
    EXPECT_EQ(r, std::vector<int64_t>({10, 7, 5, 2, 0}));  // truncation toward zero of 7.5, 2.5
    ASSERT_EQ(nf_range(NF_FLOAT32, big.data(), 100000, 0.0, 1.0), NF_OK);
    for (int i = 0; i < 100000; i += 997) ASSERT_EQ(big[i], static_cast<float>(i));
    EXPECT_EQ(nf_fill(NF_FLOAT32, nullptr, 0, 1.0), NF_OK);
    EXPECT_TRUE(fails_with(nf_fill(NF_FLOAT32, nullptr, 3, 1.0), NF_ERROR_INVALID_ARGUMENT, {"nf_fill", "out"}));
    EXPECT_TRUE(fails_with(nf_range(NF_FLOAT32, big.data(), -1, 0, 1), NF_ERROR_INVALID_ARGUMENT, {"nf_range", "count = -1"}));
}
