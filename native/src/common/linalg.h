// What both engines share of the linalg family (nf_lu, nf_triangular_solve, nf_cholesky): the
// argument checks (same rules, same messages), the batch walk and the messages of a failing
// matrix. The factorizations themselves are each engine's (cpu/linalg.cpp, cuda/linalg.cu).
#pragma once

#include <cstdint>

#include "common/hd.h"
#include "neuralflow.h"

namespace nf {

// One batched call: `batch` matrices A of n x n (and B of n x k for a triangular solve).
struct LinalgArgs {
    int64_t batch;
    int64_t n;
    int64_t k;  // columns of B; 0 for the factorizations
};

// Offset (elements, the layout's own offset included) of matrix `m` of the batch: its batch
// axes (all but the last two) walked in row-major order.
NF_HD inline int64_t matrix_offset(const nf_layout& l, int64_t m) {
    int64_t off = l.offset;
    for (int d = l.rank - 3; d >= 0; --d) {
        const int64_t size = l.shape[d];
        off += (m % size) * l.strides[d];
        m /= size;
    }
    return off;
}

LinalgArgs check_lu(const char* fn, nf_dtype dtype, const void* a, const nf_layout* a_layout, const void* lu_out,
                    const int32_t* pivots_out, const int32_t* perm_out, const int32_t* info_out);
LinalgArgs check_triangular_solve(const char* fn, nf_dtype dtype, const void* a, const nf_layout* a_layout,
                                  const void* b, const nf_layout* b_layout, const void* out);
LinalgArgs check_cholesky(const char* fn, nf_dtype dtype, const void* a, const nf_layout* a_layout, const void* l_out,
                          const int32_t* info_out);

// With check set: fails naming the first matrix whose info is nonzero (info is a host array).
// "nf_lu: batch element 1 of 3 is singular: U[2, 2] is 0, so the matrix is not invertible"
void check_lu_info(const char* fn, const int32_t* info, int64_t batch);
// "nf_cholesky: batch element 0 of 1 is not positive definite: its leading minor of order 2 is not positive"
void check_cholesky_info(const char* fn, const int32_t* info, int64_t batch);

}  // namespace nf
