// Shared helpers for the native tests: layouts of every flavour (contiguous, transposed,
// every-other-element, negative strides, stride-0 broadcast), deterministic random data,
// element access through a layout, and tolerant comparison against double references.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "neuralflow.h"

namespace nft {

using Shape = std::vector<int64_t>;

inline int64_t numel(const Shape& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

inline std::string str(const Shape& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
    return r + "]";
}

// The layout of the transposed matrix: the last two axes, shape and strides, swapped. How a
// caller passes a transposed operand to nf_matmul (the GEMM reads it in place).
inline nf_layout transposed(nf_layout l) {
    std::swap(l.shape[l.rank - 2], l.shape[l.rank - 1]);
    std::swap(l.strides[l.rank - 2], l.strides[l.rank - 1]);
    return l;
}
inline nf_layout transposed_if(bool t, const nf_layout& l) { return t ? transposed(l) : l; }

inline nf_layout contiguous(const Shape& s) {
    nf_layout l{};
    l.rank = static_cast<int32_t>(s.size());
    int64_t st = 1;
    for (int d = l.rank - 1; d >= 0; --d) {
        l.shape[d] = s[d];
        l.strides[d] = st;
        st *= s[d];
    }
    return l;
}

enum class Kind { Contig, Transposed, Strided, Negative, Broadcast };
inline const char* kind_name(Kind k) {
    switch (k) {
        case Kind::Contig: return "contig";
        case Kind::Transposed: return "transposed";
        case Kind::Strided: return "strided";
        case Kind::Negative: return "negative";
        case Kind::Broadcast: return "broadcast";
    }
    return "?";
}
const Kind kAllKinds[] = {Kind::Contig, Kind::Transposed, Kind::Strided, Kind::Negative, Kind::Broadcast};

// A layout of `kind` for shape s plus the number of elements its buffer needs.
struct View {
    nf_layout l;
    int64_t storage;
};

inline View make_view(const Shape& s, Kind k) {
    View v{contiguous(s), numel(s)};
    nf_layout& l = v.l;
    const int r = l.rank;
    switch (k) {
        case Kind::Contig: break;
        case Kind::Transposed: {  // column-major: axis 0 fastest
            int64_t st = 1;
            for (int d = 0; d < r; ++d) {
                l.strides[d] = st;
                st *= s[d];
            }
            break;
        }
        case Kind::Strided:  // every other element along every axis, plus an offset of 3
            for (int d = 0; d < r; ++d) l.strides[d] *= 2;
            l.offset = 3;
            v.storage = 2 * numel(s) + 3;
            break;
        case Kind::Negative:  // every axis reversed
            for (int d = 0; d < r; ++d) {
                l.offset += (s[d] - 1) * l.strides[d];
                l.strides[d] = -l.strides[d];
            }
            if (numel(s) == 0) l.offset = 0;
            break;
        case Kind::Broadcast:  // axis 0 repeats (stride 0); rank 0 stays a scalar
            if (r > 0) {
                l.strides[0] = 0;
                v.storage = std::max<int64_t>(1, numel(s) / std::max<int64_t>(s[0], 1));
                if (s[0] == 0) v.storage = 0;
            }
            break;
    }
    return v;
}

// Element offset of row-major linear index i in layout l.
inline int64_t elem_offset(const nf_layout& l, int64_t i) {
    int64_t off = l.offset;
    for (int d = l.rank - 1; d >= 0; --d) {
        off += (i % l.shape[d]) * l.strides[d];
        i /= l.shape[d];
    }
    return off;
}

template <class T>
std::vector<T> random_values(int64_t n, double lo, double hi, uint32_t seed) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<T> v(static_cast<size_t>(std::max<int64_t>(n, 1)));
    for (auto& x : v) {
        if constexpr (std::is_floating_point_v<T>) x = static_cast<T>(u(g));
        else x = static_cast<T>(std::floor(u(g)));
    }
    return v;
}

template <class T> constexpr nf_dtype dtype_of();
template <> constexpr nf_dtype dtype_of<float>() { return NF_FLOAT32; }
template <> constexpr nf_dtype dtype_of<double>() { return NF_FLOAT64; }
template <> constexpr nf_dtype dtype_of<int32_t>() { return NF_INT32; }
template <> constexpr nf_dtype dtype_of<int64_t>() { return NF_INT64; }
template <> constexpr nf_dtype dtype_of<uint8_t>() { return NF_UINT8; }

// |got - want| <= atol + rtol * |want|; NaN matches NaN, inf matches the same inf.
inline bool close(double got, double want, double rtol, double atol) {
    if (std::isnan(want)) return std::isnan(got);
    if (std::isinf(want)) return got == want;
    return std::fabs(got - want) <= atol + rtol * std::fabs(want);
}

// Relative tolerance for a float type against a double reference.
template <class T> constexpr double rtol() { return std::is_same_v<T, float> ? 2e-6 : 1e-12; }

// Compares got[i] to want[i]; reports the first few mismatches with `what`.
template <class T>
::testing::AssertionResult all_close(const T* got, const std::vector<double>& want, double rt, double at,
                                     const std::string& what) {
    int bad = 0;
    std::string msg;
    for (size_t i = 0; i < want.size(); ++i) {
        if (!close(static_cast<double>(got[i]), want[i], rt, at)) {
            if (bad < 5)
                msg += "\n  [" + std::to_string(i) + "] got " + std::to_string(static_cast<double>(got[i])) +
                       " want " + std::to_string(want[i]);
            ++bad;
        }
    }
    if (!bad) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << what << ": " << bad << " of " << want.size() << " differ" << msg;
}

// Shapes used by the elementwise suites: sizes 1, 7, 33, 1025, one above the OpenMP
// threshold, a scalar, an empty tensor and a few 2-D / 3-D shapes.
inline std::vector<Shape> elementwise_shapes() {
    return {{}, {1}, {7}, {33}, {1025}, {70001}, {0}, {0, 5}, {7, 33}, {33, 7}, {3, 1025}, {2, 3, 5}, {300, 250}};
}

// True when the library's AVX-512 loops run here (skinny_gemm, narrow_gemm: cpu/wide_vectors.h):
// built with GCC on x86-64 with SIMD clones (not the sanitizer build) and a x86-64-v4 CPU. Elsewhere
// the fused kernels built on them decline.
inline bool wide_vectors() {
#if defined(NF_NO_SIMD_CLONES)
    return false;
#elif defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
    return __builtin_cpu_supports("x86-64-v4");
#else
    return false;
#endif
}

// ---- sentinels (as ggml's backend tests) ----------------------------------------------------
// Every output buffer a kernel test hands to the engine has kGuardBytes guard bytes after its
// end, set to a pattern; a kernel that writes past the end of its output changes them. The
// guard is written once, so a check after the last call also catches every earlier call.
constexpr size_t kGuardBytes = 64;
inline uint8_t guard_byte(size_t i) { return static_cast<uint8_t>(0xA5 ^ (i * 29)); }
inline void write_guard(void* end) {
    auto* p = static_cast<uint8_t*>(end);
    for (size_t i = 0; i < kGuardBytes; ++i) p[i] = guard_byte(i);
}
// The one check: `end` points at the guard bytes (host memory) of the output named `what`.
inline ::testing::AssertionResult guard_intact(const void* end, const std::string& what) {
    const auto* p = static_cast<const uint8_t*>(end);
    for (size_t i = 0; i < kGuardBytes; ++i)
        if (p[i] != guard_byte(i))
            return ::testing::AssertionFailure() << what << ": the kernel wrote past the end of its output (guard byte "
                                                 << i << " is 0x" << std::hex << int(p[i]) << ")";
    return ::testing::AssertionSuccess();
}

// A host output buffer of n elements (each `fill`) followed by guard bytes: std::vector's
// interface for the tests, with the guard checked by intact() and, at the latest, on
// destruction (so no output buffer goes unchecked).
template <class T>
class Guarded {
public:
    using value_type = T;
    using iterator = T*;
    using const_iterator = const T*;
    explicit Guarded(size_t n = 0, T fill = T()) : n_(n), v_(n + (kGuardBytes + sizeof(T) - 1) / sizeof(T), fill) {
        write_guard(v_.data() + n_);
    }
    Guarded(const Guarded& o) : n_(o.n_), v_(o.v_) {}
    Guarded& operator=(const Guarded& o) {
        EXPECT_TRUE(intact());
        n_ = o.n_;
        v_ = o.v_;
        return *this;
    }
    ~Guarded() { EXPECT_TRUE(intact()); }

