// nf_cuda_fused_elementwise: a replay's chain of elementwise calls in one launch (issue 17), one
// thread per element through the elementwise launcher (cuda/elementwise.cuh). The program
// travels in the kernel's parameters; each thread runs it on its element with the steps of
// common/fused_program.h, the functors nf_cuda_binary / nf_cuda_unary apply (the unary ones from
// cuda/unary_math.cuh, as unary.cu). fused.cu builds with --fmad=false: a mul then an add round
// twice, as the two unfused kernels did.
#include <cstdint>

#include "common/fused_program.h"
#include "cuda/elementwise.cuh"
#include "cuda/unary_math.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

constexpr int kOperands = NF_FUSED_MAX_INPUTS + 1;  // out, then the inputs

// One step on one element; the switches come from the lists of common/fused_program.h.
template <class T>
__device__ T fused_step(const nf_fused_step& s, T a, T b) {
    if (s.kind == NF_FUSED_BINARY) {
        switch (s.op) {
#define NF_CASE(E, Op, ...) \
            case E: return fused_binary_step<ops::Op, T>(a, b);
            NF_FUSED_BINARY_OPS(NF_CASE)
#undef NF_CASE
        }
    } else {
        switch (s.op) {
#define NF_CASE(E, Op, ...) \
            case E: return math::Op::template f<T>(a);
            NF_FUSED_UNARY_OPS(NF_CASE)
#undef NF_CASE
        }
    }
    return a;  // unreachable: check_fused refused any other op
}

// Runs a checked program on one element: regs[0..inputs) hold the inputs; returns the last step's value.
template <class T>
__device__ T fused_eval(const nf_fused_step* steps, int step_count, int input_count, T* regs) {
    for (int s = 0; s < step_count; ++s)
        regs[input_count + s] = fused_step<T>(steps[s], regs[steps[s].a], regs[steps[s].kind == NF_FUSED_BINARY ? steps[s].b : steps[s].a]);
    return regs[input_count + step_count - 1];
}

template <class T>
struct FusedFn {
    T* o;
    const T* in[NF_FUSED_MAX_INPUTS];
    nf_fused_step steps[NF_FUSED_MAX_STEPS];
    int nin, nsteps;

    __device__ void at(const int64_t (&off)[kOperands]) const {
        T regs[NF_FUSED_MAX_INPUTS + NF_FUSED_MAX_STEPS];
        for (int k = 0; k < nin; ++k) regs[k] = in[k][off[k + 1]];
        o[off[0]] = fused_eval<T>(steps, nsteps, nin, regs);
    }
    __device__ void pack(int64_t) const {}  // never used: elementwise() runs with aligned = false
};

template <class T>
void apply(const char* fn, int nin, const void* const* inputs, const nf_layout* ils, int nsteps,
           const nf_fused_step* steps, void* out, const nf_layout& ol) {
    FusedFn<T> f{};
    f.o = static_cast<T*>(out) + ol.offset;
    f.nin = nin;
    f.nsteps = nsteps;
    const nf_layout* ls[kOperands];
    ls[0] = &ol;
    for (int k = 0; k < NF_FUSED_MAX_INPUTS; ++k) {
        ls[k + 1] = k < nin ? &ils[k] : &ol;  // unused slots follow out
        f.in[k] = k < nin ? static_cast<const T*>(inputs[k]) + ils[k].offset : nullptr;
    }
    for (int s = 0; s < nsteps; ++s) f.steps[s] = steps[s];
    elementwise(fn, make_plan(ls), f, false);
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_fused_elementwise(nf_dtype dtype, int32_t input_count, const void* const* inputs,
                                                      const nf_layout* input_layouts, int32_t step_count,
                                                      const nf_fused_step* steps, void* out,
                                                      const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_fused_elementwise";
    return nf::guard(fn, [&] {
        const int64_t n =
            nf::check_fused(fn, dtype, input_count, inputs, input_layouts, step_count, steps, out, out_layout);
        if (n == 0) return;
        if (dtype == NF_FLOAT32)
            nf::cuda::apply<float>(fn, input_count, inputs, input_layouts, step_count, steps, out, *out_layout);
        else
            nf::cuda::apply<double>(fn, input_count, inputs, input_layouts, step_count, steps, out, *out_layout);
    });
}
