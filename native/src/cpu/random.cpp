// nf_random_uniform, nf_random_normal: the counter-based random generators.
//
// Random numbers: Philox4x32-10 (Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3",
// SC'11), the same algorithm as Random123's philox4x32_R(10, ctr, key). Every backend (this
// one, CUDA, and the C# managed backend) must reproduce it bit for bit, so the exact formula:
//
//   element i of a call with (seed, offset):
//     g   = offset + i                                   (uint64, wraps)
//     ctr = (c0, c1, c2, c3) = (g & 0xffffffff, g >> 32, 0, 0)
//     key = (k0, k1)         = (seed & 0xffffffff, seed >> 32)
//     repeat 10 times (round r = 0..9):
//       if r > 0: k0 += 0x9E3779B9; k1 += 0xBB67AE85          (uint32, wrap)
//       p0 = 0xD2511F53 * c0  (uint64 product), p1 = 0xCD9E8D57 * c2 (uint64 product)
//       (c0, c1, c2, c3) = (hi32(p1) ^ c1 ^ k0, lo32(p1), hi32(p0) ^ c3 ^ k1, lo32(p0))
//     w0 = c0, w1 = c1 (only the first two output words are used)
//   Known answer (Random123 kat_vectors): ctr 0, key 0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
//
//   uniform, float64: u = ((uint64(w0) << 21) | (w1 >> 11)) * 2^-53             in [0, 1)
//   uniform, others:  u = (w0 >> 8) * 2^-24                                       in [0, 1)
//            v = low + (high - low) * u   (double arithmetic, no fused multiply-add)
//            float32: (float)v, round to nearest; int32/int64: floor(v), then saturated.
//   normal:  u1 = ((w0 >> 8) + 1) * 2^-24 in (0, 1],  u2 = (w1 >> 8) * 2^-24 in [0, 1)
//            v = mean + stddev * (sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2))
//            in double with the C library's log/cos/sqrt, then (float)v for float32.
// Each element depends only on its own counter, so results never depend on threading or
// on how a range of offsets is split across calls. The code is common/philox.h, which the
// CUDA engine compiles too.
#include <cmath>
#include <cstdint>

#include "common/checks.h"
#include "common/dtype.h"
#include "common/philox.h"
#include "cpu/generate.h"

namespace nf {
namespace {

// Philox work is ~10x an add per element.
constexpr int64_t kRandomCost = 12;

}  // namespace
}  // namespace nf

extern "C" NF_API nf_status nf_random_uniform(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                              uint64_t offset, double low, double high) {
    static const char* fn = "nf_random_uniform";
    return nf::guard(fn, [&] {
        nf::check_random_uniform(fn, dtype, out, count, low, high);
        const double span = high - low;
        nf::dispatch(dtype, [&](auto tag) {
            using Tg = decltype(tag);
            constexpr bool full = Tg::dtype == NF_FLOAT64, floor_it = Tg::dtype != NF_FLOAT32 && !full;
            nf::generate<Tg>(out, count, nf::kRandomCost, [&](int64_t i) {
                return nf::philox_uniform(offset + static_cast<uint64_t>(i), seed, low, span, full, floor_it);
            });
        });
    });
}

extern "C" NF_API nf_status nf_random_normal(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                             uint64_t offset, double mean, double stddev) {
    static const char* fn = "nf_random_normal";
    return nf::guard(fn, [&] {
        nf::check_random_normal(fn, dtype, out, count);
        auto sample = [&](int64_t i) {
            return nf::philox_normal(offset + static_cast<uint64_t>(i), seed, mean, stddev);
        };
        if (dtype == NF_FLOAT32)
            nf::generate<nf::F32>(out, count, nf::kRandomCost * 4, sample);
        else
            nf::generate<nf::F64>(out, count, nf::kRandomCost * 4, sample);
    });
}
