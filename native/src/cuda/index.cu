// nf_cuda_gather, nf_cuda_scatter_add and nf_cuda_one_hot.
//
// Index checks run on the device (the indices live there): a kernel records the first bad
// position with atomicMin, and the call waits for that one word. A bad index therefore still
// fails the call with the CPU engine's message before anything is written. Inside a CUDA graph
// capture the check's kernel goes into the graph and each launch reads the word afterwards
// (GraphCheck): the gather and scatter kernels then skip bad indices instead of reading or
// writing out of bounds, and the launch fails with the eager message before any later graph runs.
#include <utility>

#include "cuda/cuda_common.cuh"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {
namespace {

template <class I>
__global__ void first_bad_index(const I* idx, int64_t count, int64_t len, unsigned long long* first) {
    for (int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; j < count;
         j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t v = static_cast<int64_t>(idx[j]);
        if (v < 0 || v >= len) atomicMin(first, static_cast<unsigned long long>(j));
    }
}

// The value of idx[j], read from the device.
int64_t read_index(const char* fn, nf_dtype index_dtype, const void* idx, int64_t j) {
    const size_t size = dtype_size(index_dtype);
    unsigned char bytes[8] = {};
    NF_CUDA(cudaMemcpy(bytes, static_cast<const char*>(idx) + j * size, size, cudaMemcpyDeviceToHost), fn);
    return index_at(index_dtype, bytes, 0);
}

// Launches the check into `first` (set to all ones first, so "none" reads as ~0).
template <class I>
void launch_check(const char* fn, const I* idx, int64_t count, int64_t len, unsigned long long* first) {
    NF_CUDA(cudaMemsetAsync(first, 0xff, sizeof *first, stream()), fn);
    if (count == 0) return;
    first_bad_index<<<grid_for(count), kThreads, 0, stream()>>>(idx, count, len, first);
    NF_CUDA_LAUNCHED(fn);
}

void launch_index_check(const char* fn, nf_dtype index_dtype, const void* idx, int64_t count, int64_t len,
                        unsigned long long* first) {
    switch (index_dtype) {
        case NF_INT32: return launch_check(fn, static_cast<const int32_t*>(idx), count, len, first);
        case NF_INT64: return launch_check(fn, static_cast<const int64_t*>(idx), count, len, first);
        default: return launch_check(fn, static_cast<const uint8_t*>(idx), count, len, first);
    }
}

}  // namespace

void capture_index_check(const char* fn, nf_dtype index_dtype, const void* idx, int64_t count, int64_t len,
                         std::function<void(int64_t position, int64_t value)> fail) {
    Scratch slot(fn, sizeof(unsigned long long));  // held by the graph: hold_for_capture
    auto* first = static_cast<unsigned long long*>(slot.get());
    launch_index_check(fn, index_dtype, idx, count, len, first);
    capture_check(GraphCheck{fn, first, [fn, index_dtype, idx, fail = std::move(fail)](int64_t j) {
                                 fail(j, read_index(fn, index_dtype, idx, j));
                             }});
}

int64_t first_out_of_range(const char* fn, nf_dtype index_dtype, const void* idx, int64_t count, int64_t len,
                           int64_t* bad_value) {
    if (count == 0) return -1;
    // The answer is read on the host: inside a capture the check's kernel would not have run
    // (callers that can be captured use capture_index_check then).
    if (capturing()) NF_UNSUPPORTED("%s: its index check waits for the device, so it cannot be part of a CUDA graph capture", fn);
    Scratch slot(fn, sizeof(unsigned long long));
    auto* first = static_cast<unsigned long long*>(slot.get());
    launch_index_check(fn, index_dtype, idx, count, len, first);
    unsigned long long j = 0;
    NF_CUDA(cudaMemcpy(&j, first, sizeof j, cudaMemcpyDeviceToHost), fn);
    if (j == ~0ull) return -1;
    *bad_value = read_index(fn, index_dtype, idx, static_cast<int64_t>(j));
    return static_cast<int64_t>(j);
}


