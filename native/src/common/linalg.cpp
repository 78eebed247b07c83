#include "common/linalg.h"

#include <climits>

#include "common/dtype.h"
#include "common/error.h"
#include "common/layout.h"

namespace nf {
namespace {

// A [..., n, n] of a float dtype; returns its element count and fills g.batch and g.n.
int64_t check_square(const char* fn, nf_dtype dtype, const char* name, const nf_layout* l, LinalgArgs& g) {
    check_dtype(fn, "dtype", dtype);
    if (!dtype_is_float(dtype))
        NF_UNSUPPORTED("%s: dtype %s is not supported (float32/float64 only)", fn, dtype_name(dtype));
    const int64_t count = check_layout(fn, name, l);
    if (l->rank < 2) NF_INVALID("%s: %s.rank = %d must be >= 2 (a batch of matrices)", fn, name, l->rank);
    const int64_t n = l->shape[l->rank - 1];
    if (l->shape[l->rank - 2] != n)
        NF_INVALID("%s: %s is %s, but its last two axes must be equal (square matrices)", fn, name,
                   shape_str(l->shape, l->rank).c_str());
    // Pivots and info are int32.
    if (n >= INT_MAX) NF_UNSUPPORTED("%s: matrices of %lld rows are not supported (< 2^31 - 1)", fn, (long long)n);
    g.n = n;
    g.batch = numel_of(l->shape, l->rank - 2);
    g.k = 0;
    return count;
}

}  // namespace

LinalgArgs check_lu(const char* fn, nf_dtype dtype, const void* a, const nf_layout* a_layout, const void* lu_out,
                    const int32_t* pivots_out, const int32_t* perm_out, const int32_t* info_out) {
    LinalgArgs g{};
    const int64_t count = check_square(fn, dtype, "a_layout", a_layout, g);
    check_buffer(fn, "a", a, count);
    check_buffer(fn, "lu_out", lu_out, count);
    check_buffer(fn, "pivots_out", pivots_out, g.batch * g.n);
    check_buffer(fn, "perm_out", perm_out, g.batch * g.n);
    check_buffer(fn, "info_out", info_out, g.batch);
    return g;
}

LinalgArgs check_triangular_solve(const char* fn, nf_dtype dtype, const void* a, const nf_layout* a_layout,
                                  const void* b, const nf_layout* b_layout, const void* out) {
    LinalgArgs g{};
    const int64_t na = check_square(fn, dtype, "a_layout", a_layout, g);
    const int64_t nb = check_layout(fn, "b_layout", b_layout);
    const nf_layout &al = *a_layout, &bl = *b_layout;
    if (bl.rank != al.rank)
        NF_INVALID("%s: b_layout.rank = %d must equal a_layout.rank = %d", fn, bl.rank, al.rank);
    for (int d = 0; d < al.rank - 2; ++d)
        if (bl.shape[d] != al.shape[d])
            NF_INVALID("%s: batch axis %d: a_layout has %lld but b_layout has %lld (broadcast batch axes are stride 0)",
                       fn, d, (long long)al.shape[d], (long long)bl.shape[d]);
    if (bl.shape[bl.rank - 2] != g.n)
        NF_INVALID("%s: b_layout is %s but A is %lld x %lld: b needs %lld rows", fn, shape_str(bl.shape, bl.rank).c_str(),
                   (long long)g.n, (long long)g.n, (long long)g.n);
    g.k = bl.shape[bl.rank - 1];
    check_buffer(fn, "a", a, na);
    check_buffer(fn, "b", b, nb);
    check_buffer(fn, "out", out, nb);
    return g;
}

LinalgArgs check_cholesky(const char* fn, nf_dtype dtype, const void* a, const nf_layout* a_layout, const void* l_out,
                          const int32_t* info_out) {
    LinalgArgs g{};
    const int64_t count = check_square(fn, dtype, "a_layout", a_layout, g);
    check_buffer(fn, "a", a, count);
    check_buffer(fn, "l_out", l_out, count);
    check_buffer(fn, "info_out", info_out, g.batch);
    return g;
}

void check_lu_info(const char* fn, const int32_t* info, int64_t batch) {
    for (int64_t m = 0; m < batch; ++m)
        if (info[m] != 0)
            NF_INVALID("%s: batch element %lld of %lld is singular: U[%d, %d] is 0, so the matrix is not invertible", fn,
                       (long long)m, (long long)batch, info[m] - 1, info[m] - 1);
}

void check_cholesky_info(const char* fn, const int32_t* info, int64_t batch) {
    for (int64_t m = 0; m < batch; ++m)
        if (info[m] != 0)
            NF_INVALID("%s: batch element %lld of %lld is not positive definite: its leading minor of order %d is not "
                       "positive", fn, (long long)m, (long long)batch, info[m]);
}

}  // namespace nf
