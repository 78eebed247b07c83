// Helpers of the CUDA test suite: every test runs one op on the CPU engine and on the CUDA
// engine with the same random inputs and layouts, and compares. Without a CUDA device the
// comparison tests report themselves skipped, with the reason the driver gave; the argument
// checks (which run before any device work) are tested either way.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "../test_util.h"
#include "neuralflow_cuda.h"

namespace nftc {

// The emulated run (tests/cuda/emu) executes kernels thread by thread on the CPU: the largest
// shapes shrink there, still above every strategy's threshold.
#if defined(NFTC_EMULATED)
constexpr bool kEmulated = true;
#else
constexpr bool kEmulated = false;
#endif

// "" when a device is usable, else why not (once per process).
inline const std::string& no_device_reason() {
    static const std::string reason = [] {
        int32_t n = 0;
        if (nf_cuda_device_count(&n) == NF_OK && n > 0) return std::string();
        return std::string(nf_cuda_last_error());
    }();
    return reason;
}

#define NFTC_REQUIRE_DEVICE()                                                              \
    do {                                                                                   \
        if (!::nftc::no_device_reason().empty())                                           \
            GTEST_SKIP() << "no CUDA device: " << ::nftc::no_device_reason();              \
    } while (0)

// A device buffer holding a copy of host bytes (or `bytes` uninitialised bytes), followed by
// nft::kGuardBytes guard bytes (test_util.h's sentinels), checked by intact() and, at the
// latest, when the buffer is freed: every device output of the suite is guarded.
class DeviceBuffer {
public:
    explicit DeviceBuffer(size_t bytes) : bytes_(bytes) {
        EXPECT_EQ(nf_cuda_buffer_alloc(static_cast<int64_t>(bytes + nft::kGuardBytes), &ptr_), NF_OK)
            << nf_cuda_last_error();
        if (!ptr_) return;
        uint8_t guard[nft::kGuardBytes];
        nft::write_guard(guard);
        EXPECT_EQ(nf_cuda_copy_to_device(static_cast<uint8_t*>(ptr_) + bytes_, guard, nft::kGuardBytes), NF_OK)
            << nf_cuda_last_error();
    }
    template <class T>
    explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size() * sizeof(T)) {
        EXPECT_EQ(nf_cuda_copy_to_device(ptr_, host.data(), static_cast<int64_t>(bytes_)), NF_OK) << nf_cuda_last_error();
    }
    ~DeviceBuffer() {
        if (ptr_) EXPECT_TRUE(intact());
        nf_cuda_buffer_free(ptr_);
    }
    ::testing::AssertionResult intact(const std::string& what = "device output") const {
        uint8_t guard[nft::kGuardBytes];
        if (nf_cuda_copy_to_host(guard, static_cast<const uint8_t*>(ptr_) + bytes_, nft::kGuardBytes) != NF_OK)
            return ::testing::AssertionFailure() << what << ": guard not readable: " << nf_cuda_last_error();
        return nft::guard_intact(guard, what);
    }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;

    void* get() const { return ptr_; }
    template <class T>
    std::vector<T> download(size_t count) const {
        std::vector<T> host(count);
        EXPECT_EQ(nf_cuda_copy_to_host(host.data(), ptr_, static_cast<int64_t>(count * sizeof(T))), NF_OK)
            << nf_cuda_last_error();
        return host;
    }

private:
    void* ptr_ = nullptr;
    size_t bytes_;
};

// got == want element for element (NaN == NaN), reporting the first mismatches.
template <class T>
::testing::AssertionResult same(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
    if (got.size() != want.size()) return ::testing::AssertionFailure() << what << ": sizes differ";
    int bad = 0;
    std::string msg;
    for (size_t i = 0; i < want.size(); ++i) {
        const bool both_nan = got[i] != got[i] && want[i] != want[i];
        if (got[i] == want[i] || both_nan) continue;
        if (bad++ < 5)
            msg += "\n  [" + std::to_string(i) + "] cuda " + std::to_string(static_cast<double>(got[i])) + " cpu " +
                   std::to_string(static_cast<double>(want[i]));
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << what << ": " << bad << " of " << want.size() << " differ" << msg;
}

// got close to want (relative rt, absolute at), NaN == NaN, equal infinities.
template <class T>
::testing::AssertionResult near(const std::vector<T>& got, const std::vector<T>& want, double rt, double at,
                                const std::string& what) {
    std::vector<double> w(want.begin(), want.end());
    return nft::all_close(got.data(), w, rt, at, what);
}

}  // namespace nftc
