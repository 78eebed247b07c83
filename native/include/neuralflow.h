/*
 * neuralflow.h - the C ABI of the NeuralFlow native engine.
 *
 * C# owns meaning (shapes, dtypes, broadcasting, validation, autodiff); this library owns
 * arithmetic. Callers pass buffers plus layouts that are already checked, but every function
 * still validates what it can and returns a status instead of crashing: no C++ exception,
 * abort or exit ever crosses this boundary.
 *
 * Conventions
 *  - Every function returns nf_status (except the few plain getters). On failure,
 *    nf_last_error() returns a thread-local, library-owned UTF-8 message naming what was wrong.
 *  - Names read nf_<noun>_<verb> or nf_<family>.
 *  - Layouts: shape and strides in elements, offset in elements from the buffer pointer.
 *    A stride of 0 broadcasts. Unless a function says otherwise, all layouts passed to one
 *    call have the same rank and shape (the caller expands broadcasting to stride 0), and an
 *    output described as "contiguous" is written row-major from element 0 of its pointer.
 *  - Buffers are host pointers from nf_buffer_alloc (64-byte aligned); kernels also accept any
 *    suitably aligned host memory.
 */
#ifndef NEURALFLOW_H
#define NEURALFLOW_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(NEURALFLOW_BUILDING)
#    define NF_API __declspec(dllexport)
#  else
#    define NF_API __declspec(dllimport)
#  endif
#else
#  define NF_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define NF_ABI_VERSION 10 /* 3: normalization kernels, nf_optimizer_update_ex, issue-16 elementwise ops;
                             4: issue 16's select/scan/sort kernels (nf_where, ...);
                             5: issue 17's fused elementwise programs (nf_fused_elementwise);
                             6: issue 17's multi-tensor optimizer step (nf_optimizer_update_multi);
                             7: issue 17's fused linear cross-entropy step (nf_linear_cross_entropy);
                             8: nf_scatter_add;
                             9: dense linear algebra (nf_lu, nf_triangular_solve, nf_cholesky);
                             10: issue 17's gathered-row product (nf_gather_matmul) */
#define NF_MAX_RANK 8

/* The enums are 32-bit integers on the wire, and callers (the C# bindings among them) may pass
 * any 32-bit value; the library validates it and fails with NF_ERROR_INVALID_ARGUMENT. In C++
 * they therefore get int32_t as their fixed underlying type, which makes every such value a
 * valid value of the enum: without it, merely reading an out-of-range argument (before it can
 * be checked) is undefined behaviour. C sees the same enums with the same size and values. */
#ifdef __cplusplus
#  define NF_ENUM(name) enum name : int32_t
#else
#  define NF_ENUM(name) enum name
#endif

typedef NF_ENUM(nf_status) {
    NF_OK = 0,
    NF_ERROR_INVALID_ARGUMENT = 1, /* bad shape, layout, axis, index, null pointer */
    NF_ERROR_UNSUPPORTED = 2,      /* valid request this op/dtype pair does not implement */
    NF_ERROR_OUT_OF_MEMORY = 3,
    NF_ERROR_INTERNAL = 4
} nf_status;

typedef NF_ENUM(nf_dtype) {
    NF_FLOAT32 = 0,
    NF_FLOAT64 = 1,
    NF_INT32 = 2,
    NF_INT64 = 3,
    NF_UINT8 = 4,
    NF_BOOL = 5, /* one byte, 0 or 1 */
    NF_FLOAT16 = 6 /* IEEE binary16; only nf_cast, nf_copy and nf_fill take it (other kernels return
                      NF_ERROR_UNSUPPORTED: callers compute float16 in float32) */
} nf_dtype;

typedef struct nf_layout {
    int32_t rank;                  /* 0..NF_MAX_RANK; rank 0 is a scalar (one element) */
    int32_t reserved;              /* keep 0 */
    int64_t offset;                /* elements from the buffer pointer to element [0,...,0] */
    int64_t shape[NF_MAX_RANK];    /* entries past rank are ignored */
    int64_t strides[NF_MAX_RANK];  /* elements; 0 broadcasts; may be negative */
} nf_layout;

/* ---- library ---------------------------------------------------------------------- */

NF_API int32_t nf_abi_version(void);
/* Thread-local message of the last failed call on this thread ("" if none). */
NF_API const char* nf_last_error(void);
/* One line: version, GEMM provider, threading. */
NF_API const char* nf_build_info(void);
/* Worker threads for large kernels (and the GEMM library); n >= 1. */
NF_API nf_status nf_threads_set(int32_t n);
NF_API int32_t nf_threads_get(void);

/* ---- host memory: a caching allocator with statistics ----------------------------- */

typedef struct nf_memory_stats {
    int64_t live_bytes;    /* handed out and not yet freed */
    int64_t peak_bytes;    /* highest live_bytes seen */
    int64_t cached_bytes;  /* freed blocks kept for reuse */
    int64_t alloc_count;   /* nf_buffer_alloc calls that succeeded */
    int64_t free_count;    /* nf_buffer_free calls */
    int64_t cache_hits;    /* allocations served from the cache */
} nf_memory_stats;

