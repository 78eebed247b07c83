/*
 * neuralflow_cuda.h - the C ABI of the NeuralFlow CUDA engine (libneuralflow_cuda).
 *
 * A separate library: the CPU engine never depends on CUDA, and this one is loaded on demand.
 * It links the CUDA runtime statically and cuBLAS dynamically, so it loads on any machine with
 * the cuBLAS libraries; without an NVIDIA driver or device, nf_cuda_device_count says so and the
 * CUDA backend is simply not offered.
 *
 * Conventions are those of neuralflow.h (types, statuses, layouts, argument checks and error
 * messages are shared), with these differences:
 *  - Every kernel nf_cuda_<family> takes exactly the arguments of nf_<family>, but its buffers
 *    are device pointers from nf_cuda_buffer_alloc of the calling thread's current device
 *    (nf_cuda_device_set). Host-side arguments (layouts, nf_optimizer_params) stay host pointers.
 *  - Kernels are queued in order on the device's default stream and return before they finish;
 *    nf_cuda_copy_to_host and nf_cuda_synchronize wait. Errors of a running kernel surface at the
 *    next call that waits.
 *  - The checks that read buffer contents (gather indices, sparse labels) run on the device and
 *    the call waits for their verdict, so a bad index is still NF_ERROR_INVALID_ARGUMENT naming
 *    the first bad position, and nothing is written.
 *  - Floats accumulate in double as on the CPU; results match the CPU engine to rounding, and
 *    the random generators match it exactly (uniform bit for bit; normal to 1 ulp of double,
 *    as the device's log/cos differ from the C library's in the last bit).
 *  - GEMM runs through cuBLAS in full float32/float64 precision unless nf_cuda_tf32_set(1).
 */
#ifndef NEURALFLOW_CUDA_H
#define NEURALFLOW_CUDA_H

#include "neuralflow.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NF_CUDA_ABI_VERSION 8  /* 3: normalization kernels, nf_cuda_optimizer_update_ex;
                                  4: issue 16's select/scan/sort kernels (nf_cuda_where, ...);
                                  5: issue 17's CUDA graphs (nf_cuda_graph_*) and fused elementwise
                                     programs (nf_cuda_fused_elementwise); issue 18's page-locked
                                     staging (nf_cuda_host_alloc, ...);
                                  6: issue 17's multi-tensor optimizer step (nf_cuda_optimizer_update_multi);
                                  7: nf_cuda_scatter_add;
                                  8: dense linear algebra (nf_cuda_lu, nf_cuda_triangular_solve, nf_cuda_cholesky) */

/* ---- library and devices ------------------------------------------------------------- */

NF_API int32_t nf_cuda_abi_version(void);
/* Thread-local message of the last failed nf_cuda_* call on this thread ("" if none). */
NF_API const char* nf_cuda_last_error(void);
/* One line: version, CUDA runtime and cuBLAS versions, the architectures built for. */
NF_API const char* nf_cuda_build_info(void);

/* Number of usable devices. Without a driver or device: NF_ERROR_UNSUPPORTED, *count = 0,
 * and nf_cuda_last_error says why (e.g. "CUDA driver version is insufficient"). */
NF_API nf_status nf_cuda_device_count(int32_t* count);

typedef struct nf_cuda_device_props {
    char name[256];          /* UTF-8, NUL-terminated */
    int64_t total_bytes;     /* global memory */
    int32_t major, minor;    /* compute capability */
    int32_t multiprocessors;
    int32_t reserved;        /* 0 */
} nf_cuda_device_props;

NF_API nf_status nf_cuda_device_props_get(int32_t device, nf_cuda_device_props* out);
/* Makes `device` current for the calling thread's kernels and allocations. */
NF_API nf_status nf_cuda_device_set(int32_t device);
NF_API nf_status nf_cuda_device_get(int32_t* device);
/* Waits for everything queued on the current device. */
NF_API nf_status nf_cuda_synchronize(void);
/* TF32 tensor-core GEMM for float32 (faster, about 10 bits of mantissa): 0 (default) or 1. */
NF_API nf_status nf_cuda_tf32_set(int32_t enabled);

/* ---- device memory: a caching allocator per device ------------------------------------- */

/* 256-byte aligned block of at least `bytes` on the current device. When the device is full,
 * the allocator returns its cached blocks to the driver and retries once; if that fails too:
 * NF_ERROR_OUT_OF_MEMORY with a message saying how much was asked for and how much is held. */
