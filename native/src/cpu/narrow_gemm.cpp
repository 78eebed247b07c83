// Float products with a narrow output (at most kNarrowMaxCols = 256 columns): a dense layer's forward
// x[256, 784] @ W[784, 50] and its weight gradient x^T[784, 256] @ dy[256, 50] in the workshop's
// training step, 10M multiply-adds each. The provider's GEMM ran them in 119 and 91 us on two
// threads (matmul.cpp's blocks, each a GEMM that packs its operands), about 40% of this Zen 5's
// peak (two 16-lane FMAs per cycle per core).
//
// No packing: C's columns are taken 16 at a time straight from B's rows (a row of W is N
// contiguous floats), V such vectors (at most 4) by R rows of C in 24 zmm accumulators; every step
// k loads V vectors of B's row k, broadcasts R elements of op(A)'s column k and does R * V FMAs.
// op(A) is read by element, so x (forward, A[i][k]) and x^T (gradient, A stored [k][i]) take the
// same loop, only the broadcast's address differs. The last r = N % 16 columns would waste most of
// a vector's lanes (50 = 3 * 16 + 2: a masked fourth vector is a quarter of the FMAs for 4% of the
// outputs), so their loops vectorise along another dimension: the forward along k (a dot product
// per output, against a packed copy of those r columns of B), the gradient along C's rows (16
// consecutive elements of a row of the stored x, B's elements broadcast). skinny_gemm.cpp's loops
// do the same for thin products streamed from memory, but their prefetching and lane sums made
// the workshop's last 2 columns cost 11 us in cache (256x2x784 alone: 9.9 us, these loops: see
// native/bench/narrow_gemm_bench.cpp).
//
// FMA: these loops run only as AVX-512 code (wide_vectors_here), never as an AVX2 or SSE clone, so
// no other build has to compute the same bits; one rounding per multiply-add is also the more
// accurate sum. (skinny_gemm.cpp's loops are SIMD clones and use a multiply and an add.)
//
// Rows of A: the loops read A only through a row source (Strided: A + r * lda, nf_matmul's; Gathered:
// a table of row pointers, nf_gather_matmul's batch of x's rows picked by an index list, issue 17),
// so narrow_gemm_rows on gathered rows sums exactly as narrow_gemm on their packed copy. The
// prefetches of the next block's rows matter more there: a shuffled batch's rows are random
// addresses in x (188 MB for the workshop's 60000 x 784).
//
// Threads: C's rows are cut into parts of whole row blocks by the sizes only, and every output is
// one accumulator summed over k in order (the dot form: 16 lanes in k order, then one fixed lane
// reduction), so the bits are the same on any number of threads.
//
// Measured (native/bench/narrow_gemm_bench.cpp, main's build against this one in one process,
// medians of 200-300 calls, load average 2-5 from other jobs): x @ W1 (256x50x784) 47-52 us
// against the provider's 65-76 on two threads, 86-98 against 125-140 on one; x^T @ dz1
// (784x50x256) 46-49 against 61-68, 83-95 against 119-132. 256x48x784 on one thread: 75-82 us,
// ~120 G multiply-adds/s, about the core's FMA peak. In the replayed workshop step (x fresh from
// memory each step, NEURALFLOW_REPLAY_PROFILE=1 custom_loop_function 3000): 67 and 62 us against
// 112-125 and 84-97, the step 163-169 us against 238-270.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "common/dtype.h"
#include "common/intmath.h"
#include "cpu/narrow_gemm.h"
#include "cpu/parallel.h"
#include "cpu/simd.h"
#include "cpu/skinny_gemm.h"
#include "cpu/thread_scratch.h"
#include "cpu/wide_vectors.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define NF_NARROW_KERNELS 1
#define NF_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))
#endif