/* 64-byte aligned block of at least `bytes` (0 is allowed and gives a valid pointer). */
NF_API nf_status nf_buffer_alloc(int64_t bytes, void** out);
/* Returns a block from nf_buffer_alloc to the cache. NULL is ignored. */
NF_API nf_status nf_buffer_free(void* ptr);
NF_API nf_status nf_memory_stats_get(nf_memory_stats* out);
/* Releases every cached (free) block to the system. */
NF_API nf_status nf_memory_empty_cache(void);

/* ---- binary: out = a (op) b, elementwise over one shape ----------------------------- */

typedef NF_ENUM(nf_binary_op) {
    NF_BINARY_ADD = 0,
    NF_BINARY_SUB = 1,
    NF_BINARY_MUL = 2,
    NF_BINARY_DIV = 3,           /* integers: truncating; x/0 gives 0 (never a trap) */
    NF_BINARY_POW = 4,           /* integers: repeated squaring; negative exponent gives 0 unless |base| is 1 */
    NF_BINARY_MAXIMUM = 5,       /* floats: NaN propagates */
    NF_BINARY_MINIMUM = 6,
    NF_BINARY_EQUAL = 7,         /* comparisons write NF_BOOL */
    NF_BINARY_NOT_EQUAL = 8,
    NF_BINARY_LESS = 9,
    NF_BINARY_LESS_EQUAL = 10,
    NF_BINARY_GREATER = 11,
    NF_BINARY_GREATER_EQUAL = 12,
    /* ---- issue 16: Python-style integer division and remainders ---- */
    NF_BINARY_FLOOR_DIV = 13,    /* floor(a / b), NumPy's floor_divide (a == b*floor_div + floor_mod);
                                    floats: b == 0 gives a / b; integers: b == 0 gives 0 (callers check) */
    NF_BINARY_FLOOR_MOD = 14,    /* remainder with the divisor's sign (Python's %, tf.math.floormod) */
    NF_BINARY_TRUNCATE_MOD = 15, /* remainder with the dividend's sign (C's fmod and %); integers: b == 0 gives 0 */
    /* ---- bitwise ops: integer dtypes only (floats are NF_ERROR_UNSUPPORTED) ---- */
    NF_BINARY_BITWISE_AND = 16,  /* a & b; also NF_BOOL (logical and on 0/1 bytes) */
    NF_BINARY_BITWISE_OR = 17,   /* a | b; also NF_BOOL */
    NF_BINARY_BITWISE_XOR = 18,  /* a ^ b; also NF_BOOL */
    NF_BINARY_LEFT_SHIFT = 19,   /* a << b; a count outside [0, bit width) gives 0 (NumPy on x86) */
    NF_BINARY_RIGHT_SHIFT = 20   /* a >> b, arithmetic for signed a; a count outside [0, bit width)
                                    gives -1 for negative a, else 0 (NumPy on x86) */
} nf_binary_op;

/* a, b and out share one shape; a and b have `dtype`; out has `dtype`, or NF_BOOL for
 * comparisons. Arithmetic on NF_BOOL is NF_ERROR_UNSUPPORTED (maximum/minimum are or/and;
 * bitwise and/or/xor are the logical ones); shifts take integers only. */
NF_API nf_status nf_binary(nf_binary_op op, nf_dtype dtype,
                           const void* a, const nf_layout* a_layout,
                           const void* b, const nf_layout* b_layout,
                           void* out, const nf_layout* out_layout);

/* ---- unary: out = op(x) --------------------------------------------------------------- */

typedef NF_ENUM(nf_unary_op) {
    NF_UNARY_NEG = 0,
    NF_UNARY_ABS = 1,
    NF_UNARY_EXP = 2,     /* EXP..TANH: float32/float64 only */
    NF_UNARY_LOG = 3,
    NF_UNARY_SQRT = 4,
    NF_UNARY_SQUARE = 5,
    NF_UNARY_RELU = 6,
    NF_UNARY_SIGMOID = 7, /* numerically stable on both tails */
    NF_UNARY_TANH = 8,
    NF_UNARY_SIGN = 9,    /* -1, 0, 1 (NaN stays NaN) */
    /* ---- issue 16: float32/float64 only ---- */
    NF_UNARY_FLOOR = 10,
    NF_UNARY_CEIL = 11,
    NF_UNARY_ROUND = 12,  /* half to even (tf.round, np.round) */
    NF_UNARY_SIN = 13,
    NF_UNARY_COS = 14,
    NF_UNARY_LOG1P = 15,
    NF_UNARY_EXPM1 = 16,
    NF_UNARY_RSQRT = 17,  /* 1 / sqrt(x) */
    NF_UNARY_ERF = 18,
    NF_UNARY_SOFTPLUS = 19, /* log(1 + e^x), stable on both tails */
    NF_UNARY_ERFC = 20     /* 1 - erf(x), its tail kept (erfc(10) = 2e-45, not 0) */
} nf_unary_op;

/* x and out share one shape and dtype. NEG/ABS/SQUARE/RELU/SIGN also take integers
 * (not NF_BOOL); the others need a float dtype. */
NF_API nf_status nf_unary(nf_unary_op op, nf_dtype dtype,
                          const void* x, const nf_layout* x_layout,
                          void* out, const nf_layout* out_layout);

/* ---- reduce ------------------------------------------------------------------------- */

