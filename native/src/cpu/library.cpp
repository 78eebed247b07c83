// Library-level entry points: ABI version, build info, and the worker-thread setting of the
// engine's one pool (cpu/thread_pool.h), which runs the kernels, and of the GEMM provider.
#include <omp.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include "common/error.h"
#include "cpu/parallel.h"

#if defined(NF_GEMM_OPENBLAS)
#include <cblas.h>
#elif defined(NF_GEMM_EIGEN)
#include <Eigen/Core>
#endif

namespace nf {
namespace {

// 0 = not initialised yet; first use takes default_thread_count() (NEURALFLOW_NUM_THREADS,
// else the CPUs this process may use: affinity mask and cgroup quota).
std::atomic<int> g_threads{0};

// The GEMM provider's own thread count (its buffers are sized for it); matmul.cpp then picks
// 1 or this count per call through set_gemm_threads.
void apply_gemm_threads(int n) {
#if defined(NF_GEMM_OPENBLAS)
    openblas_set_num_threads(n);
#elif defined(NF_GEMM_EIGEN)
    Eigen::setNbThreads(n);
#endif
}

std::string gemm_provider() {
#if defined(NF_GEMM_OPENBLAS)
    std::string s = "OpenBLAS (static";
    if (const char* cfg = openblas_get_config()) s += std::string(", ") + cfg;
    return s + ")";
#elif defined(NF_GEMM_EIGEN)
    return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
           std::to_string(EIGEN_MINOR_VERSION);
#else
    return "none";
#endif
}

}  // namespace

void set_gemm_threads(int n) {
#if defined(NF_GEMM_OPENBLAS)
    // The OpenMP build of OpenBLAS takes its thread count for a call from the calling thread's
    // OpenMP setting (omp_get_max_threads), so this is per thread and per call.
    omp_set_num_threads(n);
#elif defined(NF_GEMM_EIGEN)
    Eigen::setNbThreads(n);
#endif
}

int threads() {
    int n = g_threads.load(std::memory_order_relaxed);
    if (n > 0) return n;
    n = default_thread_count();
    int expected = 0;
    if (g_threads.compare_exchange_strong(expected, n)) apply_gemm_threads(n);
    return g_threads.load(std::memory_order_relaxed);
}

}  // namespace nf

extern "C" NF_API int32_t nf_abi_version(void) { return NF_ABI_VERSION; }

extern "C" NF_API const char* nf_last_error(void) { return nf::last_error(); }

extern "C" NF_API const char* nf_build_info(void) {
    // One string per thread count ever reported, never freed, so a returned pointer stays
    // valid for good even if another thread changes the thread count meanwhile.
    static std::mutex mu;
    static std::map<int, std::string>* infos = new std::map<int, std::string>();
    try {
        const int n = nf::threads();
        std::lock_guard<std::mutex> lock(mu);
        std::string& info = (*infos)[n];
        if (info.empty())
            info = "NeuralFlow native 0.1.0 (abi " + std::to_string(NF_ABI_VERSION) + "); backend: cpu; gemm: " +
                   nf::gemm_provider() + "; threads: " + std::to_string(n) + " (NeuralFlow pool; GEMM: provider threads from 256^3 MACs); compiler: gcc " + __VERSION__;
        return info.c_str();
    } catch (...) {
        return "NeuralFlow native (build info unavailable)";
    }
}

extern "C" NF_API nf_status nf_threads_set(int32_t n) {
    return nf::guard("nf_threads_set", [&] {
        if (n < 1) NF_INVALID("nf_threads_set: n = %d must be >= 1", n);
        nf::threads();  // first-use initialisation (GEMM provider single-threaded) happens once
        nf::g_threads.store(n);
        nf::apply_gemm_threads(n);
        nf::pool_resize(n);
    });
}

extern "C" NF_API int32_t nf_threads_get(void) { return nf::threads(); }
