// Device memory: a caching allocator per device, and host <-> device copies staged through
// pinned memory.
//
// cudaMalloc/cudaFree synchronise the device and cost tens of microseconds, so freed blocks
// are kept per device, keyed by size, and handed out again. Every kernel of this library runs
// in order on the device's default stream, so a block freed by the host (even by the .NET
// finalizer thread) and reused by a later kernel is only touched after the earlier kernels
// that used it: no per-block stream bookkeeping is needed. (CUDA graphs launch on that stream
// too; the blocks their kernels use stay with the graph: graph.cpp.)
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "cuda/runtime.h"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

constexpr int kMaxDevices = 64;

// Small blocks round to 512 bytes, large ones to 2 MiB, so a training loop's repeated shapes
// hit the cache exactly.
int64_t round_size(int64_t bytes) {
    constexpr int64_t small = 512, large = 2 << 20;
    if (bytes <= 0) return small;
    if (bytes < (1 << 20)) return (bytes + small - 1) / small * small;
    if (bytes > INT64_MAX - large) return bytes;  // rounding would overflow; cudaMalloc fails anyway
    return (bytes + large - 1) / large * large;
}

struct DeviceHeap {
    std::multimap<int64_t, void*> free_blocks;  // size -> block
    nf_memory_stats stats{};
};

struct Heaps {
    std::mutex mutex;
    DeviceHeap device[kMaxDevices];
    std::unordered_map<void*, std::pair<int, int64_t>> live;  // block -> (device, size)
};

Heaps& heaps() {
    static Heaps* h = new Heaps();  // never destroyed: finalizers may free blocks at exit
    return *h;
}

int current_device(const char* fn) {
    int d = 0;
    NF_CUDA(cudaGetDevice(&d), fn);
    if (d < 0 || d >= kMaxDevices) NF_UNSUPPORTED("%s: device %d is past the %d this library tracks", fn, d, kMaxDevices);
    return d;
}

void check_device_index(const char* fn, int32_t device) {
    if (device < 0 || device >= kMaxDevices) NF_INVALID("%s: device = %d is not valid", fn, device);
}

// Returns the device's cached blocks to the driver; the caller holds the mutex.
void release_cached(int device) {
    DeviceHeap& h = heaps().device[device];
    if (h.free_blocks.empty()) return;
    int prev = 0;
    cudaGetDevice(&prev);
    cudaSetDevice(device);
    for (auto& [size, ptr] : h.free_blocks) cudaFree(ptr);
    cudaSetDevice(prev);
    h.free_blocks.clear();
    h.stats.cached_bytes = 0;
}

void* allocate(const char* fn, int64_t bytes) {
    const int device = current_device(fn);
    const int64_t size = round_size(bytes);
    Heaps& hs = heaps();
    std::lock_guard<std::mutex> lock(hs.mutex);
    DeviceHeap& h = hs.device[device];
    void* ptr = nullptr;
    // Reuse the smallest cached block that fits without wasting more than half of it.
    auto it = h.free_blocks.lower_bound(size);
    if (it != h.free_blocks.end() && it->first / 2 <= size) {  // not 2 * size: that can overflow
        ptr = it->second;
        h.stats.cached_bytes -= it->first;
        h.stats.cache_hits++;
        const int64_t got = it->first;
        h.free_blocks.erase(it);
        hs.live[ptr] = {device, got};
        h.stats.live_bytes += got;
    } else {
        cudaError_t err = cudaMalloc(&ptr, static_cast<size_t>(size));
        if (err == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            release_cached(device);  // one retry with the cache given back
            err = cudaMalloc(&ptr, static_cast<size_t>(size));
        }
        if (err == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            size_t free_b = 0, total_b = 0;
            cudaMemGetInfo(&free_b, &total_b);
            fail(NF_ERROR_OUT_OF_MEMORY,
                 "%s: out of memory on cuda:%d: asked for %lld bytes (%.1f MiB); this process holds %.1f MiB in "
                 "live tensors and %.1f MiB cached; the device has %.1f MiB free of %.1f MiB",
                 fn, device, (long long)bytes, bytes / 1048576.0, h.stats.live_bytes / 1048576.0,
                 h.stats.cached_bytes / 1048576.0, free_b / 1048576.0, total_b / 1048576.0);
        }
        NF_CUDA(err, fn);
        hs.live[ptr] = {device, size};
        h.stats.live_bytes += size;
    }
    h.stats.alloc_count++;
    if (h.stats.live_bytes > h.stats.peak_bytes) h.stats.peak_bytes = h.stats.live_bytes;
    return ptr;
}