typedef NF_ENUM(nf_reduce_op) {
    NF_REDUCE_SUM = 0,
    NF_REDUCE_MEAN = 1,   /* integers: truncating mean */
    NF_REDUCE_MAX = 2,    /* NF_BOOL: any */
    NF_REDUCE_MIN = 3,    /* NF_BOOL: all */
    NF_REDUCE_PROD = 4,
    NF_REDUCE_ARGMAX = 5, /* exactly one axis; first index of the extreme; NaN wins */
    NF_REDUCE_ARGMIN = 6
} nf_reduce_op;

/* Reduces x over the axes whose bit is set in axes_mask (bit i = axis i; bits at or past
 * x's rank are an error). out is contiguous with x's shape minus the reduced axes.
 * out_dtype: `dtype` for SUM/MEAN/MAX/MIN/PROD (SUM/MEAN/PROD on NF_BOOL: unsupported);
 * NF_INT64 or NF_INT32 for ARGMAX/ARGMIN. Floats accumulate in double.
 * An empty reduction gives 0 (SUM), 1 (PROD), NaN (MEAN of floats, 0 for integers);
 * MAX/MIN/ARGMAX/ARGMIN of an empty axis are NF_ERROR_INVALID_ARGUMENT. */
NF_API nf_status nf_reduce(nf_reduce_op op, nf_dtype dtype,
                           const void* x, const nf_layout* x_layout, uint32_t axes_mask,
                           void* out, nf_dtype out_dtype);

/* ---- softmax ------------------------------------------------------------------------ */

/* Softmax (log_softmax when log != 0) along `axis` (0 <= axis < rank), subtracting the max
 * first. float32/float64. out is contiguous with x's shape. */
NF_API nf_status nf_softmax(int32_t log, nf_dtype dtype,
                            const void* x, const nf_layout* x_layout, int32_t axis,
                            void* out);

/* ---- matmul ------------------------------------------------------------------------- */

/* out[..., M, N] = a[..., M, K] @ b[..., K, N]. float32/float64. a, b and out have one
 * rank >= 2; the batch axes (all but the last two) have out's shape, a and b may broadcast
 * them with stride 0. Any strides are accepted: a transposed operand is its layout with the
 * last two axes (shape and strides) swapped, which the GEMM reads in place, and the engine
 * packs what its GEMM cannot read. out_layout must be contiguous. */
NF_API nf_status nf_matmul(nf_dtype dtype,
                           const void* a, const nf_layout* a_layout,
                           const void* b, const nf_layout* b_layout,
                           void* out, const nf_layout* out_layout);

/* ---- cast and copy ------------------------------------------------------------------ */

/* out (contiguous, dst dtype) = x converted. Float to integer truncates toward zero and
 * saturates at the target's range (NaN gives 0); integers to narrower integers wrap (two's
 * complement, as NumPy); anything to NF_BOOL is (x != 0). */
NF_API nf_status nf_cast(nf_dtype src, const void* x, const nf_layout* x_layout,
                         nf_dtype dst, void* out);

/* Strided copy of one shape: makes views contiguous, writes into views. */
NF_API nf_status nf_copy(nf_dtype dtype, const void* x, const nf_layout* x_layout,
                         void* out, const nf_layout* out_layout);

/* ---- index: gather, scatter_add, one_hot ---------------------------------------------- */

/* out (contiguous) has shape x.shape[:axis] + [index_count] + x.shape[axis+1:] and takes
 * slice indices[j] of x along axis. indices: contiguous NF_INT32, NF_INT64 or NF_UINT8;
 * an index outside [0, x.shape[axis]) is NF_ERROR_INVALID_ARGUMENT naming it. */
NF_API nf_status nf_gather(nf_dtype dtype, const void* x, const nf_layout* x_layout,
                           int32_t axis, nf_dtype index_dtype, const void* indices,
                           int64_t index_count, void* out);

/* The adjoint of nf_gather: out[o, indices[j], r] += src[o, j, r] for every j, where src (any
 * strides) is viewed as [outer axes, axis, inner axes] with src.shape[axis] indices and out
 * (contiguous) has src's shape with rows in place of src.shape[axis]. out is accumulated into,
 * not overwritten: the caller fills it first (zeros for a gradient, a tensor's values for
 * tensor_scatter_add); rows that no index names keep their values. indices: contiguous NF_INT32,
 * NF_INT64 or NF_UINT8; an index outside [0, rows), negative ones included, is
 * NF_ERROR_INVALID_ARGUMENT naming it, with out untouched. dtype: float32, float64, int32, int64
 * (integers wrap). The CPU engine adds each output element's terms in index order (j ascending)
 * on any thread count, so results are the same bits every run. */
NF_API nf_status nf_scatter_add(nf_dtype dtype, const void* src, const nf_layout* src_layout,
                                int32_t axis, nf_dtype index_dtype, const void* indices,
                                int64_t rows, void* out);

/* out (contiguous, out_dtype) has shape indices.shape + [depth]; position indices[i] holds
 * on_value, all others off_value; an index outside [0, depth) gives a row of off_value. */
NF_API nf_status nf_one_hot(nf_dtype index_dtype, const void* indices,
                            const nf_layout* indices_layout, int64_t depth,
                            double on_value, double off_value, nf_dtype out_dtype, void* out);

/* ---- linalg: LU, triangular solve, Cholesky -------------------------------------------- */

