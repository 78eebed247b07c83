/*
 * NeuralFlow distributed engine: libneuralflow_dist, collectives over MPI for data-parallel
 * training (NeuralFlow.Distributed.DataParallel). Built only where CMake finds MPI and loaded by
 * the C# bindings only when a DataParallel strategy is created, so single-machine users never
 * need MPI.
 *
 * Conventions are the CPU engine's (neuralflow.h): every function returns nf_status except the
 * plain getters, and on failure nf_dist_last_error() gives this thread's message. MPI errors are
 * returned (MPI_ERRORS_RETURN), never aborts. Buffers are host memory, except that with a
 * CUDA-aware MPI (nf_dist_cuda_aware) nf_dist_iallreduce/allreduce with NF_DIST_SUM, broadcast
 * and allgather also take device pointers (MEAN divides on the host: not for device memory).
 * Otherwise the caller stages device tensors through page-locked host buffers
 * (nf_cuda_host_alloc), or uses NCCL (nf_dist_nccl_*) where it is installed.
 *
 * Failures: a rank that throws on its own announces it (nf_dist_announce_failure), and every
 * wait below fails as soon as such a note (or one saying a rank left) arrives.
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
#define NF_DIST_ABI_VERSION 2

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

/* ==== failures: a rank that throws on its own ends the others' waits at once =================
 * Tells every other rank that this one failed with `message` (UTF-8, cut to 600 bytes), once:
 * each collective they wait in (or start) fails with NF_ERROR_INTERNAL "rank R failed: message
 * ...". A rank that finalizes tells the others it left after its last collective, so one still
 * waiting in a later collective fails at once too, and nf_dist_finalize fails (without
 * finalizing) when a rank announced a failure, so that its caller ends the job. Any thread may
 * call it, as may nf_dist_linger and nf_dist_abort (every call that enters MPI holds one lock:
 * MPI_THREAD_SERIALIZED): while another thread of this rank waits in a collective, the note is
 * handed to that thread, which sends it at its next poll and fails its wait ("rank R of N failed:
 * message (announced to the other ranks; ...)"), as does any later wait of this rank. */
NF_API nf_status nf_dist_announce_failure(const char* message);
/* Before a failed rank ends the job (nf_dist_abort): waits at most timeout_s while another rank
 * has neither failed nor left, so that the others learn of the failure in their next collective
 * and report it (then end the job themselves) instead of being killed first. *remaining
 * receives how many ranks had not (0: all). */
NF_API nf_status nf_dist_linger(double timeout_s, int32_t* remaining);

/* ==== issue 18 (distgpu): collectives on GPU memory ====================================== */

/* Whether MPI may be handed device pointers (a CUDA-aware MPI), decided once after nf_dist_init:
 * NEURALFLOW_DIST_CUDA_AWARE=0|1 when set (any MPI; another value is NF_ERROR_INVALID_ARGUMENT);
 * else Open MPI's run-time answer MPIX_Query_cuda_support() where mpi-ext.h declared it at build
 * time (the library loaded may differ from the headers built against); else 0. *source (may be
 * NULL) receives a static line saying which of these answered. */
NF_API nf_status nf_dist_cuda_aware(int32_t* aware, const char** source);

/* NCCL, loaded at run time: dlopen(library, or "libnccl.so.2" when NULL) and dlsym of the few
 * entry points used (NCCL >= 2.10 for ncclAvg). Collective: every rank calls it, the ranks agree
 * (over MPI) whether all of them loaded NCCL, and only then rank 0's ncclGetUniqueId is
 * broadcast and ncclCommInitRank joins the calling thread's current CUDA device. *available = 1
 * when every rank has NCCL; else 0, and nf_dist_nccl_status says why. With required = 1 a rank
 * without NCCL is an error instead (NF_ERROR_UNSUPPORTED naming the rank and the reason). Later
 * calls return the first answer. nf_dist_finalize destroys the communicator. */
NF_API nf_status nf_dist_nccl_init(const char* library, int32_t required, int32_t* available, double timeout_s);
/* "NCCL 2.18.3 from libnccl.so.2", or why NCCL is not used ("" before nf_dist_nccl_init). */
NF_API const char* nf_dist_nccl_status(void);
/* Device buffers of the current device, queued on `stream` (a cudaStream_t; NULL: the legacy
 * default stream, where the CUDA engine's kernels run, so they order after the kernels queued
 * before and before those queued after). They return once queued. */
NF_API nf_status nf_dist_nccl_allreduce(void* device_buffer, int64_t count, nf_dtype dtype, nf_dist_op op, void* stream);
NF_API nf_status nf_dist_nccl_broadcast(void* device_buffer, int64_t bytes, int32_t root, void* stream);
NF_API nf_status nf_dist_nccl_allgather(const void* device_send, int64_t count, nf_dtype dtype, void* device_recv, void* stream);

#ifdef __cplusplus
}
#endif

#endif /* NEURALFLOW_DIST_H */
