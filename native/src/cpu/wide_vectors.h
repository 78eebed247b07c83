// Whether hand-blocked float kernels run as AVX-512 code on this machine (skinny_gemm.cpp,
// narrow_gemm.cpp). Their register blocks (up to 24 accumulators of 16 floats) fit the 32 zmm
// registers only: the AVX2 clone (16 ymm, two per 16-float vector) and a baseline SSE2 build spill
// every accumulator. Measured in a standalone build of skinny_gemm.cpp for x86-64-v3 on the dev
// box (60000x784, N = 10, one thread, while CI ran): logits 60-117 ms and the gradient 543-750 ms
// (the previous gradient kernel: 334-457), against 19-24 and 15-21 ms for the AVX-512 build and
// OpenBLAS's Haswell kernels' 52 / 70 ms. Elsewhere the provider runs these products; results
// then are the provider's bits, as for every other product.
#pragma once

namespace nf {

inline bool wide_vectors_here() {
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && defined(__AVX512VL__)
    return true;  // the whole build targets AVX-512
#elif defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__) && !defined(NF_NO_SIMD_CLONES)
    static const bool wide = __builtin_cpu_supports("x86-64-v4");  // the clone NF_SIMD_CLONES picks
    return wide;
#else
    return false;
#endif
}

}  // namespace nf
