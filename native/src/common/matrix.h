// The logical matrices of a batched product, shared by the CPU and CUDA engines: how an
// operand's last two axes read as a matrix (a transposed operand is a layout with those axes
// swapped), whether a BLAS can read it in place, and its per-batch strides.
#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>

#include "neuralflow.h"

namespace nf {

// Logical matrix: element (i, j) at p[i * rs + j * cs].
struct Mat {
    int64_t rows, cols, rs, cs;
};

// How GEMM can read a logical matrix in place: trans = false means row-major with leading
// dimension ld; trans = true means it is the transpose of a row-major [cols, rows] matrix.
// Strides of size-1 axes are irrelevant, so they never prevent the in-place path.
inline bool blas_form(const Mat& m, bool* trans, int64_t* ld) {
    const int64_t R = m.rows, C = m.cols;
    if ((C == 1 || m.cs == 1) && (R == 1 || m.rs >= std::max<int64_t>(C, 1))) {
        *trans = false;
        *ld = R == 1 ? std::max<int64_t>(C, 1) : m.rs;
        return *ld <= INT_MAX;
    }
    if ((R == 1 || m.rs == 1) && (C == 1 || m.cs >= std::max<int64_t>(R, 1))) {
        *trans = true;
        *ld = C == 1 ? std::max<int64_t>(R, 1) : m.cs;
        return *ld <= INT_MAX;
    }
    return false;
}

struct Operand {
    Mat m;
    int64_t batch_strides[NF_MAX_RANK];  // per output batch axis; 0 where broadcast
};

inline Operand make_operand(const nf_layout& l, const nf_layout& out) {
    const int r = l.rank;
    Operand o{};
    o.m = Mat{l.shape[r - 2], l.shape[r - 1], l.strides[r - 2], l.strides[r - 1]};
    for (int d = 0; d < r - 2; ++d) o.batch_strides[d] = (l.shape[d] == 1 && out.shape[d] != 1) ? 0 : l.strides[d];
    return o;
}

}  // namespace nf
