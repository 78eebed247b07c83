// nf_fused_elementwise: a replay's chain of elementwise calls in one pass (issue 17). The
// program (common/fused_program.h) runs over blocks of kBlock elements: each step is one tight
// loop over the block (a binary step the functor nf_binary applies; a unary step nf_unary's own
// loop, cpu_math::unary_span, exp_fast's SIMD clones included: so the same bits), which
// vectorises; inputs with inner stride 1 are read in place, others gathered into a register
// block (a broadcast one filled once per run), and the last step writes straight into a
// unit-stride output. Intermediate values live
// only in the per-thread register blocks, never in memory the size of the tensor.
//
// The step loops are compiled once per SIMD level (cpu/simd.h): a replay's programs run on data
// the kernel before just wrote, in cache, where 16 floats a step instead of SSE2's 4 count. And
// a [rows, cols] program whose rows are short (a bias row broadcast over a batch: its runs are
// its rows) fills each block with whole rows, so a step's call and dispatch are paid once per
// block instead of once per row of 50 (issue 17: 8 us -> about 1 us on 256 x 50).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/dtype.h"
#include "common/fused_program.h"
#include "common/layout.h"
#include "cpu/parallel.h"
#include "cpu/simd.h"
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
NF_INLINE void binary_block(const T* a, const T* b, T* d, int64_t n) {
    for (int64_t i = 0; i < n; ++i) d[i] = fused_binary_step<Op, T>(a[i], b[i]);
}

using namespace cpu_math;  // the engine's unary functions (cpu/unary_math.h)

// One step over a block; the switches come from the lists of common/fused_program.h.
template <class T>
NF_INLINE void step_block(const nf_fused_step& s, const T* a, const T* b, T* d, int64_t n) {
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

// One step over a block, per SIMD level; the same bits at every level (no contraction, cpu/simd.h).
NF_SIMD_CLONES void step_f32(const nf_fused_step& s, const float* a, const float* b, float* d, int64_t n) {
    step_block<float>(s, a, b, d, n);
}
NF_SIMD_CLONES void step_f64(const nf_fused_step& s, const double* a, const double* b, double* d, int64_t n) {
    step_block<double>(s, a, b, d, n);
}
void step(const nf_fused_step& s, const float* a, const float* b, float* d, int64_t n) { step_f32(s, a, b, d, n); }
void step(const nf_fused_step& s, const double* a, const double* b, double* d, int64_t n) { step_f64(s, a, b, d, n); }

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

// The per-thread register blocks (kRegisters of kBlock elements), kept across calls.
template <class T>
T* registers() {
    static thread_local std::vector<T> buffer(kRegisters * kBlock<T>);
    return buffer.data();
}

// The program's steps over one block of m elements whose inputs are in reg[0, nin); the last
// step writes to `dst` when given (the output, unit stride), else to its register. Returns the
// result's block.
template <class T>
const T* run_steps(int nin, int nsteps, const nf_fused_step* steps, const T** reg, T* scratch, T* dst, int64_t m) {
    for (int s = 0; s < nsteps; ++s) {
        const nf_fused_step& st = steps[s];
        // Written after every read of this block: an input may be out itself (same layout).
        T* d = (s == nsteps - 1 && dst) ? dst : scratch + (nin + s) * kBlock<T>;
        step(st, reg[st.a], reg[st.kind == NF_FUSED_BINARY ? st.b : st.a], d, m);
        reg[nin + s] = d;
    }
    return reg[nin + nsteps - 1];
}

// One call's operands: the plan over out (operand 0) and the inputs (1..nin), and where each
// starts (its layout's offset applied).
template <class T>
struct Operands {
    Plan<kOperands> p;
    int nin, nsteps;
    const nf_fused_step* steps;
    const void* const* inputs;
    const T* base[NF_FUSED_MAX_INPUTS];
    T* out;
};

// Any layout: runs of the plan, cut into blocks; see the top of the file.
template <class T>
void run_runs(const Operands<T>& o) {
    const Plan<kOperands>& p = o.p;
    const int nin = o.nin;
    const int64_t so = p.inner(0);
    parallel_chunks(p.numel, program_cost(o.nsteps, o.steps), [&](int64_t begin, int64_t end) {
        T* const scratch_base = registers<T>();
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
                    const T* src = o.base[k] + off[k + 1] + i0 * sk;
                    if (sk == 1) {
                        reg[k] = src;
                    } else if (sk == 0) {
                        T* g = scratch(k);
                        if (filled_from[k] != src || filled_length[k] < m || o.inputs[k] == o.out) {
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
                const T* result = run_steps(nin, o.nsteps, o.steps, reg, scratch_base, so == 1 ? o.out + off[0] + i0 : nullptr, m);
                if (so != 1) {
                    T* dst = o.out + off[0] + i0 * so;
                    for (int64_t i = 0; i < m; ++i) dst[i * so] = result[i];
                }
            }
        });
    });
}

