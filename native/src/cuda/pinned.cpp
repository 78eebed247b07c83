// Page-locked (pinned) host buffers and asynchronous copies between them and the device, for
// callers that move the same bytes every step: the distributed engine stages GPU gradients
// through them when MPI cannot read device memory (NeuralFlow.Distributed, issue 18).
//
// Why pinned: the DMA engine reads and writes page-locked memory directly, so a copy into it
// can be queued on the engine's stream and return at once, and runs at full PCIe speed. A copy
// from pageable memory is staged by the driver (or by memory.cpp's own buffers) and waits.
//
// The asynchronous copies accept only ranges inside a block from nf_cuda_host_alloc: an async
// copy from pageable memory would silently become synchronous, and one from freed memory would
// write into whatever lives there later. The blocks are tracked so that a wrong pointer is
// NF_ERROR_INVALID_ARGUMENT, never a fault.
#include <map>
#include <mutex>

#include "cuda/runtime.h"
#include "neuralflow_cuda.h"

namespace {

struct PinnedBlocks {
    std::mutex mutex;
    std::map<const char*, int64_t> blocks;  // start -> bytes
};

PinnedBlocks& pinned() {
    static PinnedBlocks* p = new PinnedBlocks();  // never destroyed: finalizers may free at exit
    return *p;
}

// Throws unless [ptr, ptr + bytes) lies inside one live pinned block.
void require_pinned(const char* fn, const char* what, const void* ptr, int64_t bytes) {
    auto& p = pinned();
    std::lock_guard<std::mutex> lock(p.mutex);
    const char* c = static_cast<const char*>(ptr);
    auto it = p.blocks.upper_bound(c);
    if (it != p.blocks.begin()) {
        --it;
        if (c >= it->first && bytes <= it->second - (c - it->first)) return;
    }
    NF_INVALID("%s: %s %p (+%lld bytes) is not inside a page-locked block from nf_cuda_host_alloc", fn, what, ptr,
               (long long)bytes);
}

void check_copy(const char* fn, const void* dst, const void* src, int64_t bytes) {
    if (bytes < 0) NF_INVALID("%s: bytes = %lld is negative", fn, (long long)bytes);
    if (bytes > 0 && (!dst || !src)) NF_INVALID("%s: NULL pointer for %lld bytes", fn, (long long)bytes);
}

}  // namespace

extern "C" NF_API nf_status nf_cuda_host_alloc(int64_t bytes, void** out) {
    static const char* fn = "nf_cuda_host_alloc";
    return nf::guard(fn, [&] {
        if (!out) NF_INVALID("%s: out is NULL", fn);
        *out = nullptr;
        if (bytes < 0) NF_INVALID("%s: bytes = %lld is negative", fn, (long long)bytes);
        if (bytes > (int64_t(1) << 48))
            nf::fail(NF_ERROR_OUT_OF_MEMORY, "%s: bytes = %lld is too large to page-lock", fn, (long long)bytes);
        void* p = nullptr;
        // Portable: usable from every device's stream (a process may switch devices).
        cudaError_t err = cudaHostAlloc(&p, static_cast<size_t>(bytes > 0 ? bytes : 1), cudaHostAllocPortable);
        if (err == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            nf::fail(NF_ERROR_OUT_OF_MEMORY, "%s: cannot page-lock %lld bytes (%.1f MiB) of host memory", fn,
                     (long long)bytes, bytes / 1048576.0);
        }
        NF_CUDA(err, fn);
        auto& pb = pinned();
        std::lock_guard<std::mutex> lock(pb.mutex);
        pb.blocks[static_cast<const char*>(p)] = bytes;
        *out = p;
    });
}

extern "C" NF_API nf_status nf_cuda_host_free(void* ptr) {
    static const char* fn = "nf_cuda_host_free";
    return nf::guard(fn, [&] {
        if (!ptr) return;
        {
            auto& pb = pinned();
            std::lock_guard<std::mutex> lock(pb.mutex);
            auto it = pb.blocks.find(static_cast<const char*>(ptr));
            if (it == pb.blocks.end())
                NF_INVALID("%s: %p was not allocated by nf_cuda_host_alloc (or was freed twice)", fn, ptr);
            pb.blocks.erase(it);
        }
        // cudaFreeHost waits for the copies in flight that touch the block, so none writes into freed memory.
        NF_CUDA(cudaFreeHost(ptr), fn);
    });
}

extern "C" NF_API nf_status nf_cuda_copy_to_host_async(void* pinned_dst, const void* device_src, int64_t bytes) {
    static const char* fn = "nf_cuda_copy_to_host_async";
    return nf::guard(fn, [&] {
        check_copy(fn, pinned_dst, device_src, bytes);
        if (bytes == 0) return;
        require_pinned(fn, "pinned_dst", pinned_dst, bytes);
        // The engine's stream (the legacy one outside a graph capture): after every kernel queued
        // so far, before every later one.
        NF_CUDA(cudaMemcpyAsync(pinned_dst, device_src, static_cast<size_t>(bytes), cudaMemcpyDeviceToHost, nf::cuda::stream()), fn);
    });
}

extern "C" NF_API nf_status nf_cuda_copy_to_device_async(void* device_dst, const void* pinned_src, int64_t bytes) {
    static const char* fn = "nf_cuda_copy_to_device_async";
    return nf::guard(fn, [&] {
        check_copy(fn, device_dst, pinned_src, bytes);
        if (bytes == 0) return;
        require_pinned(fn, "pinned_src", pinned_src, bytes);
        NF_CUDA(cudaMemcpyAsync(device_dst, pinned_src, static_cast<size_t>(bytes), cudaMemcpyHostToDevice, nf::cuda::stream()), fn);
    });
}
