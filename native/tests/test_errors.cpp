// Bad input gives a status and a message naming function, argument and value; never a crash.
// Also: thread-local last error, library info and thread settings.
#include <thread>

#include "test_util.h"

using namespace nft;

TEST(Errors, NullPointersAndLayouts) {
    float a[4] = {}, out[4] = {};
    const nf_layout l = contiguous({4});
    EXPECT_TRUE(fails_with(nf_binary(NF_BINARY_ADD, NF_FLOAT32, a, nullptr, a, &l, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_binary", "a_layout is NULL"}));
    EXPECT_TRUE(fails_with(nf_binary(NF_BINARY_ADD, NF_FLOAT32, nullptr, &l, a, &l, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_binary", "a is NULL", "4 elements"}));
    EXPECT_TRUE(fails_with(nf_unary(NF_UNARY_NEG, NF_FLOAT32, a, &l, nullptr, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_unary", "out is NULL"}));
    nf_layout bad = l;
    bad.rank = 9;
    EXPECT_TRUE(fails_with(nf_unary(NF_UNARY_NEG, NF_FLOAT32, a, &bad, out, &l), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_unary", "x_layout.rank = 9"}));
    bad.rank = -1;
    EXPECT_TRUE(fails_with(nf_copy(NF_FLOAT32, a, &bad, out, &l), NF_ERROR_INVALID_ARGUMENT, {"nf_copy", "rank = -1"}));
    bad = l;
    bad.shape[0] = -2;
    EXPECT_TRUE(fails_with(nf_cast(NF_FLOAT32, a, &bad, NF_INT32, out), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_cast", "x_layout.shape[0] = -2"}));
    bad = l;
    bad.offset = 0;
    bad.strides[0] = -1;  // would read before the buffer
    EXPECT_TRUE(fails_with(nf_copy(NF_FLOAT32, a, &bad, out, &l), NF_ERROR_INVALID_ARGUMENT, {"nf_copy", "before the buffer"}));
}

TEST(Errors, MismatchedShapes) {
    float a[6] = {}, out[6] = {};
    const nf_layout l23 = contiguous({2, 3}), l32 = contiguous({3, 2}), l6 = contiguous({6});
    EXPECT_TRUE(fails_with(nf_binary(NF_BINARY_MUL, NF_FLOAT32, a, &l23, a, &l32, out, &l23), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_binary", "shape mismatch", "[2, 3]", "[3, 2]"}));
    EXPECT_TRUE(fails_with(nf_copy(NF_FLOAT32, a, &l23, out, &l6), NF_ERROR_INVALID_ARGUMENT, {"nf_copy", "[6]"}));
    const nf_layout l22 = contiguous({2, 2});
    EXPECT_TRUE(fails_with(nf_matmul(NF_FLOAT32, a, &l23, a, &l23, out, &l22), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_matmul", "inner dimensions"}));
    EXPECT_TRUE(fails_with(nf_matmul(NF_FLOAT32, a, &l6, a, &l6, out, &l6), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_matmul", "rank = 1"}));
    nf_layout strided_out = l22;
    strided_out.strides[0] = 4;
    const nf_layout l23t = transposed(l23);
    EXPECT_TRUE(fails_with(nf_matmul(NF_FLOAT32, a, &l23, a, &l23t, out, &strided_out), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_matmul", "contiguous"}));
}

TEST(Errors, BadAxisAndMask) {
    float a[6] = {}, out[6] = {};
    const nf_layout l = contiguous({2, 3});
    EXPECT_TRUE(fails_with(nf_reduce(NF_REDUCE_SUM, NF_FLOAT32, a, &l, 1u << 5, out, NF_FLOAT32),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_reduce: axes_mask has bit 5 set but x has rank 2"}));
    int64_t idx[6];
    EXPECT_TRUE(fails_with(nf_reduce(NF_REDUCE_ARGMAX, NF_FLOAT32, a, &l, 3, idx, NF_INT64), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_reduce", "exactly one axis"}));
    EXPECT_TRUE(fails_with(nf_reduce(NF_REDUCE_ARGMAX, NF_FLOAT32, a, &l, 1, idx, NF_FLOAT32), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_reduce", "out_dtype"}));
    EXPECT_TRUE(fails_with(nf_reduce(NF_REDUCE_SUM, NF_FLOAT32, a, &l, 1, out, NF_FLOAT64), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_reduce", "out_dtype = float64"}));
    EXPECT_TRUE(fails_with(nf_softmax(0, NF_FLOAT32, a, &l, 2, out), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_softmax", "axis = 2"}));
    EXPECT_TRUE(fails_with(nf_softmax(0, NF_FLOAT32, a, &l, -1, out), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_softmax", "axis = -1"}));
    EXPECT_TRUE(fails_with(nf_one_hot(NF_INT64, a, &l, -3, 1, 0, NF_FLOAT32, out), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_one_hot", "depth = -3"}));
}

TEST(Errors, BadDtypeForOp) {
    uint8_t b[4] = {}, o[4] = {};
    int32_t i[4] = {}, io[4] = {};
    const nf_layout l = contiguous({4});
    EXPECT_TRUE(fails_with(nf_binary(NF_BINARY_ADD, NF_BOOL, b, &l, b, &l, o, &l), NF_ERROR_UNSUPPORTED,
                           {"nf_binary", "add", "bool"}));
    EXPECT_TRUE(fails_with(nf_unary(NF_UNARY_EXP, NF_INT32, i, &l, io, &l), NF_ERROR_UNSUPPORTED,
                           {"nf_unary", "exp", "int32"}));
    EXPECT_TRUE(fails_with(nf_unary(NF_UNARY_NEG, NF_BOOL, b, &l, o, &l), NF_ERROR_UNSUPPORTED, {"nf_unary", "bool"}));
    EXPECT_TRUE(fails_with(nf_reduce(NF_REDUCE_SUM, NF_BOOL, b, &l, 1, o, NF_BOOL), NF_ERROR_UNSUPPORTED,
                           {"nf_reduce", "sum", "bool"}));
    EXPECT_TRUE(fails_with(nf_softmax(0, NF_INT32, i, &l, 0, io), NF_ERROR_UNSUPPORTED, {"nf_softmax", "int32"}));
    const nf_layout l22 = contiguous({2, 2});
    EXPECT_TRUE(fails_with(nf_matmul(NF_INT32, i, &l22, i, &l22, io, &l22), NF_ERROR_UNSUPPORTED,
                           {"nf_matmul", "int32"}));
    EXPECT_TRUE(fails_with(nf_binary(static_cast<nf_binary_op>(42), NF_FLOAT32, i, &l, i, &l, io, &l),
                           NF_ERROR_INVALID_ARGUMENT, {"nf_binary", "op = 42"}));
    EXPECT_TRUE(fails_with(nf_fill(static_cast<nf_dtype>(17), io, 4, 0), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_fill", "dtype = 17"}));
    EXPECT_TRUE(fails_with(nf_cast(NF_FLOAT32, i, &l, static_cast<nf_dtype>(-1), io), NF_ERROR_INVALID_ARGUMENT,
                           {"nf_cast", "dst = -1"}));
}

TEST(Errors, LastErrorIsThreadLocalAndKeptOnSuccess) {
    float a[2] = {}, out[2] = {};
    const nf_layout l = contiguous({2});
    ASSERT_EQ(nf_softmax(0, NF_FLOAT32, a, &l, 3, out), NF_ERROR_INVALID_ARGUMENT);
    const std::string mine = nf_last_error();
    EXPECT_NE(mine.find("axis = 3"), std::string::npos);
    std::string other;
    std::thread t([&] { other = nf_last_error(); });
    t.join();
    EXPECT_EQ(other, "");  // the failure on this thread is not visible on another
    std::thread t2([&] {
        nf_layout bad = l;
        bad.rank = 12;
        (void)nf_copy(NF_FLOAT32, a, &bad, out, &l);
        other = nf_last_error();
    });
    t2.join();
    EXPECT_NE(other.find("rank = 12"), std::string::npos);
    EXPECT_EQ(std::string(nf_last_error()), mine);  // unaffected by the other thread
    ASSERT_EQ(nf_unary(NF_UNARY_NEG, NF_FLOAT32, a, &l, out, &l), NF_OK);
    EXPECT_EQ(std::string(nf_last_error()), mine);  // success does not clear it
}

TEST(Library, VersionInfoThreads) {
    EXPECT_EQ(nf_abi_version(), NF_ABI_VERSION);
    const std::string info = nf_build_info();
    EXPECT_NE(info.find("gemm"), std::string::npos) << info;
    EXPECT_NE(info.find("threads"), std::string::npos) << info;
    const int32_t saved = nf_threads_get();
    EXPECT_GE(saved, 1);
    ASSERT_EQ(nf_threads_set(3), NF_OK);
    EXPECT_EQ(nf_threads_get(), 3);
    EXPECT_NE(std::string(nf_build_info()).find("threads: 3"), std::string::npos);
    EXPECT_TRUE(fails_with(nf_threads_set(0), NF_ERROR_INVALID_ARGUMENT, {"nf_threads_set", "n = 0"}));
    ASSERT_EQ(nf_threads_set(saved), NF_OK);
}