namespace {

// x viewed as [outer axes..., axis, inner axes...]; output t = ((o * count) + j) * inner_n + r.
struct GatherGeometry {
    int axis, inner_rank;
    int64_t axis_stride, count, inner_n;
    int64_t shape[NF_MAX_RANK], strides[NF_MAX_RANK];  // x's, all axes
};

template <class W>
__global__ void gather_kernel(const W* x, W* out, GatherGeometry g, nf_dtype index_dtype, const void* idx,
                              int64_t total) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t r = t % g.inner_n, q = t / g.inner_n;
        const int64_t j = q % g.count, o = q / g.count;
        const int64_t i = index_at(index_dtype, idx, j);
        if (i < 0 || i >= g.shape[g.axis]) continue;  // only in a CUDA graph, whose launch then fails
        const int64_t src = offset_of(o, g.shape, g.strides, g.axis) + i * g.axis_stride +
                            offset_of(r, g.shape + g.axis + 1, g.strides + g.axis + 1, g.inner_rank);
        out[t] = x[src];
    }
}

template <class W>
void gather(const char* fn, const void* x, const nf_layout& xl, int axis, nf_dtype index_dtype, const void* idx,
            int64_t count, int64_t inner_n, int64_t total, void* out) {
    GatherGeometry g{};
    g.axis = axis;
    g.inner_rank = xl.rank - axis - 1;
    g.axis_stride = xl.strides[axis];
    g.count = count;
    g.inner_n = inner_n;
    for (int d = 0; d < xl.rank; ++d) {
        g.shape[d] = xl.shape[d];
        g.strides[d] = xl.strides[d];
    }
    gather_kernel<W><<<grid_for(total), kThreads, 0, stream()>>>(static_cast<const W*>(x) + xl.offset, static_cast<W*>(out), g,
                                                    index_dtype, idx, total);
    NF_CUDA_LAUNCHED(fn);
}

// Scatter-add without atomics, so that its sums are the same bits on every run and equal the
// CPU engine's (a gradient of an embedding replays as it ran eagerly): each output element gets
// its terms in index order, j ascending, added one by one onto its old value, as cpu/index.cpp.
// 1. The indices with their positions are sorted stably by index, one merge pass per doubling
//    run width; 2. the thread at the first position of each run of equal indices adds the run.

// keys[j] = idx[j], positions[j] = j.
__global__ void scatter_keys(nf_dtype index_dtype, const void* idx, int64_t n, int64_t* keys, int64_t* positions) {
    for (int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; j < n;
         j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        keys[j] = index_at(index_dtype, idx, j);
        positions[j] = j;
    }
}

// Merges each pair of sorted runs [lo, lo + width), [lo + width, lo + 2 width): element p finds
// its place by a binary search in the other run. A left element goes before the right run's equal
// keys and a right element after the left run's, so equal keys keep their positions' order.
__global__ void scatter_merge_pass(const int64_t* keys, const int64_t* positions, int64_t* keys_out,
                                   int64_t* positions_out, int64_t n, int64_t width) {
    for (int64_t p = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; p < n;
         p += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t lo = p / (2 * width) * (2 * width);
        const int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
        const int64_t k = keys[p];
        const bool left = p < mid;
        int64_t a = left ? mid : lo, b = left ? hi : mid;
        while (a < b) {
            const int64_t m = a + (b - a) / 2;
            if (left ? keys[m] < k : keys[m] <= k) a = m + 1;
            else b = m;
        }
        const int64_t at = left ? p + (a - mid) : lo + (p - mid) + (a - lo);
        keys_out[at] = k;
        positions_out[at] = positions[p];
    }
}

