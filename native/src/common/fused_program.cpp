// Argument checks of nf_fused_elementwise / nf_cuda_fused_elementwise (common/fused_program.h):
// a program is refused before it runs unless every step names a listed op and reads only
// registers already written, so the kernels never index outside their register file.
#include "common/fused_program.h"

#include "common/checks.h"
#include "common/error.h"

namespace nf {

namespace {

bool fused_op_listed(const nf_fused_step& s) {
    if (s.kind == NF_FUSED_BINARY) {
        switch (s.op) {
#define NF_CASE(E, ...) case E:
            NF_FUSED_BINARY_OPS(NF_CASE)
#undef NF_CASE
            return true;
        }
        return false;
    }
    switch (s.op) {
#define NF_CASE(E, ...) case E:
        NF_FUSED_UNARY_OPS(NF_CASE)
#undef NF_CASE
        return true;
    }
    return false;
}

bool same_layout(const nf_layout& a, const nf_layout& b) {
    if (a.rank != b.rank || a.offset != b.offset) return false;
    for (int d = 0; d < a.rank; ++d)
        if (a.shape[d] != b.shape[d] || a.strides[d] != b.strides[d]) return false;
    return true;
}

}  // namespace

int64_t check_fused(const char* fn, nf_dtype dtype, int32_t input_count, const void* const* inputs,
                    const nf_layout* input_layouts, int32_t step_count, const nf_fused_step* steps, const void* out,
                    const nf_layout* out_layout) {
    check_dtype(fn, "dtype", dtype);
    if (!dtype_is_float(dtype))
        NF_UNSUPPORTED("%s: dtype %s is not supported (float32/float64 only)", fn, dtype_name(dtype));
    if (input_count < 1 || input_count > NF_FUSED_MAX_INPUTS)
        NF_INVALID("%s: input_count = %d is outside 1..%d", fn, static_cast<int>(input_count), NF_FUSED_MAX_INPUTS);
    if (step_count < 1 || step_count > NF_FUSED_MAX_STEPS)
        NF_INVALID("%s: step_count = %d is outside 1..%d", fn, static_cast<int>(step_count), NF_FUSED_MAX_STEPS);
    if (!inputs) NF_INVALID("%s: inputs is NULL", fn);
    if (!input_layouts) NF_INVALID("%s: input_layouts is NULL", fn);
    if (!steps) NF_INVALID("%s: steps is NULL", fn);
    const int64_t n = check_layout(fn, "out_layout", out_layout);
    check_buffer(fn, "out", out, n);
    for (int k = 0; k < input_count; ++k) {
        check_layout(fn, "input_layouts[k]", &input_layouts[k]);
        check_same_shape(fn, "input_layouts[k]", input_layouts[k], "out_layout", *out_layout);
        check_buffer(fn, "inputs[k]", inputs[k], n);
        if (n > 0 && inputs[k] == out && !same_layout(input_layouts[k], *out_layout))
            NF_INVALID("%s: out is inputs[%d]'s buffer with another layout (an element would be read after it was written)",
                       fn, k);
    }
    for (int s = 0; s < step_count; ++s) {
        const nf_fused_step& st = steps[s];
        if (st.kind != NF_FUSED_BINARY && st.kind != NF_FUSED_UNARY)
            NF_INVALID("%s: steps[%d].kind = %d is not a valid nf_fused_kind", fn, s, static_cast<int>(st.kind));
        if (!fused_op_listed(st))
            NF_INVALID("%s: steps[%d].op = %d is not an op a fused program can run", fn, s, static_cast<int>(st.op));
        const int32_t defined = input_count + s;
        if (st.a < 0 || st.a >= defined || (st.kind == NF_FUSED_BINARY && (st.b < 0 || st.b >= defined)))
            NF_INVALID("%s: steps[%d] reads register %d, but only registers 0..%d are written before it", fn, s,
                       static_cast<int>(st.a < 0 || st.a >= defined ? st.a : st.b), static_cast<int>(defined - 1));
    }
    return n;
}

}  // namespace nf
