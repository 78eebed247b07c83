// The one list of nf_binary / nf_unary ops. Both engines' dispatch switches (cpu/binary.cpp,
// cpu/unary.cpp, cuda/binary.cu, cuda/unary.cu) and the argument checks (common/checks.cpp:
// valid op, name, which dtypes) are expanded from it, so a new elementwise op is one enum value
// in the C headers, one line here and its functor (common/elementwise_ops.h when both engines
// compute it the same way, else a struct of that name in each engine's unary/binary file).
//
// X(enum, Functor, "name", flag, cpu_cost):
//  * binary flag, the dtypes the op takes (binary_takes_bool / binary_takes_floats below, the
//    one reading of it for checks.cpp and both engines' dispatch):
//      0: floats and integers;
//      1: floats, integers and NF_BOOL (0/1 bytes: maximum/minimum are or/and, comparisons compare);
//      NF_EW_BITS_BOOL: integers and NF_BOOL, never floats (bitwise and/or/xor: on 0/1 bytes
//        they are the logical ops);
//      NF_EW_BITS: integers only (shifts: a bool shifted is no longer 0/1);
//    an op never instantiated for floats may use integer-only operators in its functor;
//  * unary flag: the op takes integer dtypes (not NF_BOOL) as well as floats;
//  * cpu_cost: work per element in adds (cpu/parallel.h: how finely the pool splits it).
#pragma once

#define NF_EW_BITS_BOOL 2
#define NF_EW_BITS 3

namespace nf {
constexpr bool binary_takes_bool(int flag) { return flag == 1 || flag == NF_EW_BITS_BOOL; }
constexpr bool binary_takes_floats(int flag) { return flag != NF_EW_BITS_BOOL && flag != NF_EW_BITS; }
}  // namespace nf

#define NF_BINARY_OPS(X)                                   \
    X(NF_BINARY_ADD, Add, "add", 0, 1)                     \
    X(NF_BINARY_SUB, Sub, "sub", 0, 1)                     \
    X(NF_BINARY_MUL, Mul, "mul", 0, 1)                     \
    X(NF_BINARY_DIV, Div, "div", 0, 1)                     \
    X(NF_BINARY_POW, Pow, "pow", 0, 16)                    \
    X(NF_BINARY_MAXIMUM, Maximum, "maximum", 1, 1)         \
    X(NF_BINARY_MINIMUM, Minimum, "minimum", 1, 1)         \
    X(NF_BINARY_EQUAL, Equal, "equal", 1, 1)               \
    X(NF_BINARY_NOT_EQUAL, NotEqual, "not_equal", 1, 1)    \
    X(NF_BINARY_LESS, Less, "less", 1, 1)                  \
    X(NF_BINARY_LESS_EQUAL, LessEqual, "less_equal", 1, 1) \
    X(NF_BINARY_GREATER, Greater, "greater", 1, 1)         \
    X(NF_BINARY_GREATER_EQUAL, GreaterEqual, "greater_equal", 1, 1) \
    /* issue 16 */                                                  \
    X(NF_BINARY_FLOOR_DIV, FloorDiv, "floor_div", 0, 4)             \
    X(NF_BINARY_FLOOR_MOD, FloorMod, "floor_mod", 0, 4)             \
    X(NF_BINARY_TRUNCATE_MOD, TruncateMod, "truncate_mod", 0, 4)   \
    /* bitwise */                                                   \
    X(NF_BINARY_BITWISE_AND, BitwiseAnd, "bitwise_and", NF_EW_BITS_BOOL, 1) \
    X(NF_BINARY_BITWISE_OR, BitwiseOr, "bitwise_or", NF_EW_BITS_BOOL, 1)    \
    X(NF_BINARY_BITWISE_XOR, BitwiseXor, "bitwise_xor", NF_EW_BITS_BOOL, 1) \
    X(NF_BINARY_LEFT_SHIFT, LeftShift, "left_shift", NF_EW_BITS, 1)         \
    X(NF_BINARY_RIGHT_SHIFT, RightShift, "right_shift", NF_EW_BITS, 1)

#define NF_UNARY_OPS(X)                              \
    X(NF_UNARY_NEG, Neg, "neg", 1, 1)                \
    X(NF_UNARY_ABS, Abs, "abs", 1, 1)                \
    X(NF_UNARY_EXP, Exp, "exp", 0, 8)                \
    X(NF_UNARY_LOG, Log, "log", 0, 8)                \
    X(NF_UNARY_SQRT, Sqrt, "sqrt", 0, 2)             \
    X(NF_UNARY_SQUARE, Square, "square", 1, 1)       \
    X(NF_UNARY_RELU, Relu, "relu", 1, 1)             \
    X(NF_UNARY_SIGMOID, Sigmoid, "sigmoid", 0, 10)   \
    X(NF_UNARY_TANH, Tanh, "tanh", 0, 10)            \
    X(NF_UNARY_SIGN, Sign, "sign", 1, 1)             \
    /* issue 16 */                                   \
    X(NF_UNARY_FLOOR, Floor, "floor", 0, 1)          \
    X(NF_UNARY_CEIL, Ceil, "ceil", 0, 1)             \
    X(NF_UNARY_ROUND, Round, "round", 0, 1)          \
    X(NF_UNARY_SIN, Sin, "sin", 0, 10)               \
    X(NF_UNARY_COS, Cos, "cos", 0, 10)               \
    X(NF_UNARY_LOG1P, Log1p, "log1p", 0, 10)         \
    X(NF_UNARY_EXPM1, Expm1, "expm1", 0, 10)         \
    X(NF_UNARY_RSQRT, Rsqrt, "rsqrt", 0, 2)          \
    X(NF_UNARY_ERF, Erf, "erf", 0, 12)               \
    X(NF_UNARY_SOFTPLUS, Softplus, "softplus", 0, 16) \
    X(NF_UNARY_ERFC, Erfc, "erfc", 0, 12)
