// The accumulator policy of nf_reduce, one definition for both engines (cpu/reduce.cpp,
// cuda/reduce.cu): floats accumulate in double (header contract), integers in 64-bit unsigned
// so overflow wraps instead of being UB, MAX/MIN in the element type with NaN propagating
// (once the accumulator is NaN no comparison replaces it).
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "common/hd.h"

namespace nf {

enum class ReduceKind { Sum, Prod, Max, Min };

// MinMax: MAX/MIN's accumulator type, the element type unless an engine needs wider words (the
// CUDA warp shuffles move 32/64-bit words, so it passes int32_t for byte types). Wide: the
// wrapping integer type of SUM/PROD (the CUDA engine spells it unsigned long long).
template <ReduceKind K, class T, class MinMax = T, class Wide = uint64_t>
struct ReduceAcc {
    static constexpr bool fl = std::is_floating_point_v<T>;
    static constexpr bool minmax = K == ReduceKind::Max || K == ReduceKind::Min;
    using A = std::conditional_t<minmax, MinMax, std::conditional_t<fl, double, Wide>>;

    NF_HD static A widen(T v) {
        if constexpr (minmax || fl) return static_cast<A>(v);
        else if constexpr (std::is_signed_v<T>) return static_cast<A>(static_cast<int64_t>(v));
        else return static_cast<A>(v);
    }
    NF_HD static A init() {
        if constexpr (K == ReduceKind::Sum) return A(0);
        else if constexpr (K == ReduceKind::Prod) return A(1);
        else if constexpr (fl) return static_cast<A>(K == ReduceKind::Max ? -std::numeric_limits<T>::infinity()
                                                                          : std::numeric_limits<T>::infinity());
        else return static_cast<A>(K == ReduceKind::Max ? std::numeric_limits<T>::lowest()
                                                        : std::numeric_limits<T>::max());
    }
    NF_HD static A merge(A a, A b) {
        if constexpr (K == ReduceKind::Sum) return a + b;
        else if constexpr (K == ReduceKind::Prod) return a * b;
        else if constexpr (K == ReduceKind::Max) return (b > a || b != b) ? b : a;
        else return (b < a || b != b) ? b : a;
    }
    // One element into the accumulator.
    NF_HD static A step(A a, T v) { return merge(a, widen(v)); }
    NF_HD static T finish(A a, int64_t count, bool mean) {
        if constexpr (minmax) {
            return static_cast<T>(a);
        } else if constexpr (fl) {
            return static_cast<T>(mean ? a / static_cast<double>(count) : a);  // 0/0 = NaN
        } else {
            if (mean) return count ? static_cast<T>(static_cast<int64_t>(a) / count) : T(0);
            return static_cast<T>(a);  // modular truncation of the wrapped 64-bit result
        }
    }
};

}  // namespace nf
