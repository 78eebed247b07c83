// The CUDA engine's float unary functions that it computes its own way (CUDA's exp, log, sqrt,
// tanh; sigmoid from exp), shared by nf_cuda_unary (cuda/unary.cu) and the fused elementwise
// program (cuda/fused.cu), so a fused step gives the unfused kernel's bits by construction
// (issue 17). Both files build with --fmad=false (cuda/CMakeLists.txt): the same functions under
// the same contraction rule. The ops both engines share are common/elementwise_ops.h.
#pragma once

#include "common/elementwise_ops.h"

namespace nf {
namespace cuda {
namespace math {

using namespace ops;  // Neg, Abs, Square, Relu, Sign, Floor, ..., Softplus: the CPU engine's too

struct Exp { template <class T> __device__ static T f(T x) { return exp(x); } };
struct Log { template <class T> __device__ static T f(T x) { return log(x); } };
struct Sqrt { template <class T> __device__ static T f(T x) { return sqrt(x); } };
struct Tanh { template <class T> __device__ static T f(T x) { return tanh(x); } };
// Stable on both tails: exp only of a non-positive number.
struct Sigmoid {
    template <class T> __device__ static T f(T x) {
        if (x >= T(0)) return T(1) / (T(1) + exp(-x));
        const T e = exp(x);
        return e / (T(1) + e);
    }
};

}  // namespace math
}  // namespace cuda
}  // namespace nf