// One thread per (o, p, r) of the sorted order; the one at the first p of a run of equal keys
// adds src[o, j, r] for the run's positions j (ascending) onto out[o, key, r]. U: the type the
// sum is taken in (unsigned for integers: two's complement wraps as the CPU engine's).
template <class T, class U>
__global__ void scatter_runs_kernel(const T* src, T* out, GatherGeometry g, int64_t rows, const int64_t* keys,
                                    const int64_t* positions, int64_t total) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t r = t % g.inner_n, q = t / g.inner_n;
        const int64_t p = q % g.count, o = q / g.count;
        const int64_t row = keys[p];
        if (row < 0 || row >= rows) continue;  // only in a CUDA graph, whose launch then fails
        if (p > 0 && keys[p - 1] == row) continue;
        const int64_t base = offset_of(o, g.shape, g.strides, g.axis) +
                             offset_of(r, g.shape + g.axis + 1, g.strides + g.axis + 1, g.inner_rank);
        T* at = out + ((o * rows) + row) * g.inner_n + r;
        U acc = static_cast<U>(*at);
        for (int64_t e = p; e < g.count && keys[e] == row; ++e)
            acc = acc + static_cast<U>(src[base + positions[e] * g.axis_stride]);
        *at = static_cast<T>(acc);
    }
}

template <class T, class U>
void scatter_add(const char* fn, const void* src, const nf_layout& sl, int axis, nf_dtype index_dtype,
                 const void* idx, const ScatterArgs& s, void* out) {
    GatherGeometry g{};
    g.axis = axis;
    g.inner_rank = sl.rank - axis - 1;
    g.axis_stride = sl.strides[axis];
    g.count = s.count;
    g.inner_n = s.inner_n;
    for (int d = 0; d < sl.rank; ++d) {
        g.shape[d] = sl.shape[d];
        g.strides[d] = sl.strides[d];
    }
    const int64_t n = s.count;
    Scratch slot(fn, static_cast<int64_t>(sizeof(int64_t)) * 4 * n);
    int64_t* keys = static_cast<int64_t*>(slot.get());
    int64_t* positions = keys + n;
    int64_t* keys_next = positions + n;
    int64_t* positions_next = keys_next + n;
    scatter_keys<<<grid_for(n), kThreads, 0, stream()>>>(index_dtype, idx, n, keys, positions);
    NF_CUDA_LAUNCHED(fn);
    for (int64_t width = 1; width < n; width *= 2) {
        scatter_merge_pass<<<grid_for(n), kThreads, 0, stream()>>>(keys, positions, keys_next, positions_next, n, width);
        NF_CUDA_LAUNCHED(fn);
        std::swap(keys, keys_next);
        std::swap(positions, positions_next);
    }
    scatter_runs_kernel<T, U><<<grid_for(s.total), kThreads, 0, stream()>>>(static_cast<const T*>(src) + sl.offset,
                                                                           static_cast<T*>(out), g, s.rows, keys,
                                                                           positions, s.total);
    NF_CUDA_LAUNCHED(fn);
}

template <class T>
__global__ void one_hot_kernel(Strided<1> il, nf_dtype index_dtype, const void* idx, int64_t depth, T on, T off,
                               T* out, int64_t total) {
    for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
         t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t i = t / depth, k = t - i * depth;
        int64_t o[1];
        il.offsets(i, o);
        out[t] = index_at(index_dtype, idx, o[0]) == k ? on : off;
    }
}

}  // namespace
}  // namespace cuda
}  // namespace nf

