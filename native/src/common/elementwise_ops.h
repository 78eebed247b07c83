// The elementwise operations of nf_binary and nf_unary (the ones both engines compute the same
// way): one definition for the CPU loops and (NF_HD) the CUDA kernels. Integer arithmetic wraps
// and never traps (common/intmath.h); floats propagate NaN as the header says. exp, log, sqrt,
// tanh and sigmoid stay with each engine (the CPU has its own vectorisable exp).
#pragma once

#include <math.h>

#include <cstdint>
#include <type_traits>

#include "common/hd.h"
#include "common/intmath.h"

namespace nf {
namespace ops {

NF_HD inline float pow_of(float a, float b) { return ::powf(a, b); }
NF_HD inline double pow_of(double a, double b) { return ::pow(a, b); }

// Each op is a struct with a static f(); `Out` is the result type for storage type T.
// Kept branch-light so the CPU's contiguous loops vectorise.
#define NF_ARITH_OP(Name, float_expr, int_expr)                                   \
    struct Name {                                                                 \
        template <class T> using Out = T;                                         \
        template <class T> NF_HD static inline T f(T a, T b) {                    \
            if constexpr (std::is_floating_point_v<T>) return float_expr;         \
            else return int_expr;                                                 \
        }                                                                         \
    };
NF_ARITH_OP(Add, a + b, wrap_add(a, b))
NF_ARITH_OP(Sub, a - b, wrap_sub(a, b))
NF_ARITH_OP(Mul, a * b, wrap_mul(a, b))
NF_ARITH_OP(Div, a / b, safe_div(a, b))
NF_ARITH_OP(Pow, pow_of(a, b), int_pow(a, b))
// NaN propagates from either side (a NaN makes both comparisons false, so `a != a` picks it).
NF_ARITH_OP(Maximum, (a > b || a != a) ? a : b, a > b ? a : b)
NF_ARITH_OP(Minimum, (a < b || a != a) ? a : b, a < b ? a : b)
#undef NF_ARITH_OP

#define NF_CMP_OP(Name, expr)                                                                          \
    struct Name {                                                                                      \
        template <class T> using Out = uint8_t;                                                        \
        template <class T> NF_HD static inline uint8_t f(T a, T b) { return static_cast<uint8_t>(expr); } \
    };
NF_CMP_OP(Equal, a == b)
NF_CMP_OP(NotEqual, a != b)
NF_CMP_OP(Less, a < b)
NF_CMP_OP(LessEqual, a <= b)
NF_CMP_OP(Greater, a > b)
NF_CMP_OP(GreaterEqual, a >= b)
#undef NF_CMP_OP

template <class T> constexpr bool is_float = std::is_floating_point_v<T>;

struct Neg { template <class T> NF_HD static T f(T x) { if constexpr (is_float<T>) return -x; else return wrap_neg(x); } };
struct Abs {
    template <class T> NF_HD static T f(T x) {
        if constexpr (std::is_same_v<T, float>) return ::fabsf(x);
        else if constexpr (is_float<T>) return ::fabs(x);
        else if constexpr (std::is_signed_v<T>) return x < 0 ? wrap_neg(x) : x;  // INT_MIN stays INT_MIN
        else return x;
    }
};
struct Square { template <class T> NF_HD static T f(T x) { if constexpr (is_float<T>) return x * x; else return wrap_mul(x, x); } };
// `x < 0 ? 0 : x` rather than max(x, 0): NaN fails the comparison and is passed through.
struct Relu {
    template <class T> NF_HD static T f(T x) {
        if constexpr (std::is_unsigned_v<T>) return x;
        else return x < T(0) ? T(0) : x;
    }
};
struct Sign {
    template <class T> NF_HD static T f(T x) {
        if constexpr (is_float<T>) {
            if (x != x) return x;
        }
        if constexpr (std::is_unsigned_v<T>) return static_cast<T>(x != 0);
        else return static_cast<T>((T(0) < x) - (x < T(0)));
    }
};

}  // namespace ops
}  // namespace nf