/* Batched over the leading axes: a matrix argument [..., n, n] is read through any strides; the
 * batch ("..." , possibly empty) counts B matrices in row-major order. Outputs are contiguous and
 * out-of-place (they may not overlap an input). dtype: NF_FLOAT32 or NF_FLOAT64; the CPU engine
 * computes float32 in double and rounds once. Info arrays (int32 [B]) say per matrix what
 * LAPACK's info says: 0, or k + 1 for the first failing column k. With check != 0 a nonzero info
 * also fails the call with NF_ERROR_INVALID_ARGUMENT naming the first failing batch element
 * (after every output is written); check = 0 leaves that to the caller (a determinant of a
 * singular matrix is 0, not an error). */

/* P A = L U with partial pivoting (LAPACK getrf; the pivot is the row of largest |value|, the
 * first such row on ties). lu_out [..., n, n]: U on and above the diagonal, L's multipliers below
 * (L's unit diagonal is implied). pivots_out int32 [..., n]: at step k, row k was swapped with row
 * pivots[k] >= k (getrf's ipiv, 0-based). perm_out int32 [..., n]: row i of P A is row perm[i] of
 * A. info_out int32 [B]: k + 1 when U[k, k] is the first exact zero (the matrix is singular; the
 * elimination goes on past it, as getrf's). */
NF_API nf_status nf_lu(nf_dtype dtype, const void* a, const nf_layout* a_layout, void* lu_out, int32_t* pivots_out,
                       int32_t* perm_out, int32_t* info_out, int32_t check);

/* out [..., n, k] = A^-1 B for a triangular A (LAPACK trsm, left side): A [..., n, n] and
 * B [..., n, k] have one rank and batch shape (broadcast batch axes are stride 0). Only A's lower
 * (lower != 0) or upper triangle is read, and not its diagonal when unit_diagonal != 0 (taken as
 * ones). No check for a zero diagonal: the division gives inf or NaN, as trsm's. A transposed A is
 * a layout with its last two axes swapped (and the other triangle). */
NF_API nf_status nf_triangular_solve(nf_dtype dtype, const void* a, const nf_layout* a_layout, const void* b,
                                     const nf_layout* b_layout, int32_t lower, int32_t unit_diagonal, void* out);

/* A = L L^T (LAPACK potrf, lower): reads A's lower triangle and diagonal only. l_out [..., n, n]:
 * L, zeros above the diagonal. info_out int32 [B]: k + 1 when the leading minor of order k + 1 is
 * not positive (the pivot is <= 0 or NaN): A is not positive definite, and columns k and after of
 * that L are 0. */
NF_API nf_status nf_cholesky(nf_dtype dtype, const void* a, const nf_layout* a_layout, void* l_out,
                             int32_t* info_out, int32_t check);

/* ---- convolution and pooling windows over NHWC data -------------------------------------- */

/* Output position (oh, ow) with tap (kh, kw) reads input row oh*stride_h + kh*dilation_h - pad_top
 * and column ow*stride_w + kw*dilation_w - pad_left; taps outside the image are padding. OH and OW
 * come from the output layout, so the bottom and right padding need no fields. */
typedef struct nf_window2d {
    int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
} nf_window2d;

typedef NF_ENUM(nf_pool_op) {
    NF_POOL_MAX = 0,    /* max over in-image taps (padding never wins); NaN propagates */
    NF_POOL_AVERAGE = 1 /* mean over in-image taps (padding not counted) */
} nf_pool_op;

/* x [N, H, W, C] (any strides) -> out [N, OH, OW, KH, KW, C] contiguous:
 * out[n,oh,ow,kh,kw,c] = x[n, oh*sh + kh*dh - pad_top, ow*sw + kw*dw - pad_left, c], 0 outside the image.
 * OH, OW are out_layout.shape[1], [2]. float32/float64. */
NF_API nf_status nf_im2col(nf_dtype dtype, const void* x, const nf_layout* x_layout,
                           const nf_window2d* window, void* out, const nf_layout* out_layout);
/* The adjoint: cols [N, OH, OW, KH, KW, C] (any strides) summed onto out [N, H, W, C] contiguous,
 * which it overwrites. */
NF_API nf_status nf_col2im(nf_dtype dtype, const void* cols, const nf_layout* cols_layout,
                           const nf_window2d* window, void* out, const nf_layout* out_layout);
/* x [N, H, W, C] -> out [N, OH, OW, C] contiguous. A window with no in-image tap gives 0. */
NF_API nf_status nf_pool2d(nf_pool_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                           const nf_window2d* window, void* out, const nf_layout* out_layout);
/* dx [N, H, W, C] contiguous (overwritten) from dy [N, OH, OW, C]: MAX sends each output's gradient
 * to the first tap in (kh, kw) order holding its maximum (a NaN tap wins); AVERAGE splits it evenly
 * over the in-image taps. */
NF_API nf_status nf_pool2d_backward(nf_pool_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                    const void* dy, const nf_layout* dy_layout, const nf_window2d* window,
                                    void* dx, const nf_layout* dx_layout);

/* ---- normalization: fused batch and layer normalization --------------------------------- */

