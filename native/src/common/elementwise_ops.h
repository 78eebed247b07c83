// The elementwise operations of nf_binary and nf_unary (the ones both engines compute the same
// way): one definition for the CPU loops and (NF_HD) the CUDA kernels. Integer arithmetic wraps
// and never traps (common/intmath.h); floats propagate NaN as the header says. exp, log, sqrt,
// tanh and sigmoid are each engine's own (cpu/unary_math.h: a vectorisable exp;
// cuda/unary_math.cuh), shared there by the engine's unary kernel and its fused program.
#pragma once

#include <math.h>

#include <cstdint>
#include <type_traits>

#include "common/hd.h"
#include "common/intmath.h"

namespace nf {
namespace ops {

NF_HD inline float libm_pow(float a, float b) { return ::powf(a, b); }
NF_HD inline double libm_pow(double a, double b) { return ::pow(a, b); }

// Float pow with PyTorch's exact cases (x^2 = x*x, x^3 = x*x*x, x^-1 = 1/x, x^-2 = 1/(x*x)), the same
// bits on every engine: CUDA's pow and the C runtime's are each within an ulp or two of x^-1 but
// not always equal (a real GPU's 2^-1 differed from the CPU engine's). IEEE's special values
// (signed zeros, infinities, NaN) come out as pow gives them. Other exponents: the math library.
// The managed engine's PowFloatOp (Backends/Managed/Binary.cs) has the same cases.
template <class T>
NF_HD inline T pow_of(T a, T b) {
    if (b == T(2)) return a * a;
    if (b == T(3)) return a * a * a;
    if (b == T(-1)) return T(1) / a;
    if (b == T(-2)) return T(1) / (a * a);
    return libm_pow(a, b);
}

// ---- issue 16: Python's integer division and remainders. Integers: b == 0 gives 0 (the C#
// layer refuses such calls before they get here) and MIN / -1 wraps to MIN; never a trap.
template <class T> NF_HD inline T safe_rem(T a, T b) {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
        if (b == -1) return 0;  // MIN % -1 traps on x86
    }
    return static_cast<T>(a % b);
}

NF_HD inline float fmod_of(float a, float b) { return ::fmodf(a, b); }
NF_HD inline double fmod_of(double a, double b) { return ::fmod(a, b); }
NF_HD inline float floor_of(float a) { return ::floorf(a); }
NF_HD inline double floor_of(double a) { return ::floor(a); }
NF_HD inline float copysign_of(float a, float b) { return ::copysignf(a, b); }
NF_HD inline double copysign_of(double a, double b) { return ::copysign(a, b); }

// The float remainder with the divisor's sign; a zero remainder takes the divisor's sign too
// (NumPy's npy_divmod, CPython's float_divmod).
template <class T> NF_HD inline T float_floor_mod(T a, T b) {
    T mod = fmod_of(a, b);
    if (mod != T(0)) {
        if ((b < T(0)) != (mod < T(0))) mod += b;
    } else {
        mod = copysign_of(T(0), b);
    }
    return mod;
}

// NumPy's floor_divide for floats (CPython's float_divmod): (a - fmod(a, b)) / b is exact to
// within rounding, so a == b * q + floor_mod(a, b) holds even where floor(a / b) is off by one
// (1.0 // 0.1 is 9, floor(1.0 / 0.1) is 10). b == 0 gives a / b (inf or NaN), as NumPy.
template <class T> NF_HD inline T float_floor_div(T a, T b) {
    if (b == T(0)) return a / b;
    T mod = fmod_of(a, b);
    T div = (a - mod) / b;
    if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
    if (div == T(0)) return copysign_of(T(0), a / b);
    T q = floor_of(div);
    if (div - q > T(0.5)) q += T(1);
    return q;
}

// Python's rounding of integer quotients: one down where the remainder is non-zero and the
// signs differ. Unsigned types have nothing to adjust.
template <class T> NF_HD inline T int_floor_div(T a, T b) {
    const T q = safe_div(a, b);
    if constexpr (std::is_signed_v<T>) {
        if (safe_rem(a, b) != 0 && ((a < 0) != (b < 0))) return wrap_sub(q, T(1));
    }
    return q;
}
template <class T> NF_HD inline T int_floor_mod(T a, T b) {
    const T r = safe_rem(a, b);
    if constexpr (std::is_signed_v<T>) {
        if (r != 0 && ((r < 0) != (b < 0))) return wrap_add(r, b);
    }
    return r;
}

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
NF_ARITH_OP(FloorDiv, float_floor_div(a, b), int_floor_div(a, b))  // issue 16
NF_ARITH_OP(FloorMod, float_floor_mod(a, b), int_floor_mod(a, b))
NF_ARITH_OP(TruncateMod, fmod_of(a, b), safe_rem(a, b))
// NaN propagates from either side (a NaN makes both comparisons false, so `a != a` picks it).
NF_ARITH_OP(Maximum, (a > b || a != a) ? a : b, a > b ? a : b)
NF_ARITH_OP(Minimum, (a < b || a != a) ? a : b, a < b ? a : b)
#undef NF_ARITH_OP

// ---- bitwise ops: integers and bool only (NF_EW_BITS_BOOL / NF_EW_BITS in the list), so these
// are never instantiated for floats. On bool's 0/1 bytes &, | and ^ stay 0/1.
struct BitwiseAnd { template <class T> using Out = T; template <class T> NF_HD static T f(T a, T b) { return static_cast<T>(a & b); } };
struct BitwiseOr { template <class T> using Out = T; template <class T> NF_HD static T f(T a, T b) { return static_cast<T>(a | b); } };
struct BitwiseXor { template <class T> using Out = T; template <class T> NF_HD static T f(T a, T b) { return static_cast<T>(a ^ b); } };

// NumPy's npy_lshift / npy_rshift: the count is read as unsigned, so a negative count is as
// out of range as one >= the bit width; there << gives 0 and >> gives the sign fill (-1 for
// negative signed a, else 0), where C's shift is undefined. << shifts the unsigned bits (a
// negative a is no UB) and wraps; >> of a signed value is arithmetic.
struct LeftShift {
    template <class T> using Out = T;
    template <class T> NF_HD static T f(T a, T b) {
        using U = Unsigned<T>;
        if (static_cast<uint64_t>(static_cast<U>(b)) >= sizeof(T) * 8) return T(0);
        return static_cast<T>(static_cast<U>(static_cast<U>(a) << static_cast<U>(b)));
    }
};
struct RightShift {
    template <class T> using Out = T;
    template <class T> NF_HD static T f(T a, T b) {
        using U = Unsigned<T>;
        if (static_cast<uint64_t>(static_cast<U>(b)) >= sizeof(T) * 8) {
            if constexpr (std::is_signed_v<T>) return a < 0 ? T(-1) : T(0);
            else return T(0);
        }
        return static_cast<T>(a >> static_cast<U>(b));
    }
};

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


// ---- issue 16: rounding, trigonometry and friends (float32/float64 only, flag 0 in the list).
// The float overload calls the C library's float function (fast on both engines); the double
// overload the double one. rint rounds half to even in the default rounding mode, which is
// tf.round's and np.round's rule (round() would round half away from zero).
#define NF_FLOAT_FN(Name, ffn, dfn)                                                     \
    struct Name {                                                                      \
        template <class T> NF_HD static T f(T x) {                                     \
            if constexpr (std::is_same_v<T, float>) return ffn(x);                     \
            else return dfn(x);                                                        \
        }                                                                              \
    };
NF_FLOAT_FN(Floor, ::floorf, ::floor)
NF_FLOAT_FN(Ceil, ::ceilf, ::ceil)
NF_FLOAT_FN(Round, ::rintf, ::rint)
NF_FLOAT_FN(Sin, ::sinf, ::sin)
NF_FLOAT_FN(Cos, ::cosf, ::cos)
NF_FLOAT_FN(Log1p, ::log1pf, ::log1p)
NF_FLOAT_FN(Expm1, ::expm1f, ::expm1)
NF_FLOAT_FN(Erf, ::erff, ::erf)
NF_FLOAT_FN(Erfc, ::erfcf, ::erfc)
#undef NF_FLOAT_FN

NF_HD inline float exp_std(float x) { return ::expf(x); }
NF_HD inline double exp_std(double x) { return ::exp(x); }

// 1 / sqrt(x) correctly rounded per step (CUDA's rsqrt intrinsic is only within 2 ulp).
struct Rsqrt {
    template <class T> NF_HD static T f(T x) {
        if constexpr (std::is_same_v<T, float>) return 1.0f / ::sqrtf(x);
        else return 1.0 / ::sqrt(x);
    }
};

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exp only of a non-positive number (never overflows),
// and log1p keeps the tiny values of the left tail (e^x for x << 0) exact. NaN takes the second
// branch and stays NaN.
struct Softplus {
    template <class T> NF_HD static T f(T x) {
        if (x > T(0)) return x + Log1p::f(exp_std(-x));
        return Log1p::f(exp_std(x));
    }
};

}  // namespace ops
}  // namespace nf
