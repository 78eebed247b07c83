// nf_binary against a naive reference (double for floats, 128-bit integers wrapped for ints)
// over contiguous, transposed, strided, negative-stride and broadcast layouts.
#include <limits>

#include "test_util.h"

using namespace nft;

namespace {

using I128 = __int128;

template <class T> T wrap(I128 v) { return static_cast<T>(static_cast<uint64_t>(static_cast<unsigned __int128>(v))); }

template <class T>
double ref_int(nf_binary_op op, T a, T b) {
    const I128 x = a, y = b;
    switch (op) {
        case NF_BINARY_ADD: return wrap<T>(x + y);
        case NF_BINARY_SUB: return wrap<T>(x - y);
        case NF_BINARY_MUL: return wrap<T>(x * y);
        case NF_BINARY_DIV: return y == 0 ? 0 : wrap<T>(x / y);
        case NF_BINARY_POW: {
            if (y < 0) return x == 1 ? 1 : x == -1 ? (y % 2 ? -1 : 1) : 0;
            I128 r = 1;
            for (I128 i = 0; i < y; ++i) r = static_cast<I128>(static_cast<int64_t>(static_cast<uint64_t>(r * x)));
            return wrap<T>(r);
        }
        case NF_BINARY_MAXIMUM: return x > y ? a : b;
        case NF_BINARY_MINIMUM: return x < y ? a : b;
        // Python's rules: the quotient rounds down, the remainder takes the divisor's sign;
        // a zero divisor gives 0 (the C# layer refuses it before the call).
        case NF_BINARY_FLOOR_DIV: {
            if (y == 0) return 0;
            const I128 q = x / y;
            return wrap<T>(x % y != 0 && ((x < 0) != (y < 0)) ? q - 1 : q);
        }
        case NF_BINARY_FLOOR_MOD: {
            if (y == 0) return 0;
            const I128 r = x % y;
            return wrap<T>(r != 0 && ((r < 0) != (y < 0)) ? r + y : r);
        }
        case NF_BINARY_TRUNCATE_MOD: return y == 0 ? 0 : wrap<T>(x % y);
        case NF_BINARY_BITWISE_AND: return wrap<T>(x & y);
        case NF_BINARY_BITWISE_OR: return wrap<T>(x | y);
        case NF_BINARY_BITWISE_XOR: return wrap<T>(x ^ y);
        // NumPy on x86: a count outside [0, bit width) shifts everything out (0, or -1 for a
        // negative value shifted right); the right shift of a signed value is arithmetic.
        case NF_BINARY_LEFT_SHIFT:  // on the unsigned bits: << of a negative signed value is UB
            return y < 0 || y >= I128(8 * sizeof(T)) ? 0 : wrap<T>(static_cast<I128>(static_cast<unsigned __int128>(x) << y));
        case NF_BINARY_RIGHT_SHIFT: return y < 0 || y >= I128(8 * sizeof(T)) ? (x < 0 ? -1 : 0) : wrap<T>(x >> y);
        default: break;
    }
    return std::nan("");
}

// CPython's float_divmod in double: the quotient and remainder of a == b*q + r, r with b's sign.
std::pair<double, double> py_divmod(double x, double y) {
    if (y == 0) return {x / y, std::fmod(x, y)};
    double mod = std::fmod(x, y), div = (x - mod) / y;
    if (mod != 0) {
        if ((y < 0) != (mod < 0)) { mod += y; div -= 1; }
    } else {
        mod = std::copysign(0.0, y);
    }
    double q = div != 0 ? std::floor(div) : std::copysign(0.0, x / y);
    if (div != 0 && div - q > 0.5) q += 1;
    return {q, mod};
}

double ref_float(nf_binary_op op, double x, double y) {
    switch (op) {
        case NF_BINARY_ADD: return x + y;
        case NF_BINARY_SUB: return x - y;
        case NF_BINARY_MUL: return x * y;
        case NF_BINARY_DIV: return x / y;
        case NF_BINARY_POW: return std::pow(x, y);
        case NF_BINARY_MAXIMUM: return std::isnan(x) || std::isnan(y) ? std::nan("") : std::max(x, y);
        case NF_BINARY_MINIMUM: return std::isnan(x) || std::isnan(y) ? std::nan("") : std::min(x, y);
        case NF_BINARY_FLOOR_DIV: return py_divmod(x, y).first;
        case NF_BINARY_FLOOR_MOD: return py_divmod(x, y).second;
        case NF_BINARY_TRUNCATE_MOD: return std::fmod(x, y);
        default: break;
    }
    return std::nan("");
}

double ref_cmp(nf_binary_op op, double x, double y) {
    switch (op) {
        case NF_BINARY_EQUAL: return x == y;
        case NF_BINARY_NOT_EQUAL: return x != y;
        case NF_BINARY_LESS: return x < y;
        case NF_BINARY_LESS_EQUAL: return x <= y;
        case NF_BINARY_GREATER: return x > y;
        default: return x >= y;
    }
}

struct Combo {
    Kind a, b, out;
};
const Combo kCombos[] = {
    {Kind::Contig, Kind::Contig, Kind::Contig},      {Kind::Transposed, Kind::Contig, Kind::Contig},
    {Kind::Strided, Kind::Negative, Kind::Contig},   {Kind::Broadcast, Kind::Contig, Kind::Contig},
    {Kind::Contig, Kind::Broadcast, Kind::Strided},  {Kind::Negative, Kind::Transposed, Kind::Negative},
    {Kind::Contig, Kind::Contig, Kind::Transposed},
};

// T: storage type; is_bool: run as NF_BOOL with 0/1 data.
template <class T>
void check_op(nf_binary_op op, nf_dtype dtype, double lo, double hi) {
    const bool cmp = op >= NF_BINARY_EQUAL && op <= NF_BINARY_GREATER_EQUAL;
    uint32_t seed = 1;
    for (const Shape& s : elementwise_shapes()) {
        for (const Combo& c : kCombos) {
            const View va = make_view(s, c.a), vb = make_view(s, c.b), vo = make_view(s, c.out);
            auto a = random_values<T>(va.storage, lo, hi, seed++);
            auto b = random_values<T>(vb.storage, lo, hi, seed++);
            if (std::is_floating_point_v<T> && a.size() > 3) a[1] = static_cast<T>(std::nan(""));  // NaN handling
            const std::string what = std::string("op ") + std::to_string(op) + " shape " + str(s) + " a " +
                                     kind_name(c.a) + " b " + kind_name(c.b) + " out " + kind_name(c.out);
            const int64_t n = numel(s);
            std::vector<double> want(static_cast<size_t>(n));
            for (int64_t i = 0; i < n; ++i) {
                const T x = a[elem_offset(va.l, i)], y = b[elem_offset(vb.l, i)];
                if (cmp) want[i] = ref_cmp(op, x, y);
                else if constexpr (std::is_floating_point_v<T>) want[i] = ref_float(op, x, y);
                else if (dtype == NF_BOOL)
                    want[i] = op == NF_BINARY_MAXIMUM || op == NF_BINARY_BITWISE_OR ? (x || y)
                              : op == NF_BINARY_BITWISE_XOR                     ? (x != y)
                                                                                : (x && y);
                else want[i] = ref_int<T>(op, x, y);
            }
            auto run = [&](auto* out_buf) {
                ASSERT_EQ(nf_binary(op, dtype, a.data(), &va.l, b.data(), &vb.l, out_buf, &vo.l), NF_OK)
                    << what << ": " << nf_last_error();
                using R = std::remove_pointer_t<decltype(out_buf)>;
                std::vector<R> got(static_cast<size_t>(n));
                for (int64_t i = 0; i < n; ++i) got[i] = out_buf[elem_offset(vo.l, i)];
                const double rt = std::is_same_v<R, float> ? (op == NF_BINARY_POW ? 4e-6 : 2e-6) : 1e-12;
                EXPECT_TRUE(all_close(got.data(), want, rt, 1e-30, what));
            };
            if (cmp) {
                nft::Guarded<uint8_t> out(static_cast<size_t>(std::max<int64_t>(vo.storage, 1)), 7);
                run(out.data());
                EXPECT_TRUE(out.intact("comparison output"));
            } else {
                nft::Guarded<T> out(static_cast<size_t>(std::max<int64_t>(vo.storage, 1)), T(7));
                run(out.data());
                EXPECT_TRUE(out.intact("output"));
            }
        }
    }
}

// Every op the dtype takes (elementwise_list.h's flags): floats skip the bit operators, bool
// takes only maximum/minimum, the comparisons and and/or/xor.
template <class T>
void check_all_ops(nf_dtype dtype, double lo, double hi) {
    for (int op = NF_BINARY_ADD; op <= NF_BINARY_RIGHT_SHIFT; ++op) {
        const bool bits = op >= NF_BINARY_BITWISE_AND, shift = op >= NF_BINARY_LEFT_SHIFT;
        if (std::is_floating_point_v<T> && bits) continue;
        if (dtype == NF_BOOL && (op <= NF_BINARY_POW || (op >= NF_BINARY_FLOOR_DIV && !bits) || shift)) continue;
        check_op<T>(static_cast<nf_binary_op>(op), dtype, lo, hi);
    }
}

}  // namespace