/*
 * Batch normalization over contiguous x viewed as [outer, features, inner] (feature axis in the
 * middle: NHWC with axis -1 is [N*H*W, C, 1]); each feature's statistics run over its
 * outer * inner elements. gamma, beta: [features], NULL for 1 and 0. Statistics accumulate in
 * double (two passes: mean, then the mean squared deviation), so float32 inputs with a large
 * mean keep their precision.
 *  mean and variance NULL (training): the batch mean and biased variance are computed and
 *   written to batch_mean/batch_variance ([features], both required);
 *  otherwise (inference): the given mean/variance [features] are used and batch_mean/
 *   batch_variance must be NULL.
 * out[o, f, i] = gamma[f] * (x - mean[f]) / sqrt(variance[f] + epsilon) + beta[f] (contiguous).
 * float32/float64; epsilon >= 0 and finite.
 */
NF_API nf_status nf_batch_norm(nf_dtype dtype, const void* x, int64_t outer, int64_t features, int64_t inner,
                               const void* gamma, const void* beta, const void* mean, const void* variance,
                               double epsilon, void* out, void* batch_mean, void* batch_variance);
/*
 * The gradient of nf_batch_norm for upstream dy (contiguous, shaped as x). training != 0: through
 * the batch statistics, which it recomputes from x in double (mean/variance must be NULL):
 * dx = gamma * rstd * (dy - mean(dy) - xhat * mean(dy * xhat)); training == 0: with the given
 * mean/variance, dx = gamma * rstd * dy. dgamma[f] = sum(dy * xhat), dbeta[f] = sum(dy).
 * dx, dgamma, dbeta may each be NULL (not wanted); gamma NULL means 1.
 */
NF_API nf_status nf_batch_norm_backward(nf_dtype dtype, const void* x, int64_t outer, int64_t features,
                                        int64_t inner, const void* dy, const void* gamma, const void* mean,
                                        const void* variance, double epsilon, int32_t training, void* dx,
                                        void* dgamma, void* dbeta);
/*
 * Layer normalization over contiguous x viewed as [rows, cols]: each row is normalized by its own
 * mean and biased variance (accumulated in double); gamma, beta: [cols], NULL for 1 and 0.
 */
NF_API nf_status nf_layer_norm(nf_dtype dtype, const void* x, int64_t rows, int64_t cols, const void* gamma,
                               const void* beta, double epsilon, void* out);
/* Its gradient (row statistics recomputed from x in double): dx = rstd * (g - mean(g) - xhat *
 * mean(g * xhat)) with g = gamma * dy per row; dgamma[c] = sum over rows of dy * xhat, dbeta[c]
 * = sum of dy. dx, dgamma, dbeta may each be NULL. */
NF_API nf_status nf_layer_norm_backward(nf_dtype dtype, const void* x, int64_t rows, int64_t cols, const void* dy,
                                        const void* gamma, double epsilon, void* dx, void* dgamma, void* dbeta);

/* ---- fill, range, random ---------------------------------------------------------------- */

NF_API nf_status nf_fill(nf_dtype dtype, void* out, int64_t count, double value);
/* out[i] = (dtype)(start + i * delta), computed in double. */
NF_API nf_status nf_range(nf_dtype dtype, void* out, int64_t count, double start, double delta);

/*
 * Counter-based random numbers, identical on every backend. Element i of a call uses the
 * Philox4x32-10 block of counter (g & 0xffffffff, g >> 32, 0, 0) with g = offset + i and key
 * (seed & 0xffffffff, seed >> 32); w0, w1 are its first two output words.
 *  uniform: float64: u = ((uint64(w0) << 21) | (w1 >> 11)) * 2^-53; others: u = (w0 >> 8) * 2^-24;
 *           out = low + (high - low) * u in double, then converted (integers: floor).
 *  normal:  u1 = ((w0 >> 8) + 1) * 2^-24, u2 = (w1 >> 8) * 2^-24,
 *           out = mean + stddev * sqrt(-2 ln u1) * cos(2 pi u2) in double, then converted.
 * float32/float64 for normal; uniform also takes NF_INT32/NF_INT64.
 */
NF_API nf_status nf_random_uniform(nf_dtype dtype, void* out, int64_t count,
                                   uint64_t seed, uint64_t offset, double low, double high);
NF_API nf_status nf_random_normal(nf_dtype dtype, void* out, int64_t count,
                                  uint64_t seed, uint64_t offset, double mean, double stddev);

/* ---- training: fused optimizer update, softmax cross-entropy -------------------------- */

typedef NF_ENUM(nf_optimizer) {
    NF_OPTIMIZER_SGD = 0,     /* slot0 = velocity (NULL allowed when momentum == 0); slot1 unused */
    NF_OPTIMIZER_ADAM = 1,    /* slot0 = m, slot1 = v */
    NF_OPTIMIZER_RMSPROP = 2, /* slot0 = mean square, slot1 = momentum buffer (NULL allowed when momentum <= 0) */
    NF_OPTIMIZER_ADAGRAD = 3, /* slot0 = accumulator; slot1 unused */
    /* Keras 3's optimizers of issue 16 (nf_optimizer_update_ex below gives their formulas) */
    NF_OPTIMIZER_NADAM = 4,   /* slot0 = m, slot1 = v */
    NF_OPTIMIZER_ADAMAX = 5,  /* slot0 = m, slot1 = u (exponentially weighted infinity norm) */
    NF_OPTIMIZER_ADADELTA = 6, /* slot0 = accumulated g^2, slot1 = accumulated update^2 */
    /* ---- keras2 session: Ftrl (its hyperparameters are in nf_optimizer_options) ---- */
    NF_OPTIMIZER_FTRL = 7      /* slot0 = accumulator (starts at initial_accumulator_value), slot1 = linear */
} nf_optimizer;

