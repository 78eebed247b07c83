// GEMM provider benchmark: single-precision C = A @ B (row-major, square n x n) through the
// statically linked OpenMP OpenBLAS and through Eigen 3.4 (OpenMP-parallel), best of several
// timed runs, in GFLOP/s. Used to pick NEURALFLOW_GEMM; not part of ctest.
//
//   cmake -S . -B build/native -DNEURALFLOW_BUILD_BENCH=ON && cmake --build build/native --target nf_gemm_bench
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/native/native/nf_gemm_bench
#include <cblas.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// Best GFLOP/s over `trials` trials, each long enough (>= ~0.2 s) to swamp timer noise.
template <class F>
double best_gflops(int n, F&& run, int trials = 5) {
    run();  // warm-up: thread pools, page faults, packing buffers
    const double flops = 2.0 * n * n * static_cast<double>(n);
    int reps = 1;
    for (;;) {
        const auto t0 = Clock::now();
        for (int r = 0; r < reps; ++r) run();
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (s > 0.2 || reps > 100000) break;
        reps *= 2;
    }
    double best = 0;
    for (int t = 0; t < trials; ++t) {
        const auto t0 = Clock::now();
        for (int r = 0; r < reps; ++r) run();
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        best = std::max(best, flops * reps / s / 1e9);
    }
    return best;
}

}  // namespace

int main() {
    const int threads = omp_get_max_threads();
    openblas_set_num_threads(threads);
    Eigen::setNbThreads(threads);
    std::printf("threads %d, OpenBLAS: %s, Eigen %d.%d.%d (SIMD: %s)\n", threads, openblas_get_config(),
                EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, Eigen::SimdInstructionSetsInUse());
    std::printf("%6s %14s %14s\n", "n", "openblas GF/s", "eigen GF/s");
    std::mt19937 g(1);
    std::uniform_real_distribution<float> u(-1, 1);
    for (int n : {128, 512, 1024, 2048}) {
        std::vector<float> a(size_t(n) * n), b(size_t(n) * n), c(size_t(n) * n);
        for (auto& x : a) x = u(g);
        for (auto& x : b) x = u(g);
        const double ob = best_gflops(n, [&] {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f,
                        c.data(), n);
        });
        using RM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        Eigen::Map<const RM> ea(a.data(), n, n), eb(b.data(), n, n);
        Eigen::Map<RM> ec(c.data(), n, n);
        const double eg = best_gflops(n, [&] { ec.noalias() = ea * eb; });
        std::printf("%6d %14.1f %14.1f\n", n, ob, eg);
    }
    return 0;
}
