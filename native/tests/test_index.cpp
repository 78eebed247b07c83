// nf_gather, nf_scatter_add and nf_one_hot against naive references.
#include "test_util.h"

using namespace nft;

namespace {

template <class T, class I>
void check_gather(nf_dtype dt, nf_dtype it) {
    uint32_t seed = 21;
    const std::vector<Shape> shapes = {{7}, {33}, {1025}, {7, 33}, {2, 3, 5}, {300, 250}, {4, 1, 6}};
    for (const Shape& s : shapes)
        for (int axis = 0; axis < static_cast<int>(s.size()); ++axis)
            for (Kind k : kAllKinds) {
                const View v = make_view(s, k);
                auto x = random_values<T>(v.storage, 0, 100, seed++);
                const int64_t len = s[axis];
                for (int64_t count : {int64_t(0), int64_t(1), int64_t(5), len * 2}) {
                    std::vector<I> idx(std::max<int64_t>(count, 1));
                    for (int64_t j = 0; j < count; ++j) idx[j] = static_cast<I>((j * 7 + 3) % len);
                    Shape os = s;
                    os[axis] = count;
                    const int64_t n = numel(os);
                    nft::Guarded<T> out(std::max<int64_t>(n, 1));
                    const std::string what = "gather " + str(s) + " axis " + std::to_string(axis) + " count " +
                                             std::to_string(count) + " " + kind_name(k);
                    ASSERT_EQ(nf_gather(dt, x.data(), &v.l, axis, it, idx.data(), count, out.data()), NF_OK)
                        << what << ": " << nf_last_error();
                    int64_t inner = 1;
                    for (size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
                    std::vector<double> want(n);
                    for (int64_t o = 0; o < n; ++o) {
                        const int64_t j = (o / inner) % count, outer = o / (inner * count), in = o % inner;
                        const int64_t src_lin = (outer * len + static_cast<int64_t>(idx[j])) * inner + in;
                        want[o] = static_cast<double>(x[elem_offset(v.l, src_lin)]);
                    }
                    EXPECT_TRUE(all_close(out.data(), want, 0, 0, what));
                }
            }
}

}  // namespace

TEST(Gather, Float32Int64Indices) { check_gather<float, int64_t>(NF_FLOAT32, NF_INT64); }
TEST(Gather, Float64Int32Indices) { check_gather<double, int32_t>(NF_FLOAT64, NF_INT32); }
TEST(Gather, Int32UInt8Indices) { check_gather<int32_t, uint8_t>(NF_INT32, NF_UINT8); }
TEST(Gather, Int64AndBytes) {
    check_gather<int64_t, int64_t>(NF_INT64, NF_INT64);
    check_gather<uint8_t, int32_t>(NF_UINT8, NF_INT32);
    check_gather<uint8_t, int32_t>(NF_BOOL, NF_INT32);
}

// Whole rows at shuffled places, as Fit gathers a batch: every size of row the prefetching
// treats differently (1 byte: 8 rows ahead; 3136 bytes: 5 rows; 8 KB: one row, its first
// 4 KB asked for), enough rows for many parallel parts, and the last row of x among them.
TEST(Gather, ShuffledWholeRowsOfEverySize) {
    for (int64_t width : {int64_t(1), int64_t(784), int64_t(2048)}) {
        const int64_t rows = 3000, count = 1000;
        std::vector<float> x(rows * width);
        for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 8191);
        std::vector<int32_t> idx(count);
        for (int64_t j = 0; j < count; ++j) idx[j] = static_cast<int32_t>((j * 1237 + 11) % rows);
        idx[count / 2] = static_cast<int32_t>(rows - 1);
        idx[count - 1] = static_cast<int32_t>(rows - 1);
        const nf_layout l = contiguous({rows, width});
        std::vector<float> out(count * width);
        ASSERT_EQ(nf_gather(NF_FLOAT32, x.data(), &l, 0, NF_INT32, idx.data(), count, out.data()), NF_OK) << nf_last_error();
        for (int64_t j = 0; j < count; ++j)
            for (int64_t k = 0; k < width; ++k)
                ASSERT_EQ(out[j * width + k], x[idx[j] * width + k]) << "width " << width << " row " << j << " col " << k;
    }
}

