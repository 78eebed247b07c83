// Caching allocator: alignment, statistics, reuse, empty_cache, bad frees, threads.
#include <thread>

#include "test_util.h"

namespace {

nf_memory_stats stats() {
    nf_memory_stats s{};
    EXPECT_EQ(nf_memory_stats_get(&s), NF_OK);
    return s;
}

}  // namespace

TEST(Memory, AllocFreeReuseAndStats) {
    ASSERT_EQ(nf_memory_empty_cache(), NF_OK);
    const nf_memory_stats s0 = stats();
    EXPECT_EQ(s0.cached_bytes, 0);

    void* a = nullptr;
    ASSERT_EQ(nf_buffer_alloc(1000, &a), NF_OK);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
    std::memset(a, 1, 1000);  // usable
    const nf_memory_stats s1 = stats();
    EXPECT_GE(s1.live_bytes - s0.live_bytes, 1000);
    EXPECT_LE(s1.live_bytes - s0.live_bytes, 1280);  // size classes waste at most 25%
    EXPECT_EQ(s1.alloc_count, s0.alloc_count + 1);
    EXPECT_GE(s1.peak_bytes, s1.live_bytes);

    ASSERT_EQ(nf_buffer_free(a), NF_OK);
    const nf_memory_stats s2 = stats();
    EXPECT_EQ(s2.live_bytes, s0.live_bytes);
    EXPECT_EQ(s2.free_count, s0.free_count + 1);
    EXPECT_EQ(s2.cached_bytes, s1.live_bytes - s0.live_bytes);

    // Same size class again: served from the cache (the same block).
    void* b = nullptr;
    ASSERT_EQ(nf_buffer_alloc(990, &b), NF_OK);
    EXPECT_EQ(b, a);
    const nf_memory_stats s3 = stats();
    EXPECT_EQ(s3.cache_hits, s2.cache_hits + 1);
    EXPECT_EQ(s3.cached_bytes, 0);

    ASSERT_EQ(nf_buffer_free(b), NF_OK);
    ASSERT_EQ(nf_memory_empty_cache(), NF_OK);
    EXPECT_EQ(stats().cached_bytes, 0);
    void* c = nullptr;
    ASSERT_EQ(nf_buffer_alloc(1000, &c), NF_OK);
    EXPECT_EQ(stats().cache_hits, s3.cache_hits);  // cache was emptied: a fresh block
    ASSERT_EQ(nf_buffer_free(c), NF_OK);
}

TEST(Memory, ZeroBytesNullAndBadFree) {
    void* p = nullptr;
    ASSERT_EQ(nf_buffer_alloc(0, &p), NF_OK);
    EXPECT_NE(p, nullptr);
    EXPECT_EQ(nf_buffer_free(nullptr), NF_OK);
    ASSERT_EQ(nf_buffer_free(p), NF_OK);
    EXPECT_TRUE(nft::fails_with(nf_buffer_free(p), NF_ERROR_INVALID_ARGUMENT, {"nf_buffer_free", "already freed"}));
    int local = 0;
    EXPECT_TRUE(nft::fails_with(nf_buffer_free(&local), NF_ERROR_INVALID_ARGUMENT, {"nf_buffer_free"}));
    EXPECT_TRUE(nft::fails_with(nf_buffer_alloc(-5, &p), NF_ERROR_INVALID_ARGUMENT, {"nf_buffer_alloc", "-5"}));
    EXPECT_TRUE(nft::fails_with(nf_buffer_alloc(8, nullptr), NF_ERROR_INVALID_ARGUMENT, {"nf_buffer_alloc", "out"}));
    EXPECT_TRUE(nft::fails_with(nf_buffer_alloc(int64_t(1) << 62, &p), NF_ERROR_OUT_OF_MEMORY, {"nf_buffer_alloc"}));
    EXPECT_TRUE(nft::fails_with(nf_memory_stats_get(nullptr), NF_ERROR_INVALID_ARGUMENT, {"nf_memory_stats_get"}));
}

TEST(Memory, PeakTracksHighWaterMark) {
    ASSERT_EQ(nf_memory_empty_cache(), NF_OK);
    const int64_t live0 = stats().live_bytes;
    void* a = nullptr;
    void* b = nullptr;
    ASSERT_EQ(nf_buffer_alloc(1 << 20, &a), NF_OK);
    ASSERT_EQ(nf_buffer_alloc(1 << 20, &b), NF_OK);
    EXPECT_GE(stats().peak_bytes, live0 + (2 << 20));
    ASSERT_EQ(nf_buffer_free(a), NF_OK);
    ASSERT_EQ(nf_buffer_free(b), NF_OK);
    EXPECT_GE(stats().peak_bytes, live0 + (2 << 20));
    EXPECT_EQ(stats().live_bytes, live0);
    EXPECT_EQ(stats().cached_bytes, 2 << 20);
}

TEST(Memory, ThreadSafe) {
    const nf_memory_stats s0 = stats();
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([t] {
            for (int i = 0; i < 2000; ++i) {
                void* p = nullptr;
                if (nf_buffer_alloc(64 * (1 + (i + t) % 17), &p) != NF_OK) std::abort();
                static_cast<char*>(p)[0] = 1;
                if (nf_buffer_free(p) != NF_OK) std::abort();
            }
        });
    for (auto& t : ts) t.join();
    const nf_memory_stats s1 = stats();
    EXPECT_EQ(s1.alloc_count - s0.alloc_count, 8000);
    EXPECT_EQ(s1.free_count - s0.free_count, 8000);
    EXPECT_EQ(s1.live_bytes, s0.live_bytes);
    EXPECT_GT(s1.cache_hits - s0.cache_hits, 7000);
}

// Blocks of 2 MiB and more start on a 2 MiB boundary (Linux: marked for transparent huge pages, so
// a first touch faults once per 2 MiB); they are usable end to end and cached like any other.
TEST(Memory, LargeBlocksSitOnHugePageBoundaries) {
    void* p = nullptr;
    const int64_t bytes = (int64_t(3) << 20) + 100;
    ASSERT_EQ(nf_buffer_alloc(bytes, &p), NF_OK);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
#if defined(__linux__)
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (uintptr_t(2) << 20), 0u);
#endif
    std::memset(p, 7, static_cast<size_t>(bytes));
    EXPECT_EQ(static_cast<unsigned char*>(p)[bytes - 1], 7);
    ASSERT_EQ(nf_buffer_free(p), NF_OK);
    void* q = nullptr;
    ASSERT_EQ(nf_buffer_alloc(bytes, &q), NF_OK);
    EXPECT_EQ(q, p);  // served from the cache
    ASSERT_EQ(nf_buffer_free(q), NF_OK);
}
