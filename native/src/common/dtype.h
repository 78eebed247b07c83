// dtype helpers: names, sizes, validation, compile-time dispatch and the saturating
// double -> T conversion shared by cast, fill, range, one_hot and random.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "common/error.h"
#include "common/half.h"
#include "common/hd.h"

namespace nf {

inline const char* dtype_name(nf_dtype dt) {
    switch (dt) {
        case NF_FLOAT32: return "float32";
        case NF_FLOAT64: return "float64";
        case NF_INT32: return "int32";
        case NF_INT64: return "int64";
        case NF_UINT8: return "uint8";
        case NF_BOOL: return "bool";
        case NF_FLOAT16: return "float16";
    }
    return "invalid";
}

// The dtypes the compute kernels take. NF_FLOAT16 is storage only (cast, copy, fill).
inline bool dtype_valid(int dt) { return dt >= NF_FLOAT32 && dt <= NF_BOOL; }
inline bool dtype_storage_valid(int dt) { return dtype_valid(dt) || dt == NF_FLOAT16; }
inline bool dtype_is_float(nf_dtype dt) { return dt == NF_FLOAT32 || dt == NF_FLOAT64; }

inline int64_t dtype_size(nf_dtype dt) {
    switch (dt) {
        case NF_FLOAT64: case NF_INT64: return 8;
        case NF_FLOAT32: case NF_INT32: return 4;
        case NF_FLOAT16: return 2;
        default: return 1;
    }
}

// Fails with a message like "nf_cast: dst = 17 is not a valid nf_dtype"; float16 (storage
// only) is refused by name, as unsupported.
inline void check_dtype(const char* fn, const char* arg, nf_dtype dt) {
    if (dt == NF_FLOAT16)
        NF_UNSUPPORTED("%s: %s = float16 is not supported (only nf_cast, nf_copy and nf_fill take float16; compute in float32)",
                       fn, arg);
    if (!dtype_valid(static_cast<int>(dt)))
        NF_INVALID("%s: %s = %d is not a valid nf_dtype", fn, arg, static_cast<int>(dt));
}

// check_dtype for the storage kernels (cast, copy, fill), which take float16 too.
inline void check_storage_dtype(const char* fn, const char* arg, nf_dtype dt) {
    if (dt != NF_FLOAT16) check_dtype(fn, arg, dt);
}

// Element i of a contiguous NF_INT32 / NF_INT64 / NF_UINT8 index array (the caller checked
// the dtype), widened to int64: gather indices, one_hot indices, sparse labels.
NF_HD inline int64_t index_at(nf_dtype dt, const void* p, int64_t i) {
    switch (dt) {
        case NF_INT32: return static_cast<const int32_t*>(p)[i];
        case NF_INT64: return static_cast<const int64_t*>(p)[i];
        default: return static_cast<const uint8_t*>(p)[i];
    }
}

// Bool is stored as uint8_t, so dispatch hands kernels a tag carrying both the C++ storage
// type and the nf_dtype (kernels that treat bool differently test Tag::dtype).
template <class T, nf_dtype D>
struct Tag {
    using type = T;
    static constexpr nf_dtype dtype = D;
};
using F32 = Tag<float, NF_FLOAT32>;
using F64 = Tag<double, NF_FLOAT64>;
using I32 = Tag<int32_t, NF_INT32>;
using I64 = Tag<int64_t, NF_INT64>;
using U8 = Tag<uint8_t, NF_UINT8>;
using B8 = Tag<uint8_t, NF_BOOL>;
using F16 = Tag<Half, NF_FLOAT16>;

// Calls f(Tag{}) for the runtime dtype; the caller validated dt already.
template <class F>
decltype(auto) dispatch(nf_dtype dt, F&& f) {
    switch (dt) {
        case NF_FLOAT32: return f(F32{});
        case NF_FLOAT64: return f(F64{});
        case NF_INT32: return f(I32{});
        case NF_INT64: return f(I64{});
        case NF_UINT8: return f(U8{});
        case NF_BOOL: case NF_FLOAT16: break;  // float16 never gets here: check_dtype refuses it
    }
    return f(B8{});
}

// dispatch for nf_cast, which also converts float16 (check_storage_dtype validated dt).
template <class F>
decltype(auto) dispatch_storage(nf_dtype dt, F&& f) {
    if (dt == NF_FLOAT16) return f(F16{});
    return dispatch(dt, static_cast<F&&>(f));
}

// Converts a double to T the way the header specifies for every "then converted" path:
// floats round to nearest, integers truncate toward zero and saturate, NaN gives 0, and bool
// is (x != 0). Never relies on out-of-range float->int conversion (undefined behaviour).
template <class Tg>
NF_HD inline typename Tg::type from_double(double x) {
    using T = typename Tg::type;
    if constexpr (Tg::dtype == NF_FLOAT16) {
        return Half{half_bits_from_double(x)};
    } else if constexpr (Tg::dtype == NF_BOOL) {
        return static_cast<T>(x != 0.0);
    } else if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(x);
    } else {
        if (x != x) return 0;  // NaN (written without std::isnan so CUDA kernels share this)
        // 2^(bits) bounds are exact in double; compare before converting.
        constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
        // max + 1 is 2^31, 2^63 (rounded, exact power of two) or 256.
        constexpr double hi_excl = static_cast<double>(std::numeric_limits<T>::max()) + 1.0;
        if (x <= lo) return std::numeric_limits<T>::min();
        if (x >= hi_excl) return std::numeric_limits<T>::max();
        return static_cast<T>(x);
    }
}

// Element conversion following the header: float -> integer truncates and saturates with
// NaN -> 0 (via from_double, never an out-of-range C++ conversion); anything -> bool is
// (x != 0); integer -> integer wraps (two's complement), everything else is a plain cast.
// float16 goes through float (exact) on the way out and through double (one rounding, as
// NumPy's astype(float16)) on the way in.
template <class S, class DTag>
NF_HD inline typename DTag::type convert(S x) {
    using D = typename DTag::type;
    if constexpr (std::is_same_v<S, Half>) {
        return convert<float, DTag>(half_bits_to_float(x.bits));
    } else if constexpr (DTag::dtype == NF_FLOAT16) {
        return Half{half_bits_from_double(static_cast<double>(x))};
    } else if constexpr (DTag::dtype == NF_BOOL) {
        return static_cast<D>(x != S(0));
    } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
        return from_double<DTag>(static_cast<double>(x));
    } else {
        return static_cast<D>(x);
    }
}

}  // namespace nf
