// Branch-free float exp that compilers vectorise (std::exp is a scalar libm call per element,
// which made softmax and sigmoid several times slower than memory allows).
//
// Cephes' expf: exp(x) = 2^k * exp(r), k = round(x / ln 2), |r| <= ln(2)/2, exp(r) from a
// degree-6 polynomial; about 1 ulp. x > 88.72 gives +inf; from -87.33 down to -103.97 the
// result is the subnormal float std::exp gives (rounded once), below that 0; NaN stays NaN.
// torch.exp and NumPy give these subnormals (exp(-100) = 3.78e-44), as the managed engine does;
// flushed to 0, log(sigmoid(-90)) was -inf here where it is -90 on the managed engine.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "cpu/simd.h"

namespace nf {

inline float exp_fast(float x) {
    // lo: below it exp(x) < 2^-150, which rounds to 0 (the smallest subnormal is 2^-149); hi: above
    // it exp(x) > FLT_MAX. (Cephes' hi, 88.376, gave exp(88.376) for every x up to 88.72.)
    const float hi = 88.72283905206835f, lo = -103.972077083991796f;
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
    // k in [-150, 128]: the low bits of ks hold k + 1.5 * 2^23, so k is their difference from
    // the shifter's bits. 2^k as two normal factors 2^(k/2) and 2^(k - k/2) (each exponent in
    // [-75, 64]): y * 2^(k/2) is exact, and the second product rounds once, into a subnormal
    // where the result is one; on the normal range the two products give the bits y * 2^k did.
    const int32_t k = static_cast<int32_t>(__builtin_bit_cast(uint32_t, ks) - __builtin_bit_cast(uint32_t, shifter));
    const int32_t k1 = k >> 1, k2 = k - k1;
    y *= __builtin_bit_cast(float, static_cast<uint32_t>(k1 + 127) << 23);
    y *= __builtin_bit_cast(float, static_cast<uint32_t>(k2 + 127) << 23);
    y = x > hi ? std::numeric_limits<float>::infinity() : y;
    y = x < lo ? 0.0f : y;
    return x != x ? x : y;
}

// Branch-free double exp that compilers vectorise, for float kernels that form their
// exponentials in double to round once at the end (cross_entropy.cpp): fdlibm's reduction
// exp(x) = 2^k * exp(r), k = round(x / ln 2), r = x - k ln 2 in two parts (k * ln2_hi is exact),
// |r| <= ln(2)/2, and exp(r) as its Taylor polynomial of degree 13 (the first term left out is
// below 5e-18 relative): within 2 ulp of the exact value. libm's exp is a
// scalar call per element, 5 times slower here. Below -708.39 (where exp leaves the normal
// doubles) it gives 0, not a subnormal, and above 709 +inf (exp(709.78) would still be
// finite), so that 2^k always is a normal double; NaN stays NaN. Its caller only passes x <= 0.
NF_INLINE double exp_fast_f64(double x) {
    const double hi = 709.0, lo = -708.3964185322641;
    // c = x > lo ? (x < hi ? x : hi) : lo (NaN lands on lo; restored at the end), selected by bit
    // masks like the result below: as selects, GCC evaluated the whole function for the constants
    // lo and hi on their own paths, branches that kept the AVX2 and SSE2 clones scalar.
    const uint64_t low = uint64_t{0} - static_cast<uint64_t>(!(x > lo)), high = uint64_t{0} - static_cast<uint64_t>(x >= hi);
    const double c = __builtin_bit_cast(double, (__builtin_bit_cast(uint64_t, x) & ~(low | high)) |
                                                    (__builtin_bit_cast(uint64_t, lo) & low) | (__builtin_bit_cast(uint64_t, hi) & high));
    constexpr double shifter = 6755399441055744.0;      // 1.5 * 2^52: ks's low bits hold k
    const double ks = c * 1.4426950408889634 + shifter;
    const double kf = ks - shifter;
    double r = c - kf * 6.93147180369123816490e-01;     // ln2_hi: 32 bits, so kf * ln2_hi is exact
    r = r - kf * 1.90821492927058770002e-10;            // ln2_lo
    // 1 + r + r^2 q(r), q(r) = sum_{i=2..13} r^(i-2) / i! by Estrin's scheme (pairs, then
    // pairs of pairs with r^2, r^4, r^8): six dependent steps where Horner's 26 made the loop
    // wait on latency (1.3 ns an exp on this Zen 5, against ~0.35 for its throughput).
    const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const double p23 = 1.0 / 2 + r * (1.0 / 6), p45 = 1.0 / 24 + r * (1.0 / 120);
    const double p67 = 1.0 / 720 + r * (1.0 / 5040), p89 = 1.0 / 40320 + r * (1.0 / 362880);
    const double pab = 1.0 / 3628800 + r * (1.0 / 39916800), pcd = 1.0 / 479001600 + r * (1.0 / 6227020800.0);
    const double q0 = p23 + r2 * p45, q1 = p67 + r2 * p89, q2 = pab + r2 * pcd;
    const double q = (q0 + r4 * q1) + r8 * q2;
    double y = 1.0 + (r + r2 * q);
    // k + 1023 in [1, 2046]: the low bits of ks hold k + 1.5 * 2^52, whose shifter part the shift drops.
    const double scale = __builtin_bit_cast(double, (__builtin_bit_cast(uint64_t, ks) + 1023u) << 52);
    y *= scale;
    // x > hi: +inf; x < lo: 0; NaN: x; by bit masks too (the AVX2 clone took 4.7 ns an exp with
    // selects and branches, against 0.9 for AVX-512).
    const uint64_t over = uint64_t{0} - static_cast<uint64_t>(x > hi), under = uint64_t{0} - static_cast<uint64_t>(x < lo),
                   nan = uint64_t{0} - static_cast<uint64_t>(x != x);
    uint64_t bits = __builtin_bit_cast(uint64_t, y);
    bits = (bits & ~over) | (__builtin_bit_cast(uint64_t, std::numeric_limits<double>::infinity()) & over);
    bits &= ~under;
    bits = (bits & ~nan) | (__builtin_bit_cast(uint64_t, x) & nan);
    return __builtin_bit_cast(double, bits);
}

// Branch-free double log1p for x >= 0 (and +inf, NaN) that compilers vectorise, for the same
// float kernels: fdlibm's log1p(x) = log(u) + c with u = 1 + x rounded and c = (x - (u - 1)) / u
// the rounding's first-order correction, and fdlibm's log(u): u = 2^k * m with m in
// [sqrt(2)/2, sqrt(2)), f = m - 1, s = f / (2 + f), log(m) = f - (f^2/2 - s (f^2/2 + R(s^2))).
// About 1 ulp; a tiny x (u == 1) gives x itself, as log1p does. libm's log1p is a scalar call.
NF_INLINE double log1p_fast_f64(double x) {
    const double u = 1.0 + x;
    const double c = (x - (u - 1.0)) / u;
    const uint64_t bits = __builtin_bit_cast(uint64_t, u);
    const uint64_t high = bits >> 32;
    // fdlibm's normalisation: 0x95f64 moves mantissas above sqrt(2) into the next binade.
    const uint64_t mant = high & 0xfffff, up = (mant + 0x95f64) & 0x100000;
    const double m = __builtin_bit_cast(double, ((mant | (up ^ 0x3ff00000)) << 32) | (bits & 0xffffffffu));
    const double k = static_cast<double>(static_cast<int64_t>((high >> 20) + (up >> 20)) - 1023);
    const double f = m - 1.0;
    const double s = f / (2.0 + f), z = s * s, w = z * z;
    const double t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
    const double t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
    const double R = t2 + t1, hfsq = 0.5 * f * f;
    double y = k * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + R) + k * 1.90821492927058770002e-10)) - f);
    y = y + c;
    // +inf and NaN are returned as they are, selected by bit masks: a select (x == inf ? x : y)
    // GCC turned into an early exit around the whole computation, which then never vectorised.
    const uint64_t keep = uint64_t{0} - static_cast<uint64_t>(x < std::numeric_limits<double>::infinity());
    return __builtin_bit_cast(double, (__builtin_bit_cast(uint64_t, y) & keep) | (__builtin_bit_cast(uint64_t, x) & ~keep));
}

// Doubles keep libm's exp.
template <class T>
inline T exp_of(T x) {
    if constexpr (sizeof(T) == sizeof(float)) return exp_fast(static_cast<float>(x));
    else return std::exp(x);
}

}  // namespace nf
