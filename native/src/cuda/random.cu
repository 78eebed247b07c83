// nf_cuda_random_uniform and nf_cuda_random_normal: common/philox.h, the very code of the CPU
// engine (cpu/random.cpp states the formulas), one element per thread.
// Built with --fmad=false: `low + span * u` must round exactly as on the CPU.
#include "common/philox.h"
#include "cuda/generate.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

// Which Philox counters a call draws: its (seed, offset) arguments, or, inside a CUDA graph, the
// graph's slot holding them, rewritten before each launch (so each launch draws fresh numbers).
struct Counter {
    uint64_t seed, offset;
    const uint64_t* slot;  // {seed, offset} in device memory, or null
    __device__ uint64_t key() const { return slot ? slot[0] : seed; }
    __device__ uint64_t at(int64_t i) const { return (slot ? slot[1] : offset) + static_cast<uint64_t>(i); }
};

Counter counter(const char* fn, uint64_t seed, uint64_t offset) {
    Counter c{seed, offset, nullptr};
    if (capturing()) {
        const uint64_t value[2] = {seed, offset};
        c.slot = static_cast<const uint64_t*>(capture_slot(fn, GraphSlot{GraphSlot::Random, 0, 0, false}, value, sizeof value));
    }
    return c;
}

struct UniformFn {
    Counter c;
    double low, span;
    template <class Tg> __device__ double at(int64_t i) const {
        constexpr bool full = Tg::dtype == NF_FLOAT64, floor_it = Tg::dtype != NF_FLOAT32 && !full;
        return philox_uniform(c.at(i), c.key(), low, span, full, floor_it);
    }
};

struct NormalFn {
    Counter c;
    double mean, stddev;
    template <class Tg> __device__ double at(int64_t i) const {
        return philox_normal(c.at(i), c.key(), mean, stddev);
    }
};

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_random_uniform(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                                   uint64_t offset, double low, double high) {
    static const char* fn = "nf_cuda_random_uniform";
    return nf::guard(fn, [&] {
        nf::check_random_uniform(fn, dtype, out, count, low, high);
        nf::cuda::generate(fn, dtype, out, count, nf::cuda::UniformFn{nf::cuda::counter(fn, seed, offset), low, high - low});
    });
}

extern "C" NF_API nf_status nf_cuda_random_normal(nf_dtype dtype, void* out, int64_t count, uint64_t seed,
                                                  uint64_t offset, double mean, double stddev) {
    static const char* fn = "nf_cuda_random_normal";
    return nf::guard(fn, [&] {
        nf::check_random_normal(fn, dtype, out, count);
        nf::cuda::generate(fn, dtype, out, count, nf::cuda::NormalFn{nf::cuda::counter(fn, seed, offset), mean, stddev});
    });
}
