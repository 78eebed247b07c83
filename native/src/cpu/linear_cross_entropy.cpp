// nf_linear_cross_entropy (issue 17): one training step's pass over a linear layer with softmax
// cross-entropy, reading x once. A full-batch logistic regression (60000 x 784 -> 10) replayed op
// by op reads x twice, in the logits x @ w and in the weight gradient x^T @ g (skinny_gemm.cpp),
// ~6 ms each on this machine while everything else takes ~1.3 ms. Here each part of the rows
// goes through x a chunk of kSkinnyGradRows rows at a time (~200 KB at 784 columns, stays in L2):
// the chunk's logits (+ bias), its cross-entropy rows and their gradient, that gradient times the
// loss's scale, then the chunk's outer products added into the part's weight-gradient partial
// while the chunk is still in cache (as Liger Kernel's and Cut Cross-Entropy's fused linear
// cross-entropy do on GPUs).
//
// Same bits as the separate kernels: the logits and the gradient are skinny_gemm's own blocks
// (skinny_gemm.h) over the same parts and chunks, the partials added in the same part order; the
// cross-entropy rows are nf_softmax_cross_entropy's short-row function (cross_entropy.h); the
// bias add and the scale multiply are nf_binary's own loop (binary_run.h) over each chunk row. Where
// nf_matmul would not run both products through skinny_gemm (too small or wide, no AVX-512,
// x not row-major), this declines (*fused = 0, nothing written) and the caller runs the separate
// kernels.
#include <algorithm>
#include <cstring>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/elementwise_ops.h"
#include "common/error.h"
#include "cpu/binary_run.h"
#include "cpu/cross_entropy.h"
#include "cpu/parallel.h"
#include "cpu/simd.h"
#include "cpu/skinny_gemm.h"
#include "cpu/thread_scratch.h"

