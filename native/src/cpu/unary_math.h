// The CPU engine's float unary functions that it computes its own way (exp through the
// vectorisable exp_fast of cpu/fastmath.h; log, sqrt and tanh from the C library) and the one
// contiguous loop of every unary op. Both nf_unary (cpu/unary.cpp) and the fused elementwise
// program (cpu/fused.cpp) call unary_span, so a fused exp or sigmoid gives the bits of the
// unfused call by construction (issue 17). The ops both engines share are common/elementwise_ops.h.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "common/elementwise_ops.h"
#include "cpu/fastmath.h"
#include "cpu/simd.h"

namespace nf {
namespace cpu_math {

using namespace ops;  // Neg, Abs, Square, Relu, Sign, Floor, ..., Softplus

struct Exp { template <class T> static T f(T x) { return exp_of(x); } };
struct Log { template <class T> static T f(T x) { return std::log(x); } };
struct Sqrt { template <class T> static T f(T x) { return std::sqrt(x); } };
struct Tanh { template <class T> static T f(T x) { return std::tanh(x); } };
// Stable on both tails: exp is only ever taken of a non-positive number, so it never
// overflows, and 1 - sigmoid(|x|) cancellation is avoided by computing e / (1 + e) directly.
struct Sigmoid {
    template <class T> static T f(T x) {
        if (x >= T(0)) return T(1) / (T(1) + exp_of(-x));
        const T e = exp_of(x);
        return e / (T(1) + e);
    }
};

template <class Op, class T>
NF_INLINE void contiguous(const T* x, T* o, int64_t n) {
    for (int64_t i = 0; i < n; ++i) o[i] = Op::f(x[i]);
}

// The float ops that are arithmetic, not memory, bound: compiled once per SIMD level
// (cpu/simd.h; defined in cpu/unary.cpp). The build never contracts into FMA, so every clone
// and the scalar strided loop give the same bits.
void exp_f32(const float* x, float* o, int64_t n);
void sigmoid_f32(const float* x, float* o, int64_t n);

// o[i] = Op(x[i]) over n unit-stride elements: the one loop of nf_unary and of a fused step.
template <class Op, class T>
inline void unary_span(const T* x, T* o, int64_t n) {
    if constexpr (std::is_same_v<T, float> && std::is_same_v<Op, Exp>) exp_f32(x, o, n);
    else if constexpr (std::is_same_v<T, float> && std::is_same_v<Op, Sigmoid>) sigmoid_f32(x, o, n);
    else contiguous<Op>(x, o, n);
}

}  // namespace cpu_math
}  // namespace nf
