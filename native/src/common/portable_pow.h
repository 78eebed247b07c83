// x^y computed from IEEE basic operations alone (+ - * /, floor, exact scaling by powers of two),
// so that the CPU, CUDA and managed engines get the very same bits. libm's pow and CUDA's pow are
// each accurate but differ in the last bits, and an optimizer state raised to a power every step
// (Ftrl's accumulator to -lr_power) then drifts between engines; found on a real H200, where the
// CUDA engine's Ftrl with lr_power -0.2 differed from the CPU engine's in 1 of 10 elements.
// The managed engine has the same steps in Backends/Managed/PortablePow.cs: change both together.
// Accuracy: a few double ulps while |y log x| stays below ~700 (a float caller rounds it once).
// The engines compile these files without fused multiply-add (-ffp-contract=off, --fmad=false).
#pragma once

#include <cmath>
#include <limits>

#include "common/hd.h"

namespace nf {

NF_HD inline double portable_pow(double x, double y) {
    if (y == 0.0 || x == 1.0) return 1.0;
    if (x != x || y != y) return x + y;  // NaN in, NaN out
    if (x < 0.0) return std::numeric_limits<double>::quiet_NaN();  // only x >= 0 is needed (an accumulator)
    if (x == 0.0) return y > 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
    if (x > 1.79769313486231570e308) return y > 0.0 ? x : 0.0;  // x = +inf
    // log x = e ln2 + log m with m in [sqrt(1/2), sqrt(2)): ilogb/scalbn split x exactly.
    int e = ::ilogb(x);
    double m = ::scalbn(x, -e);  // [1, 2)
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e += 1;
    }
    // log m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| <= 0.1716: the s^25 term is below 2^-60.
    const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    double series = 0.0;
    for (int k = 23; k >= 1; k -= 2) series = series * s2 + 1.0 / k;
    // ln 2 in two parts; the high part has 21 trailing zero bits, so e * ln2_hi is exact.
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double t = y * (e * ln2_hi) + y * (e * ln2_lo + 2.0 * s * series);
    if (t > 709.782712893384) return std::numeric_limits<double>::infinity();
    if (t < -745.1332191019412) return 0.0;
    // exp t = 2^k exp r, |r| <= ln2 / 2; exp r = 1 + r (1 + r/2 (1 + r/3 (...))) to r^15/15! < 2^-60.
    const double k = ::floor(t * 1.4426950408889634 + 0.5);
    const double r = (t - k * ln2_hi) - k * ln2_lo;
    double p = 1.0;
    for (int n = 15; n >= 1; --n) p = 1.0 + (r / n) * p;
    return ::scalbn(p, static_cast<int>(k));
}

}  // namespace nf
