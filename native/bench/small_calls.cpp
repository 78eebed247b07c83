// The workshop step's small calls (issue 17: 784-50-10, batch 256, SGD) through the C ABI, one
// by one, median, mean and 10th-90th percentile microseconds over many calls: the relu
// backward's fused [Greater, Mul], the bias + relu [Add, Relu], SGD over the step's 4 variables
// in one nf_optimizer_update_multi call, streaming adds from 16K to 256K elements (where a split
// over the pool starts to pay) and a 256K add after idle gaps (the worker polling or asleep).
// Each case runs twice: with its inputs last written by this thread, and with them last written
// by a thread on the other core (as a replay's inputs are when the kernel before split its
// output over the pool), which moves every cache line across cores on the first read.
// Used to size cpu/parallel.h's thresholds for small calls; not part of ctest.
//
//   g++ -O2 -std=c++17 -pthread -Inative/include native/bench/small_calls.cpp -Lbuild/native/lib -lneuralflow
//       -Wl,-rpath,$PWD/build/native/lib -o /tmp/small_calls   (one command)
//   /tmp/small_calls [threads, default 2] [calls, default 2000]
#include <algorithm>
#include <condition_variable>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

#include "neuralflow.h"

namespace {

using Clock = std::chrono::steady_clock;

nf_layout packed(int64_t rows, int64_t cols) {
    nf_layout l{};
    l.rank = 2;
    l.shape[0] = rows;
    l.shape[1] = cols;
    l.strides[0] = cols;
    l.strides[1] = 1;
    return l;
}

void check(nf_status s) {
    if (s != NF_OK) {
        std::fprintf(stderr, "%s\n", nf_last_error());
        std::exit(1);
    }
}

void pin(int cpu) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
#else
    (void)cpu;
#endif
}