NF_API nf_status nf_cuda_buffer_alloc(int64_t bytes, void** out);
/* Returns a block to its device's cache; any thread may call it. NULL is ignored. */
NF_API nf_status nf_cuda_buffer_free(void* ptr);
NF_API nf_status nf_cuda_memory_stats_get(int32_t device, nf_memory_stats* out);
/* Returns every cached (free) block of `device` to the driver. */
NF_API nf_status nf_cuda_memory_empty_cache(int32_t device);

/* Host <-> device copies of `bytes` bytes. Host memory may be any (pageable) memory: large
 * copies are staged through pinned buffers in chunks, overlapping the host copy with the DMA.
 * Both wait until the bytes have arrived. */
NF_API nf_status nf_cuda_copy_to_device(void* device_dst, const void* host_src, int64_t bytes);
NF_API nf_status nf_cuda_copy_to_host(void* host_dst, const void* device_src, int64_t bytes);

/* ---- kernels: the contracts of the nf_* functions of the same family ------------------- */

NF_API nf_status nf_cuda_binary(nf_binary_op op, nf_dtype dtype,
                                const void* a, const nf_layout* a_layout,
                                const void* b, const nf_layout* b_layout,
                                void* out, const nf_layout* out_layout);
NF_API nf_status nf_cuda_unary(nf_unary_op op, nf_dtype dtype,
                               const void* x, const nf_layout* x_layout,
                               void* out, const nf_layout* out_layout);
NF_API nf_status nf_cuda_reduce(nf_reduce_op op, nf_dtype dtype,
                                const void* x, const nf_layout* x_layout, uint32_t axes_mask,
                                void* out, nf_dtype out_dtype);
NF_API nf_status nf_cuda_softmax(int32_t log, nf_dtype dtype,
                                 const void* x, const nf_layout* x_layout, int32_t axis,
                                 void* out);
NF_API nf_status nf_cuda_matmul(nf_dtype dtype,
                                const void* a, const nf_layout* a_layout,
                                const void* b, const nf_layout* b_layout,
                                void* out, const nf_layout* out_layout);
NF_API nf_status nf_cuda_cast(nf_dtype src, const void* x, const nf_layout* x_layout,
                              nf_dtype dst, void* out);
NF_API nf_status nf_cuda_copy(nf_dtype dtype, const void* x, const nf_layout* x_layout,
                              void* out, const nf_layout* out_layout);
NF_API nf_status nf_cuda_gather(nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                int32_t axis, nf_dtype index_dtype, const void* indices,
                                int64_t index_count, void* out);
/* Deterministic: each output element gets its terms in index order (j ascending) added onto its
 * old value, as the CPU engine does, so results are the same bits on every run and equal the CPU
 * engine's (no atomics: the indices are sorted stably on the device first). Its index check waits
 * for the device, as nf_cuda_gather's (inside a CUDA graph capture both checks go into the graph
 * and each nf_cuda_graph_launch reads them, failing with the eager call's message). */
NF_API nf_status nf_cuda_scatter_add(nf_dtype dtype, const void* src, const nf_layout* src_layout,
                                     int32_t axis, nf_dtype index_dtype, const void* indices,
                                     int64_t rows, void* out);
/* One block per matrix; the CPU engine's contracts, computed in the dtype (float32 is not widened).
 * With check != 0 the call waits for the device to read the info array (so it cannot be part of a
 * CUDA graph capture). */
NF_API nf_status nf_cuda_lu(nf_dtype dtype, const void* a, const nf_layout* a_layout, void* lu_out, int32_t* pivots_out,
                            int32_t* perm_out, int32_t* info_out, int32_t check);
NF_API nf_status nf_cuda_triangular_solve(nf_dtype dtype, const void* a, const nf_layout* a_layout, const void* b,
                                          const nf_layout* b_layout, int32_t lower, int32_t unit_diagonal, void* out);
NF_API nf_status nf_cuda_cholesky(nf_dtype dtype, const void* a, const nf_layout* a_layout, void* l_out,
                                  int32_t* info_out, int32_t check);
NF_API nf_status nf_cuda_one_hot(nf_dtype index_dtype, const void* indices,
                                 const nf_layout* indices_layout, int64_t depth,
                                 double on_value, double off_value, nf_dtype out_dtype, void* out);
