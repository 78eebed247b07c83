// Host side of the CUDA engine, usable from plain C++ files (the allocator, devices) as well
// as from .cu files: error mapping, launch sizes, scratch buffers and the helpers one op
// family lends another.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <functional>

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

// ---- CUDA graphs (graph.cpp) ----
// The stream this thread's kernels, memsets and GEMMs go to: the legacy default stream (0), so
// that everything runs in one order, or, between nf_cuda_graph_capture_begin and _end, the
// stream being captured. Every launch names it (<<<grid, block, 0, stream()>>>).
cudaStream_t stream();
// True while this thread captures: calls that wait for the device or copy to or from the host
// refuse then (a captured kernel has not run, so its results cannot be read).
bool capturing();
// A value a captured kernel reads from device memory instead of its arguments, because it
// changes per launch (a random draw's seed and offset, an optimizer step's hyperparameters):
// what it is, so that nf_cuda_graph_set_* can check and recompute it.
struct GraphSlot {
    enum What : int32_t { Random = 0, Optimizer = 1 } what;
    int32_t kind;   // Optimizer: nf_optimizer
    int32_t dtype;  // Optimizer: nf_dtype
    bool plain;     // Optimizer: optimizer_plain (the kernel without options)
};
constexpr int64_t kGraphSlotBytes = 256;
// During a capture: the next slot of the graph's parameter block, holding `value` until a
// nf_cuda_graph_set_* call changes it; returns the slot's device address.
void* capture_slot(const char* fn, const GraphSlot& slot, const void* value, int64_t bytes);
// The bytes of an optimizer slot (optimizer.cu): the OptimizerHyper the eager call computes.
void optimizer_slot_value(nf_optimizer kind, nf_dtype dtype, bool plain, const nf_optimizer_params& p,
                          const nf_optimizer_options& o, void* out);
// An argument check inside a capture (a sparse cross-entropy's labels, a gather's or a
// scatter-add's indices): its kernels go into the graph, writing the first bad position into
// `first_bad` (a device word the graph holds, all ones when none), and nf_cuda_graph_launch reads
// that word after each launch and calls `fail` with it, which reads what its message needs and
// throws the eager call's error (nf::fail_label, nf::fail_gather_index, ...).
struct GraphCheck {
    const char* fn;
    const unsigned long long* first_bad;
    std::function<void(int64_t position)> fail;
};
void capture_check(GraphCheck check);
// Inside a capture: the range check of `count` indices against [0, len) as kernels of the graph,
// failing each launch that finds one with fail(position, value) (index.cu).
void capture_index_check(const char* fn, nf_dtype index_dtype, const void* idx, int64_t count, int64_t len,
                         std::function<void(int64_t position, int64_t value)> fail);
// Device blocks of the caching allocator (memory.cpp), for the graph's own buffers.
void* allocate_block(const char* fn, int64_t bytes);
void release_block(const char* fn, void* ptr);
// During a capture, a block a captured kernel used is kept by the graph until it is destroyed
// (instead of going back to the cache while the graph may still launch); false otherwise.
bool hold_for_capture(void* block);

}  // namespace cuda
}  // namespace nf
