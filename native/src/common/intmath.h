// Integer arithmetic without undefined behaviour: wraps like two's complement hardware
// (done in the unsigned type) and never traps (x / 0 and INT_MIN / -1 are defined here).
//
// Also the overflow-checked arithmetic of sizes (element counts, byte counts, extents): every
// such product or sum over caller-supplied shapes, strides and counts goes through
// add_overflows / mul_overflows, so a bogus argument is reported instead of wrapping into a
// small, plausible size that then passes the checks.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "common/hd.h"

namespace nf {

template <class T>
using Unsigned = std::make_unsigned_t<T>;

template <class T> NF_HD inline T wrap_add(T a, T b) { return static_cast<T>(static_cast<Unsigned<T>>(a) + static_cast<Unsigned<T>>(b)); }
template <class T> NF_HD inline T wrap_sub(T a, T b) { return static_cast<T>(static_cast<Unsigned<T>>(a) - static_cast<Unsigned<T>>(b)); }
template <class T> NF_HD inline T wrap_mul(T a, T b) {
    // uint8 promotes to int; 255 * 255 fits, so the product is exact before wrapping.
    return static_cast<T>(static_cast<Unsigned<T>>(a) * static_cast<Unsigned<T>>(b));
}
template <class T> NF_HD inline T wrap_neg(T a) { return wrap_sub(T(0), a); }

// Truncating division; x / 0 gives 0 and INT_MIN / -1 wraps to INT_MIN.
template <class T> NF_HD inline T safe_div(T a, T b) {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
        if (b == -1) return wrap_neg(a);
    }
    return static_cast<T>(a / b);
}

// Repeated squaring with wrap-around; a negative exponent gives 0 unless |base| is 1.
template <class T> NF_HD inline T int_pow(T base, T exp) {
    if constexpr (std::is_signed_v<T>) {
        if (exp < 0) {
            if (base == 1) return 1;
            if (base == -1) return (exp & 1) ? T(-1) : T(1);
            return 0;
        }
    }
    T result = 1;
    while (exp != 0) {
        if (exp & 1) result = wrap_mul(result, base);
        exp = static_cast<T>(exp >> 1);
        if (exp != 0) base = wrap_mul(base, base);
    }
    return result;
}

// True when a + b (resp. a * b) does not fit T; otherwise stores it in *out. Host only (argument
// checks and allocators). GCC/Clang: the compiler builtins; MSVC: the CERT INT30/32-C tests.
template <class T> inline bool add_overflows(T a, T b, T* out) {
    static_assert(std::is_integral_v<T>, "integers only");
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_add_overflow(a, b, out);
#else
    constexpr T hi = std::numeric_limits<T>::max(), lo = std::numeric_limits<T>::min();
    if (b > 0 ? a > hi - b : (std::is_signed_v<T> && a < lo - b)) return true;
    *out = static_cast<T>(a + b);
    return false;
#endif
}

template <class T> inline bool mul_overflows(T a, T b, T* out) {
    static_assert(std::is_integral_v<T>, "integers only");
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_mul_overflow(a, b, out);
#else
    constexpr T hi = std::numeric_limits<T>::max(), lo = std::numeric_limits<T>::min();
    bool over;
    if (a == 0 || b == 0) over = false;
    else if constexpr (!std::is_signed_v<T>) over = a > hi / b;
    else if (a > 0) over = b > 0 ? a > hi / b : b < lo / a;
    else over = b > 0 ? a < lo / b : b < hi / a;
    if (over) return true;
    *out = static_cast<T>(a * b);
    return false;
#endif
}

// a * b for non-negative work estimates (parallel cost factors): saturates at INT64_MAX.
inline int64_t sat_mul(int64_t a, int64_t b) {
    int64_t r;
    return mul_overflows(a, b, &r) ? std::numeric_limits<int64_t>::max() : r;
}

}  // namespace nf
