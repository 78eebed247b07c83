// nf_matmul against a naive double triple loop: transposes, strided/negative/packed operands,
// broadcast batch axes, degenerate sizes, float32 and float64.
#include "test_util.h"

using namespace nft;

namespace {

struct Operand {
    std::vector<double> storage_d;
    nf_layout l;
};

// A [batch..., r, c] operand in a chosen layout flavour.
// Kind::Transposed here means the last two axes are stored swapped (column-major matrix).
template <class T>
std::vector<T> make(const Shape& s, Kind k, uint32_t seed, nf_layout* l) {
    View v = make_view(s, k == Kind::Transposed ? Kind::Contig : k);
    if (k == Kind::Transposed) {  // column-major inner matrices, batches contiguous
        const int r = static_cast<int>(s.size());
        v.l.strides[r - 2] = 1;
        v.l.strides[r - 1] = s[r - 2];
    }
    *l = v.l;
    return random_values<T>(v.storage, -1, 1, seed);
}

template <class T>
void check(const Shape& batch, const Shape& a_batch, const Shape& b_batch, int64_t M, int64_t N, int64_t K,
           bool ta, bool tb, Kind ka, Kind kb, uint32_t seed) {
    Shape as = a_batch, bs = b_batch, os = batch;
    as.push_back(ta ? K : M); as.push_back(ta ? M : K);
    bs.push_back(tb ? N : K); bs.push_back(tb ? K : N);
    os.push_back(M); os.push_back(N);
    nf_layout al, bl;
    auto a = make<T>(as, ka, seed, &al);
    auto b = make<T>(bs, kb, seed + 1, &bl);
    const nf_layout ol = contiguous(os);
    nft::Guarded<T> out(std::max<int64_t>(numel(os), 1), T(99));
    const std::string what = "a " + str(as) + " " + kind_name(ka) + (ta ? " T" : "") + ", b " + str(bs) + " " +
                             kind_name(kb) + (tb ? " T" : "") + ", out " + str(os);
    const nf_layout alt = transposed_if(ta, al), blt = transposed_if(tb, bl);
    ASSERT_EQ(nf_matmul(dtype_of<T>(), a.data(), &alt, b.data(), &blt, out.data(), &ol), NF_OK)
        << what << ": " << nf_last_error();
    const int nb = static_cast<int>(batch.size());
    const int64_t batches = numel(batch);
    std::vector<double> want(numel(os));
    for (int64_t bi = 0; bi < batches; ++bi) {
        // Batch offsets with broadcasting (size-1 batch axes of a/b repeat).
        int64_t rem = bi, aoff = al.offset, boff = bl.offset;
        for (int d = nb - 1; d >= 0; --d) {
            const int64_t id = rem % batch[d];
            rem /= batch[d];
            if (as[d] != 1) aoff += id * al.strides[d];
            if (bs[d] != 1) boff += id * bl.strides[d];
        }
        for (int64_t i = 0; i < M; ++i)
            for (int64_t j = 0; j < N; ++j) {
                double acc = 0;
                for (int64_t k = 0; k < K; ++k) {
                    const int64_t ai = ta ? k * al.strides[nb] + i * al.strides[nb + 1] : i * al.strides[nb] + k * al.strides[nb + 1];
                    const int64_t bj = tb ? j * bl.strides[nb] + k * bl.strides[nb + 1] : k * bl.strides[nb] + j * bl.strides[nb + 1];
                    acc += static_cast<double>(a[aoff + ai]) * static_cast<double>(b[boff + bj]);
                }
                want[(bi * M + i) * N + j] = acc;
            }
    }
    const double tol = std::is_same_v<T, float> ? 2e-5 * std::sqrt(double(K) + 1) : 1e-12 * (K + 1);
    EXPECT_TRUE(all_close(out.data(), want, tol, tol, what));
}

template <class T>
void check_all() {
    uint32_t seed = 1;
    const Kind kinds[] = {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative};
    const int64_t sizes[][3] = {{1, 1, 1}, {7, 5, 3}, {33, 17, 9}, {1, 33, 7}, {33, 1, 7}, {7, 7, 1}, {65, 70, 130}};
    for (auto& sz : sizes)
        for (int t = 0; t < 4; ++t)
            for (Kind ka : kinds)
                for (Kind kb : kinds) check<T>({}, {}, {}, sz[0], sz[1], sz[2], t & 1, t & 2, ka, kb, seed++);
    // Batched, with broadcasting on either side and the dense-layer fold ([B, M, K] @ [K, N]).
    check<T>({3}, {3}, {3}, 7, 5, 4, false, false, Kind::Contig, Kind::Contig, seed++);
    check<T>({2, 3}, {2, 3}, {1, 1}, 7, 5, 4, false, false, Kind::Contig, Kind::Contig, seed++);
    check<T>({2, 3}, {2, 3}, {1, 1}, 7, 5, 4, false, true, Kind::Contig, Kind::Contig, seed++);
    check<T>({2, 3}, {1, 3}, {2, 1}, 6, 5, 4, true, false, Kind::Transposed, Kind::Strided, seed++);
    check<T>({4}, {1}, {4}, 9, 8, 7, false, true, Kind::Negative, Kind::Contig, seed++);
    check<T>({64}, {64}, {64}, 8, 8, 8, false, false, Kind::Contig, Kind::Contig, seed++);  // batch-parallel
    check<T>({5}, {5}, {5}, 40, 300, 200, false, false, Kind::Strided, Kind::Contig, seed++);  // large, packed
    // Degenerate sizes: K == 0 gives zeros, M or N == 0 gives nothing.
    check<T>({2}, {2}, {2}, 3, 4, 0, false, false, Kind::Contig, Kind::Contig, seed++);
    check<T>({2}, {2}, {2}, 0, 4, 3, false, false, Kind::Contig, Kind::Contig, seed++);
}

}  // namespace

