// Issue 17: the fused elementwise program (nf_fused_elementwise). The one list of the ops a
// program may use, for the CPU engine's blocked loops (cpu/fused.cpp), the CUDA engine's
// one-thread-per-element kernel (cuda/fused.cu) and the argument checks
// (common/fused_program.cpp). The managed backend mirrors the list in
// src/NeuralFlow/Backends/FusedProgram.cs.
//
// A step computes exactly what nf_binary / nf_unary computes on the same engine, so a fused
// replay is bit for bit the unfused one: the binary ops listed are common/elementwise_ops.h's
// functors, which both engines share; every unary op runs the engine's own definition, the one
// its nf_unary uses (CPU: cpu/unary_math.h, exp_fast and its vector loops included; CUDA:
// cuda/unary_math.cuh, built with --fmad=false in both unary.cu and fused.cu).
#pragma once

#include <cstdint>
#include <type_traits>

#include "common/elementwise_list.h"
#include "common/elementwise_ops.h"
#include "common/hd.h"
#include "neuralflow.h"

// X(enum, Functor, ...): the expansions take the rest of NF_UNARY_OPS' entries as variadic.
#define NF_FUSED_BINARY_OPS(X)                                                             \
    X(NF_BINARY_ADD, Add) X(NF_BINARY_SUB, Sub) X(NF_BINARY_MUL, Mul) X(NF_BINARY_DIV, Div) \
    X(NF_BINARY_MAXIMUM, Maximum) X(NF_BINARY_MINIMUM, Minimum)                           \
    X(NF_BINARY_EQUAL, Equal) X(NF_BINARY_NOT_EQUAL, NotEqual) X(NF_BINARY_LESS, Less)    \
    X(NF_BINARY_LESS_EQUAL, LessEqual) X(NF_BINARY_GREATER, Greater)                      \
    X(NF_BINARY_GREATER_EQUAL, GreaterEqual)

// Every nf_unary op (all are defined on float32 and float64, the dtypes of a program).
#define NF_FUSED_UNARY_OPS(X) NF_UNARY_OPS(X)

namespace nf {

// A comparison's uint8_t becomes 0 or 1 of T (what nf_cast of the bool gives); arithmetic
// results pass through unchanged. The comparison is written as a select of 1 or 0, not a
// conversion of the uint8_t: the same values, but compilers turn the select into a vector
// compare and mask, where the byte-to-float conversion kept the CPU loop scalar (8 us for a
// 256 x 50 relu gradient, against 1 us for the whole program once vectorised).
template <class Op, class T>
NF_HD inline T fused_binary_step(T a, T b) {
    if constexpr (std::is_same_v<decltype(Op::f(a, b)), uint8_t>) return Op::f(a, b) ? T(1) : T(0);
    else return static_cast<T>(Op::f(a, b));
}

// The argument checks of nf_fused_elementwise and nf_cuda_fused_elementwise; returns the element count.
int64_t check_fused(const char* fn, nf_dtype dtype, int32_t input_count, const void* const* inputs,
                    const nf_layout* input_layouts, int32_t step_count, const nf_fused_step* steps, const void* out,
                    const nf_layout* out_layout);

}  // namespace nf
