// libneuralflow_dist under mpirun -np 2 (CTest runs it; see native/tests/CMakeLists.txt). Every
// rank runs every test in the same order, so each test's collectives meet their partners. The
// last test leaves one rank behind on purpose (the timeout that names it), so it must stay last.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "neuralflow_dist.h"

namespace {

int g_rank = -1, g_size = 0;
constexpr double kTimeout = 60;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

TEST(Dist, RunsOnTwoRanks) {
    EXPECT_EQ(g_size, 2);
    EXPECT_EQ(nf_dist_rank(), g_rank);
    EXPECT_EQ(nf_dist_size(), g_size);
    EXPECT_NE(std::string(nf_dist_build_info()), "");
}

TEST(Dist, AllreduceSumFloat32) {
    std::vector<float> v = {1.5f + g_rank, -2.0f * (g_rank + 1), 0.25f};
    ASSERT_EQ(nf_dist_allreduce(v.data(), 3, NF_FLOAT32, NF_DIST_SUM, kTimeout), NF_OK) << nf_dist_last_error();
    EXPECT_EQ(v[0], 1.5f + 2.5f);
    EXPECT_EQ(v[1], -2.0f - 4.0f);
    EXPECT_EQ(v[2], 0.5f);
}

TEST(Dist, AllreduceMeanFloat64) {
    std::vector<double> v = {1.0 + g_rank, 1e-300 * (g_rank + 1), -7.0};
    ASSERT_EQ(nf_dist_allreduce(v.data(), 3, NF_FLOAT64, NF_DIST_MEAN, kTimeout), NF_OK) << nf_dist_last_error();
    EXPECT_EQ(v[0], 1.5);
    EXPECT_EQ(v[1], 1.5e-300);
    EXPECT_EQ(v[2], -7.0);
}

TEST(Dist, NonBlockingAllreduceCompletesThroughTestAndWait) {
    std::vector<float> v(1000, static_cast<float>(g_rank + 1));
    int64_t handle = -1;
    ASSERT_EQ(nf_dist_iallreduce(v.data(), 1000, NF_FLOAT32, NF_DIST_MEAN, &handle), NF_OK) << nf_dist_last_error();
    int32_t done = 0;
    ASSERT_EQ(nf_dist_test(handle, &done), NF_OK);
    if (!done) ASSERT_EQ(nf_dist_wait(handle, kTimeout), NF_OK) << nf_dist_last_error();
    for (float x : v) ASSERT_EQ(x, 1.5f);
    EXPECT_EQ(nf_dist_wait(handle, kTimeout), NF_ERROR_INVALID_ARGUMENT);  // released once done
}

TEST(Dist, BroadcastFromRankOne) {
    std::vector<unsigned char> bytes(37, static_cast<unsigned char>(g_rank == 1 ? 0xAB : 0));
    ASSERT_EQ(nf_dist_broadcast(bytes.data(), 37, 1, kTimeout), NF_OK) << nf_dist_last_error();
    for (unsigned char b : bytes) ASSERT_EQ(b, 0xAB);
}

TEST(Dist, AllgatherInRankOrder) {
    double mine[2] = {10.0 * g_rank, 10.0 * g_rank + 1};
    std::vector<double> all(4, -1);
    ASSERT_EQ(nf_dist_allgather(mine, 2, NF_FLOAT64, all.data(), kTimeout), NF_OK) << nf_dist_last_error();
    EXPECT_EQ(all, (std::vector<double>{0, 1, 10, 11}));
}

TEST(Dist, BarrierAndBadArgumentsAreRefusedBeforeAnythingIsSent) {
    ASSERT_EQ(nf_dist_barrier(kTimeout), NF_OK) << nf_dist_last_error();
    int32_t ints[2] = {1, 2};
    EXPECT_EQ(nf_dist_allreduce(ints, 2, NF_INT32, NF_DIST_SUM, kTimeout), NF_ERROR_UNSUPPORTED);
    EXPECT_NE(std::string(nf_dist_last_error()).find("float32 and float64"), std::string::npos);
    EXPECT_EQ(nf_dist_broadcast(ints, 8, 2, kTimeout), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nf_dist_last_error()).find("root 2"), std::string::npos);
    EXPECT_EQ(nf_dist_allreduce(nullptr, 2, NF_FLOAT32, NF_DIST_SUM, kTimeout), NF_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(nf_dist_allreduce(ints, 2, NF_FLOAT32, static_cast<nf_dist_op>(7), kTimeout), NF_ERROR_INVALID_ARGUMENT);
    ASSERT_EQ(nf_dist_barrier(kTimeout), NF_OK) << nf_dist_last_error();  // still in step
}

// CTest sets NEURALFLOW_DIST_CUDA_AWARE to "", "1" or "yes" (see CMakeLists.txt).
TEST(Dist, CudaAwareFollowsTheOverrideElseAsksOpenMpi) {
    int32_t aware = -1;
    const char* source = nullptr;
    const std::string over = env("NEURALFLOW_DIST_CUDA_AWARE");
    nf_status s = nf_dist_cuda_aware(&aware, &source);
    if (over == "yes") {
        EXPECT_EQ(s, NF_ERROR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(nf_dist_last_error()).find("NEURALFLOW_DIST_CUDA_AWARE='yes' is not 0 or 1"), std::string::npos)
            << nf_dist_last_error();
        return;
    }
    ASSERT_EQ(s, NF_OK) << nf_dist_last_error();
    ASSERT_NE(source, nullptr);
    if (over == "1") {
        EXPECT_EQ(aware, 1);
        EXPECT_EQ(std::string(source), "NEURALFLOW_DIST_CUDA_AWARE=1");
    } else if (std::string(nf_dist_build_info()).find("Open MPI") != std::string::npos) {
        // Debian's Open MPI is built without CUDA; its run-time query must say so.
        EXPECT_NE(std::string(source).find("MPIX_Query_cuda_support() = "), std::string::npos) << source;
        EXPECT_EQ(std::string(source).find("= 1 at run time") != std::string::npos, aware == 1) << source;
    }
    EXPECT_EQ(nf_dist_cuda_aware(nullptr, nullptr), NF_ERROR_INVALID_ARGUMENT);
}

// With NEURALFLOW_NCCL_PATH (the fake NCCL over MPI on host memory): NCCL is set up and carries
// the collectives. Without: a library that does not exist leaves NCCL unused, or an error if required.
TEST(Dist, NcclIsUsedWhenEveryRankLoadsItElseReportedMissing) {
    const std::string path = env("NEURALFLOW_NCCL_PATH");
    int32_t available = -1;
    float x[4] = {1.0f * g_rank, 2, 3, 4};
    EXPECT_EQ(nf_dist_nccl_allreduce(x, 4, NF_FLOAT32, NF_DIST_SUM, nullptr), NF_ERROR_INVALID_ARGUMENT);  // not set up yet
    if (path.empty()) {
        ASSERT_EQ(nf_dist_nccl_init("libneuralflow_no_such_nccl.so", 0, &available, kTimeout), NF_OK) << nf_dist_last_error();
        EXPECT_EQ(available, 0);
        EXPECT_NE(std::string(nf_dist_nccl_status()).find("libneuralflow_no_such_nccl.so"), std::string::npos);
        EXPECT_EQ(nf_dist_nccl_init(nullptr, 1, &available, kTimeout), NF_ERROR_UNSUPPORTED);
        EXPECT_NE(std::string(nf_dist_last_error()).find("NCCL was required"), std::string::npos);
        return;
    }
    ASSERT_EQ(nf_dist_nccl_init(path.c_str(), 1, &available, kTimeout), NF_OK) << nf_dist_last_error();
    ASSERT_EQ(available, 1);
    EXPECT_NE(std::string(nf_dist_nccl_status()).find("NCCL 2.18.3"), std::string::npos) << nf_dist_nccl_status();
    void* fake = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
    ASSERT_NE(fake, nullptr);
    auto calls = reinterpret_cast<long (*)()>(dlsym(fake, "fake_nccl_calls"));
    ASSERT_NE(calls, nullptr);
    const long before = calls();
    ASSERT_EQ(nf_dist_nccl_allreduce(x, 4, NF_FLOAT32, NF_DIST_MEAN, nullptr), NF_OK) << nf_dist_last_error();
    EXPECT_EQ(x[0], 0.5f);
    EXPECT_EQ(x[3], 4.0f);
    double d[2] = {1.0 + g_rank, 2};
    ASSERT_EQ(nf_dist_nccl_allreduce(d, 2, NF_FLOAT64, NF_DIST_SUM, nullptr), NF_OK) << nf_dist_last_error();
    EXPECT_EQ(d[0], 3.0);
    unsigned char b[5] = {0, 0, 0, 0, 0};
    if (g_rank == 0) b[4] = 9;
    ASSERT_EQ(nf_dist_nccl_broadcast(b, 5, 0, nullptr), NF_OK) << nf_dist_last_error();
    EXPECT_EQ(b[4], 9);
    double mine = g_rank + 0.5, all[2] = {0, 0};
    ASSERT_EQ(nf_dist_nccl_allgather(&mine, 1, NF_FLOAT64, all, nullptr), NF_OK) << nf_dist_last_error();
    EXPECT_EQ(all[0], 0.5);
    EXPECT_EQ(all[1], 1.5);
    EXPECT_EQ(calls() - before, 4);
    EXPECT_EQ(nf_dist_nccl_allreduce(x, 4, NF_INT32, NF_DIST_SUM, nullptr), NF_ERROR_UNSUPPORTED);
    dlclose(fake);
}

// Must stay last: rank 1 reaches a barrier that rank 0 waits for 1 s only after rank 0's wait has
// ended (rank 0 then creates a file that rank 1 waits for). Rank 1 used to sleep 3 s instead,
// which passed only while rank 0 reached the barrier less than 2 s after rank 1 had; a loaded
// machine that descheduled rank 0 longer let rank 1 arrive in time and the barrier succeed.
TEST(Dist, TimeoutNamesTheRankThatDidNotArrive) {
    // Rank 0 names the signal file (a fresh temp file's name plus ".arrived") and sends it to rank 1.
    char name[256] = {};
    int fd = -1;
    if (g_rank == 0) {
        const char* dir = std::getenv("TMPDIR");
        std::snprintf(name, sizeof name - 16, "%s/nf-dist-timeout-XXXXXX", dir && *dir ? dir : "/tmp");
        fd = mkstemp(name);
        ASSERT_GE(fd, 0) << "mkstemp(" << name << ")";
    }
    ASSERT_EQ(nf_dist_broadcast(name, sizeof name, 0, kTimeout), NF_OK) << nf_dist_last_error();
    const std::string base = name, signal = base + ".arrived";
    if (g_rank == 1) {
        // Bounded: a rank 0 that never signals ends this wait after kTimeout, and the test fails there.
        int waited_ms = 0;
        while (access(signal.c_str(), F_OK) != 0 && waited_ms < kTimeout * 1000) {
            usleep(10 * 1000);
            waited_ms += 10;
        }
        EXPECT_EQ(access(signal.c_str(), F_OK), 0) << "rank 0 did not signal within " << kTimeout << " s";
        unlink(signal.c_str());
        ASSERT_EQ(nf_dist_barrier(kTimeout), NF_OK) << nf_dist_last_error();
        return;
    }
    EXPECT_EQ(nf_dist_barrier(1.0), NF_ERROR_INTERNAL);
    const std::string message = nf_dist_last_error();
    // Rank 1 may go on now, whatever the checks below find.
    const int arrived = open(signal.c_str(), O_CREAT | O_WRONLY, 0600);
    EXPECT_GE(arrived, 0) << "cannot create " << signal;
    if (arrived >= 0) close(arrived);
    close(fd);
    unlink(base.c_str());
    EXPECT_NE(message.find("rank 1 has not reached it"), std::string::npos) << message;
    EXPECT_NE(message.find("within 1 s on rank 0 of 2"), std::string::npos) << message;
}

}  // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    if (nf_dist_init(&g_rank, &g_size) != NF_OK) {
        std::fprintf(stderr, "nf_dist_init failed: %s\n", nf_dist_last_error());
        return 1;
    }
    int failed = RUN_ALL_TESTS();
    // Both ranks leave together (rank 1's late barrier above completes rank 0's abandoned one).
    if (nf_dist_barrier(kTimeout) != NF_OK) {
        std::fprintf(stderr, "rank %d: final barrier failed: %s\n", g_rank, nf_dist_last_error());
        failed = 1;
    }
    nf_dist_finalize();
    return failed;
}