/* Hyperparameters of one update; each kind reads the fields it names. */
typedef struct nf_optimizer_params {
    double learning_rate;
    double momentum;   /* SGD, RMSprop */
    double beta1;      /* Adam */
    double beta2;      /* Adam */
    double epsilon;    /* Adam, RMSprop, Adagrad */
    double rho;        /* RMSprop */
    int32_t nesterov;  /* SGD: nonzero for Nesterov momentum */
    int32_t reserved;  /* keep 0 */
    int64_t step;      /* 1 for the first update of a variable; must be >= 1 */
} nf_optimizer_params;

/*
 * One optimizer step for `count` elements of contiguous float32/float64 buffers, in place and
 * in one pass, with the Keras formulas. Hyperparameters are converted to `dtype` once and
 * the arithmetic runs in `dtype`, in this order (g = grad, w = param):
 *  SGD:     momentum == 0: w -= lr*g; else v = momentum*v - lr*g and
 *           w += (nesterov ? momentum*v - lr*g : v).
 *  Adam:    m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*(g*g);
 *           w -= (alpha*m) / (sqrt(v) + eps), alpha = lr*sqrt(1-b2^step)/(1-b1^step) in double.
 *  RMSprop: ms = rho*ms + (1-rho)*(g*g); inc = (lr*g) / sqrt(ms + eps) (Keras 3: eps inside);
 *           momentum > 0: mom = momentum*mom + inc, w -= mom; else w -= inc.
 *  Adagrad: acc += g*g; w -= (lr*g) / sqrt(acc + eps).
 * Buffers a kind does not use may be NULL; NULL buffers are also accepted when count is 0.
 */
NF_API nf_status nf_optimizer_update(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                     void* slot0, void* slot1, int64_t count,
                                     const nf_optimizer_params* p);

/* ---- optimizers, issue 16: Nadam/Adamax/Adadelta, AMSGrad, centered RMSprop, clipping, weight decay ---- */

/* What nf_optimizer_update_ex adds to a step; all zeros is a plain nf_optimizer_update. */
typedef struct nf_optimizer_options {
    double weight_decay; /* nonzero: w = w - (w*weight_decay)*learning_rate before the update (Keras 3) */
    double grad_mul;     /* with grad_div != 0: g = (g*grad_mul)/grad_div first (clipnorm, global_clipnorm) */
    double grad_div;     /* 0: no scaling */
    double clip_value;   /* > 0: g = min(max(g, -clip_value), clip_value) after the scaling (clipvalue) */
    int32_t amsgrad;     /* Adam: nonzero keeps slot2 = max over steps of v and divides by its root */
    int32_t centered;    /* RMSprop: nonzero keeps slot2 = mean gradient (Keras 3 centered formula) */
    /* ---- keras2 session: Ftrl's hyperparameters, read only by NF_OPTIMIZER_FTRL ---- */
    double lr_power;     /* learning_rate_power, <= 0 */
    double l1;           /* l1_regularization_strength, >= 0 */
    double l2;           /* l2_regularization_strength, >= 0 */
    double l2_shrinkage; /* l2_shrinkage_regularization_strength, >= 0 */
    double beta;         /* beta of the paper, >= 0 */
} nf_optimizer_options;

/*
 * nf_optimizer_update with a third slot and options (NULL options = all zeros; slot2 may be NULL
 * unless amsgrad/centered asks for it). Order per element: scale g, clip g, decay w, then the
 * kind's step in T:
 *  Adam amsgrad: the Adam step, but with vh = max(vh, v) and w -= (alpha*m) / (sqrt(vh) + eps).
 *  RMSprop centered: ms = rho*ms + (1-rho)*(g*g); mg = rho*mg + (1-rho)*g;
 *           inc = (g*lr) / sqrt((ms - mg*mg) + eps); then momentum as in RMSprop.
 *  Nadam:   m = m + (g - m)*(1-b1); v = v + (g*g - v)*(1-b2);
 *           mh = (u1*m)/(1-P1) + ((1-u0)*g)/(1-P0); w -= (mh*lr) / (sqrt(v/(1-b2^step)) + eps),
 *           u0 = b1*(1-0.5*0.96^step), u1 = b1*(1-0.5*0.96^(step+1)), P0 = product of u over
 *           steps 1..step, P1 = P0*u1, all in double once per call.
 *  Adamax:  m = m + (g - m)*(1-b1); u = max(b2*u, |g|); w -= (lr*m) / ((1-b1^step)*(u + eps)).
 *  Adadelta: ag = rho*ag + ((1-rho)*g)*g; d = (-sqrt(ad + eps)*g) / sqrt(ag + eps);
 *           ad = rho*ad + ((1-rho)*d)*d; w += lr*d.
 *  Ftrl (Keras 3; NULL options are lr_power 0, no regularization): with P(x) = x^(-lr_power)
 *           (sqrt when lr_power == -0.5), s = 2*l2_shrinkage and q2 = 2*(l2 + beta/(2*lr)) in double:
 *           na = acc + g*g; lin = lin + ((g + s*w) - ((P(na) - P(acc))/lr)*w);
 *           w = (clip(lin, -l1, l1) - lin) / (P(na)/lr + q2); acc = na.
 */
