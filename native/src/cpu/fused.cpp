// nf_fused_elementwise: a replay's chain of elementwise calls in one pass (issue 17). The
// program (common/fused_program.h) runs over blocks of kBlock elements: each step is one tight
// loop over the block (a binary step the functor nf_binary applies; a unary step nf_unary's own
// loop, cpu_math::unary_span, exp_fast's SIMD clones included: so the same bits), which
// vectorises; inputs with inner stride 1 are read in place, others gathered into a register
// block (a broadcast one filled once per run), and the last step writes straight into a
// unit-stride output. Intermediate values live
// only in the per-thread register blocks, never in memory the size of the tensor.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/dtype.h"
#include "common/fused_program.h"
#include "common/layout.h"
#include "cpu/parallel.h"
#include "cpu/unary_math.h"

namespace nf {
namespace {

// Elements per block: 4 KB of each register. A step's loop over the block must be long enough
// to bury its call and switch (128 elements made a 3-step program on 256 x 512 floats slower than
// three separate kernels); registers live in a per-thread buffer (40 x 4 KB), not on the stack.
template <class T>
constexpr int64_t kBlock = 4096 / sizeof(T);
constexpr int kOperands = NF_FUSED_MAX_INPUTS + 1;  // out, then the inputs
constexpr int kRegisters = NF_FUSED_MAX_INPUTS + NF_FUSED_MAX_STEPS;

template <class Op, class T>
void binary_block(const T* a, const T* b, T* d, int64_t n) {
    for (int64_t i = 0; i < n; ++i) d[i] = fused_binary_step<Op, T>(a[i], b[i]);
}

using namespace cpu_math;  // the engine's unary functions (cpu/unary_math.h)

// One step over a block; the switches come from the lists of common/fused_program.h.
template <class T>
void step_block(const nf_fused_step& s, const T* a, const T* b, T* d, int64_t n) {
    if (s.kind == NF_FUSED_BINARY) {
        switch (s.op) {
#define NF_CASE(E, Op, ...) \
            case E: binary_block<ops::Op, T>(a, b, d, n); return;
            NF_FUSED_BINARY_OPS(NF_CASE)
#undef NF_CASE
        }
        return;
    }
    switch (s.op) {
#define NF_CASE(E, Op, name, ints, cost) \
        case E: unary_span<Op, T>(a, d, n); return;
        NF_FUSED_UNARY_OPS(NF_CASE)
#undef NF_CASE
    }
}

// Work per element in adds (cpu/parallel.h): a unary step costs what nf_unary's does, a binary one 1.
int64_t program_cost(int nsteps, const nf_fused_step* steps) {
    int64_t cost = 0;
    for (int s = 0; s < nsteps; ++s) {
        cost += 1;
        if (steps[s].kind != NF_FUSED_UNARY) continue;
        switch (steps[s].op) {
#define NF_CASE(E, Op, name, ints, c) \
            case E: cost += (c) - 1; break;
            NF_FUSED_UNARY_OPS(NF_CASE)
#undef NF_CASE
        }
    }
    return cost;
}

template <class T>
void run(int nin, const void* const* inputs, const nf_layout* ils, int nsteps, const nf_fused_step* steps, void* out,
         const nf_layout& ol) {
    const nf_layout* ls[kOperands];
    ls[0] = &ol;
    for (int k = 0; k < NF_FUSED_MAX_INPUTS; ++k) ls[k + 1] = k < nin ? &ils[k] : &ol;  // unused slots follow out
    const Plan<kOperands> p = make_plan(ls);
    const T* base[NF_FUSED_MAX_INPUTS] = {};
    for (int k = 0; k < nin; ++k) base[k] = static_cast<const T*>(inputs[k]) + ils[k].offset;
    T* po = static_cast<T*>(out) + ol.offset;
    const int64_t so = p.inner(0);
    const int last = nin + nsteps - 1;
    parallel_chunks(p.numel, program_cost(nsteps, steps), [&](int64_t begin, int64_t end) {
        static thread_local std::vector<T> buffer(kRegisters * kBlock<T>);
        T* const scratch_base = buffer.data();
        auto scratch = [&](int r) { return scratch_base + r * kBlock<T>; };
        const T* reg[kRegisters];
        // A broadcast input (inner stride 0) is one value along a run: its block is filled once
        // and kept while the value's address and the filled length still serve.
        const T* filled_from[NF_FUSED_MAX_INPUTS] = {};
        int64_t filled_length[NF_FUSED_MAX_INPUTS] = {};
        for_runs(p, begin, end, [&](const int64_t* off, int64_t n) {
            for (int64_t i0 = 0; i0 < n; i0 += kBlock<T>) {
                const int64_t m = std::min(kBlock<T>, n - i0);
                for (int k = 0; k < nin; ++k) {
                    const int64_t sk = p.inner(k + 1);
                    const T* src = base[k] + off[k + 1] + i0 * sk;
                    if (sk == 1) {
                        reg[k] = src;
                    } else if (sk == 0) {
                        T* g = scratch(k);
                        if (filled_from[k] != src || filled_length[k] < m || inputs[k] == out) {
                            std::fill(g, g + m, *src);
                            filled_from[k] = src;
                            filled_length[k] = m;
                        }
                        reg[k] = g;
                    } else {
                        T* g = scratch(k);
                        for (int64_t i = 0; i < m; ++i) g[i] = src[i * sk];
                        reg[k] = g;
                    }
                }
                for (int s = 0; s < nsteps; ++s) {
                    const nf_fused_step& st = steps[s];
                    // Written after every read of this block: an input may be out itself (same layout).
                    T* d = (nin + s == last && so == 1) ? po + off[0] + i0 : scratch(nin + s);
                    step_block<T>(st, reg[st.a], reg[st.kind == NF_FUSED_BINARY ? st.b : st.a], d, m);
                    reg[nin + s] = d;
                }
                if (so != 1) {
                    T* o = po + off[0] + i0 * so;
                    for (int64_t i = 0; i < m; ++i) o[i * so] = reg[last][i];
                }
            }
        });
    });
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_fused_elementwise(nf_dtype dtype, int32_t input_count, const void* const* inputs,
                                                 const nf_layout* input_layouts, int32_t step_count,
                                                 const nf_fused_step* steps, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_fused_elementwise";
    return nf::guard(fn, [&] {
        const int64_t n =
            nf::check_fused(fn, dtype, input_count, inputs, input_layouts, step_count, steps, out, out_layout);
        if (n == 0) return;
        if (dtype == NF_FLOAT32)
            nf::run<float>(input_count, inputs, input_layouts, step_count, steps, out, *out_layout);
        else
            nf::run<double>(input_count, inputs, input_layouts, step_count, steps, out, *out_layout);
    });
}
