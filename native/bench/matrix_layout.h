// The nf_layout of a stored [rows, cols] float matrix as an nf_matmul operand: row-major, or (transposed)
// its transpose as a view, the way the engines pass x^T and W^T. Shared by the GEMM benchmarks.
#pragma once

#include "neuralflow.h"

inline nf_layout matrix_layout(int64_t rows, int64_t cols, bool transposed) {
    nf_layout l{};
    l.rank = 2;
    l.shape[0] = rows;
    l.shape[1] = cols;
    l.strides[0] = transposed ? 1 : cols;
    l.strides[1] = transposed ? rows : 1;
    return l;
}