// A thread pinned to another CPU that rewrites the given buffers (same values) on request. It
// sleeps in between, so that it does not hold the core the pool's worker runs on.
class Toucher {
public:
    explicit Toucher(int cpu) : t_([this, cpu] { loop(cpu); }) {}
    ~Toucher() {
        {
            std::lock_guard<std::mutex> lk(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        t_.join();
    }
    void touch(std::vector<std::vector<float>*> bufs) {
        std::unique_lock<std::mutex> lk(mu_);
        bufs_ = std::move(bufs);
        go_ = true;
        cv_.notify_all();
        cv_.wait(lk, [&] { return !go_; });
    }

private:
    void loop(int cpu) {
        pin(cpu);
        std::unique_lock<std::mutex> lk(mu_);
        for (;;) {
            cv_.wait(lk, [&] { return go_ || stop_; });
            if (stop_) return;
            for (auto* b : bufs_)
                for (auto& v : *b) v = v + 0.0f;
            go_ = false;
            cv_.notify_all();
        }
    }
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::vector<float>*> bufs_;
    bool go_ = false, stop_ = false;
    std::thread t_;
};

void report(const char* name, const char* how, std::vector<double>& us) {
    std::sort(us.begin(), us.end());
    double sum = 0;
    for (double u : us) sum += u;
    std::printf("%-40s %-14s median %7.2f us  mean %7.2f  p10 %7.2f  p90 %7.2f\n", name, how, us[us.size() / 2],
                sum / us.size(), us[us.size() / 10], us[us.size() * 9 / 10]);
}

// Each call after its inputs were rewritten by this thread, or by `other` on the other core.
void time_case(const char* name, int calls, Toucher* other, std::vector<std::vector<float>*> inputs,
               const std::function<void()>& call) {
    std::vector<double> us;
    us.reserve(calls);
    for (int i = 0; i < calls; ++i) {
        if (other) other->touch(inputs);
        else
            for (auto* b : inputs)
                for (auto& v : *b) v = v + 0.0f;
        const auto t0 = Clock::now();
        call();
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    report(name, other ? "other core" : "this core", us);
}

// Each call `gap_us` after the one before: whether the pool's worker still polls or has to be woken.
void time_after_gap(const char* name, int calls, int gap_us, const std::function<void()>& call) {
    std::vector<double> us;
    us.reserve(calls);
    for (int i = 0; i < calls; ++i) {
        if (gap_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(gap_us));
        const auto t0 = Clock::now();
        call();
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    char how[32];
    std::snprintf(how, sizeof how, "gap %d us", gap_us);
    report(name, how, us);
}

// c = a + b over n floats.
struct Add {
    explicit Add(int64_t n) : a(n, 1.0f), b(n, 2.0f), c(n) {
        v.rank = 1;
        v.shape[0] = n;
        v.strides[0] = 1;
    }
    std::function<void()> call() {
        return [this] { check(nf_binary(NF_BINARY_ADD, NF_FLOAT32, a.data(), &v, b.data(), &v, c.data(), &v)); };
    }
    std::vector<float> a, b, c;
    nf_layout v{};
};

}  // namespace

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2, calls = argc > 2 ? std::atoi(argv[2]) : 2000;
    check(nf_threads_set(threads));
    pin(0);
    Toucher other(1);

    // Relu backward: mask = y > 0 (0 a broadcast scalar), dx = mask * dy, over [256, 50].
    std::vector<float> y(256 * 50), dy(256 * 50), dx(256 * 50), zero(1, 0.0f), bias(50);
    for (size_t i = 0; i < y.size(); ++i) {
        y[i] = static_cast<float>(static_cast<int>(i % 7) - 3);
        dy[i] = 0.001f * static_cast<float>(i % 101);
    }
    const nf_layout l = packed(256, 50);
    nf_layout scalar = l;
    scalar.strides[0] = scalar.strides[1] = 0;
    nf_layout row = l;
    row.strides[0] = 0;
    {
        const void* in[] = {y.data(), zero.data(), dy.data()};
        const nf_layout ls[] = {l, scalar, l};
        const nf_fused_step steps[] = {{NF_FUSED_BINARY, NF_BINARY_GREATER, 0, 1}, {NF_FUSED_BINARY, NF_BINARY_MUL, 3, 2}};
        auto call = [&] { check(nf_fused_elementwise(NF_FLOAT32, 3, in, ls, 2, steps, dx.data(), &l)); };
        time_case("fused [Greater,Mul] 256x50", calls, nullptr, {&y, &dy}, call);
        time_case("fused [Greater,Mul] 256x50", calls, &other, {&y, &dy}, call);
    }
    {
        const void* in[] = {y.data(), bias.data()};
        const nf_layout ls[] = {l, row};
        const nf_fused_step steps[] = {{NF_FUSED_BINARY, NF_BINARY_ADD, 0, 1}, {NF_FUSED_UNARY, NF_UNARY_RELU, 2, 0}};
        auto call = [&] { check(nf_fused_elementwise(NF_FLOAT32, 2, in, ls, 2, steps, dx.data(), &l)); };
        time_case("fused [Add,Relu] 256x50 (bias row)", calls, nullptr, {&y}, call);
        time_case("fused [Add,Relu] 256x50 (bias row)", calls, &other, {&y}, call);
    }
    {
        // The workshop model's variables: W1 [784, 50], b1 [50], W2 [50, 10], b2 [10].
        const int64_t counts[] = {784 * 50, 50, 50 * 10, 10};
        std::vector<std::vector<float>> w, g;
        for (int64_t c : counts) {
            w.emplace_back(c, 0.5f);
            g.emplace_back(c, 0.001f);
        }
        std::vector<nf_optimizer_tensor> ts;
        for (size_t i = 0; i < w.size(); ++i) ts.push_back({w[i].data(), g[i].data(), nullptr, nullptr, nullptr, counts[i]});
        nf_optimizer_params p{};
        p.learning_rate = 0.05;
        p.step = 1;
        auto call = [&] {
            check(nf_optimizer_update_multi(NF_OPTIMIZER_SGD, NF_FLOAT32, ts.data(), static_cast<int32_t>(ts.size()), &p, nullptr));
        };
        std::vector<std::vector<float>*> grads;
        for (auto& v : g) grads.push_back(&v);
        time_case("optimizer_update_multi SGD 4 vars 39760", calls, nullptr, grads, call);
        time_case("optimizer_update_multi SGD 4 vars 39760", calls, &other, grads, call);
    }
    // Where handing half the work to the pool's worker starts to pay (cpu/parallel.h's
    // kWorkersMin): streaming adds of growing size (run once with threads 1, once with 2).
    for (int64_t n : {16384, 32768, 49152, 65536, 98304, 131072, 262144}) {
        Add add(n);
        char name[64];
        std::snprintf(name, sizeof name, "binary add %lld", static_cast<long long>(n));
        time_case(name, calls, nullptr, {&add.a, &add.b}, add.call());
        time_case(name, calls, &other, {&add.a, &add.b}, add.call());
    }
    // The pool's hand-off: a 256K-element add (16 parts) right after the last call, after the
    // worker's quiet polling window (0.5 ms) and long after it went to sleep.
    Add add(262144);
    for (int gap : {0, 100, 400, 1000, 5000}) time_after_gap("binary add 262144", std::min(calls, 400), gap, add.call());
    return 0;
}
