// nf_cuda_reduce: SUM/MEAN/MAX/MIN/PROD over any set of axes, ARGMAX/ARGMIN over one axis.
//
// x is split into kept axes (indexing the contiguous output) and reduced axes, each coalesced
// with make_plan as on the CPU. Accumulators are the CPU's (common/reduce_acc.h): floats in
// double, integers in wrapping 64-bit, MAX/MIN in the element type with NaN propagating.
// Two strategies:
//  * thread per output: each thread walks its reduced elements in order. Neighbouring threads
//    read neighbouring addresses when the kept axes are innermost (the bias gradient, column
//    sums), so this is the coalesced choice there, and the choice for short reductions.
//  * blocks per output: when the reduced elements are contiguous rows or the outputs are few,
//    `parts` blocks per output each reduce a fixed slice with a warp-shuffle tree, and a second
//    pass combines the slices in order. The split depends only on the shape, so results are
//    deterministic run to run.
#include <algorithm>
#include <limits>
#include <type_traits>

#include "common/reduce_acc.h"
#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

using Kind = ReduceKind;

// The CPU engine's policy (common/reduce_acc.h). Shuffles move 32/64-bit words, so byte-sized
// MAX/MIN accumulate in int.
template <Kind K, class T>
using Acc = ReduceAcc<K, T, std::conditional_t<(sizeof(T) < 4), int32_t, T>, unsigned long long>;

struct Geometry {
    Strided<1> kept;     // kept axes of x, in output order
    Strided<1> reduced;  // reduced axes of x
    int64_t nout, nred;
};

// Accumulates reduced elements [begin, end) of output o, walking inner runs without divisions.
template <class R, class T>
__device__ typename R::A reduce_range(const T* x, const Geometry& g, int64_t o, int64_t begin, int64_t end,
                                      int64_t step) {
    int64_t kept[1];
    g.kept.offsets(o, kept);
    const T* base = x + kept[0];
    typename R::A a = R::init();
    const int r = g.reduced.rank;
    const int64_t inner = g.reduced.shape[r - 1], is = g.reduced.strides[0][r - 1];
    if (step == 1) {
        int64_t i = begin;
        while (i < end) {
            int64_t off[1];
            g.reduced.offsets(i, off);
            const int64_t run = min(inner - i % inner, end - i);
            for (int64_t j = 0; j < run; ++j) a = R::merge(a, R::widen(base[off[0] + j * is]));
            i += run;
        }
    } else {
        for (int64_t i = begin; i < end; i += step) {
            int64_t off[1];
            g.reduced.offsets(i, off);
            a = R::merge(a, R::widen(base[off[0]]));
        }
    }
    return a;
}

template <class R, class T>
__global__ void per_thread_kernel(const T* x, Geometry g, T* out, bool mean) {
    for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < g.nout;
         o += static_cast<int64_t>(gridDim.x) * blockDim.x)
        out[o] = R::finish(reduce_range<R>(x, g, o, 0, g.nred, 1), g.nred, mean);
}

// Work item b reduces slice (b % parts) of output (b / parts); the threads of the block stride
// through the slice and a shuffle tree combines them. parts == 1 writes the result directly.
// Blocks loop over the nout * parts items: there can be more of them than a grid has blocks.
template <class R, class T>
__global__ void per_block_kernel(const T* x, Geometry g, int64_t parts, typename R::A* partial, T* out, bool mean) {
    using A = typename R::A;
    __shared__ A shared[32];
    const int64_t len = (g.nred + parts - 1) / parts;
    for (int64_t b = blockIdx.x; b < g.nout * parts; b += gridDim.x) {
        const int64_t o = b / parts, part = b % parts;
        const int64_t begin = part * len, end = min(g.nred, begin + len);
        A a = begin + threadIdx.x < end ? reduce_range<R>(x, g, o, begin + threadIdx.x, end, blockDim.x) : R::init();
        a = block_reduce(a, shared, [](A p, A q) { return R::merge(p, q); });
        if (threadIdx.x == 0) {
            if (parts == 1) out[o] = R::finish(a, g.nred, mean);
            else partial[b] = a;
        }
    }
}

template <class R, class T>
__global__ void combine_parts_kernel(const typename R::A* partial, int64_t parts, int64_t nout, int64_t nred, T* out,
                                     bool mean) {
    for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < nout;
         o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        typename R::A a = R::init();
        for (int64_t p = 0; p < parts; ++p) a = R::merge(a, partial[o * parts + p]);
        out[o] = R::finish(a, nred, mean);
    }
}

