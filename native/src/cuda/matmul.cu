// nf_cuda_matmul: batched out = a @ b through cuBLAS (a transposed operand is a layout with its last two axes swapped).
//
// The row-major product C[M,N] = A'[M,K] B'[K,N] is cuBLAS's column-major C^T = B'^T A'^T, so
// b is passed first. Each operand's logical matrix (common/matrix.h, shared with the CPU) is
// read in place when it is row- or column-major with a leading dimension and its batch axes
// collapse to one stride (0 broadcasts); anything else is packed into a contiguous scratch
// buffer first. One cublas<S|D>gemmStridedBatched call does the whole batch.
// float32 runs in full precision unless nf_cuda_tf32_set(1) allows TF32 tensor cores.
#include <cublas_v2.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "common/matrix.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

std::atomic<bool> g_tf32{false};

struct Blas {
    std::mutex mutex;  // a cuBLAS handle must not be used by two threads at once
    cublasHandle_t handle[64] = {};
};

Blas& blas() {
    static Blas* b = new Blas();
    return *b;
}

void check_blas(cublasStatus_t st, const char* fn, const char* what) {
    if (st == CUBLAS_STATUS_SUCCESS) return;
    fail(st == CUBLAS_STATUS_ALLOC_FAILED ? NF_ERROR_OUT_OF_MEMORY : NF_ERROR_INTERNAL, "%s: cuBLAS error %s in %s", fn,
         cublasGetStatusString(st), what);
}

// One operand as cuBLAS reads it.
struct GemmOperand {
    const void* data;
    bool trans;  // false: row-major with leading dimension ld; true: column-major
    int64_t ld, batch_stride;
};

template <class T>
GemmOperand prepare(const char* fn, const T* p, const Operand& op, const nf_layout& ol, int64_t batches,
                    std::unique_ptr<Scratch>& keep) {
    const int nb = ol.rank - 2;
    GemmOperand g{p, false, 0, 0};
    bool direct = blas_form(op.m, &g.trans, &g.ld);
    // The operand as [batch..., rows, cols] (batch strides 0 where it broadcasts).
    nf_layout src{};
    src.rank = nb + 2;
    for (int d = 0; d < nb; ++d) {
        src.shape[d] = ol.shape[d];
        src.strides[d] = op.batch_strides[d];
    }
    src.shape[nb] = op.m.rows;
    src.shape[nb + 1] = op.m.cols;
    src.strides[nb] = op.m.rs;
    src.strides[nb + 1] = op.m.cs;
    // Read in place when the batch axes collapse to a single non-negative stride.
    nf_layout batch = src;
    batch.rank = nb;
    const nf_layout* ls[1] = {&batch};
    const Plan<1> bp = make_plan(ls);
    direct = direct && (batches == 1 || (bp.rank == 1 && bp.strides[0][0] >= 0));
    if (direct) {
        g.batch_stride = batches == 1 ? 0 : bp.strides[0][0];
        return g;
    }
    // Else pack it contiguously (broadcast batches are materialised).
    const nf_layout dst = contiguous_like(src);
    // rows * cols is bounded by the operand's checked layout; times a broadcast batch count it need not be.
    const int64_t elements = size_mul(fn, "packed operand elements (batches x rows x cols)", batches,
                                      op.m.rows * op.m.cols);
    keep = std::make_unique<Scratch>(fn, static_cast<int64_t>(sizeof(T)) * elements);
    copy_strided(fn, sizeof(T), p, src, keep->get(), dst);
    return {keep->get(), false, std::max<int64_t>(op.m.cols, 1), op.m.rows * op.m.cols};
}

cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const float* a,
                    int lda, long long sa, const float* b, int ldb, long long sb, float* c, int ldc, long long sc,
                    int batches) {
    const float one = 1.0f, zero = 0.0f;
    return cublasSgemmStridedBatched(h, ta, tb, m, n, k, &one, a, lda, sa, b, ldb, sb, &zero, c, ldc, sc, batches);
}

cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const double* a,
                    int lda, long long sa, const double* b, int ldb, long long sb, double* c, int ldc, long long sc,
                    int batches) {
    const double one = 1.0, zero = 0.0;
    return cublasDgemmStridedBatched(h, ta, tb, m, n, k, &one, a, lda, sa, b, ldb, sb, &zero, c, ldc, sc, batches);
}

template <class T>
void matmul(const char* fn, const T* a, const nf_layout& al, const T* b, const nf_layout& bl, T* c,
            const nf_layout& ol, const MatmulArgs& args) {
    const int64_t M = args.m, N = args.n, K = args.k, batches = args.batch;
    if (K == 0) {
        NF_CUDA(cudaMemsetAsync(c, 0, sizeof(T) * static_cast<size_t>(args.out_numel), stream()), fn);
        return;
    }
    if (batches > INT_MAX) NF_UNSUPPORTED("%s: %lld batches are more than cuBLAS takes in one call", fn, (long long)batches);
    std::unique_ptr<Scratch> keep_a, keep_b;
    const GemmOperand A = prepare(fn, a, make_operand(al, ol), ol, batches, keep_a);
    const GemmOperand B = prepare(fn, b, make_operand(bl, ol), ol, batches, keep_b);
    int device = 0;
    NF_CUDA(cudaGetDevice(&device), fn);
    if (device >= 64) NF_UNSUPPORTED("%s: device %d is past the 64 this library tracks", fn, device);
    Blas& bs = blas();
    std::lock_guard<std::mutex> lock(bs.mutex);
    cublasHandle_t& h = bs.handle[device];
    if (!h) check_blas(cublasCreate(&h), fn, "cublasCreate");
    check_blas(cublasSetMathMode(h, g_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), fn, "cublasSetMathMode");
    check_blas(cublasSetStream(h, stream()), fn, "cublasSetStream");  // the capture stream inside a CUDA graph capture
    // Column-major C^T[N, M] = op(B'^T)[N, K] op(A'^T)[K, M].
    check_blas(gemm(h, B.trans ? CUBLAS_OP_T : CUBLAS_OP_N, A.trans ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(N),
                    static_cast<int>(M), static_cast<int>(K), static_cast<const T*>(B.data), static_cast<int>(B.ld),
                    B.batch_stride, static_cast<const T*>(A.data), static_cast<int>(A.ld), A.batch_stride, c,
                    static_cast<int>(N), M * N, static_cast<int>(batches)),
               fn, "gemm");
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_tf32_set(int32_t enabled) {
    static const char* fn = "nf_cuda_tf32_set";
    return nf::guard(fn, [&] {
        if (enabled != 0 && enabled != 1) NF_INVALID("%s: enabled = %d must be 0 or 1", fn, enabled);
        nf::cuda::g_tf32 = enabled != 0;
    });
}

extern "C" NF_API nf_status nf_cuda_matmul(nf_dtype dtype, const void* a, const nf_layout* a_layout, const void* b,
                                           const nf_layout* b_layout, void* out, const nf_layout* out_layout) {
    static const char* fn = "nf_cuda_matmul";
    return nf::guard(fn, [&] {
        const nf::MatmulArgs m = nf::check_matmul(fn, dtype, a, a_layout, b, b_layout, out, out_layout);
        if (m.out_numel == 0) return;
        const nf_layout &al = *a_layout, &bl = *b_layout, &ol = *out_layout;
        if (dtype == NF_FLOAT32)
            nf::cuda::matmul(fn, static_cast<const float*>(a) + al.offset, al, static_cast<const float*>(b) + bl.offset, bl,
                             static_cast<float*>(out) + ol.offset, ol, m);
        else
            nf::cuda::matmul(fn, static_cast<const double*>(a) + al.offset, al, static_cast<const double*>(b) + bl.offset, bl,
                             static_cast<double*>(out) + ol.offset, ol, m);
    });
}