void release(const char* fn, void* ptr) {
    if (!ptr) return;
    Heaps& hs = heaps();
    std::lock_guard<std::mutex> lock(hs.mutex);
    auto it = hs.live.find(ptr);
    if (it == hs.live.end()) NF_INVALID("%s: %p was not allocated by nf_cuda_buffer_alloc (or was freed twice)", fn, ptr);
    const auto [device, size] = it->second;
    hs.live.erase(it);
    DeviceHeap& h = hs.device[device];
    h.free_blocks.emplace(size, ptr);
    h.stats.live_bytes -= size;
    h.stats.cached_bytes += size;
    h.stats.free_count++;
}

// Two pinned staging buffers per device: while the DMA engine moves one, the host fills (or
// drains) the other. Per device because an event can only be recorded on a stream of the
// device that was current when it was created.
constexpr int64_t kChunk = 4 << 20;
constexpr int64_t kDirect = 64 << 10;  // below this, a plain cudaMemcpy is cheaper than staging

struct Staging {
    std::mutex mutex;
    void* host[2] = {nullptr, nullptr};
    cudaEvent_t done[2] = {nullptr, nullptr};
    bool ready = false;

    void init(const char* fn) {
        if (ready) return;
        for (int k = 0; k < 2; ++k) {
            NF_CUDA(cudaHostAlloc(&host[k], kChunk, cudaHostAllocPortable), fn);
            NF_CUDA(cudaEventCreateWithFlags(&done[k], cudaEventDisableTiming), fn);
        }
        ready = true;
    }
};

Staging& staging(const char* fn) {
    static Staging* s = new Staging[kMaxDevices];  // never destroyed, like the heaps
    return s[current_device(fn)];
}

// A captured kernel has not run yet: copying its buffers now would move stale bytes.
void refuse_in_capture(const char* fn) {
    if (capturing()) NF_UNSUPPORTED("%s: host <-> device copies cannot be part of a CUDA graph capture", fn);
}

void to_device(const char* fn, void* dst, const void* src, int64_t bytes) {
    refuse_in_capture(fn);
    if (bytes <= kDirect) {
        NF_CUDA(cudaMemcpy(dst, src, static_cast<size_t>(bytes), cudaMemcpyHostToDevice), fn);
        return;
    }
    Staging& s = staging(fn);
    std::lock_guard<std::mutex> lock(s.mutex);
    s.init(fn);
    int k = 0;
    for (int64_t off = 0; off < bytes; off += kChunk, k ^= 1) {
        const int64_t n = std::min(kChunk, bytes - off);
        NF_CUDA(cudaEventSynchronize(s.done[k]), fn);  // the DMA out of this buffer has finished
        std::memcpy(s.host[k], static_cast<const char*>(src) + off, static_cast<size_t>(n));
        NF_CUDA(cudaMemcpyAsync(static_cast<char*>(dst) + off, s.host[k], static_cast<size_t>(n),
                                cudaMemcpyHostToDevice, 0), fn);
        NF_CUDA(cudaEventRecord(s.done[k], 0), fn);
    }
    NF_CUDA(cudaEventSynchronize(s.done[0]), fn);
    NF_CUDA(cudaEventSynchronize(s.done[1]), fn);
}

void to_host(const char* fn, void* dst, const void* src, int64_t bytes) {
    refuse_in_capture(fn);
    if (bytes <= kDirect) {
        NF_CUDA(cudaMemcpy(dst, src, static_cast<size_t>(bytes), cudaMemcpyDeviceToHost), fn);
        return;
    }
    Staging& s = staging(fn);
    std::lock_guard<std::mutex> lock(s.mutex);
    s.init(fn);
    const int64_t chunks = (bytes + kChunk - 1) / kChunk;
    auto issue = [&](int64_t c) {
        const int64_t off = c * kChunk, n = std::min(kChunk, bytes - off);
        NF_CUDA(cudaMemcpyAsync(s.host[c & 1], static_cast<const char*>(src) + off, static_cast<size_t>(n),
                                cudaMemcpyDeviceToHost, 0), fn);
        NF_CUDA(cudaEventRecord(s.done[c & 1], 0), fn);
    };
    issue(0);
    for (int64_t c = 0; c < chunks; ++c) {
        if (c + 1 < chunks) issue(c + 1);  // the next chunk moves while this one is copied out
        NF_CUDA(cudaEventSynchronize(s.done[c & 1]), fn);
        const int64_t off = c * kChunk, n = std::min(kChunk, bytes - off);
        std::memcpy(static_cast<char*>(dst) + off, s.host[c & 1], static_cast<size_t>(n));
    }
}

}  // namespace

