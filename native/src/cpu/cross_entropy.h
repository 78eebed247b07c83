// The row functions of nf_softmax_cross_entropy (cross_entropy.cpp) that the fused linear
// cross-entropy step (linear_cross_entropy.cpp) runs on its blocks of rows, so that both compute
// every row's loss and gradient with one function.
#pragma once

#include <cstdint>

#include "neuralflow.h"

namespace nf {

// Rows at most this many classes take the short-row path (rows as vector lanes).
constexpr int64_t kCrossEntropyShortRow = 32;

// Sparse labels: `rows` rows of C <= kCrossEntropyShortRow float logits (row stride row_stride,
// unit column stride) against `rows` labels of label_dtype at `labels` (already checked to lie in
// [0, C)): loss[rows] and, when grad is not null, grad [rows][C] = softmax - onehot. Each row's
// results are nf_softmax_cross_entropy's for that row, bit for bit, whatever rows share the call.
void cross_entropy_short_rows(const float* logits, int64_t row_stride, int64_t C, nf_dtype label_dtype,
                              const void* labels, int64_t rows, float* loss, float* grad);

// Fails as nf_softmax_cross_entropy does (NF_ERROR_INVALID_ARGUMENT naming fn, the row and its
// label) when a sparse label of the n at `labels` lies outside [0, c).
void check_sparse_labels(const char* fn, nf_dtype label_dtype, const void* labels, int64_t n, int64_t c);

}  // namespace nf
