// Threading policy: one global worker count (nf_threads_set) used as num_threads on every
// parallel region, because omp_set_num_threads only affects the calling thread and .NET calls
// us from many threads. Small work stays on the calling thread: a fork/join costs a few
// microseconds, which only pays off above roughly kParallelMin elements of simple arithmetic.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace nf {

int threads();  // library.cpp

// Measured on the 2-core dev box (see native/README.md): below ~32K float adds a parallel
// region is slower than the serial loop.
constexpr int64_t kParallelMin = 32768;

// Splits [0, n) into one contiguous chunk per thread and calls f(tid, begin, end) on each,
// with tid in [0, threads()) (0 when run serially). `cost` scales n for heavier per-element
// work (e.g. exp ~ 8). f must not throw: an exception cannot leave an OpenMP region.
// Callers that size per-thread buffers pass the thread count they sized them for as nt_max
// (threads() may change concurrently through nf_threads_set).
template <class F>
void parallel_chunks_tid(int64_t n, int64_t cost, F&& f, int nt_max = 0) {
    if (nt_max <= 0) nt_max = threads();
    const int64_t work = n * std::max<int64_t>(cost, 1);
    if (nt_max <= 1 || work < kParallelMin || n < 2 || omp_in_parallel()) {
        f(0, int64_t{0}, n);
        return;
    }
    const int64_t want = std::max<int64_t>(1, work / (kParallelMin / 2));
    const int nt = static_cast<int>(std::min<int64_t>(std::min<int64_t>(nt_max, want), n));
#pragma omp parallel num_threads(nt)
    {
        const int64_t t = omp_get_thread_num(), T = omp_get_num_threads();
        f(static_cast<int>(t), n * t / T, n * (t + 1) / T);
    }
}

template <class F>
void parallel_chunks(int64_t n, int64_t cost, F&& f) {
    parallel_chunks_tid(n, cost, [&](int, int64_t b, int64_t e) { f(b, e); });
}

}  // namespace nf

#include "common/layout.h"

namespace nf {

// Runs f(off, n) (see for_runs) over every element of plan p, in parallel chunks when the
// work is large enough. `cost` is the relative per-element cost (1 for an add).
template <int N, class F>
void run_plan(const Plan<N>& p, int64_t cost, F&& f) {
    if (p.numel == 0) return;
    parallel_chunks(p.numel, cost, [&](int64_t b, int64_t e) { for_runs(p, b, e, f); });
}

}  // namespace nf