namespace nf {

#if defined(NF_NARROW_KERNELS)
namespace {

constexpr int kLanes = 16;
constexpr int kMaxVectors = 4;
// Multiply-adds per part (~10 us on one core): a 10M product is 8 parts, enough for a core held
// by another process to delay only its own; from kPartMacs at least 2 (both cores: the MLP's
// h2^T @ dy, 512x10x256, took 12-21 us as one part on two threads, 11 us in the provider's two
// halves).
constexpr int64_t kPartMacs = int64_t{1} << 20;

// Rows of op(A) (the summed dimension) per pass over C's blocks: 1024 rows of B at N = 64 are 256 KB,
// which stay in L2 (a gradient over x[60000, 784] read each line of x from memory once per block of
// 8 of its columns: 784x50x60000 took 165 ms, the provider 42).
constexpr int64_t kDepthChunk = 1024;

// Rows of C per block for V vectors of columns: R * V accumulators (at most 24) plus V vectors of
// B and one broadcast in the 32 zmm registers.
constexpr int rows_for(int v) { return v >= 4 ? 6 : v == 3 ? 8 : 12; }

// Where the stored rows of A are (op(A)'s rows forward, its columns when transposed: the summed
// index picks the row). The loops below see A only through these, so one set of loops serves
// nf_matmul's strided A and nf_gather_matmul's gathered rows (issue 17: a shuffled batch of x
// multiplied without copying it first), with the same sums in the same order.
// Strided: row r at p + r * ld, as nf_matmul passes A.
struct Strided {
    const float* p;
    int64_t ld;
    static constexpr int kRowsAhead = 0;  // a gradient's rows: the hardware's stride prefetcher follows them
    NF_INLINE const float* row(int64_t r) const { return p + r * ld; }
    NF_INLINE Strided rows_from(int64_t r) const { return {p + r * ld, ld}; }
    NF_INLINE Strided cols_from(int64_t c) const { return {p + c, ld}; }
};
// Gathered: row r at rows[r] + col (rows: a table of row pointers, one per gathered index, then
// kTablePad more for the prefetches past the last: narrow_gemm_rows).
struct Gathered {
    const float* const* rows;
    int64_t col;
    // A gradient block's row k + 16 prefetched at k: random rows, which no hardware prefetcher
    // follows, and the next block's part of them (below) came too late. The workshop's x^T @ dz1
    // from a shuffled batch (native/bench/gather_matmul_bench.cpp, two threads): 125-145 us without,
    // 63-78 with 16, 32 or 48 rows ahead (16 best by a little, the load of other jobs dominating).
    static constexpr int kRowsAhead = 16;
    NF_INLINE const float* row(int64_t r) const { return rows[r] + col; }
    NF_INLINE Gathered rows_from(int64_t r) const { return {rows + r, col}; }
    NF_INLINE Gathered cols_from(int64_t c) const { return {rows, col + c}; }
};
// Rows past a range's end that the prefetches read: a forward block's next block's R rows when that
// block is a shorter tail, a gradient's rows ahead (a strided A just computes addresses past the end).
constexpr int kTablePad = std::max(rows_for(1), Gathered::kRowsAhead);

// C rows [0, R) (ldc), columns [0, 16 V) = op(A) rows [0, R) @ B columns [0, 16 V), over all K.
// A starts at op(A)'s first row: A.row(r)[k] (AT false) or A.row(k)[r] (AT true). `next`
// is where the next block's rows start (A itself for the last block), prefetched while this one
// is summed: a training step's batch of x comes from memory (in the workshop's replayed step the
// forward took 83 us against 50 us with x in cache). `more`: C holds the sums over the earlier
// k (a chunk of a long K), which these continue.
template <bool AT, int R, int V, class Src>
NF_AVX512 NF_INLINE void block(Src A, const float* B, int64_t ldb, int64_t K, float* C, int64_t ldc, Src next,
                               bool more) {
    __m512 acc[R][V];
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) acc[r][v] = more ? _mm512_loadu_ps(C + r * ldc + v * kLanes) : _mm512_setzero_ps();
    for (int64_t k0 = 0; k0 < K; k0 += kLanes) {
        if constexpr (!AT)  // one cache line of each of the next block's rows per 16 steps
#pragma GCC unroll 32
            for (int r = 0; r < R; ++r) __builtin_prefetch(next.row(r) + k0, 0, 3);
        const int64_t k1 = std::min(K, k0 + kLanes);
        for (int64_t k = k0; k < k1; ++k) {
            if constexpr (AT) __builtin_prefetch(next.row(k), 0, 3);  // the next block's part of row k
            if constexpr (AT && Src::kRowsAhead > 0) __builtin_prefetch(A.row(k + Src::kRowsAhead), 0, 3);
            __m512 b[V];
#pragma GCC unroll 4
            for (int v = 0; v < V; ++v) b[v] = _mm512_loadu_ps(B + k * ldb + v * kLanes);
#pragma GCC unroll 32
            for (int r = 0; r < R; ++r) {
                const __m512 a = _mm512_set1_ps(AT ? A.row(k)[r] : A.row(r)[k]);
#pragma GCC unroll 4
                for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
            }
        }
    }
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) _mm512_storeu_ps(C + r * ldc + v * kLanes, acc[r][v]);
}

