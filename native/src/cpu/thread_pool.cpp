// The CPU engine's worker pool (see thread_pool.h for why it is not OpenMP).
#include "cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
#define NF_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define NF_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define NF_CPU_RELAX() ((void)0)
#endif

namespace nf {
namespace {

using Clock = std::chrono::steady_clock;

// How long an idle worker keeps polling for the next job before it sleeps. A wake-up from
// sleep costs tens of microseconds on a virtual machine (measured here: a 100 us GEMM split
// over two threads took 150-170 us when the worker had to be woken, 80 us when it was
// polling), and the parallel kernels of one training step come 20-100 us apart. So on a
// quiet machine workers poll long enough to bridge a step's gaps; once anything shows that
// another thread wants our cores (see Contention), they poll briefly, because a polling
// worker then takes CPU time from the thread doing real work.
constexpr auto kIdleSpinQuiet = std::chrono::microseconds(500);
constexpr auto kIdleSpinContended = std::chrono::microseconds(30);
// How long the caller polls for parts held by workers before it yields its core to them.
constexpr auto kJoinSpin = std::chrono::microseconds(20);
// A polling thread that sees this much time pass between two of its clock reads (taken every
// few microseconds) lost its core to another thread meanwhile.
constexpr auto kPreemptedGap = std::chrono::microseconds(60);
// A caller that waits this long for a part a worker holds (parts are sized to tens of
// microseconds) had a worker descheduled mid-part.
constexpr auto kStalledJoin = std::chrono::microseconds(250);
// Signs of contention are weighed, not trusted one by one: a quiet virtual machine also
// shows a stray one now and then (the hypervisor or a .NET runtime thread taking a core for a
// moment), while another process competing for a core shows them every few milliseconds.
// Each sign adds one to a score that halves every kContentionHalfLife; the pool counts as
// contended while the score is at least kContendedScore. Once contended, workers poll briefly
// and mid-size work stays on the caller, so the signs stop and the score decays: about every
// 100 ms the pool tries the quiet policy again, and a machine that got quiet gets it back.
constexpr auto kContentionHalfLife = std::chrono::milliseconds(50);
constexpr double kContendedScore = 2.5;

// One call's work. Shared by the caller and the workers that joined it; the last one to
// release it deletes it, so a worker that wakes after the caller returned never touches freed
// memory (it finds every part claimed and only drops its reference).
struct Job {
    PartFn fn;
    void* ctx;
    int64_t parts;
    int max_workers;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
    std::atomic<int> joined{0};
    std::atomic<int> refs{1};
};

void release(Job* j) {
    if (j->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete j;
}

thread_local bool t_in_part = false;

// Whether our threads recently had to share a core, from signs reported by a worker whose
// polling was interrupted by the scheduler, or by a caller left waiting for a descheduled
// worker. Read by the idle spin and by every job (contended, the caller runs all the parts).
// Signs are rare (never more than one per job or idle spell), so a mutex is cheap; reads take
// it too, once per job.
class Contention {
public:
    void note(Clock::time_point now) {
        std::lock_guard<std::mutex> lk(mu_);
        score_ = decayed(now) + 1.0;
        at_ = now;
    }
    bool active(Clock::time_point now) {
        std::lock_guard<std::mutex> lk(mu_);
        return decayed(now) >= kContendedScore;
    }

private:
    double decayed(Clock::time_point now) const {  // mu_ held
        if (score_ == 0.0 || now <= at_) return score_;
        const double halves = std::chrono::duration<double>(now - at_) / kContentionHalfLife;
        return halves > 30 ? 0.0 : score_ * std::exp2(-halves);
    }

    std::mutex mu_;
    double score_ = 0.0;
    Clock::time_point at_{};
};

Contention g_contention;

void run_parts(Job* j, int slot) {
    t_in_part = true;
    for (int64_t p; (p = j->next.fetch_add(1, std::memory_order_relaxed)) < j->parts;) {
        j->fn(j->ctx, slot, p);
        j->done.fetch_add(1, std::memory_order_release);
    }
    t_in_part = false;
}

class Pool {
public:
    void resize(int n) {
        acquire_busy();
        {
            std::unique_lock<std::mutex> lk(mu_);
            stop_workers(lk);
            start_workers(n);
        }
        busy_.store(false, std::memory_order_release);
    }

    void run(int64_t parts, int max_threads, PartFn fn, void* ctx) {
        bool expected = false;
        // Contended: the caller runs every part itself, as matmul.cpp's GEMM blocks already
        // did. A worker that shares its core with another process can hold a part for a
        // scheduler slice (milliseconds) while the caller, done with its own parts, can only
        // wait; the kernels between the GEMMs of a CNN step (im2col, col2im, pooling, bias,
        // relu) are 0.1-1 ms jobs, so one such wait costs more than running them alone. The
        // workers then sleep, the signs stop and the score decays, so about every 100 ms a job
        // tries the workers again (see Contention). Measured with benchmarks/peers.sh --cnn and
        // one core busy: 19-24 s an epoch, 20-22 s on one thread (NEURALFLOW_NUM_THREADS=1).
        // Holding the contended state longer (100 ms doubling to 1.6 s while the load stayed)
        // gained 7% loaded (19.6-21.1 s against 22.0-22.8) but lost 40% on this quiet VM (14.1
        // -> 19.3-20.2 s), whose stray signs then kept the pool serial.
        if (parts <= 1 || max_threads <= 1 || t_in_part || g_contention.active(Clock::now()) ||
            !busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
            serial(parts, fn, ctx);
            return;
        }
        Job* j = nullptr;
        {
            std::lock_guard<std::mutex> lk(mu_);
            if (size_ == 0) start_workers(default_thread_count());
            const int64_t useful = std::min<int64_t>(parts - 1, max_threads - 1);
            const int nw = static_cast<int>(std::min<int64_t>(useful, static_cast<int64_t>(workers_.size())));
            if (nw > 0) {
                j = new Job{fn, ctx, parts, nw};
                current_ = j;
                gen_.fetch_add(1, std::memory_order_release);
            }
        }
        if (!j) {
            busy_.store(false, std::memory_order_release);
            serial(parts, fn, ctx);
            return;
        }
        if (sleepers_.load(std::memory_order_acquire) > 0) cv_.notify_all();
        run_parts(j, 0);
        wait_done(j);
        {
            std::lock_guard<std::mutex> lk(mu_);
            current_ = nullptr;
        }
        busy_.store(false, std::memory_order_release);
        release(j);
    }

private:
    static void serial(int64_t parts, PartFn fn, void* ctx) {
        const bool outer = t_in_part;
        t_in_part = true;
        for (int64_t p = 0; p < parts; ++p) fn(ctx, 0, p);
        t_in_part = outer;
    }

    void acquire_busy() {
        bool expected = false;
        while (!busy_.compare_exchange_weak(expected, true, std::memory_order_acquire)) {
            expected = false;
            std::this_thread::yield();
        }
    }

    // Parts still held by workers: poll briefly, then yield so that a worker sharing our core
    // (or descheduled by another process) gets the CPU to finish them.
    static void wait_done(Job* j) {
        if (j->done.load(std::memory_order_acquire) >= j->parts) return;
        const auto start = Clock::now(), spin_until = start + kJoinSpin;
        bool stalled = false;
        for (int i = 0; j->done.load(std::memory_order_acquire) < j->parts; ++i) {
            if ((i & 63) != 63) {
                NF_CPU_RELAX();
                continue;
            }
            const auto now = Clock::now();
            if (now <= spin_until) continue;
            if (!stalled && now - start > kStalledJoin) {
                stalled = true;
                g_contention.note(now);
            }
            std::this_thread::yield();
        }
    }

    void start_workers(int n) {  // mu_ held
        size_ = std::max(1, n);
        stop_ = false;
        // The generation is read here, under the lock, not by the new thread: a thread that starts
        // late must still see a later stop or job as new.
        const uint64_t start = gen_.load(std::memory_order_acquire);
        for (int w = 1; w < size_; ++w) workers_.emplace_back([this, start] { work(start); });
    }

    void stop_workers(std::unique_lock<std::mutex>& lk) {
        stop_ = true;
        gen_.fetch_add(1, std::memory_order_release);
        std::vector<std::thread> old;
        old.swap(workers_);
        lk.unlock();
        cv_.notify_all();
        for (auto& t : old) t.join();
        lk.lock();
    }

    void work(uint64_t seen) {
        int slot = 0;
        for (;;) {
            auto last = Clock::now();
            const auto spin_until = last + (g_contention.active(last) ? kIdleSpinContended : kIdleSpinQuiet);
            for (int i = 0; gen_.load(std::memory_order_acquire) == seen; ++i) {
                if ((i & 63) != 63) {
                    NF_CPU_RELAX();
                    continue;
                }
                const auto now = Clock::now();
                if (now - last > kPreemptedGap) {  // descheduled while polling: someone wants this core
                    g_contention.note(now);
                    break;
                }
                if (now > spin_until) break;
                last = now;
            }
            Job* j = nullptr;
            {
                std::unique_lock<std::mutex> lk(mu_);
                if (gen_.load(std::memory_order_acquire) == seen && !stop_) {
                    sleepers_.fetch_add(1, std::memory_order_acq_rel);
                    cv_.wait(lk, [&] { return gen_.load(std::memory_order_acquire) != seen || stop_; });
                    sleepers_.fetch_sub(1, std::memory_order_acq_rel);
                }
                seen = gen_.load(std::memory_order_acquire);
                if (stop_) return;
                // Slots are handed out per job (1, 2, ... in the order workers join), so they
                // stay below the thread count the caller sized its scratch for.
                if (current_) {
                    const int k = current_->joined.fetch_add(1, std::memory_order_relaxed);
                    if (k < current_->max_workers) {
                        j = current_;
                        slot = k + 1;
                        j->refs.fetch_add(1, std::memory_order_relaxed);
                    }
                }
            }
            if (j) {
                run_parts(j, slot);
                release(j);
            }
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::atomic<uint64_t> gen_{0};
    std::atomic<int> sleepers_{0};
    std::atomic<bool> busy_{false};
    std::vector<std::thread> workers_;
    Job* current_ = nullptr;
    int size_ = 0;  // threads in all, the caller included; 0 until first use
    bool stop_ = false;
};

// Never destroyed: worker threads may still be parked when the process exits, and a static
// destructor joining them would race the runtime's own shutdown.
Pool& pool() {
    static Pool* p = new Pool();
    return *p;
}

int env_threads() {
    const char* s = std::getenv("NEURALFLOW_NUM_THREADS");
    if (!s || !*s) return 0;
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < 1 || v > 4096) {
        std::fprintf(stderr, "NeuralFlow: ignoring NEURALFLOW_NUM_THREADS=%s (want a whole number from 1 to 4096)\n", s);
        return 0;
    }
    return static_cast<int>(v);
}

#if defined(__linux__)
// cgroup v2 "cpu.max" ("max 100000" or "150000 100000"), else v1 cfs quota/period.
double cgroup_cpu_limit() {
    auto read = [](const char* path, char* buf, size_t n) {
        FILE* f = std::fopen(path, "r");
        if (!f) return false;
        const bool ok = std::fgets(buf, static_cast<int>(n), f) != nullptr;
        std::fclose(f);
        return ok;
    };
    char buf[128];
    if (read("/sys/fs/cgroup/cpu.max", buf, sizeof buf)) {
        long long quota = 0, period = 0;
        if (std::strncmp(buf, "max", 3) != 0 && std::sscanf(buf, "%lld %lld", &quota, &period) == 2 && quota > 0 &&
            period > 0)
            return static_cast<double>(quota) / static_cast<double>(period);
        return 0;
    }
    char b2[128];
    if (read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", buf, sizeof buf) &&
        read("/sys/fs/cgroup/cpu/cpu.cfs_period_us", b2, sizeof b2)) {
        const long long quota = std::atoll(buf), period = std::atoll(b2);
        if (quota > 0 && period > 0) return static_cast<double>(quota) / static_cast<double>(period);
    }
    return 0;
}
#endif

}  // namespace

int default_thread_count() {
    if (const int n = env_threads()) return n;
    int n = static_cast<int>(std::thread::hardware_concurrency());
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    const double quota = cgroup_cpu_limit();
    if (quota > 0) n = std::min(n, std::max(1, static_cast<int>(quota + 0.999)));
#endif
    return std::max(1, n);
}

void pool_run(int64_t parts, int max_threads, PartFn fn, void* ctx) { pool().run(parts, max_threads, fn, ctx); }

bool pool_contended() { return g_contention.active(Clock::now()); }

void pool_resize(int n) { pool().resize(n); }

}  // namespace nf
