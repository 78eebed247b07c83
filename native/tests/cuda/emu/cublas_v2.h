// cuBLAS emulation (see cuda_runtime.h here): the calls libneuralflow_cuda makes, with cuBLAS's
// column-major semantics written out plainly, so the engine's row-major-to-column-major mapping
// (transposes, leading dimensions, batch strides) is checked against the CPU engine.
#pragma once

#include <cstdint>

#define CUBLAS_VER_MAJOR 11
#define CUBLAS_VER_MINOR 0
#define CUBLAS_VER_PATCH 0

typedef struct nf_emu_blas* cublasHandle_t;
typedef enum { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_INVALID_VALUE = 7, CUBLAS_STATUS_ALLOC_FAILED = 3,
               CUBLAS_STATUS_EXECUTION_FAILED = 13 } cublasStatus_t;
typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 } cublasOperation_t;
typedef enum { CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3 } cublasMath_t;

cublasStatus_t cublasCreate(cublasHandle_t* h);
cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t mode);
// The stream later GEMMs go to (recorded into a graph while that stream captures).
cublasStatus_t cublasSetStream(cublasHandle_t h, struct CUstream_st* stream);
const char* cublasGetStatusString(cublasStatus_t s);
cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                         int k, const float* alpha, const float* a, int lda, long long sa,
                                         const float* b, int ldb, long long sb, const float* beta, float* c, int ldc,
                                         long long sc, int batches);
cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                         int k, const double* alpha, const double* a, int lda, long long sa,
                                         const double* b, int ldb, long long sb, const double* beta, double* c,
                                         int ldc, long long sc, int batches);
