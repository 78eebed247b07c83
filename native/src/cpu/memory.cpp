// Host caching allocator. Training loops allocate the same tensor sizes every step, so freed
// blocks are kept in per-size-class free lists and handed out again instead of going back to
// the system (large malloc/free pairs mean mmap/munmap and page faults on every step).
//
// Size classes: 64 bytes minimum, then 4 classes per power of two (2^k * {1, 1.25, 1.5, 1.75}),
// rounded up to 64 bytes. That bounds the waste at 25% while keeping reuse likely.
// Statistics count class (block) sizes, which are >= the requested sizes.
#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "common/error.h"

namespace nf {
namespace {

constexpr size_t kAlign = 64;

// Blocks of 2 MiB and more are placed on 2 MiB boundaries and marked for transparent huge pages
// (Linux, where THP is "madvise" by default): a first touch then faults once per 2 MiB instead of
// once per 4 KiB page. On the VMs measured, a 4 KiB first touch costs 12-16 us; 64 MiB touched
// for the first time took 200-260 ms in 4 KiB pages and 4 ms in huge pages (55 ms when the kernel
// first had to compact memory for them). Fresh blocks are what a model's first steps, a new
// replay arena and a dataset's first copy get, so the cold first epoch pays this.
constexpr size_t kHugePage = size_t(2) << 20;

void* allocate_block(size_t bytes) {
#if defined(__linux__)
    if (bytes >= kHugePage) {
        void* p = nullptr;
        if (posix_memalign(&p, kHugePage, bytes) != 0) return nullptr;
        madvise(p, bytes, MADV_HUGEPAGE);  // advice only: a refusal leaves ordinary pages
        return p;
    }
#endif
    return std::aligned_alloc(kAlign, bytes);
}

size_t size_class(size_t bytes) {
    if (bytes <= kAlign) return kAlign;
    size_t pow2 = kAlign;
    while (pow2 * 2 <= bytes) pow2 *= 2;  // largest power of two <= bytes
    const size_t quarter = pow2 / 4;
    size_t c = pow2;
    while (c < bytes) c += quarter;
    return (c + kAlign - 1) / kAlign * kAlign;
}

struct Allocator {
    std::mutex mu;
    std::unordered_map<size_t, std::vector<void*>> free_lists;  // class size -> cached blocks
    std::unordered_map<void*, size_t> live;                     // handed-out block -> class
    nf_memory_stats stats{};

    void release_cache_locked() {
        for (auto& kv : free_lists)
            for (void* p : kv.second) std::free(p);
        free_lists.clear();
        stats.cached_bytes = 0;
    }
};

Allocator& allocator() {
    // Leaked on purpose: blocks may be freed from finalizers after static destructors ran.
    static Allocator* a = new Allocator();
    return *a;
}

}  // namespace
}  // namespace nf

using nf::allocator;

extern "C" NF_API nf_status nf_buffer_alloc(int64_t bytes, void** out) {
    return nf::guard("nf_buffer_alloc", [&] {
        if (!out) NF_INVALID("nf_buffer_alloc: out is NULL");
        *out = nullptr;
        if (bytes < 0) NF_INVALID("nf_buffer_alloc: bytes = %lld is negative", (long long)bytes);
        if (bytes > (int64_t(1) << 56))
            nf::fail(NF_ERROR_OUT_OF_MEMORY, "nf_buffer_alloc: bytes = %lld is too large", (long long)bytes);
        const size_t cls = nf::size_class(static_cast<size_t>(bytes));
        auto& a = allocator();
        std::lock_guard<std::mutex> lock(a.mu);
        void* p = nullptr;
        auto it = a.free_lists.find(cls);
        if (it != a.free_lists.end() && !it->second.empty()) {
            p = it->second.back();
            it->second.pop_back();
            a.stats.cached_bytes -= static_cast<int64_t>(cls);
            a.stats.cache_hits++;
        } else {
            p = nf::allocate_block(cls);
            if (!p) {  // give the cache back to the system and try once more
                a.release_cache_locked();
                p = nf::allocate_block(cls);
            }
            if (!p)
                nf::fail(NF_ERROR_OUT_OF_MEMORY, "nf_buffer_alloc: out of memory allocating %lld bytes",
                         (long long)bytes);
        }
        try {
            a.live.emplace(p, cls);
        } catch (...) {
            std::free(p);
            throw;
        }
        a.stats.live_bytes += static_cast<int64_t>(cls);
        a.stats.peak_bytes = std::max(a.stats.peak_bytes, a.stats.live_bytes);
        a.stats.alloc_count++;
        *out = p;
    });
}

extern "C" NF_API nf_status nf_buffer_free(void* ptr) {
    return nf::guard("nf_buffer_free", [&] {
        if (!ptr) return;
        auto& a = allocator();
        std::lock_guard<std::mutex> lock(a.mu);
        auto it = a.live.find(ptr);
        if (it == a.live.end())
            NF_INVALID("nf_buffer_free: ptr = %p was not returned by nf_buffer_alloc or was already freed", ptr);
        const size_t cls = it->second;
        a.live.erase(it);
        a.stats.live_bytes -= static_cast<int64_t>(cls);
        a.stats.free_count++;
        try {
            a.free_lists[cls].push_back(ptr);
            a.stats.cached_bytes += static_cast<int64_t>(cls);
        } catch (...) {
            std::free(ptr);  // could not cache it: return it to the system instead
        }
    });
}

extern "C" NF_API nf_status nf_memory_stats_get(nf_memory_stats* out) {
    return nf::guard("nf_memory_stats_get", [&] {
        if (!out) NF_INVALID("nf_memory_stats_get: out is NULL");
        auto& a = allocator();
        std::lock_guard<std::mutex> lock(a.mu);
        *out = a.stats;
    });
}

extern "C" NF_API nf_status nf_memory_empty_cache(void) {
    return nf::guard("nf_memory_empty_cache", [&] {
        auto& a = allocator();
        std::lock_guard<std::mutex> lock(a.mu);
        a.release_cache_locked();
    });
}
