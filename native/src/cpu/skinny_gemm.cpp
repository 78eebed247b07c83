// Float products with a thin output (at most 16 columns) over a long dimension, which the GEMM
// provider runs at a fraction of memory speed: a full-batch logistic regression's logits
// x [60000, 784] @ w [784, 10] and its weight gradient x^T [784, 60000] @ g [60000, 10]. Each is
// 470M multiply-adds over 188 MB of x; this AMD EPYC (Zen 5, two cores) does two 16-lane
// multiplies and two 16-lane adds per cycle per core, so the arithmetic takes ~2.9 ms on the two
// cores at 2.6 GHz (a multiply and an add on their own pipes run at about the FMA rate), and
// reading x from memory 3.8-5.6 ms: both loops are made to stream x once, at memory speed.
// OpenBLAS took 27 ms (logits, one thread; its kernel is tuned for wide outputs) and 17-19 ms
// (gradient: it packs panels of x that are each reused only N = 10 times). These loops, measured
// on a copy of this file in a lab harness (x 64-byte aligned, as tensors are; load average 1-3
// from other jobs): logits 6.3-6.7 ms on two threads, 10.6-12.3 on one; gradient 4.4-5.1 ms on
// two, 6.6-7.2 on one; touching every line of x once on one thread took 4.8-5.3 ms.
//
// Logits: each row of x is read once against all N columns of w, packed transposed [N][K] (31 KB,
// stays in L1), a few rows at a time: one 16-lane accumulator per output, one fixed-tree
// horizontal sum at the end (sum_lanes). Gradient: x is read once in chunks of rows that stay in
// cache; a register block of columns of x by all N columns of g sums the chunk's outer products
// into the part's own partial, and the partials are added in part order.
//
// Results depend on the sizes only (parts fixed by the sizes; lane k % 16 of an output sums its
// products in k order; the lanes are added as one fixed tree), so they are the same bits on any
// number of threads and for every SIMD clone (no FMA contraction, no reassociation: see simd.h).
// Rows per block (logits) and columns per block (gradient) change only which outputs share a
// pass, never the order of any output's sums.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "cpu/parallel.h"
#include "cpu/simd.h"
#include "cpu/skinny_gemm.h"
#include "cpu/thread_scratch.h"
#include "cpu/wide_vectors.h"

