// CUDA kernel lab (in the spirit of llm.c's dev/cuda): every op family of libneuralflow_cuda on
// the shapes NeuralFlow trains with, first VALIDATED against the CPU engine on the same inputs,
// then timed and set against what the device can do: the copy bandwidth measured here
// (nf_cuda_copy of 256 MiB float32, read + write) and the cuBLAS peak measured here (the float32
// 4096^3 GEMM, TF32 off).
//
//   cmake -S . -B build/lab -DNEURALFLOW_CUDA=ON -DNEURALFLOW_BUILD_TESTS=OFF -DNEURALFLOW_BUILD_CUDA_BENCH=ON
//   cmake --build build/lab --target nf_cuda_kernels_bench
//   build/lab/native/nf_cuda_kernels_bench [--quick] [--csv path]
//
// A plain C++ program on the two C headers: the CPU engine (nf_*) and the CUDA engine (nf_cuda_*)
// take the same arguments, so each case is one lambda run against either engine's table of
// function pointers. Per case: deterministic random host inputs; upload; CPU engine on the host
// copies; CUDA engine on the device copies; download and compare (max relative error per element;
// for sums and GEMMs the denominator is at least the output's RMS, so entries that cancel to ~0
// are not divided by ~0; tolerance 0 means bit-identical). A mismatch prints FAIL and exits 1. Only then timing:
// 3 warm-up calls, a call to size the loop, then 3 trials of N calls (about 0.2 s each) between
// nf_cuda_synchronize calls (std::chrono); the best trial's mean per call is reported.
// gather and sparse cross-entropy wait for their on-device index check, so their times include a
// host round trip, as in training.
// Without a device it prints "no CUDA device: <reason>" and exits 0.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <string>
#include <tuple>
#include <vector>

#include "neuralflow.h"
#include "neuralflow_cuda.h"

