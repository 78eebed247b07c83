#include "common/layout.h"

#include "common/intmath.h"

namespace nf {

int64_t numel_of(const int64_t* shape, int rank) {
    int64_t n = 1;
    for (int d = 0; d < rank; ++d) n *= shape[d];
    return n;
}

std::string shape_str(const int64_t* shape, int rank) {
    std::string s = "[";
    for (int d = 0; d < rank; ++d) {
        if (d) s += ", ";
        s += std::to_string(shape[d]);
    }
    return s + "]";
}

int64_t check_layout(const char* fn, const char* arg, const nf_layout* l) {
    if (!l) NF_INVALID("%s: %s is NULL", fn, arg);
    if (l->rank < 0 || l->rank > NF_MAX_RANK)
        NF_INVALID("%s: %s.rank = %d is outside [0, %d]", fn, arg, l->rank, NF_MAX_RANK);
    if (l->reserved != 0) NF_INVALID("%s: %s.reserved = %d must be 0", fn, arg, l->reserved);
    // The product of the nonzero axes bounds every partial product of the shape that a check or
    // kernel forms (output counts of a reduction, batch counts, ...), also of an empty tensor.
    int64_t n = 1;
    bool overflow = false, empty = false;
    for (int d = 0; d < l->rank; ++d) {
        const int64_t s = l->shape[d];
        if (s < 0) NF_INVALID("%s: %s.shape[%d] = %lld is negative", fn, arg, d, (long long)s);
        if (s == 0) empty = true;
        else if (!overflow) overflow = mul_overflows(n, s, &n) || n > kMaxElements;
    }
    if (overflow)
        NF_INVALID("%s: %s with shape %s is too large: its nonzero axes multiply past 2^60", fn, arg,
                   shape_str(l->shape, l->rank).c_str());
    if (empty) return 0;  // nothing is ever addressed, whatever the offset and strides
    if (l->offset < 0) NF_INVALID("%s: %s.offset = %lld is negative", fn, arg, (long long)l->offset);
    // The lowest and highest element addressed. Every partial offset a kernel forms lies between
    // them (give or take one stride), so bounding them bounds all the index arithmetic after this.
    int64_t lowest = l->offset, highest = l->offset;
    for (int d = 0; d < l->rank; ++d) {
        int64_t span;
        int64_t& end = l->strides[d] < 0 ? lowest : highest;
        if (mul_overflows(l->strides[d], l->shape[d] - 1, &span) || add_overflows(end, span, &end))
            NF_INVALID("%s: %s addresses elements beyond 64-bit offsets (offset %lld, shape %s, strides %s)", fn,
                       arg, (long long)l->offset, shape_str(l->shape, l->rank).c_str(),
                       shape_str(l->strides, l->rank).c_str());
    }
    // Negative strides are fine as long as no element lands before the buffer pointer.
    if (lowest < 0)
        NF_INVALID("%s: %s addresses element %lld before the buffer start (offset %lld with negative strides)",
                   fn, arg, (long long)lowest, (long long)l->offset);
    if (highest > kMaxElements)
        NF_INVALID("%s: %s addresses element %lld, past the 2^60 elements a 64-bit byte offset reaches "
                   "(offset %lld, shape %s, strides %s)", fn, arg, (long long)highest, (long long)l->offset,
                   shape_str(l->shape, l->rank).c_str(), shape_str(l->strides, l->rank).c_str());
    return n;
}

int64_t size_mul(const char* fn, const char* what, int64_t a, int64_t b) {
    int64_t r;
    if (mul_overflows(a, b, &r) || r > kMaxElements)
        NF_INVALID("%s: %s = %lld * %lld is more than 2^60", fn, what, (long long)a, (long long)b);
    return r;
}

void check_same_shape(const char* fn, const char* a_name, const nf_layout& a,
                      const char* b_name, const nf_layout& b) {
    bool same = a.rank == b.rank;
    for (int d = 0; same && d < a.rank; ++d) same = a.shape[d] == b.shape[d];
    if (!same)
        NF_INVALID("%s: shape mismatch: %s is %s but %s is %s", fn, a_name,
                   shape_str(a.shape, a.rank).c_str(), b_name, shape_str(b.shape, b.rank).c_str());
}

void check_buffer(const char* fn, const char* arg, const void* p, int64_t numel) {
    if (!p && numel > 0)
        NF_INVALID("%s: %s is NULL but its layout has %lld elements", fn, arg, (long long)numel);
}

int64_t check_x_out(const char* fn, const void* x, const nf_layout* x_layout, const void* out,
                    const nf_layout* out_layout, const char* x_name, const char* x_layout_name) {
    const int64_t n = check_layout(fn, x_layout_name, x_layout);
    check_layout(fn, "out_layout", out_layout);
    check_same_shape(fn, x_layout_name, *x_layout, "out_layout", *out_layout);
    check_buffer(fn, x_name, x, n);
    check_buffer(fn, "out", out, n);
    return n;
}

bool is_contiguous(const nf_layout& l) {
    if (numel_of(l.shape, l.rank) == 0) return true;
    int64_t expect = 1;
    for (int d = l.rank - 1; d >= 0; --d) {
        if (l.shape[d] != 1 && l.strides[d] != expect) return false;
        expect *= l.shape[d];
    }
    return true;
}

nf_layout contiguous_like(const nf_layout& l) {
    nf_layout c = l;
    c.offset = 0;
    int64_t s = 1;
    for (int d = l.rank - 1; d >= 0; --d) {
        c.strides[d] = s;
        s *= l.shape[d];
    }
    return c;
}

}  // namespace nf