// V16 below is passed between always-inlined helpers only, never across an ABI boundary.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace nf {
namespace {

constexpr int kLanes = 16;  // one AVX-512 vector of floats; two AVX2 or four SSE vectors
constexpr int64_t kGradRows = kSkinnyGradRows;  // rows of x per gradient chunk (skinny_gemm.h)
// Logits: rows of x ahead of the ones being summed that are prefetched into L2 (~100 KB ahead
// at K = 784: memory latency hidden) and into L1. The hardware prefetcher alone left one thread
// at about half its in-cache speed (measured on a lab copy of these loops: 20 -> 9.5-11 ms for
// 60000x784 @ 784x10 on one thread, 10 -> 4.8-6 ms on two).
constexpr int64_t kLogitsFarRows = 32;
constexpr int64_t kLogitsNearRows = 4;

// A vector of 16 floats that the compiler keeps in registers (a float[16] accumulator ends up
// on the stack, with a store-to-load round trip per add); each clone lowers it to its widest
// vectors. Loads and stores go through memcpy: the rows need not be aligned.
typedef float V16 __attribute__((vector_size(64)));
typedef int I16 __attribute__((vector_size(64)));

NF_INLINE V16 load16(const float* p) {
    V16 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// The first n < 16 floats at p, zeros after them (nothing past p[n - 1] is read).
NF_INLINE V16 load_first(const float* p, int64_t n) {
    V16 v = {};
    std::memcpy(&v, p, sizeof(float) * static_cast<size_t>(n));
    return v;
}

NF_INLINE void store16(float* p, V16 v) { std::memcpy(p, &v, sizeof v); }

// Lane i of the result: the sum of v[i]'s 16 lanes, always as the same tree (lane l + lane l+8,
// then + 4, + 2, + 1), for all 16 vectors at once: 15 vector adds instead of 60 scalar ones.
// Only whole lanes move between the adds, so every clone computes the same bits.
NF_INLINE V16 sum_lanes(const V16 (&v)[kLanes]) {
    V16 s8[8], s4[4], s2[2];
    for (int i = 0; i < 8; ++i)  // [v[2i] lanes l + l+8 | v[2i+1] likewise], l < 8
        s8[i] = __builtin_shuffle(v[2 * i], v[2 * i + 1], I16{0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23}) +
                __builtin_shuffle(v[2 * i], v[2 * i + 1], I16{8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31});
    for (int i = 0; i < 4; ++i)  // four vectors' 4-lane sums side by side
        s4[i] = __builtin_shuffle(s8[2 * i], s8[2 * i + 1], I16{0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27}) +
                __builtin_shuffle(s8[2 * i], s8[2 * i + 1], I16{4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31});
    for (int i = 0; i < 2; ++i)  // eight vectors' 2-lane sums
        s2[i] = __builtin_shuffle(s4[2 * i], s4[2 * i + 1], I16{0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29}) +
                __builtin_shuffle(s4[2 * i], s4[2 * i + 1], I16{2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31});
    return __builtin_shuffle(s2[0], s2[1], I16{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}) +
           __builtin_shuffle(s2[0], s2[1], I16{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31});
}

// ---- logits: C[M, N] = A[M, K] @ B, B packed bt[N][kp] (kp: K rounded up to 16, zeros after K) ----

// Rows per logits block for N columns: R * N accumulators plus R rows and one column of B in
// the 32 AVX-512 registers; then each 16 floats of B loaded serve R rows.
constexpr int logits_rows_for(int n) { return std::min(4, std::max(1, 24 / n)); }

// C rows [0, R) (ldc) = A rows [0, R) (lda) @ B, over all K.
// far, near: rows ahead to prefetch (clamped by the caller to stay inside A).
template <int NC, int R>
NF_INLINE void logits_block(const float* A, int64_t lda, const float* bt, int64_t K, int64_t kp, float* C,
                            int64_t ldc, int64_t far, int64_t near) {
    V16 acc[R][NC];
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < NC; ++j) acc[r][j] = V16{};
    auto step = [&](const V16 (&a)[R], int64_t k) {
        for (int j = 0; j < NC; ++j) {
            const V16 b = load16(bt + j * kp + k);
            for (int r = 0; r < R; ++r) acc[r][j] += a[r] * b;
        }
    };
    const int64_t whole = K / kLanes * kLanes;
    V16 a[R];
    for (int64_t k = 0; k < whole; k += kLanes) {
        for (int r = 0; r < R; ++r) {
            __builtin_prefetch(A + (r + far) * lda + k, 0, 2);
            __builtin_prefetch(A + (r + near) * lda + k, 0, 3);
            a[r] = load16(A + r * lda + k);
        }
        step(a, k);
    }
    if (whole < K) {  // the last K % 16 columns; zeros in both A's lanes and bt's padding after K
        for (int r = 0; r < R; ++r) a[r] = load_first(A + r * lda + whole, K - whole);
        step(a, whole);
    }
    // Outputs in (row, column) order, 16 at a time through one tree.
    constexpr int outputs = R * NC;
    for (int g = 0; g < outputs; g += kLanes) {
        V16 v[kLanes];
        for (int i = 0; i < kLanes; ++i) v[i] = g + i < outputs ? acc[(g + i) / NC][(g + i) % NC] : V16{};
        const V16 s = sum_lanes(v);
        for (int i = 0; i < kLanes && g + i < outputs; ++i) C[(g + i) / NC * ldc + (g + i) % NC] = s[i];
    }
}

template <int NC>
NF_INLINE void logits_rows_n(const float* A, int64_t lda, const float* bt, int64_t K, int64_t kp, float* C,
                             int64_t ldc, int64_t m0, int64_t m1, int64_t M) {
    constexpr int R = logits_rows_for(NC);
    int64_t m = m0;
    for (; m + R <= m1; m += R) {
        const int64_t far = std::min(kLogitsFarRows, M - m - R), near = std::min(kLogitsNearRows, far);
        logits_block<NC, R>(A + m * lda, lda, bt, K, kp, C + m * ldc, ldc, far, near);
    }
    for (; m < m1; ++m) logits_block<NC, 1>(A + m * lda, lda, bt, K, kp, C + m * ldc, ldc, 0, 0);
}

// Rows [m0, m1) of C for N = 1..16, one compiled loop per N (its accumulators in registers).
template <int... Ns>
NF_INLINE void logits_rows_any(std::integer_sequence<int, Ns...>, int64_t N, const float* A, int64_t lda,
                               const float* bt, int64_t K, int64_t kp, float* C, int64_t ldc, int64_t m0, int64_t m1,
                               int64_t M) {
    ((N == Ns + 1 ? logits_rows_n<Ns + 1>(A, lda, bt, K, kp, C, ldc, m0, m1, M) : void()), ...);
}

// Rows [m0, m1) of C[M, N].
NF_SIMD_CLONES void logits_rows(int64_t N, const float* A, int64_t lda, const float* bt, int64_t K, int64_t kp,
                                float* C, int64_t ldc, int64_t m0, int64_t m1, int64_t M) {
    logits_rows_any(std::make_integer_sequence<int, kSkinnyMaxCols>{}, N, A, lda, bt, K, kp, C, ldc, m0, m1, M);
}

// ---- gradient: C[M, N] = A^T @ B, A stored [K][M], B packed bp[K][N] ----

// Vectors of columns of A per gradient block for N columns of B: V * N accumulators (at most
// 24) plus V vectors of A and one broadcast in the 32 AVX-512 registers.
constexpr int gradient_vectors_for(int n) { return std::min(4, std::max(1, 24 / n)); }

// Prefetches (into L2) the cache lines of rows of A in address order, one line per call: the
// gradient's next chunk while the current one is summed. Its blocks read each row of a chunk a
// slice at a time, which the hardware prefetcher does not foresee (one thread took 24 ms for
// 784x60000 @ 60000x10 without this, 6.2-6.9 ms with it; prefetching the same slices a chunk
// ahead instead, 7-8.5 ms).
struct LineWalk {
    const char* row;
    int64_t col, row_bytes, stride, rows_left;
    NF_INLINE void next() {
        if (rows_left <= 0) return;
        __builtin_prefetch(row + col, 0, 2);
        col += 64;
        if (col >= row_bytes) {
            col = 0;
            row += stride;
            --rows_left;
        }
    }
};

// part[j][m] (j < NC, row stride mp) += sum over rows r of [r0, r1): A[r][m] * bp[r][j], for the
// V * 16 columns m of A from m0, or only the first `tail` (< 16, V == 1) when tail > 0.
template <int NC, int V>
NF_INLINE void gradient_block(const float* A, int64_t lda, const float* bp, float* part, int64_t mp, int64_t m0,
                              int64_t tail, int64_t r0, int64_t r1, LineWalk& walk) {
    V16 acc[NC][V];
    for (int j = 0; j < NC; ++j)
        for (int v = 0; v < V; ++v) acc[j][v] = load16(part + j * mp + m0 + v * kLanes);
    for (int64_t r = r0; r < r1; ++r) {
        const float* a = A + r * lda + m0;
        const float* b = bp + r * NC;
        for (int v = 0; v < V; ++v) walk.next();  // a chunk's lines, one per vector of it read here
        V16 av[V];
        if (tail > 0) av[0] = load_first(a, tail);
        else
            for (int v = 0; v < V; ++v) av[v] = load16(a + v * kLanes);
        for (int j = 0; j < NC; ++j)
            for (int v = 0; v < V; ++v) acc[j][v] += b[j] * av[v];
    }
    for (int j = 0; j < NC; ++j)
        for (int v = 0; v < V; ++v) store16(part + j * mp + m0 + v * kLanes, acc[j][v]);
}

// Rows [r0, r1) of A (of K) summed into part (NC rows of mp floats, mp: M rounded up to 16), in
// chunks of kGradRows rows that stay in cache while every block of columns passes over them.
template <int NC>
NF_INLINE void gradient_rows_n(const float* A, int64_t lda, const float* bp, int64_t M, float* part, int64_t mp,
                               int64_t r0, int64_t r1, int64_t K) {
    constexpr int V = gradient_vectors_for(NC);
    constexpr int64_t block = V * kLanes;
    for (int64_t c0 = r0; c0 < r1; c0 += kGradRows) {
        const int64_t c1 = std::min(r1, c0 + kGradRows);
        // The next chunk (the next part's first one at the end of this part).
        LineWalk walk{reinterpret_cast<const char*>(A + c1 * lda), 0, M * int64_t{sizeof(float)},
                      lda * int64_t{sizeof(float)}, std::min(kGradRows, K - c1)};
        int64_t m0 = 0;
        for (; m0 + block <= M; m0 += block) gradient_block<NC, V>(A, lda, bp, part, mp, m0, 0, c0, c1, walk);
        for (; m0 + kLanes <= M; m0 += kLanes) gradient_block<NC, 1>(A, lda, bp, part, mp, m0, 0, c0, c1, walk);
        if (m0 < M) gradient_block<NC, 1>(A, lda, bp, part, mp, m0, M - m0, c0, c1, walk);
    }
}

template <int... Ns>
NF_INLINE void gradient_rows_any(std::integer_sequence<int, Ns...>, int64_t N, const float* A, int64_t lda,
                                 const float* bp, int64_t M, float* part, int64_t mp, int64_t r0, int64_t r1,
                                 int64_t K) {
    ((N == Ns + 1 ? gradient_rows_n<Ns + 1>(A, lda, bp, M, part, mp, r0, r1, K) : void()), ...);
}

NF_SIMD_CLONES void gradient_rows(int64_t N, const float* A, int64_t lda, const float* bp, int64_t M, float* part,
                                  int64_t mp, int64_t r0, int64_t r1, int64_t K) {
    gradient_rows_any(std::make_integer_sequence<int, kSkinnyMaxCols>{}, N, A, lda, bp, M, part, mp, r0, r1, K);
}

int64_t round_up(int64_t n, int64_t to) { return (n + to - 1) / to * to; }

// Zeroed float scratch whose first element is 64-byte aligned, so that the 16 floats at any
// multiple of 16 lie in one cache line: the packed w's loads straddling two lines halved the
// logits' speed (measured on the lab copy: 10-11 ms -> 5-7 ms per 60000 rows on one thread).
NF_INLINE float* aligned_in(float* p) {
    return p + (kLanes - reinterpret_cast<uintptr_t>(p) / sizeof(float) % kLanes) % kLanes;
}

}  // namespace