void* allocate_block(const char* fn, int64_t bytes) { return allocate(fn, bytes); }
void release_block(const char* fn, void* ptr) { release(fn, ptr); }

Scratch::Scratch(const char* fn, int64_t bytes) : ptr_(allocate(fn, bytes)) {}
Scratch::~Scratch() {
    try {
        if (!hold_for_capture(ptr_)) release("Scratch", ptr_);
    } catch (...) {
    }
}

}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_buffer_alloc(int64_t bytes, void** out) {
    static const char* fn = "nf_cuda_buffer_alloc";
    return nf::guard(fn, [&] {
        if (!out) NF_INVALID("%s: out is NULL", fn);
        *out = nullptr;  // as nf_buffer_alloc: a failed call leaves no stale pointer behind
        if (bytes < 0) NF_INVALID("%s: bytes = %lld is negative", fn, (long long)bytes);
        // As nf_buffer_alloc: no device has 2^56 bytes, and the size arithmetic stays far from overflow.
        if (bytes > (int64_t(1) << 56))
            nf::fail(NF_ERROR_OUT_OF_MEMORY, "%s: bytes = %lld is too large", fn, (long long)bytes);
        *out = nf::cuda::allocate(fn, bytes);
    });
}

extern "C" NF_API nf_status nf_cuda_buffer_free(void* ptr) {
    static const char* fn = "nf_cuda_buffer_free";
    return nf::guard(fn, [&] { nf::cuda::release(fn, ptr); });
}

extern "C" NF_API nf_status nf_cuda_memory_stats_get(int32_t device, nf_memory_stats* out) {
    static const char* fn = "nf_cuda_memory_stats_get";
    return nf::guard(fn, [&] {
        if (!out) NF_INVALID("%s: out is NULL", fn);
        nf::cuda::check_device_index(fn, device);
        auto& hs = nf::cuda::heaps();
        std::lock_guard<std::mutex> lock(hs.mutex);
        *out = hs.device[device].stats;
    });
}

extern "C" NF_API nf_status nf_cuda_memory_empty_cache(int32_t device) {
    static const char* fn = "nf_cuda_memory_empty_cache";
    return nf::guard(fn, [&] {
        nf::cuda::check_device_index(fn, device);
        auto& hs = nf::cuda::heaps();
        std::lock_guard<std::mutex> lock(hs.mutex);
        nf::cuda::release_cached(device);
    });
}

extern "C" NF_API nf_status nf_cuda_copy_to_device(void* device_dst, const void* host_src, int64_t bytes) {
    static const char* fn = "nf_cuda_copy_to_device";
    return nf::guard(fn, [&] {
        if (bytes < 0) NF_INVALID("%s: bytes = %lld is negative", fn, (long long)bytes);
        if (bytes == 0) return;
        if (!device_dst || !host_src) NF_INVALID("%s: NULL pointer for %lld bytes", fn, (long long)bytes);
        nf::cuda::to_device(fn, device_dst, host_src, bytes);
    });
}

extern "C" NF_API nf_status nf_cuda_copy_to_host(void* host_dst, const void* device_src, int64_t bytes) {
    static const char* fn = "nf_cuda_copy_to_host";
    return nf::guard(fn, [&] {
        if (bytes < 0) NF_INVALID("%s: bytes = %lld is negative", fn, (long long)bytes);
        if (bytes == 0) return;
        if (!host_dst || !device_src) NF_INVALID("%s: NULL pointer for %lld bytes", fn, (long long)bytes);
        nf::cuda::to_host(fn, host_dst, device_src, bytes);
    });
}