template <Kind K, class T>
void reduce_values(const char* fn, const T* x, const Geometry& g, T* out, bool mean) {
    using R = Acc<K, T>;
    using A = typename R::A;
    const bool rows = g.reduced.strides[0][g.reduced.rank - 1] == 1;
    const bool blocks = g.nred >= 256 && (rows || g.nout < 1024);
    if (!blocks) {
        per_thread_kernel<R><<<grid_for(g.nout), kThreads, 0, stream()>>>(x, g, out, mean);
        NF_CUDA_LAUNCHED(fn);
        return;
    }
    // Enough blocks to fill the device when there are few outputs (about 1024 in all), each
    // slice still at least 64K elements long... unless the reduction is shorter.
    int64_t parts = 1;
    if (g.nout < 1024) {
        parts = std::max<int64_t>(1, std::min<int64_t>(1024 / g.nout, g.nred / 65536));
    }
    Scratch scratch(fn, parts > 1 ? static_cast<int64_t>(sizeof(A)) * g.nout * parts : 1);
    A* partial = static_cast<A*>(scratch.get());
    const int64_t items = g.nout * parts;
    const unsigned grid = static_cast<unsigned>(std::min<int64_t>(items, int64_t{1} << 30));
    per_block_kernel<R><<<grid, kThreads, 0, stream()>>>(x, g, parts, partial, out, mean);
    NF_CUDA_LAUNCHED(fn);
    if (parts > 1) {
        combine_parts_kernel<R><<<grid_for(g.nout), kThreads, 0, stream()>>>(partial, parts, g.nout, g.nred, out, mean);
        NF_CUDA_LAUNCHED(fn);
    }
}

// ARGMAX/ARGMIN: one thread scans one output's axis in order, exactly as the CPU loop does
// (first index of the extreme; the first NaN wins).
template <bool IsMax, class T, class I>
__global__ void arg_kernel(const T* x, Strided<1> kept, int64_t len, int64_t stride, int64_t nout, I* out) {
    for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < nout;
         o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        int64_t off[1];
        kept.offsets(o, off);
        const T* p = x + off[0];
        T best = p[0];
        int64_t bi = 0;
        if (best == best) {
            for (int64_t i = 1; i < len; ++i) {
                const T v = p[i * stride];
                if (v != v) {
                    bi = i;
                    break;
                }
                if (IsMax ? v > best : v < best) {
                    best = v;
                    bi = i;
                }
            }
        }
        out[o] = static_cast<I>(bi);
    }
}

Strided<1> coalesced(const nf_layout& l) {
    const nf_layout* ls[1] = {&l};
    return Strided<1>::from(make_plan(ls));
}

// The kept (mask bit clear) or reduced (bit set) axes of x as a layout.
nf_layout axes_of(const nf_layout& x, uint32_t mask, bool reduced) {
    nf_layout l{};
    for (int d = 0; d < x.rank; ++d) {
        if ((((mask >> d) & 1u) != 0) != reduced) continue;
        l.shape[l.rank] = x.shape[d];
        l.strides[l.rank] = x.strides[d];
        l.rank++;
    }
    return l;
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_reduce(nf_reduce_op op, nf_dtype dtype, const void* x, const nf_layout* x_layout,
                                           uint32_t axes_mask, void* out, nf_dtype out_dtype) {
    static const char* fn = "nf_cuda_reduce";
    return nf::guard(fn, [&] {
        const nf::ReduceArgs ra = nf::check_reduce(fn, op, dtype, x, x_layout, axes_mask, out, out_dtype);
        if (ra.nout == 0) return;
        const nf_layout& xl = *x_layout;
        using namespace nf::cuda;
        const nf_layout kept = axes_of(xl, axes_mask, false);
        nf::dispatch(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            const T* px = static_cast<const T*>(x) + xl.offset;
            if (ra.arg) {
                const int64_t len = xl.shape[ra.axis], stride = xl.strides[ra.axis];
                const bool mx = op == NF_REDUCE_ARGMAX;
                const unsigned grid = grid_for(ra.nout);
                if (out_dtype == NF_INT64) {
                    auto* po = static_cast<int64_t*>(out);
                    if (mx) arg_kernel<true><<<grid, kThreads, 0, stream()>>>(px, coalesced(kept), len, stride, ra.nout, po);
                    else arg_kernel<false><<<grid, kThreads, 0, stream()>>>(px, coalesced(kept), len, stride, ra.nout, po);
                } else {
                    auto* po = static_cast<int32_t*>(out);
                    if (mx) arg_kernel<true><<<grid, kThreads, 0, stream()>>>(px, coalesced(kept), len, stride, ra.nout, po);
                    else arg_kernel<false><<<grid, kThreads, 0, stream()>>>(px, coalesced(kept), len, stride, ra.nout, po);
                }
                NF_CUDA_LAUNCHED(fn);
                return;
            }
            const Geometry g{coalesced(kept), coalesced(axes_of(xl, axes_mask, true)), ra.nout, ra.nred};
            T* po = static_cast<T*>(out);
            switch (op) {
                case NF_REDUCE_SUM: return reduce_values<Kind::Sum>(fn, px, g, po, false);
                case NF_REDUCE_MEAN: return reduce_values<Kind::Sum>(fn, px, g, po, true);
                case NF_REDUCE_PROD: return reduce_values<Kind::Prod>(fn, px, g, po, false);
                case NF_REDUCE_MAX: return reduce_values<Kind::Max>(fn, px, g, po, false);
                case NF_REDUCE_MIN: return reduce_values<Kind::Min>(fn, px, g, po, false);
                default: return;
            }
        });
    });
}