// The gradient's partials (2 MB for 64 parts at 784x10), kept per calling thread across calls:
// a fresh buffer each call cost its page faults every training step. Not zeroed here (each
// part zeroes its own, on the thread that sums into it).
struct GradientPartials;  // tag of the buffer (cpu/thread_scratch.h)
float* skinny_gradient_partials(int64_t parts, int64_t N, int64_t mp) {
    const int64_t n = parts * N * mp;
    return aligned_in(thread_scratch<GradientPartials, float>(static_cast<size_t>(n + kLanes)));
}

int64_t skinny_parts(int64_t long_dim) { return std::max<int64_t>(1, std::min<int64_t>(kMaxParts, long_dim / 512)); }

int64_t skinny_padded(int64_t M) { return round_up(M, kLanes); }

bool skinny_takes(bool gradient, int64_t M, int64_t N, int64_t K) {
    if (N > kSkinnyMaxCols || sat_mul(M * N, K) < kSkinnyMinMacs || !wide_vectors_here()) return false;
    return gradient ? K >= kSkinnyMinLong : M >= kSkinnyMinLong && K >= kSkinnyMinDepth;
}

SkinnyPackedB::SkinnyPackedB(int64_t N, int64_t K, const float* B, int64_t row_stride, int64_t col_stride)
    : n(N), k(K), kp(round_up(K, kLanes)), v(static_cast<size_t>(N * kp + kLanes), 0.0f), p(aligned_in(v.data())) {
    for (int64_t j = 0; j < N; ++j)
        for (int64_t i = 0; i < K; ++i) p[j * kp + i] = B[i * row_stride + j * col_stride];
}