/* Convolution and pooling windows (nf_window2d, nf_pool_op: see neuralflow.h). */
NF_API nf_status nf_cuda_im2col(nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                const nf_window2d* window, void* out, const nf_layout* out_layout);
NF_API nf_status nf_cuda_col2im(nf_dtype dtype, const void* cols, const nf_layout* cols_layout,
                                const nf_window2d* window, void* out, const nf_layout* out_layout);
NF_API nf_status nf_cuda_pool2d(nf_pool_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                const nf_window2d* window, void* out, const nf_layout* out_layout);
NF_API nf_status nf_cuda_pool2d_backward(nf_pool_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                         const void* dy, const nf_layout* dy_layout, const nf_window2d* window,
                                         void* dx, const nf_layout* dx_layout);
/* Fused batch and layer normalization (see neuralflow.h). */
NF_API nf_status nf_cuda_batch_norm(nf_dtype dtype, const void* x, int64_t outer, int64_t features, int64_t inner,
                                    const void* gamma, const void* beta, const void* mean, const void* variance,
                                    double epsilon, void* out, void* batch_mean, void* batch_variance);
NF_API nf_status nf_cuda_batch_norm_backward(nf_dtype dtype, const void* x, int64_t outer, int64_t features,
                                             int64_t inner, const void* dy, const void* gamma, const void* mean,
                                             const void* variance, double epsilon, int32_t training, void* dx,
                                             void* dgamma, void* dbeta);
NF_API nf_status nf_cuda_layer_norm(nf_dtype dtype, const void* x, int64_t rows, int64_t cols, const void* gamma,
                                    const void* beta, double epsilon, void* out);
NF_API nf_status nf_cuda_layer_norm_backward(nf_dtype dtype, const void* x, int64_t rows, int64_t cols,
                                             const void* dy, const void* gamma, double epsilon, void* dx,
                                             void* dgamma, void* dbeta);
NF_API nf_status nf_cuda_fill(nf_dtype dtype, void* out, int64_t count, double value);
NF_API nf_status nf_cuda_range(nf_dtype dtype, void* out, int64_t count, double start, double delta);
NF_API nf_status nf_cuda_random_uniform(nf_dtype dtype, void* out, int64_t count,
                                        uint64_t seed, uint64_t offset, double low, double high);
NF_API nf_status nf_cuda_random_normal(nf_dtype dtype, void* out, int64_t count,
                                       uint64_t seed, uint64_t offset, double mean, double stddev);
NF_API nf_status nf_cuda_optimizer_update(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                          void* slot0, void* slot1, int64_t count,
                                          const nf_optimizer_params* p);
/* nf_optimizer_update_ex (issue 16) on device buffers; options stay a host pointer. */
NF_API nf_status nf_cuda_optimizer_update_ex(nf_optimizer kind, nf_dtype dtype, void* param, const void* grad,
                                             void* slot0, void* slot1, void* slot2, int64_t count,
                                             const nf_optimizer_params* p, const nf_optimizer_options* o);
NF_API nf_status nf_cuda_softmax_cross_entropy(nf_dtype dtype, const void* logits, const nf_layout* logits_layout,
                                               nf_dtype label_dtype, const void* labels, int32_t sparse,
                                               void* loss_out, void* grad_out);

/* ==== issue 16 (ops2): select, scans, sort, on device buffers (contracts as in neuralflow.h) ============== */
NF_API nf_status nf_cuda_where(nf_dtype dtype, const void* cond, const nf_layout* cond_layout,
                               const void* x, const nf_layout* x_layout, const void* y, const nf_layout* y_layout,
                               void* out, const nf_layout* out_layout);
NF_API nf_status nf_cuda_scan(nf_scan_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                              int32_t exclusive, int32_t reverse, void* out);
NF_API nf_status nf_cuda_sort(nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                              int32_t descending, void* values_out, nf_dtype index_dtype, void* indices_out);