// A [rows, cols] plan with short rows: blocks of whole rows. Operand k's row r starts at its
// base + r * its outer stride; a block is read in place from a packed operand (strides
// [cols, 1]), else gathered, a row broadcast over the rows (outer stride 0) only once.
template <class T>
void run_rows(const Operands<T>& o) {
    const Plan<kOperands>& p = o.p;
    const int nin = o.nin;
    const int64_t cols = p.shape[1], per_block = kBlock<T> / cols;
    const int64_t oo = p.strides[0][0], oi = p.strides[0][1];
    const bool packed_out = oi == 1 && oo == cols;
    parallel_chunks(p.shape[0], sat_mul(cols, program_cost(o.nsteps, o.steps)), [&](int64_t begin, int64_t end) {
        T* const scratch_base = registers<T>();
        const T* reg[kRegisters];
        int64_t kept_rows[NF_FUSED_MAX_INPUTS] = {};  // rows of a broadcast row gathered so far
        for (int64_t r0 = begin; r0 < end; r0 += per_block) {
            const int64_t nr = std::min(per_block, end - r0), m = nr * cols;
            for (int k = 0; k < nin; ++k) {
                const int64_t so = p.strides[k + 1][0], si = p.strides[k + 1][1];
                const T* src = o.base[k] + r0 * so;
                if (si == 1 && so == cols) {
                    reg[k] = src;
                    continue;
                }
                T* g = scratch_base + k * kBlock<T>;
                reg[k] = g;
                if (so == 0 && kept_rows[k] >= nr && o.inputs[k] != o.out) continue;
                for (int64_t r = 0; r < nr; ++r)
                    for (int64_t i = 0; i < cols; ++i) g[r * cols + i] = src[r * so + i * si];
                kept_rows[k] = so == 0 ? nr : 0;
            }
            const T* result = run_steps(nin, o.nsteps, o.steps, reg, scratch_base, packed_out ? o.out + r0 * oo : nullptr, m);
            if (!packed_out)
                for (int64_t r = 0; r < nr; ++r)
                    for (int64_t i = 0; i < cols; ++i) o.out[(r0 + r) * oo + i * oi] = result[r * cols + i];
        }
    });
}

template <class T>
void run(int nin, const void* const* inputs, const nf_layout* ils, int nsteps, const nf_fused_step* steps, void* out,
         const nf_layout& ol) {
    const nf_layout* ls[kOperands];
    ls[0] = &ol;
    for (int k = 0; k < NF_FUSED_MAX_INPUTS; ++k) ls[k + 1] = k < nin ? &ils[k] : &ol;  // unused slots follow out
    Operands<T> o{make_plan(ls), nin, nsteps, steps, inputs, {}, static_cast<T*>(out) + ol.offset};
    for (int k = 0; k < nin; ++k) o.base[k] = static_cast<const T*>(inputs[k]) + ils[k].offset;
    if (o.p.rank == 2 && 2 * o.p.shape[1] <= kBlock<T>)
        run_rows(o);
    else
        run_runs(o);
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