// The last `rows` (< R) rows of a range: one compiled block per count.
template <bool AT, int V, class Src, int... Rs>
NF_AVX512 NF_INLINE void tail_block(std::integer_sequence<int, Rs...>, int64_t rows, Src A, const float* B, int64_t ldb,
                                    int64_t K, float* C, int64_t ldc, bool more) {
    ((rows == Rs + 1 ? block<AT, Rs + 1, V>(A, B, ldb, K, C, ldc, A, more) : void()), ...);
}

// op(A)'s rows [i, ...): A's columns from i (AT) or its rows from i.
template <bool AT, class Src>
NF_INLINE Src op_rows_from(Src A, int64_t i) {
    return AT ? A.cols_from(i) : A.rows_from(i);
}

// C rows [i0, i1), columns [j0, j0 + 16 V).
template <bool AT, int V, class Src>
NF_AVX512 void rows_of(Src A, const float* B, int64_t ldb, int64_t K, float* C, int64_t ldc, int64_t i0, int64_t i1,
                       int64_t j0, bool more) {
    constexpr int R = rows_for(V);
    int64_t i = i0;
    for (; i + R <= i1; i += R) {
        const int64_t n = i + R < i1 ? i + R : i;  // the next block's first row (this one's for the last)
        block<AT, R, V>(op_rows_from<AT>(A, i), B + j0, ldb, K, C + i * ldc + j0, ldc, op_rows_from<AT>(A, n), more);
    }
    if (i < i1)
        tail_block<AT, V>(std::make_integer_sequence<int, R - 1>{}, i1 - i, op_rows_from<AT>(A, i), B + j0, ldb, K,
                          C + i * ldc + j0, ldc, more);
}

template <bool AT, class Src, int... Vs>
void rows_any(std::integer_sequence<int, Vs...>, int64_t V, Src A, const float* B, int64_t ldb, int64_t K, float* C,
              int64_t ldc, int64_t i0, int64_t i1, int64_t j0, bool more) {
    ((V == Vs + 1 ? rows_of<AT, Vs + 1>(A, B, ldb, K, C, ldc, i0, i1, j0, more) : void()), ...);
}

// ---- the last r = N % 16 columns (r < 16), vectorised along the summed or the row dimension ----

// Blocks for r columns: `width` vectors (of A's rows, or of C's rows) plus r accumulators for
// each (and one vector of B) in the 32 zmm registers, at most 8.
constexpr int last_width_for(int r) { return std::min(8, 31 / (r + 1)); }

// The sum of v's 16 lanes as one fixed tree: lane l + lane l+8, then + 4, + 2, + 1 (the same
// order as skinny_gemm.cpp's sum_lanes; native/tests/test_narrow_gemm.cpp replays it).
NF_AVX512 NF_INLINE float lane_sum(__m512 v) {
    const __m256 h = _mm256_add_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1));
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    return _mm_cvtss_f32(_mm_add_ss(q, _mm_movehdup_ps(q)));
}

