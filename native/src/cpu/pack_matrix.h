// An operand no GEMM can read in place (negative, zero or interleaved strides: common/matrix.h's
// blas_form says no) copied row-major first, by nf_matmul and by nf_gather_matmul for its b.
#pragma once

#include <cstdint>
#include <vector>

#include "common/matrix.h"

namespace nf {

// m's elements (from p) packed row-major [rows, cols] into buf; returns buf's data.
template <class T>
const T* pack(const T* p, const Mat& m, std::vector<T>& buf) {
    buf.resize(static_cast<size_t>(m.rows * m.cols));
    T* d = buf.data();
    for (int64_t i = 0; i < m.rows; ++i)
        for (int64_t j = 0; j < m.cols; ++j) d[i * m.cols + j] = p[i * m.rs + j * m.cs];
    return d;
}

}  // namespace nf
