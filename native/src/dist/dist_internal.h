// What the distributed engine's source files share besides the public C ABI: dist.cpp owns MPI
// (init, the communicators, the deadlines); cuda_aware.cpp and nccl.cpp build on it.
#pragma once

#include <mpi.h>

#include <mutex>

namespace nf {
namespace dist {

// Held by the thread inside MPI: every entry point that calls MPI holds it for the whole call
// (a collective's wait included). MPI runs at MPI_THREAD_SERIALIZED, one thread at a time, and
// .NET may call from any thread: a Fit moved between pool threads, or the unhandled-exception
// hook, which runs on the thread that threw while another may wait in a collective
// (nf_dist_announce_failure then hands its note to that thread: failure.cpp). Recursive: an
// entry may call another (nf_dist_nccl_init's allgather and broadcast).
using MpiLock = std::unique_lock<std::recursive_timed_mutex>;
std::recursive_timed_mutex& mpi_mutex();

// Throws NF_ERROR_INVALID_ARGUMENT unless nf_dist_init succeeded (and finalize has not run).
void require_ready(const char* fn);
// Destroys the NCCL communicator, if any; nf_dist_finalize calls it before MPI_Finalize.
void nccl_shutdown() noexcept;

// dist.cpp's state, for failure.cpp: the control communicator (the ring's arrival notes and the
// failure notes), this rank and the world size.
MPI_Comm control_comm();
int world_rank();
int world_size();

// failure.cpp: throws NF_ERROR_INTERNAL naming the rank when a rank announced a failure, or
// left after a collective before `waiting_seq` (the one this rank waits in; 0: none); first
// sends a failure note that another thread of this rank handed over (and then fails this wait:
// the rank is ending). Called with the MPI lock held.
void poll_failures(const char* fn, long long waiting_seq);
// Tells the other ranks this one runs no collective after #last_seq (nf_dist_finalize).
void announce_leaving(long long last_seq);

}  // namespace dist
}  // namespace nf
