// What the distributed engine's source files share besides the public C ABI: dist.cpp owns MPI
// (init, the communicators, the deadlines); cuda_aware.cpp and nccl.cpp build on it.
#pragma once

namespace nf {
namespace dist {

// Throws NF_ERROR_INVALID_ARGUMENT unless nf_dist_init succeeded (and finalize has not run).
void require_ready(const char* fn);
// Destroys the NCCL communicator, if any; nf_dist_finalize calls it before MPI_Finalize.
void nccl_shutdown() noexcept;

}  // namespace dist
}  // namespace nf
