// Issue 17's shuffled-batch step on the first dense layer: (a) nf_gather of a batch of x's rows,
// then nf_matmul forward g @ W and weight gradient g^T @ dz, against (b) nf_gather_matmul for both
// products (x read through the index list, no gather). x [60000, 784] random, one shuffled epoch
// of 234 batches of 256 rows and a last one of 96, passes alternating (a) and (b) (which goes
// first alternates too); median microseconds per 256-row batch of each part, and per epoch.
// Checks that (a) and (b) give the same bits. Not part of ctest.
//
//   g++ -O2 -std=c++17 -Inative/include native/bench/gather_matmul_bench.cpp -Lbuild/native/lib -lneuralflow
//       -Wl,-rpath,$PWD/build/native/lib -o /tmp/gather_matmul_bench
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/gather_matmul_bench [threads 2] [passes 8] [units 50]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "matrix_layout.h"
#include "neuralflow.h"

namespace {

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

double now_us() {
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void ok(nf_status s, const char* what) {
    if (s == NF_OK) return;
    std::fprintf(stderr, "%s: %s\n", what, nf_last_error());
    std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2, passes = argc > 2 ? std::atoi(argv[2]) : 8;
    const int64_t L = 60000, K = 784, N = argc > 3 ? std::atoll(argv[3]) : 50, B = 256;
    ok(nf_threads_set(threads), "nf_threads_set");
    std::mt19937 rng(17);
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> x(static_cast<size_t>(L * K)), w(static_cast<size_t>(K * N)), dz(static_cast<size_t>(B * N));
    for (float& v : x) v = u(rng);
    for (float& v : w) v = u(rng) * 0.05f;
    for (float& v : dz) v = u(rng) * 0.01f;
    std::vector<int32_t> perm(static_cast<size_t>(L));
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);

    const nf_layout xl = matrix_layout(L, K, false), wl = matrix_layout(K, N, false), dwl = matrix_layout(K, N, false);
    std::vector<float> g(static_cast<size_t>(B * K)), h[2], dw[2];
    for (int m = 0; m < 2; ++m) h[m].resize(static_cast<size_t>(B * N)), dw[m].resize(static_cast<size_t>(K * N));
    // us[method][part]: (a) gather, forward, gradient, all; (b) -, forward, gradient, all (256-row batches).
    std::vector<double> us[2][4];
    std::vector<double> epochs[2];
    for (int p = 0; p < passes + 1; ++p)
        for (int s = 0; s < 2; ++s) {
            const int m = (p + s) % 2;
            double total = 0;
            for (int64_t b0 = 0; b0 < L; b0 += B) {
                const int64_t n = std::min(B, L - b0);
                const int32_t* idx = perm.data() + b0;
                const nf_layout gl = matrix_layout(n, K, false), gtl = matrix_layout(K, n, true);
                const nf_layout hl = matrix_layout(n, N, false), dzl = matrix_layout(n, N, false);
                double t[4];
                t[0] = now_us();
                if (m == 0) ok(nf_gather(NF_FLOAT32, x.data(), &xl, 0, NF_INT32, idx, n, g.data()), "nf_gather");
                t[1] = now_us();
                int32_t fused = 1;
                if (m == 0) ok(nf_matmul(NF_FLOAT32, g.data(), &gl, w.data(), &wl, h[m].data(), &hl), "forward");
                else ok(nf_gather_matmul(NF_FLOAT32, x.data(), &xl, NF_INT32, idx, n, 0, w.data(), &wl, h[m].data(), &hl, &fused),
                        "fused forward");
                t[2] = now_us();
                if (m == 0) ok(nf_matmul(NF_FLOAT32, g.data(), &gtl, dz.data(), &dzl, dw[m].data(), &dwl), "gradient");
                else ok(nf_gather_matmul(NF_FLOAT32, x.data(), &xl, NF_INT32, idx, n, 1, dz.data(), &dzl, dw[m].data(), &dwl,
                                         &fused), "fused gradient");
                t[3] = now_us();
                if (!fused) {
                    std::fprintf(stderr, "nf_gather_matmul declined %lldx%lld\n", (long long)n, (long long)N);
                    return 1;
                }
                total += t[3] - t[0];
                if (p > 0 && n == B) {
                    for (int q = 0; q < 3; ++q) us[m][q].push_back(t[q + 1] - t[q]);
                    us[m][3].push_back(t[3] - t[0]);
                }
            }
            if (p > 0) epochs[m].push_back(total);
        }
    const bool same = std::memcmp(h[0].data(), h[1].data(), h[0].size() * sizeof(float)) == 0 &&
           std::memcmp(dw[0].data(), dw[1].data(), dw[0].size() * sizeof(float)) == 0;
    std::printf("threads %d, %d passes, x [%lld, %lld], N %lld: median us per 256-row batch\n", threads, passes,
                (long long)L, (long long)K, (long long)N);
    std::printf("(a) gather %.1f + forward %.1f + gradient %.1f = %.1f (median of sums)\n", median(us[0][0]), median(us[0][1]),
                median(us[0][2]), median(us[0][3]));
    std::printf("(b) fused forward %.1f + fused gradient %.1f = %.1f\n", median(us[1][1]), median(us[1][2]), median(us[1][3]));
    std::printf("(b)/(a) per batch %.3f; median epoch (235 batches) %.2f ms vs %.2f ms; last batch same bits: %s\n",
                median(us[1][3]) / median(us[0][3]), median(epochs[0]) / 1e3, median(epochs[1]) / 1e3, same ? "yes" : "NO");
    return same ? 0 : 2;
}
