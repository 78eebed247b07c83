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
    // stays in range for every input. A NaN reaching the float -> int conversion would be
    // undefined and give INT_MIN, whose shifted exponent is undefined too. Same selects, same
    // speed; NaN is returned as is at the end.
    float c = x > lo ? (x < hi ? x : hi) : lo;
    float fx = c * 1.44269504088896341f + 0.5f;
    int32_t k = static_cast<int32_t>(fx);
    k -= static_cast<float>(k) > fx ? 1 : 0;  // floor
    const float kf = static_cast<float>(k);
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
    const float scale = __builtin_bit_cast(float, static_cast<uint32_t>(k + 127) << 23);  // k + 127 in [1, 255]
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
