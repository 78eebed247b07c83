// Integer arithmetic without undefined behaviour: wraps like two's complement hardware
// (done in the unsigned type) and never traps (x / 0 and INT_MIN / -1 are defined here).
#pragma once

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

}  // namespace nf
