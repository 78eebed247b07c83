// Issue 17: the fused elementwise program (nf_fused_elementwise). The one list of the ops a
// program may use and the one definition of what a step computes, for the CPU engine's blocked
// loops (cpu/fused.cpp), the CUDA engine's one-thread-per-element kernel (cuda/fused.cu) and the
// argument checks (common/fused_program.cpp). The managed backend mirrors the list in
// src/NeuralFlow/Backends/Managed/FusedProgram.cs.
//
// Only ops whose functor both engines share (common/elementwise_ops.h) are listed: a step then
// computes exactly what nf_binary / nf_unary computes, so a fused replay is bit for bit the
// unfused one. (exp, log, tanh, sigmoid, sqrt stay with each engine's own loops.)
#pragma once

#include <cstdint>

#include "common/elementwise_ops.h"
#include "common/hd.h"
#include "neuralflow.h"

// X(enum, Functor)
#define NF_FUSED_BINARY_OPS(X)                                                             \
    X(NF_BINARY_ADD, Add) X(NF_BINARY_SUB, Sub) X(NF_BINARY_MUL, Mul) X(NF_BINARY_DIV, Div) \
    X(NF_BINARY_MAXIMUM, Maximum) X(NF_BINARY_MINIMUM, Minimum)                           \
    X(NF_BINARY_EQUAL, Equal) X(NF_BINARY_NOT_EQUAL, NotEqual) X(NF_BINARY_LESS, Less)    \
    X(NF_BINARY_LESS_EQUAL, LessEqual) X(NF_BINARY_GREATER, Greater)                      \
    X(NF_BINARY_GREATER_EQUAL, GreaterEqual)

#define NF_FUSED_UNARY_OPS(X) \
    X(NF_UNARY_NEG, Neg) X(NF_UNARY_ABS, Abs) X(NF_UNARY_SQUARE, Square) X(NF_UNARY_RELU, Relu) X(NF_UNARY_SIGN, Sign)

namespace nf {

// A comparison's uint8_t becomes 0 or 1 of T (what nf_cast of the bool gives); arithmetic
// results pass through unchanged.
template <class Op, class T>
NF_HD inline T fused_binary_step(T a, T b) {
    return static_cast<T>(Op::f(a, b));
}

// One step on one element. The switch is expanded from the lists above.
template <class T>
NF_HD inline T fused_step(const nf_fused_step& s, T a, T b) {
    if (s.kind == NF_FUSED_BINARY) {
        switch (s.op) {
#define NF_CASE(E, Op) \
            case E: return fused_binary_step<ops::Op, T>(a, b);
            NF_FUSED_BINARY_OPS(NF_CASE)
#undef NF_CASE
        }
    } else {
        switch (s.op) {
#define NF_CASE(E, Op) \
            case E: return ops::Op::f(a);
            NF_FUSED_UNARY_OPS(NF_CASE)
#undef NF_CASE
        }
    }
    return a;  // unreachable: check_fused refused any other op
}

// Runs a checked program on one element: regs[0..inputs) hold the inputs; returns the last step's value.
template <class T>
NF_HD inline T fused_eval(const nf_fused_step* steps, int step_count, int input_count, T* regs) {
    for (int s = 0; s < step_count; ++s)
        regs[input_count + s] = fused_step<T>(steps[s], regs[steps[s].a], regs[steps[s].kind == NF_FUSED_BINARY ? steps[s].b : steps[s].a]);
    return regs[input_count + step_count - 1];
}

// The argument checks of nf_fused_elementwise and nf_cuda_fused_elementwise; returns the element count.
int64_t check_fused(const char* fn, nf_dtype dtype, int32_t input_count, const void* const* inputs,
                    const nf_layout* input_layouts, int32_t step_count, const nf_fused_step* steps, const void* out,
                    const nf_layout* out_layout);

}  // namespace nf