// Forward, dot form: C rows [0, rows) (rows <= W), columns [0, NC) = A rows @ B's last columns,
// packed bt[NC][kp] (zeros after K, 64-byte aligned). Lane l of an accumulator sums the k = l
// (mod 16) products in k order; the 16 lanes are then added by one fixed reduction.
template <int NC, class Src>
NF_AVX512 void dot_rows(Src A, const float* bt, int64_t K, int64_t kp, float* C, int64_t ldc, int64_t rows) {
    constexpr int W = last_width_for(NC);
    __m512 acc[W][NC];
    const float* a_row[W];
#pragma GCC unroll 8
    for (int r = 0; r < W; ++r) {
        a_row[r] = A.row(r < rows ? r : 0);  // rows past the block repeat row 0, never stored
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) acc[r][j] = _mm512_setzero_ps();
    }
    for (int64_t k = 0; k < K; k += kLanes) {
        const __mmask16 m = K - k >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << (K - k)) - 1);
        __m512 a[W];
#pragma GCC unroll 8
        for (int r = 0; r < W; ++r) a[r] = _mm512_maskz_loadu_ps(m, a_row[r] + k);
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) {
            const __m512 b = _mm512_load_ps(bt + j * kp + k);
#pragma GCC unroll 8
            for (int r = 0; r < W; ++r) acc[r][j] = _mm512_fmadd_ps(a[r], b, acc[r][j]);
        }
    }
    for (int r = 0; r < rows; ++r)
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) C[r * ldc + j] = lane_sum(acc[r][j]);
}

// Gradient: C rows [0, rows) (rows <= 16 W), columns [0, NC) = sum over k of A[k][0, rows) (A
// stored [K][M]) times B[k][0, NC), 16 rows of C per vector, B's elements broadcast; `more`:
// continuing C's sums over the earlier k.
template <int NC, class Src>
NF_AVX512 void column_rows(Src A, const float* B, int64_t ldb, int64_t K, float* C, int64_t ldc, int64_t rows,
                           bool more) {
    constexpr int W = last_width_for(NC);
    __m512 acc[W][NC];
    __mmask16 mask[W];
    alignas(64) float t[NC][W * kLanes] = {};  // C's block transposed
    if (more)
        for (int64_t i = 0; i < rows; ++i)
            for (int j = 0; j < NC; ++j) t[j][i] = C[i * ldc + j];
#pragma GCC unroll 8
    for (int v = 0; v < W; ++v) {
        const int64_t n = std::clamp<int64_t>(rows - v * kLanes, 0, kLanes);  // lanes of C's rows in vector v
        mask[v] = __mmask16((1u << n) - 1);
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) acc[v][j] = _mm512_load_ps(t[j] + v * kLanes);
    }
    for (int64_t k = 0; k < K; ++k) {
        __m512 a[W];
#pragma GCC unroll 8
        for (int v = 0; v < W; ++v) a[v] = _mm512_maskz_loadu_ps(mask[v], A.row(k) + v * kLanes);
#pragma GCC unroll 16
        for (int j = 0; j < NC; ++j) {
            const __m512 b = _mm512_set1_ps(B[k * ldb + j]);
#pragma GCC unroll 8
            for (int v = 0; v < W; ++v) acc[v][j] = _mm512_fmadd_ps(a[v], b, acc[v][j]);
        }
    }
#pragma GCC unroll 16
    for (int j = 0; j < NC; ++j)
#pragma GCC unroll 8
        for (int v = 0; v < W; ++v) _mm512_store_ps(t[j] + v * kLanes, acc[v][j]);
    for (int64_t i = 0; i < rows; ++i)
        for (int j = 0; j < NC; ++j) C[i * ldc + j] = t[j][i];
}