NF_API nf_status nf_optimizer_update_ex(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                        void* slot0, void* slot1, void* slot2, int64_t count,
                                        const nf_optimizer_params* p, const nf_optimizer_options* o);

/*
 * Row-wise cross-entropy of softmax(logits) against labels, computed stably in double: with
 * d = x - max(x) (exactly 0 at the max), log_softmax = d - log1p(sum of exp(d) off the max).
 * logits: float32/float64 [N, C], any strides.
 * labels: sparse != 0: contiguous [N] class indices of NF_INT32, NF_INT64 or NF_UINT8 (a label
 * outside [0, C) is NF_ERROR_INVALID_ARGUMENT naming its row and value); sparse == 0:
 * contiguous [N, C] of `dtype` (label_dtype must equal dtype), one probability row per sample.
 * Writes loss_out[N] = -sum_c y_c * log_softmax(x)_c (terms with y_c == 0 are skipped) and,
 * when grad_out is not NULL, grad_out[N, C] (contiguous) = softmax(x) - y, the gradient of each
 * row's loss with respect to its logits (the caller scales it by the upstream gradient).
 */
NF_API nf_status nf_softmax_cross_entropy(nf_dtype dtype, const void* logits, const nf_layout* logits_layout,
                                          nf_dtype label_dtype, const void* labels, int32_t sparse,
                                          void* loss_out, void* grad_out);

/* ==== issue 16 (ops2): select, cumulative scans, sort ================================================================ */

/* out = cond ? x : y elementwise over one shape (broadcasts are stride 0), tf.where's select.
 * cond: NF_BOOL (any nonzero byte is true); x, y and out: `dtype`. A true select, not
 * cond*x + (1-cond)*y: the operand not chosen is never combined arithmetically, so an inf or
 * NaN there never reaches out. */
NF_API nf_status nf_where(nf_dtype dtype, const void* cond, const nf_layout* cond_layout,
                          const void* x, const nf_layout* x_layout, const void* y, const nf_layout* y_layout,
                          void* out, const nf_layout* out_layout);

typedef NF_ENUM(nf_scan_op) {
    NF_SCAN_SUM = 0,  /* tf.math.cumsum */
    NF_SCAN_PROD = 1  /* tf.math.cumprod */
} nf_scan_op;

/* Cumulative sum or product of x along `axis` (0 <= axis < rank) into the contiguous out (x's
 * shape and dtype). exclusive != 0: element i combines the elements before it only (the first
 * gets 0 for SUM, 1 for PROD); reverse != 0: the scan runs from the end of the axis. Floats
 * accumulate in double as nf_reduce does (each output is the running double, rounded once);
 * integers wrap in 64 bits. NF_BOOL is NF_ERROR_UNSUPPORTED. */
NF_API nf_status nf_scan(nf_scan_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                         int32_t exclusive, int32_t reverse, void* out);

/* Stable sort of every line of x along `axis` (0 <= axis < rank). values_out (x's dtype) and
 * indices_out (index_dtype NF_INT32 or NF_INT64: each value's position along the axis) are
 * contiguous with x's shape; either may be NULL. Ascending puts NaN last (NumPy); descending
 * (descending != 0) is the reverse order, NaN first, with equal values still in index order.
 * -0 and +0 are equal. NF_BOOL sorts as 0 < 1. */
NF_API nf_status nf_sort(nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis, int32_t descending,
                         void* values_out, nf_dtype index_dtype, void* indices_out);

/* ==== issue 17: fused elementwise programs (a replay's chains of elementwise calls in one pass) ==== */

#define NF_FUSED_MAX_INPUTS 8
#define NF_FUSED_MAX_STEPS 32

typedef NF_ENUM(nf_fused_kind) {
    NF_FUSED_BINARY = 0, /* register = op(a, b), op an nf_binary_op */
    NF_FUSED_UNARY = 1   /* register = op(a), op an nf_unary_op */
} nf_fused_kind;

/* One step of a program. Registers 0..input_count-1 hold the inputs' elements; step s writes
 * register input_count + s and may read any lower register. */
typedef struct nf_fused_step {
    int32_t kind; /* nf_fused_kind */
    int32_t op;   /* the binary or unary op: add, sub, mul, div, maximum, minimum, the six
                     comparisons (their 0/1 result held as 0 or 1 of dtype, what a cast of the bool
                     to dtype gives); neg, abs, square, relu, sign */
    int32_t a;    /* first operand register */
    int32_t b;    /* second operand register (binary only; ignored otherwise) */
} nf_fused_step;

/* out = the last step's register, per element, over one shape (the inputs' layouts share out's
 * shape; broadcasts are stride 0). dtype: NF_FLOAT32 or NF_FLOAT64, for every input and out.
 * Each step computes exactly what nf_binary / nf_unary computes for that op and dtype (the same
 * rounding, no contraction), so a program gives bit for bit the result of its steps run one by
 * one. 1 <= input_count <= NF_FUSED_MAX_INPUTS, 1 <= step_count <= NF_FUSED_MAX_STEPS. out may
 * be an input's buffer only with that input's layout. */