TEST(Binary, Float32) { check_all_ops<float>(NF_FLOAT32, -3, 3); }
TEST(Binary, Float64) { check_all_ops<double>(NF_FLOAT64, -3, 3); }
TEST(Binary, Int32) { check_all_ops<int32_t>(NF_INT32, -6, 7); }
TEST(Binary, Int64) { check_all_ops<int64_t>(NF_INT64, -6, 7); }
TEST(Binary, UInt8) { check_all_ops<uint8_t>(NF_UINT8, 0, 20); }
TEST(Binary, Bool) { check_all_ops<uint8_t>(NF_BOOL, 0, 2); }

TEST(Binary, SingleThreadMatchesReference) {
    const int32_t saved = nf_threads_get();
    ASSERT_EQ(nf_threads_set(1), NF_OK);
    EXPECT_EQ(nf_threads_get(), 1);
    check_op<float>(NF_BINARY_MUL, NF_FLOAT32, -3, 3);
    ASSERT_EQ(nf_threads_set(saved), NF_OK);
}

// Integer edge cases that trap or are UB in naive C++.
TEST(Binary, IntegerEdgeCasesNeverTrap) {
    const int64_t mn = std::numeric_limits<int64_t>::min(), mx = std::numeric_limits<int64_t>::max();
    std::vector<int64_t> a = {7, -7, mn, mn, mx, 5, 2, -2, 3, 1, -1, -1};
    std::vector<int64_t> b = {0, 0, -1, 2, 1, -2, 62, 63, -1, -5, -3, -4};
    const nf_layout l = contiguous({12});
    nft::Guarded<int64_t> out(12);
    ASSERT_EQ(nf_binary(NF_BINARY_DIV, NF_INT64, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    EXPECT_EQ(out[0], 0);
    EXPECT_EQ(out[1], 0);
    EXPECT_EQ(out[2], mn);  // wraps, no SIGFPE
    EXPECT_EQ(out[3], mn / 2);
    EXPECT_EQ(out[5], -2);  // truncating
    ASSERT_EQ(nf_binary(NF_BINARY_ADD, NF_INT64, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    EXPECT_EQ(out[4], mn);  // mx + 1 wraps
    ASSERT_EQ(nf_binary(NF_BINARY_POW, NF_INT64, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    EXPECT_EQ(out[6], int64_t(1) << 62);
    EXPECT_EQ(out[7], mn);      // (-2)^63 wraps to INT64_MIN
    EXPECT_EQ(out[8], 0);       // 3^-1
    EXPECT_EQ(out[9], 1);       // 1^-5
    EXPECT_EQ(out[10], -1);     // (-1)^-3
    EXPECT_EQ(out[11], 1);      // (-1)^-4
    std::vector<int32_t> a32 = {INT32_MIN, 9}, b32 = {-1, 0}, o32(2);
    const nf_layout l2 = contiguous({2});
    ASSERT_EQ(nf_binary(NF_BINARY_DIV, NF_INT32, a32.data(), &l2, b32.data(), &l2, o32.data(), &l2), NF_OK);
    EXPECT_EQ(o32[0], INT32_MIN);
    EXPECT_EQ(o32[1], 0);
}

TEST(Binary, FloatMaximumPropagatesNaN) {
    const float nan = std::nanf("");
    std::vector<float> a = {nan, 1, 2}, b = {1, nan, 3}, out(3);
    const nf_layout l = contiguous({3});
    ASSERT_EQ(nf_binary(NF_BINARY_MAXIMUM, NF_FLOAT32, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_EQ(out[2], 3);
    ASSERT_EQ(nf_binary(NF_BINARY_MINIMUM, NF_FLOAT32, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_EQ(out[2], 2);
}

// Python's // and % against values CPython prints, with the integer edges that trap in C.
TEST(Binary, FloorDivAndModIntegerEdges) {
    const int32_t mn = INT32_MIN;
    std::vector<int32_t> a = {7, -7, 7, -7, mn, mn, 5, 0, 9};
    std::vector<int32_t> b = {2, 2, -2, -2, -1, 3, 0, -3, 9};
    const nf_layout l = contiguous({9});
    nft::Guarded<int32_t> out(9);
    ASSERT_EQ(nf_binary(NF_BINARY_FLOOR_DIV, NF_INT32, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    const int32_t div[] = {3, -4, -4, 3, mn, -715827883, 0, 0, 1};  // MIN // -1 wraps; x // 0 is 0 here
    for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], div[i]) << i;
    ASSERT_EQ(nf_binary(NF_BINARY_FLOOR_MOD, NF_INT32, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    const int32_t mod[] = {1, 1, -1, -1, 0, 1, 0, 0, 0};
    for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], mod[i]) << i;
    ASSERT_EQ(nf_binary(NF_BINARY_TRUNCATE_MOD, NF_INT32, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    const int32_t tmod[] = {1, -1, 1, -1, 0, -2, 0, 0, 0};
    for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], tmod[i]) << i;
    EXPECT_TRUE(out.intact("int32 mod"));
}

TEST(Binary, FloorDivAndModFloatEdges) {
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> a = {1.0, -1.0, 5.5, -5.5, 0.0, -0.0, 3.0, 1.0, inf};
    std::vector<double> b = {0.1, 0.1, -2.0, 2.0, -3.0, 3.0, 0.0, inf, 2.0};
    const nf_layout l = contiguous({9});
    nft::Guarded<double> out(9);
    ASSERT_EQ(nf_binary(NF_BINARY_FLOOR_DIV, NF_FLOAT64, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    // CPython: 1.0 // 0.1 == 9.0 (not floor(10.0)), -1.0 // 0.1 == -10.0, 5.5 // -2 == -3, 0.0 // -3 == -0.0
    EXPECT_EQ(out[0], 9.0);
    EXPECT_EQ(out[1], -10.0);
    EXPECT_EQ(out[2], -3.0);
    EXPECT_EQ(out[3], -3.0);
    EXPECT_EQ(out[4], 0.0);
    EXPECT_TRUE(std::signbit(out[4]));
    EXPECT_EQ(out[6], inf);  // NumPy: 3.0 // 0.0 is inf
    EXPECT_EQ(out[7], 0.0);
    ASSERT_EQ(nf_binary(NF_BINARY_FLOOR_MOD, NF_FLOAT64, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    EXPECT_NEAR(out[0], 0.09999999999999995, 1e-17);
    EXPECT_NEAR(out[1], 0.00000000000000005551115123125783, 1e-30);
    EXPECT_EQ(out[2], -0.5);
    EXPECT_EQ(out[3], 0.5);
    EXPECT_EQ(out[4], 0.0);
    EXPECT_TRUE(std::signbit(out[4]));  // a zero remainder takes the divisor's sign
    EXPECT_FALSE(std::signbit(out[5]));
    EXPECT_TRUE(std::isnan(out[6]));
    EXPECT_TRUE(std::isnan(out[8]));
    ASSERT_EQ(nf_binary(NF_BINARY_TRUNCATE_MOD, NF_FLOAT64, a.data(), &l, b.data(), &l, out.data(), &l), NF_OK);
    EXPECT_EQ(out[2], 1.5);
    EXPECT_EQ(out[3], -1.5);
    EXPECT_TRUE(std::signbit(out[5]));
    EXPECT_EQ(out[7], 1.0);
    EXPECT_TRUE(out.intact("float64 mod"));
}

TEST(Binary, FloorDivRefusedOnBool) {
    std::vector<uint8_t> a = {1}, b = {1}, out(1);
    const nf_layout l = contiguous({1});
    EXPECT_EQ(nf_binary(NF_BINARY_FLOOR_MOD, NF_BOOL, a.data(), &l, b.data(), &l, out.data(), &l), NF_ERROR_UNSUPPORTED);
}

// Short rows broadcast along one axis ([M, C] op [C], [C] op [M, C], [M, C] op [M, 1] and the
// reverse) go rows at a time against a repeated pattern: every element is op of the right pair,
// for row counts that leave a partial pattern and C up to the path's limit, on 1 and 3 threads.
template <class T>
void check_short_rows(nf_dtype dt) {
    const int saved = nf_threads_get();
    const nf_binary_op ops[] = {NF_BINARY_ADD, NF_BINARY_SUB, NF_BINARY_MUL, NF_BINARY_MAXIMUM};
    for (int t : {1, 3}) {
        ASSERT_EQ(nf_threads_set(t), NF_OK);
        for (int64_t C : {1, 3, 10, 63, 64}) {
            for (int64_t M : {1, 5, 300, 5001}) {
                const auto full = random_values<T>(M * C, -5, 5, 31), row = random_values<T>(C, -5, 5, 32),
                           col = random_values<T>(M, -5, 5, 33);
                const nf_layout lf = contiguous({M, C});
                nf_layout lrow = lf, lcol = lf;
                lrow.strides[0] = 0;  // [C] broadcast over rows
                lcol.strides[1] = 0;  // [M, 1] broadcast along each row
                lcol.strides[0] = 1;
                for (nf_binary_op op : ops) {
                    // Forms 0-3: whole rows against a broadcast row or a value per row, either side.
                    // Forms 4-6: two broadcast inputs (row and row, value and value, value and row),
                    // which the path must leave alone.
                    for (int form = 0; form < 7; ++form) {
                        const bool small_first = form % 2 == 1, per_row = form == 2 || form == 3;
                        const T* small = per_row ? col.data() : row.data();
                        const nf_layout& ls = per_row ? lcol : lrow;
                        const T* other = form == 4 ? row.data() : form == 5 ? col.data() : form == 6 ? row.data() : full.data();
                        const nf_layout& lo = form == 4 ? lrow : form == 5 ? lcol : form == 6 ? lrow : lf;
                        if (form >= 4) small = form == 4 ? row.data() : col.data();
                        const nf_layout& lsm = form == 4 ? lrow : form >= 5 ? lcol : ls;
                        nft::Guarded<T> out(M * C), want(M * C);
                        const void* a = small_first ? static_cast<const void*>(small) : other;
                        const void* b = small_first ? static_cast<const void*>(other) : small;
                        ASSERT_EQ(nf_binary(op, dt, a, small_first ? &lsm : &lo, b, small_first ? &lo : &lsm, out.data(), &lf), NF_OK)
                            << nf_last_error();
                        for (int64_t i = 0; i < M; ++i)
                            for (int64_t j = 0; j < C; ++j) {
                                const T s = (form == 4 ? row[j] : form >= 5 || per_row ? col[i] : row[j]);
                                const T f = form == 4 ? row[j] : form == 5 ? col[i] : form == 6 ? row[j] : full[i * C + j];
                                const T x = small_first ? s : f, y = small_first ? f : s;
                                want[i * C + j] = op == NF_BINARY_ADD   ? static_cast<T>(x + y)
                                                  : op == NF_BINARY_SUB ? static_cast<T>(x - y)
                                                  : op == NF_BINARY_MUL ? static_cast<T>(x * y)
                                                                        : std::max(x, y);
                            }
                        EXPECT_EQ(0, std::memcmp(out.data(), want.data(), M * C * sizeof(T)))
                            << "op " << op << " " << M << "x" << C << " form " << form << ", " << t << " threads";
                    }
                }
            }
        }
    }
    nf_threads_set(saved);
}

TEST(Binary, ShortRowBroadcastsFloat32) { check_short_rows<float>(NF_FLOAT32); }
TEST(Binary, ShortRowBroadcastsInt32) { check_short_rows<int32_t>(NF_INT32); }