TEST(Matmul, Float32) { check_all<float>(); }
TEST(Matmul, Float64) { check_all<double>(); }

TEST(Matmul, LargeSquareFloat32) {
    check<float>({}, {}, {}, 256, 256, 256, false, false, Kind::Contig, Kind::Contig, 77);
    check<float>({}, {}, {}, 256, 200, 300, true, true, Kind::Contig, Kind::Contig, 78);
}

// Thin weight gradients x^T @ g over many rows take skinny_gemm.cpp's loops (from 2^24
// multiply-adds), g stored either way, with column counts that leave padded passes and row
// lengths that leave block tails; the logits x @ w of the same shapes stay with the provider.
TEST(Matmul, SkinnyFloat32) {
    uint32_t seed = 200;
    for (int64_t n : {1, 7, 10, 16}) {
        const int64_t rows = (int64_t{1} << 24) / (300 * n) + 37;
        for (Kind kb : {Kind::Contig, Kind::Transposed}) {
            check<float>({}, {}, {}, rows, n, 300, false, false, Kind::Contig, kb, seed++);
            check<float>({}, {}, {}, rows, n, 300, false, true, Kind::Contig, kb, seed++);
            check<float>({}, {}, {}, 300, n, rows, true, false, Kind::Contig, kb, seed++);
        }
    }
}

// Thin logits x @ w over many rows (from 4096 rows and 2^24 multiply-adds) take skinny_gemm.cpp's
// row loops: every N from 1 to 16 (accumulator blocks of 1-4 rows and row tails), row lengths
// that leave a partial 16-float step or none, x with a row stride past its columns, w stored
// either way, and just under the row threshold (the provider's GEMM).
TEST(Matmul, SkinnyLogitsFloat32) {
    uint32_t seed = 300;
    for (int64_t n = 1; n <= 16; ++n) {
        const int64_t k = n % 2 ? 301 : 64 + n;
        const int64_t rows = std::max<int64_t>(4096 + n, (int64_t{1} << 24) / (n * k) + 2 * n + 1);
        check<float>({}, {}, {}, rows, n, k, false, n % 3 == 0, n % 4 == 1 ? Kind::Strided : Kind::Contig,
                     n % 2 ? Kind::Contig : Kind::Transposed, seed++);
    }
    check<float>({}, {}, {}, 4096, 10, 784, false, false, Kind::Contig, Kind::Contig, seed++);
    check<float>({}, {}, {}, 4095, 16, 784, false, false, Kind::Contig, Kind::Contig, seed++);
    check<float>({}, {}, {}, 6000, 7, 4099, false, true, Kind::Strided, Kind::Contig, seed++);
}

// x read in place with a row stride past its columns (a column slice, lda = K + 5) gives the same
// bits as its contiguous copy, and nothing is written past C (guard values).
TEST(Matmul, SkinnyLogitsStridedRowsSameBits) {
    const int64_t M = 5000, K = 781, N = 10, lda = K + 5;
    const auto wide = random_values<float>(M * lda, -1, 1, 11);
    const auto w = random_values<float>(K * N, -1, 1, 12);
    std::vector<float> x(M * K);
    for (int64_t m = 0; m < M; ++m)
        for (int64_t k = 0; k < K; ++k) x[m * K + k] = wide[m * lda + k];
    nf_layout sl = contiguous({M, lda});
    sl.shape[1] = K;
    const nf_layout xl = contiguous({M, K}), wl = contiguous({K, N}), yl = contiguous({M, N});
    nft::Guarded<float> a(M * N, 99.0f), b(M * N, 99.0f);
    ASSERT_EQ(nf_matmul(NF_FLOAT32, wide.data(), &sl, w.data(), &wl, a.data(), &yl), NF_OK) << nf_last_error();
    ASSERT_EQ(nf_matmul(NF_FLOAT32, x.data(), &xl, w.data(), &wl, b.data(), &yl), NF_OK) << nf_last_error();
    EXPECT_EQ(std::vector<float>(a.data(), a.data() + M * N), std::vector<float>(b.data(), b.data() + M * N));
}

// Their parts depend on the sizes only: the same bits on one thread as on all of them.
TEST(Matmul, SkinnySameBitsOnAnyThreadCount) {
    const int64_t M = 20000, K = 300, N = 10;
    const auto x = random_values<float>(M * K, -1, 1, 7);
    const auto w = random_values<float>(K * N, -1, 1, 8);
    const auto g = random_values<float>(M * N, -1, 1, 9);
    const nf_layout xl = contiguous({M, K}), wl = contiguous({K, N}), gl = contiguous({M, N});
    const nf_layout xt = transposed_if(true, xl), yl = contiguous({M, N}), dl = contiguous({K, N});
    auto run = [&](int threads) {
        const int32_t saved = nf_threads_get();
        EXPECT_EQ(nf_threads_set(threads), NF_OK);
        std::vector<float> y(M * N), dw(K * N);
        EXPECT_EQ(nf_matmul(NF_FLOAT32, x.data(), &xl, w.data(), &wl, y.data(), &yl), NF_OK) << nf_last_error();
        EXPECT_EQ(nf_matmul(NF_FLOAT32, x.data(), &xt, g.data(), &gl, dw.data(), &dl), NF_OK) << nf_last_error();
        EXPECT_EQ(nf_threads_set(saved), NF_OK);
        y.insert(y.end(), dw.begin(), dw.end());
        return y;
    };
    const auto one = run(1);
    EXPECT_EQ(one, run(2));
    EXPECT_EQ(one, run(4));
}
