// The CPU engine's one pool of worker threads, shared by every kernel, the GEMM's blocks
// included (the provider's own OpenMP threads are never started: see matmul.cpp).
//
// Why not OpenMP: an OpenMP region is a fork/join of a fixed team with one static share per
// thread, so when another process holds one of the cores the whole region waits for the
// descheduled member (a scheduler time slice, milliseconds), and idle team members spin for
// ~300K iterations between regions, stealing the busy core from the thread doing real work.
// On a 2-core machine with one core busy that made the native engine 4.5-8x slower
// (issue 12). Here:
//  - work is cut into parts that the caller and the workers claim one at a time from an
//    atomic counter, so a slow or descheduled worker delays at most the part it holds;
//  - the caller never waits for a worker that has not started: a worker that wakes late
//    finds every part claimed and goes back to sleep;
//  - idle workers poll for the next job, then sleep on a condition variable: for half a
//    millisecond on a quiet machine (a wake-up costs tens of microseconds), for 30 us once a
//    thread of ours was seen losing its core to another (pool_contended);
//  - one job at a time: a second thread that calls in while a job runs (the data pipeline's
//    prefetch thread, say) runs its parts itself instead of queueing behind it.
#pragma once

#include <cstdint>

namespace nf {

// Part function: fn(ctx, slot, part). `slot` is in [0, pool_slots()) and no two parts run on
// the same slot at the same time, so per-slot scratch buffers are safe. Must not throw.
using PartFn = void (*)(void* ctx, int slot, int64_t part);

// Runs fn for every part in [0, parts) on at most `max_threads` threads (the caller included)
// and returns when all have run. Runs serially on the calling thread when max_threads <= 1,
// parts == 1, the pool is busy with another caller's job, when called from inside a part, or
// while the pool is contended (pool_contended): then a worker would likely lose its core
// mid-part and leave the caller waiting for it.
void pool_run(int64_t parts, int max_threads, PartFn fn, void* ctx);

// Whether our threads recently had to share a core with other work (a worker descheduled
// while polling, or a caller left waiting on a descheduled worker's part). pool_run goes
// serial meanwhile; other policies that only pay off with every core free may check it.
bool pool_contended();

// Resizes the pool to n threads in all (the caller plus n - 1 workers). Not concurrent with
// pool_run on another thread's job: it waits for a running job to finish first.
void pool_resize(int n);

// The thread count the process may really use: NEURALFLOW_NUM_THREADS if set, else the CPUs
// in this process's affinity mask, capped by a cgroup CPU quota (rounded up), as .NET's
// Environment.ProcessorCount does.
int default_thread_count();

}  // namespace nf
