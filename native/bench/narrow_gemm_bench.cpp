// Two builds of libneuralflow in one process (say main's and this branch's), their nf_matmul on the
// narrow products of the workshop's and the MLP's training steps, called in alternating blocks of
// 20 calls (so both see the same machine load), median microseconds of each and the
// largest difference between their outputs relative to the output's scale. Used to size
// narrow_gemm.cpp's thresholds against the provider's GEMM; not part of ctest.
//
//   g++ -O2 -std=c++17 -Inative/include native/bench/narrow_gemm_bench.cpp -ldl -o /tmp/narrow_bench
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/narrow_bench OLD.so NEW.so [threads 2] [rounds 300] [MxNxK[t] ...]
// A shape ending in t is op(A) = A^T (A stored [K, M]: a weight gradient x^T @ dy).
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "matrix_layout.h"
#include "neuralflow.h"

namespace {

struct Lib {
    decltype(&nf_matmul) matmul;
    decltype(&nf_threads_set) threads_set;
    decltype(&nf_last_error) last_error;
};

Lib open_lib(const char* path) {
    void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        std::fprintf(stderr, "%s\n", dlerror());
        std::exit(1);
    }
    return {reinterpret_cast<decltype(&nf_matmul)>(dlsym(h, "nf_matmul")),
            reinterpret_cast<decltype(&nf_threads_set)>(dlsym(h, "nf_threads_set")),
            reinterpret_cast<decltype(&nf_last_error)>(dlsym(h, "nf_last_error"))};
}

struct Product {
    std::string name;
    bool ta;
    int64_t M, N, K;
};

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s OLD.so NEW.so [threads] [rounds] [MxNxK[t] ...]\n", argv[0]);
        return 1;
    }
    const Lib libs[2] = {open_lib(argv[1]), open_lib(argv[2])};
    const int threads = argc > 3 ? std::atoi(argv[3]) : 2, rounds = argc > 4 ? std::atoi(argv[4]) : 300;
    std::vector<Product> products;
    for (int i = 5; i < argc; ++i) {
        Product p{argv[i], false, 0, 0, 0};
        long long m, n, k;
        if (std::sscanf(argv[i], "%lldx%lldx%lld", &m, &n, &k) != 3) return 1;
        p.M = m, p.N = n, p.K = k, p.ta = p.name.back() == 't';
        products.push_back(p);
    }
    if (products.empty())
        products = {{"ws x@W1", false, 256, 50, 784},   {"ws x^T@dz1", true, 784, 50, 256},
                    {"mlp h2@W3", false, 256, 10, 512}, {"mlp h2^T@dy", true, 512, 10, 256},
                    {"wide x@W", false, 256, 64, 784},  {"wide x^T@dz", true, 784, 64, 256}};
    for (const Lib& l : libs)
        if (l.threads_set(threads) != NF_OK) return 1;
    constexpr int kBlock = 20;
    std::printf("threads %d, median us of %d calls each, in alternating blocks: old new new/old maxdiff\n", threads, rounds);
    for (const auto& p : products) {
        std::vector<float> a(static_cast<size_t>(p.M * p.K)), b(static_cast<size_t>(p.K * p.N));
        for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(static_cast<int>(i * 7919 % 2001) - 1000) * 1e-3f;
        for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(static_cast<int>(i * 104729 % 2001) - 1000) * 1e-3f;
        const nf_layout aop = p.ta ? matrix_layout(p.M, p.K, true) : matrix_layout(p.M, p.K, false);
        const nf_layout bl = matrix_layout(p.K, p.N, false), cl = matrix_layout(p.M, p.N, false);
        std::vector<float> c[2] = {std::vector<float>(static_cast<size_t>(p.M * p.N)),
                                   std::vector<float>(static_cast<size_t>(p.M * p.N))};
        // Blocks of kBlock calls per library, the other one down to one thread meanwhile: two pools
        // whose idle workers poll for the next job would otherwise fight over the two cores.
        std::vector<double> us[2];
        for (int r = 0; r < rounds / kBlock + 1; ++r)
            for (int s = 0; s < 2; ++s) {
                const int w = (r + s) % 2;  // which library goes first alternates too
                libs[1 - w].threads_set(1);
                libs[w].threads_set(threads);
                for (int i = 0; i < kBlock + 2; ++i) {
                    const auto t0 = std::chrono::steady_clock::now();
                    if (libs[w].matmul(NF_FLOAT32, a.data(), &aop, b.data(), &bl, c[w].data(), &cl) != NF_OK) {
                        std::fprintf(stderr, "%s: %s\n", p.name.c_str(), libs[w].last_error());
                        return 1;
                    }
                    const double t = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
                    if (r > 0 && i >= 2) us[w].push_back(t);  // the first block and each block's first 2: warm-up
                }
            }
        double scale = 0, diff = 0;
        for (size_t i = 0; i < c[0].size(); ++i) {
            scale = std::max(scale, std::fabs(double(c[0][i])));
            diff = std::max(diff, std::fabs(double(c[0][i]) - double(c[1][i])));
        }
        const double m0 = median(us[0]), m1 = median(us[1]);
        std::printf("%-14s %5lldx%4lldx%5lld%s %8.1f %8.1f %6.2f %9.2e\n", p.name.c_str(), static_cast<long long>(p.M),
                    static_cast<long long>(p.N), static_cast<long long>(p.K), p.ta ? "t" : " ", m0, m1, m1 / m0,
                    diff / std::max(scale, 1e-30));
    }
    return 0;
}