    T* data() { return v_.data(); }
    const T* data() const { return v_.data(); }
    size_t size() const { return n_; }
    T& operator[](size_t i) { return v_[i]; }
    const T& operator[](size_t i) const { return v_[i]; }
    T* begin() { return v_.data(); }
    T* end() { return v_.data() + n_; }
    const T* begin() const { return v_.data(); }
    const T* end() const { return v_.data() + n_; }
    std::vector<T> values() const { return std::vector<T>(begin(), end()); }
    operator std::vector<T>() const { return values(); }
    ::testing::AssertionResult intact(const std::string& what = "output") const {
        return guard_intact(v_.data() + n_, what);
    }

    friend bool operator==(const Guarded& a, const std::vector<T>& b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }
    friend bool operator==(const std::vector<T>& a, const Guarded& b) { return b == a; }
    friend bool operator==(const Guarded& a, const Guarded& b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

private:
    size_t n_;
    std::vector<T> v_;
};

// nf_optimizer_params with Keras' defaults for what lr, momentum and nesterov leave, for the CPU
// and CUDA optimizer tests.
inline nf_optimizer_params optimizer_params(double lr, double momentum = 0, int nesterov = 0, int64_t step = 1) {
    nf_optimizer_params p{};
    p.learning_rate = lr;
    p.momentum = momentum;
    p.beta1 = 0.9;
    p.beta2 = 0.999;
    p.epsilon = 1e-7;
    p.rho = 0.9;
    p.nesterov = nesterov;
    p.step = step;
    return p;
}

// nf_optimizer_update_ex's options (issue 16), for the CPU and CUDA optimizer tests.
inline nf_optimizer_options optimizer_options(double wd = 0, double mul = 0, double div = 0, double clip = 0, int ams = 0,
                                              int centered = 0) {
    nf_optimizer_options o{};
    o.weight_decay = wd;
    o.grad_mul = mul;
    o.grad_div = div;
    o.clip_value = clip;
    o.amsgrad = ams;
    o.centered = centered;
    return o;
}

// Ftrl's hyperparameters of nf_optimizer_options (keras2 session).
inline nf_optimizer_options ftrl_options(double lr_power, double l1 = 0, double l2 = 0, double shrinkage = 0,
                                         double beta = 0, double wd = 0) {
    nf_optimizer_options o = optimizer_options(wd);
    std::tie(o.lr_power, o.l1, o.l2, o.l2_shrinkage, o.beta) = std::make_tuple(lr_power, l1, l2, shrinkage, beta);
    return o;
}

// Expects status `want` and a last-error message containing every fragment.
inline ::testing::AssertionResult fails_with(nf_status got, nf_status want, std::vector<std::string> fragments) {
    const std::string msg = nf_last_error();
    if (got != want)
        return ::testing::AssertionFailure() << "status " << got << " want " << want << " (message: " << msg << ")";
    for (const auto& f : fragments)
        if (msg.find(f) == std::string::npos)
            return ::testing::AssertionFailure() << "message '" << msg << "' lacks '" << f << "'";
    return ::testing::AssertionSuccess();
}

}  // namespace nft
