// The GEMMs of three training steps (the 784-512-512-10 MLP and the workshop's 784-50-10 at
// batch 256, the ConvNet sample's CNN at batch 64: forward and backward products with their
// transposes) through nf_matmul, median microseconds per product over many calls, on the
// thread count given. Its NumPy peer: numpy_step_gemms.py (same shapes and transposes). Used to
// size matmul.cpp's GEMM blocks; not part of ctest.
//
//   g++ -O2 -std=c++17 -Inative/include native/bench/step_gemms.cpp -Lbuild/native/lib -lneuralflow
//       -Wl,-rpath,$PWD/build/native/lib -o /tmp/step_gemms   (one command)
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/step_gemms [threads, default 2] [calls, default 200]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "matrix_layout.h"
#include "neuralflow.h"

namespace {

struct Product {
    const char* name;
    bool ta, tb;  // op(A) is [M, K], stored [K, M] when ta; op(B) is [K, N], stored [N, K] when tb
    int64_t M, N, K;
};

}  // namespace

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2, calls = argc > 2 ? std::atoi(argv[2]) : 200;
    if (nf_threads_set(threads) != NF_OK) {
        std::fprintf(stderr, "%s\n", nf_last_error());
        return 1;
    }
    const Product products[] = {
        {"mlp x@W1", false, false, 256, 512, 784},   {"mlp h1@W2", false, false, 256, 512, 512},
        {"mlp h2@W3", false, false, 256, 10, 512},   {"mlp h2^T@dy", true, false, 512, 10, 256},
        {"mlp dy@W3^T", false, true, 256, 512, 10},  {"mlp h1^T@dz2", true, false, 512, 512, 256},
        {"mlp dz2@W2^T", false, true, 256, 512, 512}, {"mlp x^T@dz1", true, false, 784, 512, 256},
        {"ws x@W1", false, false, 256, 50, 784},     {"ws x^T@dz1", true, false, 784, 50, 256},
        {"cnn conv1", false, false, 43264, 32, 9},   {"cnn conv2", false, false, 7744, 64, 288},
        {"cnn cols2^T@dy", true, false, 288, 64, 7744}, {"cnn dy@W2^T", false, true, 7744, 288, 64},
    };
    std::printf("threads %d, median us of %d calls\n", threads, calls);
    double mlp_total = 0;
    for (const auto& p : products) {
        std::vector<float> a(static_cast<size_t>(p.M * p.K), 0.5f), b(static_cast<size_t>(p.K * p.N), 0.25f),
            c(static_cast<size_t>(p.M * p.N));
        for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 17) * 0.1f;
        for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i % 13) * 0.1f;
        const nf_layout al = p.ta ? matrix_layout(p.K, p.M, false) : matrix_layout(p.M, p.K, false);
        const nf_layout bl = p.tb ? matrix_layout(p.N, p.K, false) : matrix_layout(p.K, p.N, false);
        // op(A), op(B) as transposed views of the stored matrices.
        const nf_layout aop = p.ta ? matrix_layout(p.M, p.K, true) : al, bop = p.tb ? matrix_layout(p.K, p.N, true) : bl;
        const nf_layout cl = matrix_layout(p.M, p.N, false);
        std::vector<double> us;
        for (int r = 0; r < calls + 10; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            if (nf_matmul(NF_FLOAT32, a.data(), &aop, b.data(), &bop, c.data(), &cl) != NF_OK) {
                std::fprintf(stderr, "%s: %s\n", p.name, nf_last_error());
                return 1;
            }
            if (r >= 10) us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
        }
        std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
        const double median = us[us.size() / 2];
        if (p.name[0] == 'm') mlp_total += median;
        std::printf("%-16s %5lldx%5lldx%5lld %8.1f\n", p.name, static_cast<long long>(p.M), static_cast<long long>(p.N),
                    static_cast<long long>(p.K), median);
    }
    std::printf("mlp step's products %.1f\n", mlp_total);
    return 0;
}
