// Threading policy: one global thread count (nf_threads_set; default: what the process may
// really use, see cpu/thread_pool.h) and one pool of workers for every kernel. Work is cut
// into parts fixed by its size alone (never by the thread count or by timing), which the
// caller and the workers claim one at a time: a core taken by another process slows only the
// parts it holds, and results that combine per-part partials are the same however the parts
// were shared out. Small work stays on the calling thread: a hand-off costs a few
// microseconds, which only pays off above roughly kWorkersMin elements of simple arithmetic.
// Whether the workers help is decided by the size too, never by the parts' results: parts that
// run one after another on the caller give the bits they give on any number of threads.
#pragma once

#include <algorithm>
#include <cstdint>

#include "common/intmath.h"
#include "cpu/thread_pool.h"

namespace nf {

int threads();  // library.cpp
// The GEMM provider's threads for the calling thread's next GEMM (matmul.cpp always asks for 1).
void set_gemm_threads(int n);  // library.cpp

// Measured on the 2-core dev box (see native/README.md): below ~32K float adds a parallel
// region is slower than the serial loop.
constexpr int64_t kParallelMin = 32768;
// Work below which parallel_chunks runs its parts one after another on the calling thread, workers
// free or not (issue 17). Measured with native/bench/small_calls.cpp on the 2-core box, data in
// the caller's cache as a replay's kernels find it: SGD over the workshop model's 39,760 floats
// 2.0 us alone (AVX-512), 2.5-3.5 us median and 3.1-10.6 us mean with the worker, which takes a
// part only after a hand-off of 1-2 us (more when it lost its core) and reads the caller's
// cache lines across cores; a 32K-element add 2.7 us alone, 2.3-3.2 median / 2.4-4.4 mean split.
// From 2^17 (1.5 MB of operands, past one core's L2) the split wins clearly (add: 14.5 -> 8.5-10 us).
// Only cheap elements (cost up to kCheapCost) stay serial this way: the add-equivalents of a
// dear one understate its time (tanh, cost 10, takes 6 ns an element, 80 adds' worth), and a
// 4,096-element tanh split in two took 12.8 us against 25 us alone.
constexpr int64_t kWorkersMin = 2 * kParallelMin;
constexpr int64_t kCheapCost = 4;
// Work in a part: half of kParallelMin (a few microseconds), so that work just above the
// threshold splits in two and large work in many parts a slow thread cannot hold up for long.
constexpr int64_t kPartWork = kParallelMin / 2;
// Parts at most: enough for dynamic balance on many cores, few enough that per-part
// partials (reductions) stay small.
constexpr int64_t kMaxParts = 64;

// n * cost, a cost below 1 counting as 1; saturates (intmath.h's sat_mul) instead of wrapping.
inline int64_t work_of(int64_t n, int64_t cost) { return sat_mul(n, std::max<int64_t>(cost, 1)); }

// How many parts [0, n) is cut into for per-element cost `cost` (1 for an add, ~8 for exp),
// at most max_parts. 1 means: run on the calling thread.
inline int64_t part_count(int64_t n, int64_t cost, int64_t max_parts = kMaxParts) {
    const int64_t work = work_of(n, cost);
    if (n < 2 || work < kParallelMin) return 1;
    return std::max<int64_t>(1, std::min({work / kPartWork, n, max_parts}));
}

// Start of part p of `parts` over [0, n): the first n % parts parts get one more element.
// (The obvious n * p / parts overflows for huge n.)
inline int64_t part_begin(int64_t n, int64_t parts, int64_t p) {
    return (n / parts) * p + std::min(p, n % parts);
}

// Calls f(slot, part, begin, end) for each of `parts` parts of [0, n), on at most nt_max
// threads (0: threads()). slot < the thread count used, and one slot runs one part at a time.
// f must not throw (an exception cannot cross a worker thread).
template <class F>
void parallel_parts(int64_t n, int64_t parts, F&& f, int nt_max = 0) {
    if (nt_max <= 0) nt_max = threads();
    struct Ctx {
        F* f;
        int64_t n, parts;
    } ctx{&f, n, parts};
    pool_run(parts, nt_max, [](void* c, int slot, int64_t p) {
        auto* x = static_cast<Ctx*>(c);
        (*x->f)(slot, p, part_begin(x->n, x->parts, p), part_begin(x->n, x->parts, p + 1));
    }, &ctx);
}

// Calls f(slot, begin, end) over [0, n) split by part_count(n, cost); see parallel_parts. Cheap
// work below kWorkersMin runs its parts on the calling thread alone (slot 0).
// Callers that size per-slot buffers pass the thread count they sized them for as nt_max
// (threads() may change concurrently through nf_threads_set).
template <class F>
void parallel_chunks_tid(int64_t n, int64_t cost, F&& f, int nt_max = 0) {
    const int64_t parts = part_count(n, cost);
    if (parts == 1) {
        f(0, int64_t{0}, n);
        return;
    }
    if (cost <= kCheapCost && work_of(n, cost) < kWorkersMin) nt_max = 1;
    parallel_parts(n, parts, [&](int slot, int64_t, int64_t b, int64_t e) { f(slot, b, e); }, nt_max);
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
