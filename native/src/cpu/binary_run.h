// The inner loop of nf_binary (binary.cpp): one run of n elements of out = a (op) b with one
// stride per operand. Shared with the fused linear cross-entropy step (linear_cross_entropy.cpp),
// whose bias add and scale multiply must be nf_binary's operations, bit for bit, on its chunks.
#pragma once

#include <cstdint>

namespace nf {

// Specialised loops for the common contiguous / broadcast-scalar cases; any strides otherwise
// (0 = broadcast, negative allowed).
template <class Op, class T, class R>
void binary_run(const T* a, int64_t sa, const T* b, int64_t sb, R* o, int64_t so, int64_t n) {
    if (so == 1) {
        if (sa == 1 && sb == 1) {
            for (int64_t i = 0; i < n; ++i) o[i] = Op::f(a[i], b[i]);
            return;
        }
        if (sa == 0 && sb == 1) {
            const T x = *a;
            for (int64_t i = 0; i < n; ++i) o[i] = Op::f(x, b[i]);
            return;
        }
        if (sa == 1 && sb == 0) {
            const T y = *b;
            for (int64_t i = 0; i < n; ++i) o[i] = Op::f(a[i], y);
            return;
        }
    }
    for (int64_t i = 0; i < n; ++i) o[i * so] = Op::f(a[i * sa], b[i * sb]);
}

}  // namespace nf