TEST(Gather, BadIndexNamed) {
    std::vector<float> x(12), out(8);
    const nf_layout l = contiguous({3, 4});
    std::vector<int64_t> idx = {0, 2, 4, 1};
    EXPECT_TRUE(fails_with(nf_gather(NF_FLOAT32, x.data(), &l, 1, NF_INT64, idx.data(), 4, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_gather", "indices[2] = 4", "[0, 4)"}));
    std::vector<int32_t> neg = {-1};
    EXPECT_TRUE(fails_with(nf_gather(NF_FLOAT32, x.data(), &l, 0, NF_INT32, neg.data(), 1, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"indices[0] = -1", "[0, 3)"}));
    EXPECT_TRUE(fails_with(nf_gather(NF_FLOAT32, x.data(), &l, 2, NF_INT32, neg.data(), 1, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_gather", "axis = 2"}));
    EXPECT_TRUE(fails_with(nf_gather(NF_FLOAT32, x.data(), &l, 0, NF_FLOAT32, neg.data(), 1, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_gather", "index_dtype"}));
}

TEST(OneHot, AllOutputDtypesAndLayouts) {
    uint32_t seed = 2;
    const nf_dtype outs[] = {NF_FLOAT32, NF_FLOAT64, NF_INT32, NF_INT64, NF_UINT8, NF_BOOL};
    for (const Shape& s : std::vector<Shape>{{}, {7}, {33}, {7, 33}, {1025}, {0}})
        for (Kind k : kAllKinds)
            for (nf_dtype od : outs) {
                const View v = make_view(s, k);
                auto idx = random_values<int64_t>(v.storage, -2, 12, seed++);  // some out of [0, 10)
                const int64_t depth = 10, n = numel(s);
                nft::Guarded<double> out(std::max<int64_t>(n * depth, 1));  // big enough for any dtype
                ASSERT_EQ(nf_one_hot(NF_INT64, idx.data(), &v.l, depth, 1.0, 0.0, od, out.data()), NF_OK)
                    << nf_last_error();
                ASSERT_EQ(nf_one_hot(NF_INT64, idx.data(), &v.l, depth, 1.0, 0.0, od, out.data()), NF_OK);
                std::vector<double> want(n * depth, 0.0), got(n * depth);
                for (int64_t i = 0; i < n; ++i) {
                    const int64_t c = idx[elem_offset(v.l, i)];
                    if (c >= 0 && c < depth) want[i * depth + c] = 1.0;
                }
                for (int64_t i = 0; i < n * depth; ++i) {
                    const void* p = out.data();
                    switch (od) {
                        case NF_FLOAT32: got[i] = static_cast<const float*>(p)[i]; break;
                        case NF_FLOAT64: got[i] = static_cast<const double*>(p)[i]; break;
                        case NF_INT32: got[i] = static_cast<const int32_t*>(p)[i]; break;
                        case NF_INT64: got[i] = static_cast<double>(static_cast<const int64_t*>(p)[i]); break;
                        default: got[i] = static_cast<const uint8_t*>(p)[i]; break;
                    }
                }
                EXPECT_TRUE(all_close(got.data(), want, 0, 0, "one_hot " + str(s) + " " + kind_name(k) + " dtype " + std::to_string(od)));
            }
}

TEST(OneHot, OnOffValuesAndIndexDtypes) {
    std::vector<uint8_t> idx = {2, 0, 9};
    const nf_layout l = contiguous({3});
    nft::Guarded<float> out(9);
    ASSERT_EQ(nf_one_hot(NF_UINT8, idx.data(), &l, 3, 5.0, -1.0, NF_FLOAT32, out.data()), NF_OK);
    EXPECT_EQ(out, std::vector<float>({-1, -1, 5, 5, -1, -1, -1, -1, -1}));
    std::vector<int32_t> idx32 = {1};
    const nf_layout l1 = contiguous({1});
    nft::Guarded<uint8_t> o8(2);
    ASSERT_EQ(nf_one_hot(NF_INT32, idx32.data(), &l1, 2, 300.0, -5.0, NF_UINT8, o8.data()), NF_OK);
    EXPECT_EQ(o8, std::vector<uint8_t>({0, 255}));  // saturating conversion of on/off
}

// ---- nf_scatter_add ------------------------------------------------------------------------

namespace {

// out (prefilled) += src slices at idx along axis, the terms added in index order in T: the
// kernel promises exactly that order, so the comparison is exact.
template <class T, class I>
std::vector<T> scatter_reference(const std::vector<T>& src, const nf_layout& sl, int axis, const std::vector<I>& idx,
                                 int64_t rows, std::vector<T> out) {
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= sl.shape[d];
    for (int d = axis + 1; d < sl.rank; ++d) inner *= sl.shape[d];
    const int64_t count = sl.shape[axis];
    for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < count; ++j)
            for (int64_t r = 0; r < inner; ++r) {
                T& d = out[(o * rows + static_cast<int64_t>(idx[j])) * inner + r];
                d = static_cast<T>(d + src[elem_offset(sl, (o * count + j) * inner + r)]);
            }
    return out;
}

template <class T, class I>
void check_scatter(nf_dtype dt, nf_dtype it) {
    uint32_t seed = 41;
    const std::vector<Shape> shapes = {{7}, {33}, {7, 33}, {2, 3, 5}, {300, 250}, {4, 1, 6}, {3, 50, 700}};
    for (const Shape& s : shapes)
        for (int axis = 0; axis < static_cast<int>(s.size()); ++axis)
            for (Kind k : kAllKinds) {
                const int64_t rows = s[axis];
                // No index; one; a few; every row twice and more (duplicates must all land).
                for (int64_t count : {int64_t(0), int64_t(1), int64_t(5), rows * 2 + 1}) {
                    Shape ss = s;
                    ss[axis] = count;
                    const View v = make_view(ss, k);
                    auto src = random_values<T>(v.storage, -50, 50, seed++);
                    std::vector<I> idx(std::max<int64_t>(count, 1));
                    for (int64_t j = 0; j < count; ++j) idx[j] = static_cast<I>((j * 7 + 3) % rows);
                    const int64_t n = numel(s);
                    auto init = random_values<T>(std::max<int64_t>(n, 1), -10, 10, seed++);
                    nft::Guarded<T> out(std::max<int64_t>(n, 1));
                    std::copy(init.begin(), init.end(), out.data());
                    const std::string what = "scatter_add " + str(ss) + " axis " + std::to_string(axis) + " rows " +
                                             std::to_string(rows) + " " + kind_name(k);
                    ASSERT_EQ(nf_scatter_add(dt, src.data(), &v.l, axis, it, idx.data(), rows, out.data()), NF_OK)
                        << what << ": " << nf_last_error();
                    const auto want = scatter_reference(src, v.l, axis, idx, rows, init);
                    std::vector<double> wd(want.begin(), want.end());
                    wd.resize(n);
                    EXPECT_TRUE(all_close(out.data(), wd, 0, 0, what));
                }
            }
}

}  // namespace

TEST(ScatterAdd, Float32Int64Indices) { check_scatter<float, int64_t>(NF_FLOAT32, NF_INT64); }
TEST(ScatterAdd, Float64Int32Indices) { check_scatter<double, int32_t>(NF_FLOAT64, NF_INT32); }
TEST(ScatterAdd, Int32UInt8Indices) { check_scatter<int32_t, uint8_t>(NF_INT32, NF_UINT8); }
TEST(ScatterAdd, Int64Int64Indices) { check_scatter<int64_t, int64_t>(NF_INT64, NF_INT64); }

TEST(ScatterAdd, IntegersWrap) {
    std::vector<int32_t> src = {INT32_MAX, 1, 5};
    std::vector<int32_t> idx = {0, 0, 1};
    const nf_layout l = contiguous({3});
    nft::Guarded<int32_t> out(2);
    ASSERT_EQ(nf_scatter_add(NF_INT32, src.data(), &l, 0, NF_INT32, idx.data(), 2, out.data()), NF_OK) << nf_last_error();
    EXPECT_EQ(out, std::vector<int32_t>({INT32_MIN, 5}));
}

// An embedding's gradient (10,000 rows of 64, 3,200 indices with repeats): the parts split the
// rows, and the sums are the same bits on 1, 2, 3 and 8 threads, equal to the in-order reference.
TEST(ScatterAdd, SameBitsOnAnyThreadCount) {
    struct Restore {
        int saved = nf_threads_get();
        ~Restore() { nf_threads_set(saved); }
    } restore;
    const int64_t rows = 10000, count = 3200, width = 64;
    const nf_layout l = contiguous({count, width});
    auto src = random_values<float>(count * width, -1, 1, 5);
    std::vector<int64_t> idx(count);
    for (int64_t j = 0; j < count; ++j) idx[j] = (j * j * 31 + 7) % 97 * 101 % rows;  // 97 distinct rows, many repeats
    const auto want = scatter_reference(src, l, 0, idx, rows, std::vector<float>(rows * width, 0.0f));
    for (int threads : {1, 2, 3, 8}) {
        ASSERT_EQ(nf_threads_set(threads), NF_OK);
        nft::Guarded<float> out(rows * width, 0.0f);
        ASSERT_EQ(nf_scatter_add(NF_FLOAT32, src.data(), &l, 0, NF_INT64, idx.data(), rows, out.data()), NF_OK)
            << nf_last_error();
        for (int64_t i = 0; i < rows * width; ++i)
            ASSERT_EQ(std::memcmp(&out[i], &want[i], sizeof(float)), 0) << threads << " threads, element " << i;
    }
}

TEST(ScatterAdd, BadArgumentsNamedAndOutUntouched) {
    std::vector<float> src(12, 1.0f);
    const nf_layout l = contiguous({3, 4});
    nft::Guarded<float> out(10, 7.0f);
    std::vector<int64_t> idx = {0, 2, 5, 1};
    EXPECT_TRUE(fails_with(nf_scatter_add(NF_FLOAT32, src.data(), &l, 1, NF_INT64, idx.data(), 2, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_scatter_add", "indices[1] = 2", "[0, 2)", "shape [3, 2]"}));
    std::vector<int32_t> neg = {0, -1, 0};
    EXPECT_TRUE(fails_with(nf_scatter_add(NF_FLOAT32, src.data(), &l, 0, NF_INT32, neg.data(), 2, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_scatter_add", "indices[1] = -1", "[0, 2)"}));
    EXPECT_EQ(out, std::vector<float>(10, 7.0f));  // a bad index writes nothing
    EXPECT_TRUE(fails_with(nf_scatter_add(NF_FLOAT32, src.data(), &l, 2, NF_INT32, neg.data(), 2, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_scatter_add", "axis = 2"}));
    EXPECT_TRUE(fails_with(nf_scatter_add(NF_FLOAT32, src.data(), &l, 0, NF_FLOAT32, neg.data(), 2, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_scatter_add", "index_dtype"}));
    EXPECT_TRUE(fails_with(nf_scatter_add(NF_FLOAT32, src.data(), &l, 0, NF_INT32, neg.data(), -1, out.data()),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_scatter_add", "rows = -1"}));
    EXPECT_TRUE(fails_with(nf_scatter_add(NF_BOOL, src.data(), &l, 0, NF_INT32, neg.data(), 2, out.data()),
                           NF_ERROR_UNSUPPORTED, {"nf_scatter_add", "bool"}));
    EXPECT_TRUE(fails_with(nf_scatter_add(NF_FLOAT32, src.data(), &l, 0, NF_INT32, neg.data(), 2, nullptr),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_scatter_add", "out"}));
}