namespace nf {
namespace {

// A float operand read as an [n, c] matrix: element (i, j) at p[i * rs + j * cs] (stride 0: broadcast).
struct Matrix {
    const float* p = nullptr;
    int64_t rs = 0, cs = 0;
    NF_INLINE const float* row(int64_t i) const { return p + i * rs; }
};

struct Step {
    int64_t n, k, c;  // rows of x, its columns (w's rows), classes
    const float* x;
    int64_t ldx;
    Matrix bias, scale;  // bias.p null: no bias
    nf_dtype label_dtype;
    const void* labels;
    float *logits, *loss, *grad, *dlogits, *dw;
};

struct LinearCrossEntropyScratch;  // tag of the per-thread chunk buffers (cpu/thread_scratch.h)

// Copies `rows` rows of c floats to `to` (row i at to + i * c) when `to` is not null.
NF_INLINE void keep(float* to, const float* from, int64_t count) {
    if (to) std::memcpy(to, from, sizeof(float) * static_cast<size_t>(count));
}

void run(const Step& s, const SkinnyPackedB& wt) {
    const int64_t n = s.n, c = s.c, k = s.k;
    const int64_t parts = skinny_parts(n), mp = skinny_padded(k), chunk = kSkinnyGradRows * c;
    float* const partials = skinny_gradient_partials(parts, c, mp);
    const int nt = threads();
    // Per thread slot: the chunk's logits, cross-entropy gradient and scaled gradient.
    float* const scratch = thread_scratch<LinearCrossEntropyScratch, float>(static_cast<size_t>(nt * 3 * chunk));
    const int64_t label_size = dtype_size(s.label_dtype);
    parallel_parts(n, parts, [&](int slot, int64_t p, int64_t r0, int64_t r1) {
        float* part = partials + p * c * mp;
        std::fill(part, part + c * mp, 0.0f);
        float* lg = scratch + static_cast<int64_t>(slot) * 3 * chunk;
        float* g = lg + chunk;
        float* dl = g + chunk;
        // The chunks skinny_gemm's gradient sums a part in: from r0, kSkinnyGradRows at a time.
        for (int64_t c0 = r0; c0 < r1; c0 += kSkinnyGradRows) {
            const int64_t rows = std::min(kSkinnyGradRows, r1 - c0), ahead = n - c0 - rows;
            const float* xc = s.x + c0 * s.ldx;
            skinny_logits_rows(wt, xc, s.ldx, lg, c, rows, ahead);
            if (s.bias.p)
                for (int64_t i = 0; i < rows; ++i)
                    binary_run<ops::Add>(lg + i * c, 1, s.bias.row(c0 + i), s.bias.cs, lg + i * c, 1, c);
            keep(s.logits ? s.logits + c0 * c : nullptr, lg, rows * c);
            cross_entropy_short_rows(lg, c, c, s.label_dtype, static_cast<const char*>(s.labels) + c0 * label_size, rows,
                                     s.loss + c0, g);
            keep(s.grad ? s.grad + c0 * c : nullptr, g, rows * c);
            for (int64_t i = 0; i < rows; ++i)
                binary_run<ops::Mul>(s.scale.row(c0 + i), s.scale.cs, g + i * c, 1, dl + i * c, 1, c);
            keep(s.dlogits ? s.dlogits + c0 * c : nullptr, dl, rows * c);
            skinny_gradient_rows(c, xc, s.ldx, dl, k, part, mp, rows, ahead);
        }
    });
    skinny_gradient_finish(partials, parts, c, k, mp, s.dw, c);
}

// An [n, c] operand's layout as read (broadcasts are stride 0), or a failure naming it.
Matrix matrix_of(const char* fn, const char* name, const void* p, const nf_layout* l, int64_t n, int64_t c) {
    if (!p) NF_INVALID("%s: %s is NULL", fn, name);
    if (!l) NF_INVALID("%s: %s_layout is NULL", fn, name);
    if (l->rank != 2 || l->shape[0] != n || l->shape[1] != c)
        NF_INVALID("%s: %s_layout must be [%lld, %lld] (the logits' shape)", fn, name, static_cast<long long>(n),
                   static_cast<long long>(c));
    check_layout(fn, name, l);
    return Matrix{static_cast<const float*>(p) + l->offset, l->strides[0], l->strides[1]};
}

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_linear_cross_entropy(nf_dtype dtype, const void* x, const nf_layout* x_layout, const void* w,
                                                    const nf_layout* w_layout, const void* bias,
                                                    const nf_layout* bias_layout, nf_dtype label_dtype,
                                                    const void* labels, const void* scale,
                                                    const nf_layout* scale_layout, void* logits_out, void* loss_out,
                                                    void* grad_out, void* dlogits_out, void* dw_out, int32_t* fused) {
    static const char* fn = "nf_linear_cross_entropy";
    return nf::guard(fn, [&] {
        if (!fused) NF_INVALID("%s: fused is NULL", fn);
        *fused = 0;
        if (!x_layout || !w_layout) NF_INVALID("%s: x_layout and w_layout must not be NULL", fn);
        if (x_layout->rank != 2 || w_layout->rank != 2 || x_layout->shape[1] != w_layout->shape[0])
            NF_INVALID("%s: x [N, K] and w [K, C] must be matrices with x's columns equal to w's rows", fn);
        nf::check_layout(fn, "x", x_layout);
        nf::check_layout(fn, "w", w_layout);
        const int64_t n = x_layout->shape[0], k = x_layout->shape[1], c = w_layout->shape[1];
        if (label_dtype != NF_INT32 && label_dtype != NF_INT64 && label_dtype != NF_UINT8)
            NF_UNSUPPORTED("%s: label dtype %s (int32, int64 or uint8 class indices)", fn, nf::dtype_name(label_dtype));
        // Only what nf_matmul runs through skinny_gemm both ways is fused; the rest declines.
        const bool row_major = x_layout->strides[1] == 1 && x_layout->strides[0] >= k;
        const bool takes = dtype == NF_FLOAT32 && row_major && c <= nf::kCrossEntropyShortRow &&
                           nf::skinny_takes(false, n, c, k) && nf::skinny_takes(true, k, c, n);
        if (!dw_out) {  // a query: would these shapes fuse?
            *fused = takes ? 1 : 0;
            return;
        }
        if (!takes) return;
        if (!x || !w || !labels || !loss_out || !scale) NF_INVALID("%s: x, w, labels, scale and loss_out must not be NULL", fn);
        nf::Step s{};
        s.n = n, s.k = k, s.c = c;
        s.x = static_cast<const float*>(x) + x_layout->offset;
        s.ldx = x_layout->strides[0];
        if (bias) s.bias = nf::matrix_of(fn, "bias", bias, bias_layout, n, c);
        s.scale = nf::matrix_of(fn, "scale", scale, scale_layout, n, c);
        s.label_dtype = label_dtype;
        s.labels = labels;
        s.logits = static_cast<float*>(logits_out);
        s.loss = static_cast<float*>(loss_out);
        s.grad = static_cast<float*>(grad_out);
        s.dlogits = static_cast<float*>(dlogits_out);
        s.dw = static_cast<float*>(dw_out);
        // Every label is checked before anything is written, as nf_softmax_cross_entropy does.
        nf::check_sparse_labels(fn, label_dtype, labels, n, c);
        const float* pw = static_cast<const float*>(w) + w_layout->offset;
        const nf::SkinnyPackedB wt(c, k, pw, w_layout->strides[0], w_layout->strides[1]);
        nf::run(s, wt);
        *fused = 1;
    });
}
