// A per-thread scratch buffer that a kernel keeps across calls: a training step calls the same
// kernel with the same sizes every step, and a fresh buffer each call cost its allocation and the
// page faults of its first touch (cross_entropy.cpp, skinny_gemm.cpp). Grown (which may throw)
// before any parallel region, never shrunk, never cleared. Tag keeps two kernels' buffers apart,
// so one kernel's scratch is never another's even if one runs inside the other.
#pragma once

#include <cstddef>
#include <vector>

namespace nf {

// The calling thread's buffer for (Tag, U), at least n elements long.
template <class Tag, class U>
U* thread_scratch(size_t n) {
    static thread_local std::vector<U> kept;
    if (kept.size() < n) kept.resize(n);
    return kept.data();
}

}  // namespace nf