extern "C" NF_API nf_status nf_cuda_gather(nf_dtype dtype, const void* x, const nf_layout* x_layout, int32_t axis,
                                           nf_dtype index_dtype, const void* indices, int64_t index_count, void* out) {
    static const char* fn = "nf_cuda_gather";
    return nf::guard(fn, [&] {
        const nf::GatherArgs g = nf::check_gather(fn, dtype, x, x_layout, axis, index_dtype, indices, index_count, out);
        if (nf::cuda::capturing()) {
            nf::cuda::capture_index_check(fn, index_dtype, indices, index_count, g.len,
                                          [len = g.len, axis, xl = *x_layout](int64_t j, int64_t value) {
                                              nf::fail_gather_index(fn, j, value, len, axis, xl);
                                          });
        } else {
            int64_t value = 0;
            const int64_t bad = nf::cuda::first_out_of_range(fn, index_dtype, indices, index_count, g.len, &value);
            if (bad >= 0) nf::fail_gather_index(fn, bad, value, g.len, axis, *x_layout);
        }
        if (g.total == 0) return;
        switch (nf::dtype_size(dtype)) {
            case 8: return nf::cuda::gather<uint64_t>(fn, x, *x_layout, axis, index_dtype, indices, index_count, g.inner_n, g.total, out);
            case 4: return nf::cuda::gather<uint32_t>(fn, x, *x_layout, axis, index_dtype, indices, index_count, g.inner_n, g.total, out);
            default: return nf::cuda::gather<uint8_t>(fn, x, *x_layout, axis, index_dtype, indices, index_count, g.inner_n, g.total, out);
        }
    });
}

extern "C" NF_API nf_status nf_cuda_scatter_add(nf_dtype dtype, const void* src, const nf_layout* src_layout,
                                                int32_t axis, nf_dtype index_dtype, const void* indices, int64_t rows,
                                                void* out) {
    static const char* fn = "nf_cuda_scatter_add";
    return nf::guard(fn, [&] {
        const nf::ScatterArgs s = nf::check_scatter_add(fn, dtype, src, src_layout, axis, index_dtype, indices, rows, out);
        if (nf::cuda::capturing()) {
            nf::cuda::capture_index_check(fn, index_dtype, indices, s.count, rows, [s, axis](int64_t j, int64_t value) {
                nf::fail_scatter_index(fn, j, value, s, axis);
            });
        } else {
            int64_t value = 0;
            const int64_t bad = nf::cuda::first_out_of_range(fn, index_dtype, indices, s.count, rows, &value);
            if (bad >= 0) nf::fail_scatter_index(fn, bad, value, s, axis);
        }
        if (s.total == 0) return;
        switch (dtype) {
            case NF_FLOAT32: return nf::cuda::scatter_add<float, float>(fn, src, *src_layout, axis, index_dtype, indices, s, out);
            case NF_FLOAT64: return nf::cuda::scatter_add<double, double>(fn, src, *src_layout, axis, index_dtype, indices, s, out);
            case NF_INT32: return nf::cuda::scatter_add<int32_t, uint32_t>(fn, src, *src_layout, axis, index_dtype, indices, s, out);
            default: return nf::cuda::scatter_add<int64_t, uint64_t>(fn, src, *src_layout, axis, index_dtype, indices, s, out);
        }
    });
}

extern "C" NF_API nf_status nf_cuda_one_hot(nf_dtype index_dtype, const void* indices, const nf_layout* indices_layout,
                                            int64_t depth, double on_value, double off_value, nf_dtype out_dtype,
                                            void* out) {
    static const char* fn = "nf_cuda_one_hot";
    return nf::guard(fn, [&] {
        const int64_t n = nf::check_one_hot(fn, index_dtype, indices, indices_layout, depth, out_dtype, out);
        if (n == 0 || depth == 0) return;
        const nf_layout* ls[1] = {indices_layout};
        const nf::cuda::Strided<1> il = nf::cuda::Strided<1>::from(nf::make_plan(ls));
        const int64_t es = nf::dtype_size(index_dtype);
        const void* pi = static_cast<const char*>(indices) + indices_layout->offset * es;
        nf::dispatch(out_dtype, [&](auto tag) {
            using Tg = decltype(tag);
            using T = typename Tg::type;
            const T on = nf::from_double<Tg>(on_value), off = nf::from_double<Tg>(off_value);
            nf::cuda::one_hot_kernel<T><<<nf::cuda::grid_for(n * depth), nf::cuda::kThreads, 0, nf::cuda::stream()>>>(
                il, index_dtype, pi, depth, on, off, static_cast<T*>(out), n * depth);
            NF_CUDA_LAUNCHED(fn);
        });
    });
}