/* ==== issue 17: CUDA graphs (a replayed step captured once, then launched as one graph) ============= */
/*
 * Between nf_cuda_graph_capture_begin and nf_cuda_graph_capture_end, the calling thread's
 * kernel calls are recorded (cudaStreamBeginCapture on a stream of the engine, relaxed mode)
 * instead of run; other threads are not affected. Calls that copy between host and device or
 * read a result on the host (nf_cuda_copy_to_*, a linalg call's check) fail inside a capture.
 * Index checks (a sparse cross-entropy's labels, nf_cuda_gather's and nf_cuda_scatter_add's
 * indices) go into the graph instead: their kernels skip a bad index, and each launch waits for
 * the graph and fails with the eager call's message when one was found. A random draw or
 * optimizer step inside a capture takes the next "slot" of the graph: its kernel reads its
 * (seed, offset) or hyperparameters from device memory, which nf_cuda_graph_set_random /
 * nf_cuda_graph_set_optimizer rewrite before a launch (slots are
 * numbered in call order, from 0; max_slots bounds them). A failed call inside a capture leaves
 * the capture open: nf_cuda_graph_capture_end then ends it (and may fail). Launches run on the
 * stream every other call uses, so they are ordered with them; scratch memory the captured
 * kernels use stays with the graph until nf_cuda_graph_destroy.
 */
typedef struct nf_cuda_graph nf_cuda_graph;
NF_API nf_status nf_cuda_graph_capture_begin(int32_t max_slots);
NF_API nf_status nf_cuda_graph_capture_end(nf_cuda_graph** out);
/* Slot kinds: 0 = random draw ({seed, offset}), 1 = optimizer step. */
NF_API nf_status nf_cuda_graph_slot_kinds(const nf_cuda_graph* graph, int32_t* kinds, int32_t capacity, int32_t* count);
NF_API nf_status nf_cuda_graph_set_random(nf_cuda_graph* graph, int32_t slot, uint64_t seed, uint64_t offset);
/* The arguments of the nf_cuda_optimizer_update_ex call the slot came from, with this launch's values. */
NF_API nf_status nf_cuda_graph_set_optimizer(nf_cuda_graph* graph, int32_t slot, nf_optimizer kind, nf_dtype dtype,
                                             const nf_optimizer_params* p, const nf_optimizer_options* o);
NF_API nf_status nf_cuda_graph_launch(nf_cuda_graph* graph);
/* Waits for the graph's last launch, then frees it; NULL is ignored. */
NF_API nf_status nf_cuda_graph_destroy(nf_cuda_graph* graph);
/* ==== issue 18 (distgpu): page-locked host memory, for staging collectives through the host ==== */
/* A page-locked host block of `bytes` (cudaHostAlloc, portable to every device); the CPU reads and
 * writes it like any memory, the DMA engine copies to and from it without waiting. */
NF_API nf_status nf_cuda_host_alloc(int64_t bytes, void** out);
/* Frees a block of nf_cuda_host_alloc (waiting for copies in flight); NULL is ignored. */
NF_API nf_status nf_cuda_host_free(void* ptr);
/* Queue a copy on the engine's stream and return: after the kernels queued before, before the
 * ones queued after. The host side must lie inside one nf_cuda_host_alloc block (else
 * NF_ERROR_INVALID_ARGUMENT); its bytes are valid (or may be overwritten) only after
 * nf_cuda_synchronize. */
NF_API nf_status nf_cuda_copy_to_host_async(void* pinned_dst, const void* device_src, int64_t bytes);
NF_API nf_status nf_cuda_copy_to_device_async(void* device_dst, const void* pinned_src, int64_t bytes);
/* ==== issue 17: fused elementwise programs; one thread per element ==== */
NF_API nf_status nf_cuda_fused_elementwise(nf_dtype dtype, int32_t input_count, const void* const* inputs,
                                           const nf_layout* input_layouts, int32_t step_count,
                                           const nf_fused_step* steps, void* out, const nf_layout* out_layout);
/* ==== issue 17: nf_optimizer_update_multi on device buffers; the tensors array and options stay host
 * memory (the launch takes a copy: inside a CUDA graph capture it may be freed right after the call).
 * One launch per up to NF_CUDA_OPTIMIZER_MULTI_PER_LAUNCH tensors (the table travels in the kernel's
 * parameters), all launches reading the one hyperparameter slot of a graph capture. ==== */
#define NF_CUDA_OPTIMIZER_MULTI_PER_LAUNCH 64
NF_API nf_status nf_cuda_optimizer_update_multi(nf_optimizer kind, nf_dtype dtype, const nf_optimizer_tensor* tensors,
                                                int32_t tensor_count, const nf_optimizer_params* p,
                                                const nf_optimizer_options* o);

#ifdef __cplusplus
}
#endif

#endif /* NEURALFLOW_CUDA_H */