NF_API nf_status nf_fused_elementwise(nf_dtype dtype, int32_t input_count, const void* const* inputs,
                                      const nf_layout* input_layouts, int32_t step_count, const nf_fused_step* steps,
                                      void* out, const nf_layout* out_layout);

/* ==== issue 17: the optimizer over many variables in one call (multi-tensor apply) ==== */

/* One variable of nf_optimizer_update_multi: the buffers and count of an nf_optimizer_update_ex call. */
typedef struct nf_optimizer_tensor {
    void* param;
    const void* grad;
    void* slot0;
    void* slot1;
    void* slot2;
    int64_t count;
} nf_optimizer_tensor;

/* nf_optimizer_update_ex(kind, dtype, t.param, t.grad, t.slot0, t.slot1, t.slot2, t.count, p, o)
 * for every t of tensors[0, tensor_count), with one p and o for all of them, as one pass over all
 * their elements (PyTorch's foreach / fused optimizers): each element gets exactly the bits of the
 * per-variable call. tensor_count >= 0 (0 does nothing; tensors may then be NULL). The buffers a
 * kind writes (param and the slots it uses) may not overlap another tensor's buffers or the
 * tensor's own grad (NF_ERROR_INVALID_ARGUMENT naming both): the tensors are updated in any
 * order, at once. Errors name the tensor, "tensors[i]". */
NF_API nf_status nf_optimizer_update_multi(nf_optimizer kind, nf_dtype dtype, const nf_optimizer_tensor* tensors,
                                           int32_t tensor_count, const nf_optimizer_params* p,
                                           const nf_optimizer_options* o);

/* One training step's pass of a linear layer with sparse softmax cross-entropy, reading x once
 * (CPU engine only): logits = x @ w (+ bias), loss_out[N] and g = softmax(logits) - onehot(labels)
 * as nf_softmax_cross_entropy, dlogits = scale * g, and dw_out [K, C] (contiguous) = x^T @ dlogits.
 * Every output has the bits of those separate calls (nf_matmul, nf_binary ADD, nf_softmax_cross_entropy,
 * nf_binary MUL, nf_matmul on x transposed), on any thread count.
 * x: float32 [N, K] (row-major rows: unit column stride), w: [K, C], any strides. bias (NULL: none) and
 * scale: read as [N, C] through bias_layout / scale_layout (broadcasts are stride 0, as the add and the
 * multiply read them). labels: contiguous [N] of NF_INT32, NF_INT64 or NF_UINT8 (one outside [0, C) is
 * NF_ERROR_INVALID_ARGUMENT naming its row, before anything is written).
 * Optional contiguous [N, C] outputs (NULL: not written): logits_out (after the bias), grad_out (g),
 * dlogits_out. *fused = 1 when done; 0 when the shapes are not ones it fuses (another dtype, few rows,
 * more than 16 classes, x not row-major, no AVX-512): nothing is then written and the caller runs the
 * separate kernels. dw_out NULL asks only: *fused = 1 when these layouts and dtypes would fuse (no
 * buffer is read or written; the replay plan asks before it fuses a traced chain). */
NF_API nf_status nf_linear_cross_entropy(nf_dtype dtype, const void* x, const nf_layout* x_layout, const void* w,
                                         const nf_layout* w_layout, const void* bias, const nf_layout* bias_layout,
                                         nf_dtype label_dtype, const void* labels, const void* scale,
                                         const nf_layout* scale_layout, void* logits_out, void* loss_out,
                                         void* grad_out, void* dlogits_out, void* dw_out, int32_t* fused);

/* A matrix product whose first operand is a row gather: g = x's rows indices[0..n) (nf_gather along
 * axis 0 of a 2-D x), out = g @ b (transpose_g 0: b [K, N], out [n, N]) or out = g^T @ b (transpose_g 1:
 * b [n, N], out [K, N]), with the bits of nf_gather into a packed [n, K] buffer followed by nf_matmul
 * on it (or on its transposed view), on any thread count; x is never copied. (CPU engine only.)
 * x: float32 [L, K] with unit column stride (x_layout.strides[1] == 1, any row stride >= K, offset allowed).
 * indices: contiguous [n] NF_INT32 or NF_INT64 (or NF_UINT8, as nf_gather); an index outside [0, L) fails
 * as nf_gather does (same message, naming nf_gather_matmul), before anything is written. b: float32, any
 * strides nf_matmul accepts; out: packed row-major (out_layout contiguous). *fused = 1 when done; 0 when
 * nf_matmul would not run this product through narrow_gemm (too small, too wide, no AVX-512, another
 * dtype, x's columns not unit-stride, ...): nothing is then written and the caller gathers and multiplies.
 * out == NULL only asks: *fused = 1 when these layouts and dtypes would fuse (no pointer is read; the C#
 * replay planner asks before it rewrites a traced step). */
NF_API nf_status nf_gather_matmul(nf_dtype dtype, const void* x, const nf_layout* x_layout, nf_dtype index_dtype,
                                  const void* indices, int64_t index_count, int32_t transpose_g, const void* b,
                                  const nf_layout* b_layout, void* out, const nf_layout* out_layout, int32_t* fused);

#ifdef __cplusplus
}
#endif

#endif /* NEURALFLOW_H */
