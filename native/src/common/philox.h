// The counter-based random numbers of every engine (formula in neuralflow.h and cpu/random.cpp):
// one definition, compiled for the CPU engine and (NF_HD) for CUDA kernels, so both produce the
// same numbers from the same seed. Callers build without fused multiply-add (-ffp-contract=off,
// nvcc --fmad=false) so `low + span * u` rounds the same everywhere.
#pragma once

#include <math.h>

#include <cstdint>

#include "common/hd.h"

namespace nf {

struct PhiloxWords {
    uint32_t w0, w1;
};

// Philox4x32-10 of counter (g & 0xffffffff, g >> 32, 0, 0) and key (seed & 0xffffffff, seed >> 32);
// the first two output words.
NF_HD inline PhiloxWords philox4x32_10(uint64_t g, uint64_t seed) {
    uint32_t c0 = static_cast<uint32_t>(g), c1 = static_cast<uint32_t>(g >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        const uint64_t p0 = static_cast<uint64_t>(0xD2511F53u) * c0;
        const uint64_t p1 = static_cast<uint64_t>(0xCD9E8D57u) * c2;
        const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
        const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
        c1 = static_cast<uint32_t>(p1);
        c3 = static_cast<uint32_t>(p0);
        c0 = n0;
        c2 = n2;
    }
    return {c0, c1};
}

constexpr double kPhilox2pow24 = 1.0 / 16777216.0;          // 2^-24
constexpr double kPhilox2pow53 = 1.0 / 9007199254740992.0;  // 2^-53

// Element g of a uniform draw in [low, low + span): 53 random bits for float64 (`full`), 24
// otherwise; integer dtypes take the floor (`floor_it`). In double, before the dtype conversion.
NF_HD inline double philox_uniform(uint64_t g, uint64_t seed, double low, double span, bool full, bool floor_it) {
    const PhiloxWords w = philox4x32_10(g, seed);
    if (full) {
        const uint64_t bits = (static_cast<uint64_t>(w.w0) << 21) | (w.w1 >> 11);
        return low + span * (static_cast<double>(bits) * kPhilox2pow53);
    }
    const double v = low + span * (static_cast<double>(w.w0 >> 8) * kPhilox2pow24);
    return floor_it ? ::floor(v) : v;
}

// Element g of a normal draw (Box-Muller on two 24-bit uniforms, u1 in (0, 1]), in double.
NF_HD inline double philox_normal(uint64_t g, uint64_t seed, double mean, double stddev) {
    const PhiloxWords w = philox4x32_10(g, seed);
    const double u1 = (static_cast<double>(w.w0 >> 8) + 1.0) * kPhilox2pow24;
    const double u2 = static_cast<double>(w.w1 >> 8) * kPhilox2pow24;
    return mean + stddev * (::sqrt(-2.0 * ::log(u1)) * ::cos(6.283185307179586 * u2));
}

}  // namespace nf
