// Branch-free float exp that compilers vectorise (std::exp is a scalar libm call per element,
// which made softmax and sigmoid several times slower than memory allows).
//
// Cephes' expf: exp(x) = 2^k * exp(r), k = round(x / ln 2), |r| <= ln(2)/2, exp(r) from a
// degree-6 polynomial; about 1 ulp on the normal range. Outside it: x > 88.72 gives +inf,
// x < -87.33 gives 0 (the true values there are denormals below 1.2e-38), NaN stays NaN.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace nf {

inline float exp_fast(float x) {
    const float hi = 88.3762626647949f, lo = -87.3365447505531f;
    // Clamp written so that NaN lands on lo (both comparisons false): the exponent k below then
    // stays in range for every input, and NaN is returned as is at the end.
    float c = x > lo ? (x < hi ? x : hi) : lo;
    // k = round(c / ln 2) by the 1.5 * 2^23 shifter: the sum rounds k into the low mantissa
    // bits, so neither a float -> int conversion nor a select is needed. (A floor by compare
    // and select kept GCC from vectorising this loop for AVX2 and AVX-512: cpu/simd.h.) Ties
    // round to even where Cephes rounds up; either k reduces c to |r| <= ln(2)/2 (3 results
    // in 1.4 billion differ from Cephes' in the last bit).
    constexpr float shifter = 12582912.0f;
    const float ks = c * 1.44269504088896341f + shifter;
    const float kf = ks - shifter;
    float r = c - kf * 0.693359375f;
    r = r - kf * -2.12194440e-4f;
    const float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r2 + r + 1.0f;
    // k + 127 in [1, 254]: the low bits of ks hold k + 1.5 * 2^23, whose shifter part the
    // shift drops.
    const float scale = __builtin_bit_cast(float, (__builtin_bit_cast(uint32_t, ks) + 127u) << 23);
    y *= scale;
    y = x > 88.72283905206835f ? std::numeric_limits<float>::infinity() : y;
    y = x < lo ? 0.0f : y;
    return x != x ? x : y;
}

// Doubles keep libm's exp.
template <class T>
inline T exp_of(T x) {
    if constexpr (sizeof(T) == sizeof(float)) return exp_fast(static_cast<float>(x));
    else return std::exp(x);
}

}  // namespace nf
