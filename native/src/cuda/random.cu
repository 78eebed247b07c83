// nf_cuda_fill, nf_cuda_range and the counter-based random generators: the formulas of
// cpu/random.cpp (Philox4x32-10, see there and neuralflow.h), one element per thread.
// Built with --fmad=false: `low + span * u` must round exactly as on the CPU.
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

struct Words {
    uint32_t w0, w1;
};

__device__ Words philox4x32_10(uint64_t g, uint64_t seed) {
    uint32_t c0 = static_cast<uint32_t>(g), c1 = static_cast<uint32_t>(g >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
#pragma unroll
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        const uint32_t hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        const uint32_t hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        const uint32_t n0 = hi1 ^ c1 ^ k0;
        const uint32_t n2 = hi0 ^ c3 ^ k1;
        c1 = lo1;
        c3 = lo0;
        c0 = n0;
        c2 = n2;
    }
    return {c0, c1};
}

constexpr double k2pow24 = 1.0 / 16777216.0;
constexpr double k2pow53 = 1.0 / 9007199254740992.0;
constexpr double kTwoPi = 6.283185307179586;

enum class Gen { Fill, Range, Uniform, Normal };

struct GenParams {
    uint64_t seed, offset;
    double a, b;  // fill: value; range: start, delta; uniform: low, span; normal: mean, stddev
};

template <Gen G, class Tg>
__global__ void generate_kernel(typename Tg::type* out, int64_t count, GenParams p) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        double v;
        if constexpr (G == Gen::Fill) {
            v = p.a;
        } else if constexpr (G == Gen::Range) {
            v = p.a + static_cast<double>(i) * p.b;
        } else if constexpr (G == Gen::Uniform) {
            const Words w = philox4x32_10(p.offset + static_cast<uint64_t>(i), p.seed);
            if constexpr (Tg::dtype == NF_FLOAT64) {
                const uint64_t bits = (static_cast<uint64_t>(w.w0) << 21) | (w.w1 >> 11);
                v = p.a + p.b * (static_cast<double>(bits) * k2pow53);
            } else {
                v = p.a + p.b * (static_cast<double>(w.w0 >> 8) * k2pow24);
                if constexpr (Tg::dtype != NF_FLOAT32) v = floor(v);
            }
        } else {
            const Words w = philox4x32_10(p.offset + static_cast<uint64_t>(i), p.seed);
            const double u1 = (static_cast<double>(w.w0 >> 8) + 1.0) * k2pow24;
            const double u2 = static_cast<double>(w.w1 >> 8) * k2pow24;
            v = p.a + p.b * (sqrt(-2.0 * log(u1)) * cos(kTwoPi * u2));
        }
        out[i] = from_double<Tg>(v);
    }
}

template <Gen G>
void generate(const char* fn, nf_dtype dtype, void* out, int64_t count, GenParams p) {
    if (count == 0) return;
    dispatch(dtype, [&](auto tag) {
        using Tg = decltype(tag);
        generate_kernel<G, Tg><<<grid_for(count), kThreads>>>(static_cast<typename Tg::type*>(out), count, p);
        NF_CUDA_LAUNCHED(fn);
    });
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_fill(nf_dtype dtype, void* out, int64_t count, double value) {
    static const char* fn = "nf_cuda_fill";
    return nf::guard(fn, [&] {
        nf::check_fill(fn, dtype, out, count);
        nf::cuda::generate<nf::cuda::Gen::Fill>(fn, dtype, out, count, {0, 0, value, 0});
    });
}

extern "C" NF_API nf_status nf_cuda_range(nf_dtype dtype, void* out, int64_t count, double start, double delta) {
    static const char* fn = "nf_cuda_range";
    return nf::guard(fn, [&] {
        nf::check_fill(fn, dtype, out, count);
        nf::cuda::generate<nf::cuda::Gen::Range>(fn, dtype, out, count, {0, 0, start, delta});
    });
}

extern "C" NF_API nf_status nf_cuda_random_uniform(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                                   uint64_t offset, double low, double high) {
    static const char* fn = "nf_cuda_random_uniform";
    return nf::guard(fn, [&] {
        nf::check_random_uniform(fn, dtype, out, count, low, high);
        nf::cuda::generate<nf::cuda::Gen::Uniform>(fn, dtype, out, count, {seed, offset, low, high - low});
    });
}

extern "C" NF_API nf_status nf_cuda_random_normal(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                                  uint64_t offset, double mean, double stddev) {
    static const char* fn = "nf_cuda_random_normal";
    return nf::guard(fn, [&] {
        nf::check_random_normal(fn, dtype, out, count);
        nf::cuda::generate<nf::cuda::Gen::Normal>(fn, dtype, out, count, {seed, offset, mean, stddev});
    });
}
