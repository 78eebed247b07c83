// float16 (IEEE binary16) storage for nf_cast, nf_copy and nf_fill, the only kernels that see
// NF_FLOAT16: every other kernel refuses it, as the library upcasts float16 operands to float32
// before a kernel runs. The conversions are plain integer bit work (no F16C or __half
// intrinsics), so the CPU engine, the CUDA kernels and the CUDA emulator round identically:
// to nearest even, overflow to inf, NaN kept (quieted), subnormals exact.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/hd.h"

namespace nf {

// One float16 element: its bits. A distinct type so cast dispatch can tell it from uint16_t.
struct Half {
    uint16_t bits;
};

// The float16 nearest to x (ties to even), rounded once from the double: a float source is
// widened to double exactly first, so float and double sources share this one rounding.
NF_HD inline uint16_t half_bits_from_double(double x) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    const uint16_t sign = static_cast<uint16_t>((b >> 48) & 0x8000u);
    const int exp = static_cast<int>((b >> 52) & 0x7ff);
    const uint64_t mant = b & 0xFFFFFFFFFFFFFull;
    if (exp == 0x7ff)  // inf, or NaN with its top payload bits kept and the quiet bit set
        return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u | static_cast<uint16_t>(mant >> 42) : 0u));
    const int e = exp - 1023 + 15;  // the biased float16 exponent
    if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
    if (e < -10) return sign;  // below 2^-25: rounds to zero
    // Drop the low bits of the 53-bit significand: 42 for a normal result, more for a subnormal.
    const uint64_t m = e > 0 ? mant : (mant | (1ull << 52));
    const int shift = e > 0 ? 42 : 43 - e;
    uint32_t h = static_cast<uint32_t>(m >> shift) | (e > 0 ? static_cast<uint32_t>(e) << 10 : 0u);
    const uint64_t rest = m & ((1ull << shift) - 1), halfway = 1ull << (shift - 1);
    if (rest > halfway || (rest == halfway && (h & 1u))) ++h;  // a carry may reach the exponent (or inf): still right
    return static_cast<uint16_t>(sign | h);
}

// The float16's exact value as a float.
NF_HD inline float half_bits_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else if (exp == 0) {
        const float f = static_cast<float>(mant) * 5.9604644775390625e-8f;  // mant * 2^-24, exact
        return sign ? -f : f;
    } else {
        bits = sign | ((exp + 112u) << 23) | (mant << 13);  // rebias 15 -> 127
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

}  // namespace nf