// C rows [i0, i1), the last r columns (from column `first`), for every r < 16.
template <class Src, int... Rs>
void last_columns(std::integer_sequence<int, Rs...>, int64_t r, bool ta, Src A, const float* B, int64_t ldb,
                  const float* bt, int64_t K, int64_t kp, float* C, int64_t ldc, int64_t i0, int64_t i1, int64_t first,
                  bool more) {
    auto run = [&](auto nc) {
        constexpr int NC = decltype(nc)::value, W = last_width_for(NC);
        if (ta)
            for (int64_t i = i0; i < i1; i += W * kLanes)
                column_rows<NC>(A.cols_from(i), B + first, ldb, K, C + i * ldc + first, ldc,
                                std::min<int64_t>(W * kLanes, i1 - i), more);
        else
            for (int64_t i = i0; i < i1; i += W)
                dot_rows<NC>(A.rows_from(i), bt, K, kp, C + i * ldc + first, ldc, std::min<int64_t>(W, i1 - i));
    };
    ((r == Rs + 1 ? run(std::integral_constant<int, Rs + 1>{}) : void()), ...);
}

int64_t round_up(int64_t n, int64_t to) { return (n + to - 1) / to * to; }

// The largest power of two at most n (n >= 1).
int64_t floor_pow2(int64_t n) {
    int64_t p = 1;
    while (p * 2 <= n) p *= 2;
    return p;
}

struct NarrowScratch;      // tag of the forward's packed last columns (cpu/thread_scratch.h)
struct NarrowRowsScratch;  // tag of narrow_gemm_rows' table of gathered rows

// C = op(A) @ B for a product narrow_gemm_takes, A's stored rows wherever Src finds them: the
// parts, column groups and k chunks depend on the sizes only, so a strided A and the same rows
// gathered give the same bits.
template <class Src>
void run(bool ta, int64_t M, int64_t N, int64_t K, Src A, const float* B, int64_t ldb, float* C, int64_t ldc) {
    const int64_t whole = N / kLanes * kLanes, rest = N - whole, nv = whole / kLanes;
    // Whole vectors in column groups of at most kMaxVectors, as even as possible (6 = 3 + 3, not 4 + 2);
    // the first group is the widest and so has the fewest rows per block.
    const int64_t groups = (nv + kMaxVectors - 1) / kMaxVectors;
    const int64_t first_v = groups ? (nv + groups - 1) / groups : 0;
    // Parts are whole row blocks of the first group (or of the last columns' loops), a power of
    // two of them by the work alone (an even count keeps both cores of a 2-core machine busy to the end).
    const int64_t unit = first_v ? rows_for(static_cast<int>(first_v)) : last_width_for(static_cast<int>(rest)) * (ta ? kLanes : 1);
    const int64_t units = (M + unit - 1) / unit;
    const int64_t macs = sat_mul(M * N, K);
    const int64_t parts = std::min(units, macs < kPartMacs ? 1 : std::max<int64_t>(2, floor_pow2(macs / kPartMacs)));

    // The last `rest` columns of B packed for the forward's dot form: bt[rest][kp], 64-byte aligned,
    // zeros after K. (The gradient broadcasts B's elements where they are.)
    const int64_t kp = round_up(K, kLanes);
    float* bt = nullptr;
    if (rest && !ta) {
        float* raw = thread_scratch<NarrowScratch, float>(static_cast<size_t>(rest * kp + kLanes));
        bt = raw + (kLanes - reinterpret_cast<uintptr_t>(raw) / sizeof(float) % kLanes) % kLanes;
        for (int64_t j = 0; j < rest; ++j) {
            for (int64_t k = 0; k < K; ++k) bt[j * kp + k] = B[k * ldb + whole + j];
            std::fill(bt + j * kp + K, bt + (j + 1) * kp, 0.0f);
        }
    }

    // A long K in chunks of kDepthChunk, each continuing C's sums: the chunk's rows of B (and of the
    // stored x of a gradient) stay in cache while every row block passes over them.
    parallel_parts(units, parts, [&](int, int64_t, int64_t u0, int64_t u1) {
        const int64_t i0 = u0 * unit, i1 = std::min(M, u1 * unit);
        for (int64_t k0 = 0; k0 < K; k0 += kDepthChunk) {
            const int64_t kc = std::min(kDepthChunk, K - k0);
            const Src a = ta ? A.rows_from(k0) : A.cols_from(k0);
            const float* b = B + k0 * ldb;
            for (int64_t g = 0, j0 = 0; g < groups; ++g) {
                const int64_t v = nv / groups + (g < nv % groups);
                if (ta) rows_any<true>(std::make_integer_sequence<int, kMaxVectors>{}, v, a, b, ldb, kc, C, ldc, i0, i1, j0, k0 > 0);
                else rows_any<false>(std::make_integer_sequence<int, kMaxVectors>{}, v, a, b, ldb, kc, C, ldc, i0, i1, j0, k0 > 0);
                j0 += v * kLanes;
            }
            if (rest && ta)
                last_columns(std::make_integer_sequence<int, kLanes - 1>{}, rest, ta, a, b, ldb, bt, kc, kp, C, ldc, i0,
                             i1, whole, k0 > 0);
        }
        if (rest && !ta)  // over all K at once: a dot product's lanes cannot be continued from C
            last_columns(std::make_integer_sequence<int, kLanes - 1>{}, rest, ta, A, B, ldb, bt, K, kp, C, ldc, i0, i1,
                         whole, false);
    });
}

}  // namespace