void skinny_logits_rows(const SkinnyPackedB& b, const float* A, int64_t lda, float* C, int64_t ldc, int64_t rows,
                        int64_t ahead) {
    logits_rows(b.n, A, lda, b.p, b.k, b.kp, C, ldc, 0, rows, rows + ahead);
}

void skinny_gradient_rows(int64_t N, const float* A, int64_t lda, const float* bp, int64_t M, float* part, int64_t mp,
                          int64_t rows, int64_t ahead) {
    gradient_rows(N, A, lda, bp, M, part, mp, 0, rows, rows + ahead);
}

void skinny_gradient_finish(float* partials, int64_t parts, int64_t N, int64_t M, int64_t mp, float* C, int64_t ldc) {
    // Part 0's partial += each later one, in part order (per element the same adds as one
    // sequential sum over the parts), then written transposed into C.
    float* sum = partials;
    for (int64_t p = 1; p < parts; ++p) {
        const float* q = partials + p * N * mp;
        for (int64_t i = 0; i < N * mp; ++i) sum[i] += q[i];
    }
    for (int64_t m = 0; m < M; ++m)
        for (int64_t j = 0; j < N; ++j) C[m * ldc + j] = sum[j * mp + m];
}

bool skinny_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float* C, int64_t ldc) {
    const bool gradient = ta && skinny_takes(true, M, N, K), logits = !ta && skinny_takes(false, M, N, K);
    if (!gradient && !logits) return false;
    // B's (row, column) strides, whichever way it is stored.
    const int64_t brs = tb ? 1 : ldb, bcs = tb ? ldb : 1;
    if (logits) {
        // Every output is one row's sum, so the parts (rows of C) only share out the work.
        const SkinnyPackedB bt(N, K, B, brs, bcs);
        parallel_parts(M, skinny_parts(M), [&](int, int64_t, int64_t m0, int64_t m1) {
            skinny_logits_rows(bt, A + m0 * lda, lda, C + m0 * ldc, ldc, m1 - m0, M - m1);
        });
        return true;
    }
    // A is stored [K][M]; each part sums its rows' outer products into its own partial, and the
    // partials are added in part order.
    std::vector<float> bp(static_cast<size_t>(K * N));
    for (int64_t k = 0; k < K; ++k)
        for (int64_t j = 0; j < N; ++j) bp[k * N + j] = B[k * brs + j * bcs];
    const int64_t mp = skinny_padded(M);
    const int64_t parts = skinny_parts(K);
    float* const partials = skinny_gradient_partials(parts, N, mp);
    parallel_parts(K, parts, [&](int, int64_t p, int64_t r0, int64_t r1) {
        float* part = partials + p * N * mp;
        std::fill(part, part + N * mp, 0.0f);
        skinny_gradient_rows(N, A + r0 * lda, lda, bp.data() + r0 * N, M, part, mp, r1 - r0, K - r1);
    });
    skinny_gradient_finish(partials, parts, N, M, mp, C, ldc);
    return true;
}

}  // namespace nf
