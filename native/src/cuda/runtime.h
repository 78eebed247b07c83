// Host side of the CUDA engine, usable from plain C++ files (the allocator, devices) as well
// as from .cu files: error mapping, launch sizes, scratch buffers and the helpers one op
// family lends another.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/error.h"
#include "common/layout.h"

namespace nf {
namespace cuda {

// Throws nf::Error for a failed CUDA runtime call, naming the exported function and the call.
void check(cudaError_t err, const char* fn, const char* what);
#define NF_CUDA(call, fn) ::nf::cuda::check((call), (fn), #call)
// After a launch: a bad configuration shows up here, a fault inside the kernel at the next wait.
#define NF_CUDA_LAUNCHED(fn) ::nf::cuda::check(cudaGetLastError(), (fn), "kernel launch")

// Threads per block of the elementwise kernels, and a grid that covers n items once with
// grid-stride loops (capped: each thread then handles several items).
constexpr int kThreads = 256;
inline unsigned grid_for(int64_t n, int threads = kThreads) {
    const int64_t blocks = (n + threads - 1) / threads;
    return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > 65535 * 8 ? 65535 * 8 : blocks));
}

// Device scratch for one call (gather/label checks, packed GEMM operands): a block from the
// caching allocator, returned when the object goes out of scope.
class Scratch {
public:
    Scratch(const char* fn, int64_t bytes);
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    void* get() const { return ptr_; }

private:
    void* ptr_ = nullptr;
};

// Strided copy of one shape (cast.cu): softmax and matmul pack their inputs with it.
void copy_strided(const char* fn, int64_t elem_size, const void* x, const nf_layout& xl, void* out,
                  const nf_layout& ol);

// First position j in [0, count) of a device index array whose value is outside [0, len), with
// that value in *bad_value; -1 when all are in range. Waits for the device (index.cu).
int64_t first_out_of_range(const char* fn, nf_dtype index_dtype, const void* idx, int64_t count, int64_t len,
                           int64_t* bad_value);

}  // namespace cuda
}  // namespace nf