bool narrow_gemm_takes(bool ta, bool tb, int64_t M, int64_t N, int64_t K) {
    if (tb || N > kNarrowMaxCols || sat_mul(M * N, K) < kNarrowMinMacs || !wide_vectors_here()) return false;
    // A forward with fewer than 16 columns is all dot products, each reading x from L2 for a few
    // FMAs: the provider was faster (256x10x512: 25 us against 38 on one thread).
    if (!ta && N < kLanes) return false;
    // A gradient reads its stored x [K, M] by column blocks, a cache line of each row at a time:
    // from memory that is one miss per row (784x50x60000, x 188 MB: 139 ms against the provider's
    // 40), in cache it wins (288x64x7744, 8.9 MB: 0.75-1.1 ms against 0.86-1.8). So x at most
    // half of this machine's 32 MB L3.
    return !ta || sat_mul(K, M) <= kNarrowMaxGradientFloats;
}

bool narrow_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float* C, int64_t ldc) {
    if (!narrow_gemm_takes(ta, tb, M, N, K)) return false;
    run(ta, M, N, K, Strided{A, lda}, B, ldb, C, ldc);
    return true;
}

bool narrow_gemm_chosen(bool ta, bool tb, int64_t M, int64_t N, int64_t K) {
    return !skinny_takes(ta, M, N, K) && narrow_gemm_takes(ta, tb, M, N, K);
}

void narrow_gemm_rows(bool ta, int64_t M, int64_t N, int64_t K, const float* x, int64_t ldx, nf_dtype index_dtype,
                      const void* indices, const float* B, int64_t ldb, float* C, int64_t ldc) {
    // One pointer per stored row, then kTablePad copies of the last for the prefetches past it.
    const int64_t n = ta ? K : M;
    const float** rows = thread_scratch<NarrowRowsScratch, const float*>(static_cast<size_t>(n + kTablePad));
    for (int64_t i = 0; i < n; ++i) rows[i] = x + index_at(index_dtype, indices, i) * ldx;
    std::fill(rows + n, rows + n + kTablePad, rows[n - 1]);
    run(ta, M, N, K, Gathered{rows, 0}, B, ldb, C, ldc);
}

#else  // no AVX-512 kernels in this build: the provider runs every product

bool narrow_gemm_takes(bool, bool, int64_t, int64_t, int64_t) { return false; }

bool narrow_gemm_chosen(bool, bool, int64_t, int64_t, int64_t) { return false; }

bool narrow_gemm(bool, bool, int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t) {
    return false;
}

void narrow_gemm_rows(bool, int64_t, int64_t, int64_t, const float*, int64_t, nf_dtype, const void*, const float*, int64_t,
                      float*, int64_t) {}

#endif

}  // namespace nf