namespace {

// The kernels of one engine; nf_cuda_<family> has the signature of nf_<family>.
struct Engine {
    decltype(&nf_binary) binary;
    decltype(&nf_unary) unary;
    decltype(&nf_reduce) reduce;
    decltype(&nf_softmax) softmax;
    decltype(&nf_matmul) matmul;
    decltype(&nf_cast) cast;
    decltype(&nf_copy) copy;
    decltype(&nf_gather) gather;
    decltype(&nf_scatter_add) scatter_add;
    decltype(&nf_random_uniform) random_uniform;
    decltype(&nf_optimizer_update) optimizer_update;
    decltype(&nf_softmax_cross_entropy) cross_entropy;
};
const Engine kCpu{nf_binary, nf_unary, nf_reduce, nf_softmax, nf_matmul, nf_cast,
                  nf_copy, nf_gather, nf_scatter_add, nf_random_uniform, nf_optimizer_update, nf_softmax_cross_entropy};
const Engine kCuda{nf_cuda_binary, nf_cuda_unary, nf_cuda_reduce, nf_cuda_softmax, nf_cuda_matmul, nf_cuda_cast,
                   nf_cuda_copy, nf_cuda_gather, nf_cuda_scatter_add, nf_cuda_random_uniform, nf_cuda_optimizer_update,
                   nf_cuda_softmax_cross_entropy};

// How a buffer starts: uniform in [-hi, hi), uniform in [0, hi) (Positive), integers in [0, hi)
// (Index), or zeros (None: outputs that are written whole).
enum class Fill { Uniform, Positive, Index, None };

struct Tensor {
    nf_dtype dtype;
    int64_t count;
    Fill fill;
    double hi;
    bool output;  // compared after the run
};

Tensor in(nf_dtype dt, int64_t n, Fill f = Fill::Uniform, double hi = 1.0) { return {dt, n, f, hi, false}; }
Tensor out(nf_dtype dt, int64_t n) { return {dt, n, Fill::None, 0.0, true}; }
// An in-place buffer: random start, compared after the run.
Tensor inout(nf_dtype dt, int64_t n, Fill f = Fill::Uniform, double hi = 1.0) { return {dt, n, f, hi, true}; }

struct Case {
    std::string op, shape;
    const char* dtype;
    std::vector<Tensor> t;
    double tol;          // max relative error allowed; 0: bit-identical
    double bytes;        // read + written by one call (memory-bound ops)
    double flops;        // > 0: a GEMM, reported in TFLOP/s
    std::function<nf_status(const Engine&, void* const*)> run;
    bool copy_ref = false;  // the bandwidth reference
    bool gemm_ref = false;  // the cuBLAS peak reference
    bool rms_floor = false; // sums and GEMMs: errors relative to at least the output's RMS
};

struct Result {
    double err = 0, us = 0, gbs = 0, tflops = 0;
    long reps = 0;
};

int64_t dsize(nf_dtype dt) { return dt == NF_FLOAT64 || dt == NF_INT64 ? 8 : dt == NF_UINT8 || dt == NF_BOOL ? 1 : 4; }

nf_layout strided(std::initializer_list<int64_t> shape, std::initializer_list<int64_t> strides) {
    nf_layout l{};
    l.rank = static_cast<int32_t>(shape.size());
    std::copy(shape.begin(), shape.end(), l.shape);
    std::copy(strides.begin(), strides.end(), l.strides);
    return l;
}

nf_layout contig(std::initializer_list<int64_t> shape) {
    nf_layout l{};
    l.rank = static_cast<int32_t>(shape.size());
    std::copy(shape.begin(), shape.end(), l.shape);
    int64_t s = 1;
    for (int d = l.rank - 1; d >= 0; --d) l.strides[d] = s, s *= l.shape[d];
    return l;
}

[[noreturn]] void fail(const std::string& what) {
    std::printf("FAIL %s\n", what.c_str());
    std::fflush(stdout);
    std::exit(1);
}

void ok(nf_status st, const std::string& what, bool cuda) {
    if (st != NF_OK) fail(what + ": status " + std::to_string(st) + ": " + (cuda ? nf_cuda_last_error() : nf_last_error()));
}

uint64_t splitmix(uint64_t& s) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void fill(void* p, const Tensor& t, uint64_t seed) {
    if (t.fill == Fill::None) return void(std::memset(p, 0, static_cast<size_t>(t.count * dsize(t.dtype))));
    for (int64_t i = 0; i < t.count; ++i) {
        const uint64_t r = splitmix(seed);
        const double u = static_cast<double>(r >> 11) * 0x1p-53;  // [0, 1)
        const double v = t.fill == Fill::Uniform ? t.hi * (2 * u - 1) : t.hi * u;
        switch (t.dtype) {
            case NF_FLOAT32: static_cast<float*>(p)[i] = static_cast<float>(v); break;
            case NF_FLOAT64: static_cast<double*>(p)[i] = v; break;
            case NF_INT32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(r % static_cast<uint64_t>(t.hi)); break;
            default: fail("fill: dtype " + std::to_string(t.dtype) + " not handled");
        }
    }
}

double at(const void* p, nf_dtype dt, int64_t i) {
    switch (dt) {
        case NF_FLOAT32: return static_cast<const float*>(p)[i];
        case NF_FLOAT64: return static_cast<const double*>(p)[i];
        case NF_INT32: return static_cast<const int32_t*>(p)[i];
        default: return static_cast<const int64_t*>(p)[i];
    }
}

// max_i |got - ref| / max(|ref|, floor), floor = rms(ref) when rms_floor (so an entry of a sum
// or GEMM that cancels to ~0 is not divided by ~0), else tiny. NaN against non-NaN is infinite.
// *where: the worst index.
double rel_err(const void* got, const void* ref, nf_dtype dt, int64_t n, bool rms_floor, int64_t* where) {
    double ss = 0;
    for (int64_t i = 0; rms_floor && i < n; ++i) {
        const double r = at(ref, dt, i);
        if (std::isfinite(r)) ss += r * r;
    }
    const double floor_ = std::max(std::sqrt(ss / std::max<int64_t>(n, 1)), 1e-300);
    double worst = 0;
    *where = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double g = at(got, dt, i), r = at(ref, dt, i);
        double e;
        if (std::isnan(g) || std::isnan(r)) e = std::isnan(g) && std::isnan(r) ? 0 : INFINITY;
        else if (g == r) e = 0;  // also equal infinities
        else e = std::fabs(g - r) / std::max(std::fabs(r), floor_);
        if (e > worst || std::isnan(e)) worst = std::isnan(e) ? INFINITY : e, *where = i;
    }
    return worst;
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Best mean seconds per call over 3 trials of `reps` calls, after 3 warm-up calls.
double time_call(const std::function<nf_status()>& call, const std::string& name, double target_s, long* reps_out) {
    auto sync = [&] { ok(nf_cuda_synchronize(), name + " (synchronize)", true); };
    for (int i = 0; i < 3; ++i) ok(call(), name + " (warm-up)", true);
    sync();
    auto t0 = Clock::now();
    ok(call(), name, true);
    sync();
    const double one = std::max(seconds_since(t0), 1e-7);
    const long reps = std::clamp(static_cast<long>(target_s / one), 5L, 20000L);
    double best = INFINITY;
    for (int trial = 0; trial < 3; ++trial) {
        sync();
        t0 = Clock::now();
        for (long r = 0; r < reps; ++r)
            if (call() != NF_OK) ok(NF_ERROR_INTERNAL, name, true);
        sync();
        best = std::min(best, seconds_since(t0) / reps);
    }
    *reps_out = reps;
    return best;
}

Result run_case(const Case& c, size_t index, double target_s) {
    const std::string name = c.op + " " + c.shape;
    const size_t n = c.t.size();
    std::vector<void*> host(n), dev(n);
    for (size_t i = 0; i < n; ++i) {
        const int64_t bytes = c.t[i].count * dsize(c.t[i].dtype);
        ok(nf_buffer_alloc(bytes, &host[i]), name + " (host alloc)", false);
        ok(nf_cuda_buffer_alloc(bytes, &dev[i]), name + " (device alloc)", true);
        fill(host[i], c.t[i], 0x5EED0000ull + index * 16 + i);
        ok(nf_cuda_copy_to_device(dev[i], host[i], bytes), name + " (upload)", true);
    }
    ok(c.run(kCpu, host.data()), name + " (CPU engine)", false);
    ok(c.run(kCuda, dev.data()), name + " (CUDA engine)", true);
    ok(nf_cuda_synchronize(), name + " (CUDA engine, synchronize)", true);

    Result res;
    for (size_t i = 0; i < n; ++i) {
        if (!c.t[i].output) continue;
        const int64_t bytes = c.t[i].count * dsize(c.t[i].dtype);
        std::vector<unsigned char> got(static_cast<size_t>(bytes));
        ok(nf_cuda_copy_to_host(got.data(), dev[i], bytes), name + " (download)", true);
        int64_t where = 0;
        const double e = rel_err(got.data(), host[i], c.t[i].dtype, c.t[i].count, c.rms_floor, &where);
        if (e > c.tol) {
            char buf[256];
            std::snprintf(buf, sizeof buf, ": output %zu: max rel err %.3g > tol %.3g at element %lld (cuda %.9g, cpu %.9g)",
                          i, e, c.tol, static_cast<long long>(where), at(got.data(), c.t[i].dtype, where),
                          at(host[i], c.t[i].dtype, where));
            fail(name + buf);
        }
        res.err = std::max(res.err, e);
    }

    const double s = time_call([&] { return c.run(kCuda, dev.data()); }, name, target_s, &res.reps);
    res.us = s * 1e6;
    res.gbs = c.bytes / s / 1e9;
    res.tflops = c.flops / s / 1e12;
    for (size_t i = 0; i < n; ++i) {
        nf_buffer_free(host[i]);
        nf_cuda_buffer_free(dev[i]);
    }
    int32_t device = 0;
    nf_cuda_device_get(&device);
    nf_cuda_memory_empty_cache(device);
    nf_memory_empty_cache();
    return res;
}

// The cases. Sizes are the brief's; --quick divides the big ones so a run takes seconds.
std::vector<Case> make_cases(bool quick) {
    const nf_dtype F = NF_FLOAT32, D = NF_FLOAT64, I = NF_INT32;
    const int64_t n = quick ? 1024 : 4096;        // square float32 matrices
    const int64_t rows = quick ? 8192 : 65536;    // [rows, 10] softmax / cross-entropy
    const int64_t big = quick ? 1 << 20 : 1 << 24;  // flat vectors (random, Adam)
    const int64_t copy_n = (quick ? 32 : 256) << 20 >> 2;  // the bandwidth reference, float32
    const int64_t table = quick ? 10000 : 60000;  // gather source rows
    const int64_t g = quick ? 1024 : 4096;        // square GEMM
    const int64_t nb = quick ? 8 : 64;            // batched GEMM batches
    const std::string ns = std::to_string(n), sq = "[" + ns + "," + ns + "]";
    std::vector<Case> cs;

    {  // the device's copy bandwidth: contiguous nf_cuda_copy
        const nf_layout l = contig({copy_n});
        Case c{"copy (bandwidth ref)", "[" + std::to_string(copy_n) + "]", "f32", {in(F, copy_n), out(F, copy_n)}, 0,
               8.0 * copy_n, 0, [=](const Engine& e, void* const* p) { return e.copy(F, p[0], &l, p[1], &l); }};
        c.copy_ref = true;
        cs.push_back(c);
    }
    {
        const nf_layout l = contig({n, n}), row = strided({n, n}, {0, 1});
        cs.push_back({"binary add", sq + "+" + sq, "f32", {in(F, n * n), in(F, n * n), out(F, n * n)}, 0, 12.0 * n * n, 0,
                      [=](const Engine& e, void* const* p) { return e.binary(NF_BINARY_ADD, F, p[0], &l, p[1], &l, p[2], &l); }});
        cs.push_back({"binary add row broadcast", sq + "+[" + ns + "]", "f32", {in(F, n * n), in(F, n), out(F, n * n)}, 0,
                      8.0 * n * n + 4.0 * n, 0,
                      [=](const Engine& e, void* const* p) { return e.binary(NF_BINARY_ADD, F, p[0], &l, p[1], &row, p[2], &l); }});
        for (auto [op, label, tol] : {std::tuple{NF_UNARY_EXP, "unary exp", 1e-5}, std::tuple{NF_UNARY_RELU, "unary relu", 0.0}})
            cs.push_back({label, sq, "f32", {in(F, n * n, Fill::Uniform, 4.0), out(F, n * n)}, tol, 8.0 * n * n, 0,
                          [=, op = op](const Engine& e, void* const* p) { return e.unary(op, F, p[0], &l, p[1], &l); }});
        for (auto [mask, label, outn] : {std::tuple{2u, "reduce sum axis -1", n}, std::tuple{1u, "reduce sum axis 0", n},
                                         std::tuple{3u, "reduce sum all", int64_t{1}}}) {
            cs.push_back({label, sq, "f32", {in(F, n * n), out(F, outn)}, 1e-5, 4.0 * (n * n + outn), 0,
                          [=, mask = mask](const Engine& e, void* const* p) {
                              return e.reduce(NF_REDUCE_SUM, F, p[0], &l, mask, p[1], F);
                          }});
            cs.back().rms_floor = true;
        }
        cs.push_back({"cast f32->f64", sq, "f32", {in(F, n * n), out(D, n * n)}, 0, 12.0 * n * n, 0,
                      [=](const Engine& e, void* const* p) { return e.cast(F, p[0], &l, D, p[1]); }});
        const nf_layout tr = strided({n, n}, {1, n});  // x viewed transposed
        cs.push_back({"copy transpose", sq + "^T", "f32", {in(F, n * n), out(F, n * n)}, 0, 8.0 * n * n, 0,
                      [=](const Engine& e, void* const* p) { return e.copy(F, p[0], &tr, p[1], &l); }});
    }
    for (int64_t cols : {int64_t{1000}, int64_t{10}}) {
        const int64_t r = cols == 10 ? rows : n;
        const nf_layout l = contig({r, cols});
        cs.push_back({"softmax axis -1", "[" + std::to_string(r) + "," + std::to_string(cols) + "]", "f32",
                      {in(F, r * cols, Fill::Uniform, 4.0), out(F, r * cols)}, 1e-5, 8.0 * r * cols, 0,
                      [=](const Engine& e, void* const* p) { return e.softmax(0, F, p[0], &l, 1, p[1]); }});
    }
    {
        const nf_layout l = contig({rows, 10});
        cs.push_back({"cross-entropy sparse +grad", "[" + std::to_string(rows) + ",10]", "f32",
                      {in(F, rows * 10, Fill::Uniform, 4.0), in(I, rows, Fill::Index, 10), out(F, rows), out(F, rows * 10)},
                      1e-5, 4.0 * (rows * 10 + rows + rows + rows * 10), 0, [=](const Engine& e, void* const* p) {
                          return e.cross_entropy(F, p[0], &l, I, p[1], 1, p[2], p[3]);
                      }});
    }
    {
        const int64_t batch = 256, width = 784;
        const nf_layout l = contig({table, width});
        cs.push_back({"gather rows", "256 of [" + std::to_string(table) + ",784]", "f32",
                      {in(F, table * width), in(I, batch, Fill::Index, static_cast<double>(table)), out(F, batch * width)}, 0,
                      4.0 * (2 * batch * width + batch), 0,
                      [=](const Engine& e, void* const* p) { return e.gather(F, p[0], &l, 0, I, p[1], batch, p[2]); }});
    }
    {
        // An embedding's gradient: 16384 token positions into 1000 rows of 128 (16 terms per row on
        // average), deterministic (sorted, no atomics): the sort's passes are part of the time.
        const int64_t count = 16384, rows = 1000, width = 128;
        const nf_layout l = contig({count, width});
        cs.push_back({"scatter-add rows", "16384 into [1000,128]", "f32",
                      {in(F, count * width), in(I, count, Fill::Index, static_cast<double>(rows)), inout(F, rows * width)}, 0,
                      4.0 * (count * width + count + 2 * rows * width), 0,
                      [=](const Engine& e, void* const* p) { return e.scatter_add(F, p[0], &l, 0, I, p[1], rows, p[2]); }});
    }
    cs.push_back({"random uniform", "[" + std::to_string(big) + "]", "f32", {out(F, big)}, 0, 4.0 * big, 0,
                  [=](const Engine& e, void* const* p) { return e.random_uniform(F, p[0], big, 42, 0, -1.0, 1.0); }});
    {
        nf_optimizer_params prm{};
        prm.learning_rate = 1e-3, prm.beta1 = 0.9, prm.beta2 = 0.999, prm.epsilon = 1e-7, prm.step = 10;
        cs.push_back({"optimizer adam", "[" + std::to_string(big) + "]", "f32",
                      {inout(F, big), in(F, big), inout(F, big, Fill::Uniform, 0.1), inout(F, big, Fill::Positive, 0.01)}, 0,
                      28.0 * big, 0, [=](const Engine& e, void* const* p) {
                          return e.optimizer_update(NF_OPTIMIZER_ADAM, F, p[0], p[1], p[2], p[3], big, &prm);
                      }});
    }
    // GEMMs: out[b, M, N] = op(a) @ op(b); a and b are given as stored ([b,] rows, cols).
    struct Mm {
        const char* label;
        nf_dtype dt;
        int64_t batch, ar, ac, br, bc;
        int ta, tb;
        double tol;
        bool ref;
    };
    const Mm mms[] = {
        {"matmul", F, 1, g, g, g, g, 0, 0, 1e-4, true},
        {"matmul", D, 1, g, g, g, g, 0, 0, 1e-12, false},
        {"matmul batched", F, nb, 256, 256, 256, 256, 0, 0, 1e-4, false},
        {"matmul MLP fwd x@W", F, 1, 128, 784, 784, 512, 0, 0, 1e-4, false},
        {"matmul MLP dW x^T@dy", F, 1, 128, 784, 128, 512, 1, 0, 1e-4, false},
        {"matmul MLP dx dy@W^T", F, 1, 128, 512, 784, 512, 0, 1, 1e-4, false},
    };
    for (const Mm& m : mms) {
        const int64_t M = m.ta ? m.ac : m.ar, K = m.ta ? m.ar : m.ac, N = m.tb ? m.br : m.bc;
        const bool b3 = m.batch > 1;
        // A transposed operand: its stored layout with the last two axes swapped.
        auto swap_last = [](nf_layout l) {
            std::swap(l.shape[l.rank - 2], l.shape[l.rank - 1]);
            std::swap(l.strides[l.rank - 2], l.strides[l.rank - 1]);
            return l;
        };
        nf_layout la = b3 ? contig({m.batch, m.ar, m.ac}) : contig({m.ar, m.ac});
        nf_layout lb = b3 ? contig({m.batch, m.br, m.bc}) : contig({m.br, m.bc});
        if (m.ta) la = swap_last(la);
        if (m.tb) lb = swap_last(lb);
        const nf_layout lo = b3 ? contig({m.batch, M, N}) : contig({M, N});
        auto dims = [&](int64_t r, int64_t c, int t) {
            return (b3 ? "[" + std::to_string(m.batch) + "," : std::string("[")) + std::to_string(r) + "," +
                   std::to_string(c) + "]" + (t ? "^T" : "");
        };
        Case c{m.label, dims(m.ar, m.ac, m.ta) + "x" + dims(m.br, m.bc, m.tb), m.dt == D ? "f64" : "f32",
               {in(m.dt, m.batch * m.ar * m.ac), in(m.dt, m.batch * m.br * m.bc), out(m.dt, m.batch * M * N)}, m.tol,
               0, 2.0 * m.batch * M * N * K, [=, dt = m.dt](const Engine& e, void* const* p) {
                   return e.matmul(dt, p[0], &la, p[1], &lb, p[2], &lo);
               }};
        c.gemm_ref = m.ref;
        c.rms_floor = true;
        cs.push_back(c);
    }
    return cs;
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    const char* csv = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) quick = true;
        else if (!std::strcmp(argv[i], "--csv") && i + 1 < argc) csv = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--quick] [--csv path]\n", argv[0]);
            return 2;
        }
    }
    int32_t count = 0;
    if (nf_cuda_device_count(&count) != NF_OK || count < 1) {
        std::printf("no CUDA device: %s\n", count < 1 && !*nf_cuda_last_error() ? "none reported" : nf_cuda_last_error());
        return 0;
    }
    int32_t device = 0;
    nf_cuda_device_props props{};
    ok(nf_cuda_device_get(&device), "nf_cuda_device_get", true);
    ok(nf_cuda_device_props_get(device, &props), "nf_cuda_device_props_get", true);
    ok(nf_cuda_tf32_set(0), "nf_cuda_tf32_set", true);  // full float32 GEMM, comparable with the CPU

    const std::vector<Case> cases = make_cases(quick);
    const double target_s = quick ? 0.05 : 0.2;
    std::vector<Result> results;
    double copy_gbs = 0, peak_tflops = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        std::fprintf(stderr, "[%zu/%zu] %s %s ... ", i + 1, cases.size(), c.op.c_str(), c.shape.c_str());
        results.push_back(run_case(c, i, target_s));
        const Result& r = results.back();
        std::fprintf(stderr, "ok (max rel err %.2g), %.1f us\n", r.err, r.us);
        if (c.copy_ref) copy_gbs = r.gbs;
        if (c.gemm_ref) peak_tflops = r.tflops;
    }

    std::printf("NeuralFlow CUDA kernel lab%s: %s (sm_%d%d, %d SMs, %.0f GiB)\n\n", quick ? " (--quick)" : "", props.name,
                props.major, props.minor, props.multiprocessors, props.total_bytes / 1073741824.0);
    std::printf("- %s\n- CPU reference: %s\n", nf_cuda_build_info(), nf_build_info());
    std::printf("- copy bandwidth %.1f GB/s (nf_cuda_copy, read + write); cuBLAS float32 peak %.2f TFLOP/s (TF32 off)\n",
                copy_gbs, peak_tflops);
    std::printf("- every row validated against the CPU engine first (max |cuda - cpu| / |cpu|; sums and GEMMs: / max(|cpu|, "
                "RMS)); time = best of 3 trials, mean per call; GB/s counts bytes read + written once\n\n");
    std::printf("| op | shape | dtype | max rel err (tol) | us | GB/s | %% of copy BW | TFLOP/s | %% of cuBLAS peak |\n");
    std::printf("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    FILE* f = csv ? std::fopen(csv, "w") : nullptr;
    if (csv && !f) fail(std::string("cannot write ") + csv);
    if (f) std::fprintf(f, "op,shape,dtype,max_rel_err,tolerance,us,gb_per_s,pct_copy_bw,tflops,pct_gemm_peak,reps\n");
    for (size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        const Result& r = results[i];
        const bool gemm = c.flops > 0;
        const std::string gbs = gemm ? "" : fmt("%.1f", r.gbs), bw = gemm ? "" : fmt("%.1f", 100 * r.gbs / copy_gbs);
        const std::string tf = gemm ? fmt("%.2f", r.tflops) : "", pk = gemm ? fmt("%.1f", 100 * r.tflops / peak_tflops) : "";
        auto dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
        std::printf("| %s | %s | %s | %.1e (%.0e) | %.1f | %s | %s | %s | %s |\n", c.op.c_str(), c.shape.c_str(), c.dtype,
                    r.err, c.tol, r.us, dash(gbs).c_str(), dash(bw).c_str(), dash(tf).c_str(), dash(pk).c_str());
        if (f)
            std::fprintf(f, "\"%s\",\"%s\",%s,%.3g,%.3g,%.3f,%s,%s,%s,%s,%ld\n", c.op.c_str(), c.shape.c_str(), c.dtype,
                         r.err, c.tol, r.us, gbs.c_str(), bw.c_str(), tf.c_str(), pk.c_str(), r.reps);
    }
    if (f) std::fclose(f);
    return 0;
}
