// nf_gather_matmul (issue 17): a product whose first operand is a row gather, g = x[indices] then
// g @ b or g^T @ b, read through the index list without the gather. Fit on a shuffled dataset
// gathers each batch (x [60000, 784] -> g [256, 784]: 800 KB of random 3 KB rows, ~15-20% of an
// epoch) only for the first dense layer's forward g @ W and weight gradient g^T @ dz, both
// narrow_gemm's products; narrow_gemm_rows runs the same loops on x's rows where they lie.
//
// Same bits as nf_gather + nf_matmul: only the products nf_matmul would run through narrow_gemm
// (narrow_gemm_chosen, asked about g as nf_matmul would see it: packed [n, K] forward, its
// transposed view for the gradient) are fused, and narrow_gemm_rows sums them in narrow_gemm's
// order. Anything else declines (*fused = 0, nothing written): the caller gathers and multiplies.
#include <climits>
#include <vector>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/error.h"
#include "common/layout.h"
#include "common/matrix.h"
#include "cpu/narrow_gemm.h"
#include "cpu/pack_matrix.h"

extern "C" NF_API nf_status nf_gather_matmul(nf_dtype dtype, const void* x, const nf_layout* x_layout, nf_dtype index_dtype,
                                             const void* indices, int64_t index_count, int32_t transpose_g, const void* b,
                                             const nf_layout* b_layout, void* out, const nf_layout* out_layout,
                                             int32_t* fused) {
    static const char* fn = "nf_gather_matmul";
    return nf::guard(fn, [&] {
        if (!fused) NF_INVALID("%s: fused is NULL", fn);
        *fused = 0;
        nf::check_dtype(fn, "dtype", dtype);
        nf::check_index_dtype(fn, index_dtype);
        const int64_t x_numel = nf::check_layout(fn, "x_layout", x_layout);
        const int64_t b_numel = nf::check_layout(fn, "b_layout", b_layout);
        nf::check_layout(fn, "out_layout", out_layout);
        if (transpose_g != 0 && transpose_g != 1) NF_INVALID("%s: transpose_g = %d must be 0 or 1", fn, transpose_g);
        if (index_count < 0 || index_count > nf::kMaxElements)
            NF_INVALID("%s: index_count = %lld is outside [0, 2^60]", fn, static_cast<long long>(index_count));
        const nf_layout &xl = *x_layout, &bl = *b_layout, &ol = *out_layout;
        if (xl.rank != 2) NF_INVALID("%s: x_layout.rank = %d must be 2 (rows gathered along axis 0)", fn, xl.rank);
        const int64_t L = xl.shape[0], K = xl.shape[1], n = index_count;
        // op(g) is [rows, inner]: g [n, K] forward, g^T [K, n] for the gradient.
        const bool tg = transpose_g == 1;
        const int64_t rows = tg ? K : n, inner = tg ? n : K;
        if (bl.rank != 2 || bl.shape[0] != inner)
            NF_INVALID("%s: b_layout is %s but %s is [%lld, %lld]: b must be [%lld, N]", fn,
                       nf::shape_str(bl.shape, bl.rank).c_str(), tg ? "g^T" : "g", static_cast<long long>(rows),
                       static_cast<long long>(inner), static_cast<long long>(inner));
        const int64_t N = bl.shape[1];
        if (ol.rank != 2 || ol.shape[0] != rows || ol.shape[1] != N)
            NF_INVALID("%s: out_layout is %s but %s @ b gives [%lld, %lld]", fn, nf::shape_str(ol.shape, ol.rank).c_str(),
                       tg ? "g^T" : "g", static_cast<long long>(rows), static_cast<long long>(N));
        if (!nf::is_contiguous(ol)) NF_INVALID("%s: out_layout must be contiguous", fn);

        // g and b as nf_matmul would read them (matmul.cpp: blas_form, b packed when it cannot be read
        // in place); g's transposed view only counts when nf_matmul would read it as transposed.
        bool ta = false, tb = false;
        int64_t lda = 0, ldb = 0;
        const nf::Mat gm = tg ? nf::Mat{K, n, 1, K} : nf::Mat{n, K, K, 1};
        const nf::Mat bm{inner, N, bl.strides[0], bl.strides[1]};
        const bool g_read = nf::blas_form(gm, &ta, &lda) && ta == tg && lda == K;
        const bool b_direct = nf::blas_form(bm, &tb, &ldb);
        if (!b_direct) tb = false, ldb = N;
        const bool takes = dtype == NF_FLOAT32 && xl.strides[1] == 1 && g_read && rows <= INT_MAX && inner <= INT_MAX &&
                           N <= INT_MAX && nf::narrow_gemm_chosen(ta, tb, rows, N, inner);
        if (!out) {  // a query: would these layouts and dtypes fuse?
            *fused = takes ? 1 : 0;
            return;
        }
        if (!takes) return;
        nf::check_buffer(fn, "x", x, x_numel);
        nf::check_buffer(fn, "indices", indices, n);
        nf::check_buffer(fn, "b", b, b_numel);
        // Every index is checked before anything is written, as nf_gather does (its message).
        for (int64_t j = 0; j < n; ++j) {
            const int64_t v = nf::index_at(index_dtype, indices, j);
            if (v < 0 || v >= L) nf::fail_gather_index(fn, j, v, L, 0, xl);
        }
        const float* pb = static_cast<const float*>(b) + bl.offset;
        std::vector<float> packed;
        if (!b_direct) pb = nf::pack(pb, bm, packed);
        nf::narrow_gemm_rows(ta, rows, N, inner, static_cast<const float*>(x) + xl.offset, xl.strides[0], index_dtype,
                             indices, pb, ldb, static_cast<float*>(out) + ol.offset, N);
        *fused = 1;
    });
}
