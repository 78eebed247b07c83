/*
 * NeuralFlow distributed engine: libneuralflow_dist, collectives over MPI for data-parallel
 * training (NeuralFlow.Distributed.DataParallel). Built only where CMake finds MPI and loaded by
 * the C# bindings only when a DataParallel strategy is created, so single-machine users never
 * need MPI.
 *
 * Conventions are the CPU engine's (neuralflow.h): every function returns nf_status except the
 * plain getters, and on failure nf_dist_last_error() gives this thread's message. MPI errors are
 * returned (MPI_ERRORS_RETURN), never aborts. Buffers are host memory: device tensors are staged
 * through host buffers by the caller (CUDA-aware MPI is a documented TODO).
 *
 * Hangs: every wait polls with a deadline (timeout_s; <= 0 waits forever). When it passes, the
 * call fails with NF_ERROR_INTERNAL and a message naming the rank that did not reach the
 * collective, as far as this rank can tell: each collective call sends its sequence number to
 * the next rank of a ring, so rank r knows how far rank r-1 got.
 */
#ifndef NEURALFLOW_DIST_H
#define NEURALFLOW_DIST_H

#include "neuralflow.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every incompatible change of this header. */
#define NF_DIST_ABI_VERSION 1

typedef NF_ENUM(nf_dist_op) {
    NF_DIST_SUM = 0,
    NF_DIST_MEAN = 1 /* sum, then divided by the world size */
} nf_dist_op;

NF_API int32_t nf_dist_abi_version(void);
NF_API const char* nf_dist_last_error(void);
/* "Open MPI v4.1.4, ..." (MPI_Get_library_version), for messages and the README's benchmark. */
NF_API const char* nf_dist_build_info(void);

/* Initialises MPI once per process (MPI_THREAD_SERIALIZED; reuses an MPI another component
 * initialised), returns this process's rank and the world size. Calls after the first only read
 * them. */
NF_API nf_status nf_dist_init(int32_t* rank, int32_t* size);
/* MPI_Finalize, once; later nf_dist_init calls fail (MPI cannot be initialised twice). */
NF_API nf_status nf_dist_finalize(void);
NF_API int32_t nf_dist_rank(void);
NF_API int32_t nf_dist_size(void);

/* In place over count elements of dtype (NF_FLOAT32, NF_FLOAT64). */
NF_API nf_status nf_dist_allreduce(void* buffer, int64_t count, nf_dtype dtype, nf_dist_op op, double timeout_s);
/* Starts a non-blocking allreduce (MPI_Iallreduce); the buffer must stay untouched until
 * nf_dist_wait (or nf_dist_test reporting done) returns for *handle. */
NF_API nf_status nf_dist_iallreduce(void* buffer, int64_t count, nf_dtype dtype, nf_dist_op op, int64_t* handle);
/* *done = 1 once the operation finished (the handle is then released), else 0. */
NF_API nf_status nf_dist_test(int64_t handle, int32_t* done);
NF_API nf_status nf_dist_wait(int64_t handle, double timeout_s);

/* bytes from root to every rank, in place. */
NF_API nf_status nf_dist_broadcast(void* buffer, int64_t bytes, int32_t root, double timeout_s);
NF_API nf_status nf_dist_barrier(double timeout_s);
/* count elements from every rank into recv (count * size elements, rank order). */
NF_API nf_status nf_dist_allgather(const void* send, int64_t count, nf_dtype dtype, void* recv, double timeout_s);

/* Ends every process of the job (MPI_Abort), for a rank that cannot go on. */
NF_API nf_status nf_dist_abort(int32_t code);

#ifdef __cplusplus
}
#endif

#endif /* NEURALFLOW_DIST_H */
