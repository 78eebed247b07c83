// Kernels bound by arithmetic (exp, log) rather than memory are compiled three times: for the
// portable baseline (SSE2, all this library assumes of an x86-64 CPU), for x86-64-v3 (AVX2)
// and for x86-64-v4 (AVX-512); the dynamic loader picks the best one the CPU runs, once, at
// load time (GCC's target_clones, through an ELF ifunc). Measured here: softmax of 256 x 784
// floats took 430 us on SSE2 alone, 2 ns an element.
//
// The clones compute the same bits: the build never contracts a*b+c into an FMA
// (-ffp-contract=off) and never reassociates, so wider vectors only run the same operations
// side by side. Memory-bound kernels (add, copy, cast) gain nothing and stay single-copy.
//
// Elsewhere (MSVC, macOS, other CPUs, sanitizer builds, whose runtime is not ready when ifunc
// resolvers run) NF_SIMD_CLONES is empty and the baseline code serves.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__) && !defined(NF_NO_SIMD_CLONES)
#define NF_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NF_SIMD_CLONES
#endif

// For the helpers of a cloned kernel: inlined into each clone, so that they are compiled for
// its SIMD level too (a call would run the baseline copy).
#if defined(_MSC_VER) && !defined(__clang__)
#define NF_INLINE __forceinline
#else
#define NF_INLINE inline __attribute__((always_inline))
#endif
