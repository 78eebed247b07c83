// The CUDA engine's allocator, copies and argument checks. The checks run before any device
// work, so those tests run (and must pass) on machines without a GPU too.
#include <cstring>

#include "cuda_util.h"

using namespace nft;
using namespace nftc;

namespace {

TEST(CudaLibrary, ReportsVersionAndWhyNoDevice) {
    EXPECT_EQ(nf_cuda_abi_version(), NF_CUDA_ABI_VERSION);
    EXPECT_NE(std::strstr(nf_cuda_build_info(), "cuBLAS"), nullptr) << nf_cuda_build_info();
    int32_t n = -1;
    const nf_status st = nf_cuda_device_count(&n);
    if (st == NF_OK) {
        EXPECT_GT(n, 0);
        nf_cuda_device_props p{};
        ASSERT_EQ(nf_cuda_device_props_get(0, &p), NF_OK) << nf_cuda_last_error();
        EXPECT_GT(p.total_bytes, 0);
        EXPECT_GT(std::strlen(p.name), 0u);
    } else {
        EXPECT_EQ(st, NF_ERROR_UNSUPPORTED);
        EXPECT_EQ(n, 0);
        EXPECT_NE(std::strstr(nf_cuda_last_error(), "nf_cuda_device_count: "), nullptr) << nf_cuda_last_error();
    }
}

// The checks are common/checks.cpp, shared with the CPU engine: same rules, the CUDA names.
TEST(CudaChecks, BadArgumentsFailBeforeTouchingTheDevice) {
    const nf_layout l = contiguous({2, 3}), other = contiguous({3, 2});
    int dummy = 0;
    EXPECT_EQ(nf_cuda_binary(static_cast<nf_binary_op>(99), NF_FLOAT32, &dummy, &l, &dummy, &l, &dummy, &l),
              NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(), "nf_cuda_binary: op = 99 is not a valid nf_binary_op");
    EXPECT_EQ(nf_cuda_binary(NF_BINARY_ADD, NF_FLOAT32, &dummy, &l, &dummy, &other, &dummy, &l), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(nf_cuda_last_error(), "shape mismatch"), nullptr) << nf_cuda_last_error();
    EXPECT_EQ(nf_cuda_unary(NF_UNARY_EXP, NF_INT32, &dummy, &l, &dummy, &l), NF_ERROR_UNSUPPORTED);
    EXPECT_STREQ(nf_cuda_last_error(), "nf_cuda_unary: op exp is not supported for dtype int32");
    EXPECT_EQ(nf_cuda_matmul(NF_INT32, &dummy, &l, &dummy, &l, &dummy, &l), NF_ERROR_UNSUPPORTED);
    EXPECT_EQ(nf_cuda_matmul(NF_FLOAT32, &dummy, &l, &dummy, &l, &dummy, &l), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(nf_cuda_last_error(), "nf_cuda_matmul: inner dimensions differ"), nullptr);
    EXPECT_EQ(nf_cuda_reduce(NF_REDUCE_ARGMAX, NF_FLOAT32, &dummy, &l, 3u, &dummy, NF_INT64), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(), "nf_cuda_reduce: argmax needs exactly one axis but axes_mask = 0x3");
    EXPECT_EQ(nf_cuda_softmax(0, NF_FLOAT32, &dummy, &l, 2, &dummy), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_cuda_random_uniform(NF_UINT8, &dummy, 1, 0, 0, 0, 1), NF_ERROR_UNSUPPORTED);
    nf_optimizer_params p{};
    p.step = 0;
    EXPECT_EQ(nf_cuda_optimizer_update(NF_OPTIMIZER_ADAM, NF_FLOAT32, &dummy, &dummy, &dummy, &dummy, 1, &p),
              NF_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(nf_cuda_last_error(), "nf_cuda_optimizer_update: p->step = 0 must be at least 1");
    EXPECT_EQ(nf_cuda_buffer_alloc(-1, nullptr), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_cuda_copy_to_host(nullptr, &dummy, 4), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_cuda_buffer_free(&dummy), NF_ERROR_INVALID_ARGUMENT);  // not from the allocator
    EXPECT_NE(std::strstr(nf_cuda_last_error(), "was not allocated by nf_cuda_buffer_alloc"), nullptr);
}

TEST(CudaMemory, CachingAllocatorCountsAndReuses) {
    NFTC_REQUIRE_DEVICE();
    ASSERT_EQ(nf_cuda_device_set(0), NF_OK);
    // Start from an empty cache: blocks cached by earlier tests (e.g. a 1024- or 1536-byte one)
    // would otherwise serve these requests instead of a fresh 1024-byte block and of p.
    ASSERT_EQ(nf_cuda_memory_empty_cache(0), NF_OK);
    nf_memory_stats before{}, mid{}, after{};
    ASSERT_EQ(nf_cuda_memory_stats_get(0, &before), NF_OK);
    void* p = nullptr;
    ASSERT_EQ(nf_cuda_buffer_alloc(1000, &p), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_memory_stats_get(0, &mid), NF_OK);
    EXPECT_EQ(mid.live_bytes - before.live_bytes, 1024);  // rounded to 512-byte blocks
    ASSERT_EQ(nf_cuda_buffer_free(p), NF_OK);
    void* q = nullptr;
    ASSERT_EQ(nf_cuda_buffer_alloc(900, &q), NF_OK);
    EXPECT_EQ(q, p);  // the cached block came back
    ASSERT_EQ(nf_cuda_buffer_free(q), NF_OK);
    ASSERT_EQ(nf_cuda_memory_stats_get(0, &after), NF_OK);
    EXPECT_EQ(after.live_bytes, before.live_bytes);
    EXPECT_GE(after.cache_hits, before.cache_hits + 1);
    EXPECT_GE(after.cached_bytes, 1024);
    ASSERT_EQ(nf_cuda_memory_empty_cache(0), NF_OK);
    ASSERT_EQ(nf_cuda_memory_stats_get(0, &after), NF_OK);
    EXPECT_EQ(after.cached_bytes, 0);
}

TEST(CudaMemory, OutOfMemorySaysWhatWasAskedAndHeld) {
    NFTC_REQUIRE_DEVICE();
    void* p = nullptr;
    EXPECT_EQ(nf_cuda_buffer_alloc(int64_t{1} << 52, &p), NF_ERROR_OUT_OF_MEMORY);
    const std::string msg = nf_cuda_last_error();
    EXPECT_NE(msg.find("out of memory on cuda:0: asked for 4503599627370496 bytes"), std::string::npos) << msg;
    EXPECT_NE(msg.find("MiB in live tensors"), std::string::npos) << msg;
    // The device still works afterwards.
    ASSERT_EQ(nf_cuda_buffer_alloc(64, &p), NF_OK) << nf_cuda_last_error();
    EXPECT_EQ(nf_cuda_buffer_free(p), NF_OK);
}

TEST(CudaMemory, LargeCopiesRoundTripThroughStaging) {
    NFTC_REQUIRE_DEVICE();
    for (int64_t n : {int64_t{1}, int64_t{1000}, int64_t{3} << 20, (int64_t{9} << 20) + 13}) {
        std::vector<uint8_t> host(n);
        for (int64_t i = 0; i < n; ++i) host[i] = static_cast<uint8_t>(i * 131 + (i >> 13));
        DeviceBuffer d(host);
        EXPECT_TRUE(same(d.download<uint8_t>(n), host, "round trip of " + std::to_string(n) + " bytes"));
    }
}

}  // namespace

// Issue 18: page-locked staging buffers and the async copies that accept only them.
namespace {

TEST(CudaPinned, AsyncCopiesRoundTripThroughPageLockedMemory) {
    NFTC_REQUIRE_DEVICE();
    ASSERT_EQ(nf_cuda_device_set(0), NF_OK);
    const int64_t n = 100000, bytes = n * 4;
    void* pinned = nullptr;
    ASSERT_EQ(nf_cuda_host_alloc(bytes, &pinned), NF_OK) << nf_cuda_last_error();
    ASSERT_NE(pinned, nullptr);
    auto* host = static_cast<float*>(pinned);
    for (int64_t i = 0; i < n; ++i) host[i] = static_cast<float>(i) * 0.5f - 7.0f;
    void* dev = nullptr;
    ASSERT_EQ(nf_cuda_buffer_alloc(bytes, &dev), NF_OK);
    ASSERT_EQ(nf_cuda_copy_to_device_async(dev, pinned, bytes), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_synchronize(), NF_OK);
    std::memset(pinned, 0, static_cast<size_t>(bytes));
    // A part of the block, at an offset: the range check accepts any range inside it.
    ASSERT_EQ(nf_cuda_copy_to_host_async(host + 10, static_cast<float*>(dev) + 10, bytes - 40), NF_OK) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_synchronize(), NF_OK);
    EXPECT_EQ(host[9], 0.0f);
    for (int64_t i = 10; i < n; ++i) ASSERT_EQ(host[i], static_cast<float>(i) * 0.5f - 7.0f) << i;
    ASSERT_EQ(nf_cuda_buffer_free(dev), NF_OK);
    ASSERT_EQ(nf_cuda_host_free(pinned), NF_OK) << nf_cuda_last_error();
}

// Argument checks only: they run without a device too.
TEST(CudaPinned, AsyncCopiesRefuseMemoryThatIsNotPageLocked) {
    float pageable[8] = {};
    EXPECT_EQ(nf_cuda_copy_to_host_async(pageable, pageable, 32), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(nf_cuda_last_error(), "pinned_dst"), nullptr) << nf_cuda_last_error();
    EXPECT_NE(std::strstr(nf_cuda_last_error(), "is not inside a page-locked block from nf_cuda_host_alloc"), nullptr);
    EXPECT_EQ(nf_cuda_copy_to_device_async(pageable, pageable, 32), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(nf_cuda_last_error(), "pinned_src"), nullptr) << nf_cuda_last_error();
    EXPECT_EQ(nf_cuda_copy_to_host_async(pageable, pageable, -1), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_cuda_copy_to_host_async(nullptr, pageable, 4), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_cuda_copy_to_host_async(nullptr, nullptr, 0), NF_OK);  // nothing to copy
    EXPECT_EQ(nf_cuda_host_alloc(-5, nullptr), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_cuda_host_free(pageable), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(nf_cuda_last_error(), "was not allocated by nf_cuda_host_alloc"), nullptr);
    EXPECT_EQ(nf_cuda_host_free(nullptr), NF_OK);
}

TEST(CudaPinned, ACopyPastTheEndOfTheBlockOrAfterItsFreeIsRefused) {
    NFTC_REQUIRE_DEVICE();
    void* pinned = nullptr;
    ASSERT_EQ(nf_cuda_host_alloc(64, &pinned), NF_OK) << nf_cuda_last_error();
    void* dev = nullptr;
    ASSERT_EQ(nf_cuda_buffer_alloc(128, &dev), NF_OK);
    EXPECT_EQ(nf_cuda_copy_to_host_async(static_cast<char*>(pinned) + 32, dev, 64), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(nf_cuda_last_error(), "+64 bytes"), nullptr) << nf_cuda_last_error();
    ASSERT_EQ(nf_cuda_host_free(pinned), NF_OK);
    EXPECT_EQ(nf_cuda_copy_to_host_async(pinned, dev, 8), NF_ERROR_INVALID_ARGUMENT);  // freed
    EXPECT_EQ(nf_cuda_host_free(pinned), NF_ERROR_INVALID_ARGUMENT);                   // twice
    ASSERT_EQ(nf_cuda_buffer_free(dev), NF_OK);
}

}  // namespace
