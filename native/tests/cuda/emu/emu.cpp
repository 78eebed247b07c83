// CUDA emulation runtime (see cuda_runtime.h here): a block's threads run as cooperative fibers
// on the calling thread (started with makecontext, then switched with _setjmp/_longjmp, which
// unlike swapcontext make no system call), switching only at __syncthreads and warp shuffles, so every
// barrier and shuffle of the kernels is honoured; blocks run one after another. Device memory is
// host memory, copies are memcpy, cuBLAS is a plain column-major loop.
#include <setjmp.h>
#include <ucontext.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "cublas_v2.h"
#include "cuda_runtime.h"

#if defined(NF_EMU_CBLAS)
#include <cblas.h>  // the same column-major BLAS contract as cuBLAS, and fast enough for training loops
#endif

namespace nf_emu {

uint3 threadIdx{0, 0, 0}, blockIdx{0, 0, 0};
dim3 blockDim, gridDim;

namespace {

enum class Wait { None, Block, Warp, Done };

struct Fiber {
    ucontext_t ctx;
    jmp_buf jb;
    bool started = false;
    Wait wait = Wait::None;
};

constexpr size_t kStackBytes = 128 * 1024;
constexpr unsigned kMaxBlocks = 3;  // enough to exercise the multi-block paths

std::vector<Fiber> g_fibers;
ucontext_t g_scheduler;
jmp_buf g_scheduler_jb;
int g_current = -1;
const std::function<void()>* g_body = nullptr;
uint64_t g_slots[32][32];  // [warp][lane]: values offered in the current shuffle

// A fiber is created once and then serves every launch: it runs the current kernel body for its
// thread index, reports Done, and waits to be resumed for the next one (no system call per launch).
void worker() {
    for (;;) {
        (*g_body)();
        Fiber& f = g_fibers[g_current];
        f.wait = Wait::Done;
        if (_setjmp(f.jb) == 0) _longjmp(g_scheduler_jb, 1);
    }
}

void yield(Wait why) {
    Fiber& f = g_fibers[g_current];
    f.wait = why;
    if (_setjmp(f.jb) == 0) _longjmp(g_scheduler_jb, 1);
}

void resume(Fiber& f) {
    if (_setjmp(g_scheduler_jb) != 0) return;  // the fiber yielded or finished
    if (!f.started) {
        f.started = true;
        swapcontext(&g_scheduler, &f.ctx);  // comes back through g_scheduler_jb, not here
    }
    _longjmp(f.jb, 1);
}

void run_block(unsigned threads) {
    if (threads > 1024) {
        std::fprintf(stderr, "cuda emulation: %u threads per block (max 1024)\n", threads);
        std::abort();
    }
    if (g_fibers.size() < threads) {
        g_fibers.reserve(1024);  // fibers are never moved: their contexts point into them
        while (g_fibers.size() < threads) {
            g_fibers.emplace_back();
            Fiber& f = g_fibers.back();
            getcontext(&f.ctx);  // once per fiber: fibers live as long as the process
            f.ctx.uc_stack.ss_sp = std::malloc(kStackBytes);
            f.ctx.uc_stack.ss_size = kStackBytes;
            f.ctx.uc_link = nullptr;
            makecontext(&f.ctx, worker, 0);
        }
    }
    for (unsigned t = 0; t < threads; ++t) g_fibers[t].wait = Wait::None;
    for (;;) {
        bool ran = false;
        for (unsigned t = 0; t < threads; ++t) {
            if (g_fibers[t].wait != Wait::None) continue;
            g_current = static_cast<int>(t);
            threadIdx = {t, 0, 0};
            resume(g_fibers[t]);
            ran = true;
        }
        bool released = false, all_done = true, all_block = true;
        for (unsigned w = 0; w * 32 < threads; ++w) {
            bool any_warp = false, all_warp = true;
            for (unsigned t = w * 32; t < std::min(threads, w * 32 + 32); ++t) {
                const Wait s = g_fibers[t].wait;
                if (s == Wait::Done) continue;
                all_done = false;
                if (s == Wait::Warp) any_warp = true;
                else all_warp = false;
                if (s != Wait::Block) all_block = false;
            }
            if (any_warp && all_warp) {
                for (unsigned t = w * 32; t < std::min(threads, w * 32 + 32); ++t)
                    if (g_fibers[t].wait == Wait::Warp) g_fibers[t].wait = Wait::None;
                released = true;
            }
        }
        if (all_done) return;
        if (!released && all_block) {
            for (unsigned t = 0; t < threads; ++t)
                if (g_fibers[t].wait == Wait::Block) g_fibers[t].wait = Wait::None;
            released = true;
        }
        if (!ran && !released) {
            std::fprintf(stderr, "cuda emulation: deadlock in block %u (threads wait at different barriers)\n",
                         blockIdx.x);
            std::abort();
        }
    }
}

}  // namespace

namespace {

void run_launch(dim3 grid, dim3 block, const std::function<void()>& body) {
    // One launch at a time: the fibers' state is global (a data pipeline's prefetch thread
    // launches kernels too), as kernels of one stream run one after another on a device.
    static std::mutex one_at_a_time;
    std::lock_guard<std::mutex> lock(one_at_a_time);
    if (grid.x == 0 || block.x == 0) {
        std::fprintf(stderr, "cuda emulation: empty launch configuration\n");
        std::abort();
    }
    g_body = &body;
    gridDim = dim3(std::min(grid.x, kMaxBlocks));
    blockDim = block;
    for (unsigned b = 0; b < gridDim.x; ++b) {
        blockIdx = {b, 0, 0};
        run_block(block.x);
    }
    g_body = nullptr;
}

}  // namespace

void launch(dim3 grid, dim3 block, std::function<void()> body) { launch(grid, block, 0, nullptr, std::move(body)); }

void launch(dim3 grid, dim3 block, size_t, cudaStream_t stream, std::function<void()> body) {
    switch (route(stream)) {
        case Route::Run: run_launch(grid, block, body); return;
        case Route::Record: record(stream, [grid, block, body] { run_launch(grid, block, body); }); return;
        case Route::Refuse: return;  // the error is cudaGetLastError's
    }
}

void sync_block() { yield(Wait::Block); }
void sync_warp() { yield(Wait::Warp); }
int lane_id() { return static_cast<int>(threadIdx.x & 31); }
uint64_t* exchange_slot(int lane) { return &g_slots[threadIdx.x >> 5][lane]; }

}  // namespace nf_emu

// ---- streams and graphs --------------------------------------------------------------------------

struct CUstream_st {
    bool capturing = false;
    bool invalidated = false;
    std::vector<std::function<void()>> work;  // what the capture recorded, in order
};
struct CUgraph_st {
    std::vector<std::function<void()>> work;
};
struct CUgraphExec_st {
    std::vector<std::function<void()>> work;
};

namespace {
thread_local cudaStream_t t_capturing = nullptr;  // the stream this thread captures into
thread_local cudaError_t t_last_error = cudaSuccess;
}  // namespace

namespace nf_emu {

Route route(cudaStream_t s) {
    if (s && s->capturing) return Route::Record;
    if (!s && t_capturing) {
        t_capturing->invalidated = true;
        t_last_error = cudaErrorStreamCaptureImplicit;
        return Route::Refuse;
    }
    return Route::Run;
}

void record(cudaStream_t s, std::function<void()> work) { s->work.push_back(std::move(work)); }

cudaError_t submit(cudaStream_t s, std::function<void()> work) {
    switch (route(s)) {
        case Route::Record: record(s, std::move(work)); return cudaSuccess;
        case Route::Refuse: return cudaErrorStreamCaptureImplicit;
        case Route::Run: break;
    }
    work();
    return cudaSuccess;
}

}  // namespace nf_emu

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned) { *s = new CUstream_st(); return cudaSuccess; }
cudaError_t cudaStreamDestroy(cudaStream_t s) { delete s; return cudaSuccess; }
cudaError_t cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode) {
    if (!s) return cudaErrorStreamCaptureUnsupported;  // the legacy stream cannot be captured
    if (s->capturing || t_capturing) return cudaErrorIllegalState;
    s->capturing = true;
    s->invalidated = false;
    s->work.clear();
    t_capturing = s;
    return cudaSuccess;
}
cudaError_t cudaStreamEndCapture(cudaStream_t s, cudaGraph_t* graph) {
    *graph = nullptr;
    if (!s || !s->capturing) return cudaErrorIllegalState;
    s->capturing = false;
    if (t_capturing == s) t_capturing = nullptr;
    if (s->invalidated) return cudaErrorStreamCaptureInvalidated;
    *graph = new CUgraph_st{std::move(s->work)};
    s->work.clear();
    return cudaSuccess;
}
cudaError_t cudaGraphInstantiateWithFlags(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
    if (!graph) return cudaErrorInvalidValue;
    *exec = new CUgraphExec_st{graph->work};
    return cudaSuccess;
}
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t s) {
    if (!exec) return cudaErrorInvalidValue;
    return nf_emu::submit(s, [exec] { for (auto& w : exec->work) w(); });
}
cudaError_t cudaGraphDestroy(cudaGraph_t graph) { delete graph; return cudaSuccess; }
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) { delete exec; return cudaSuccess; }

// ---- runtime ----------------------------------------------------------------------------------

namespace {
constexpr size_t kDeviceBytes = size_t{16} << 30;  // what the emulated device claims to have
}

cudaError_t cudaGetDeviceCount(int* n) { *n = 1; return cudaSuccess; }
cudaError_t cudaSetDevice(int d) { return d == 0 ? cudaSuccess : cudaErrorInvalidDevice; }
cudaError_t cudaGetDevice(int* d) { *d = 0; return cudaSuccess; }
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int d) {
    if (d != 0) return cudaErrorInvalidDevice;
    std::memset(p, 0, sizeof *p);
    std::strcpy(p->name, "NeuralFlow CUDA emulator (CPU)");
    p->totalGlobalMem = kDeviceBytes;
    p->major = 9;
    p->multiProcessorCount = 1;
    return cudaSuccess;
}
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
cudaError_t cudaGetLastError() {
    const cudaError_t e = t_last_error;
    t_last_error = cudaSuccess;
    return e;
}
const char* cudaGetErrorName(cudaError_t e) {
    switch (e) {
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorStreamCaptureInvalidated: return "cudaErrorStreamCaptureInvalidated";
        case cudaErrorStreamCaptureImplicit: return "cudaErrorStreamCaptureImplicit";
        case cudaErrorStreamCaptureUnsupported: return "cudaErrorStreamCaptureUnsupported";
        default: return "cudaErrorEmulated";
    }
}
const char* cudaGetErrorString(cudaError_t e) {
    switch (e) {
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorStreamCaptureInvalidated: return "operation failed due to a previous error during capture";
        case cudaErrorStreamCaptureImplicit: return "operation would make the legacy stream depend on a capturing blocking stream";
        case cudaErrorStreamCaptureUnsupported: return "operation not permitted when stream is capturing";
        default: return "emulated error";
    }
}
cudaError_t cudaMalloc(void** p, size_t n) {
    if (n > kDeviceBytes) return cudaErrorMemoryAllocation;
    *p = std::aligned_alloc(256, (std::max<size_t>(n, 1) + 255) / 256 * 256);
    return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
cudaError_t cudaFree(void* p) { std::free(p); return cudaSuccess; }
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total) { *free_bytes = *total = kDeviceBytes; return cudaSuccess; }
// Page-locked memory is plain host memory here, aligned to a page as cudaHostAlloc's is.
cudaError_t cudaHostAlloc(void** p, size_t n, unsigned) {
    *p = std::aligned_alloc(4096, (std::max<size_t>(n, 1) + 4095) / 4096 * 4096);
    return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
cudaError_t cudaFreeHost(void* p) { std::free(p); return cudaSuccess; }
cudaError_t cudaMemcpy(void* dst, const void* src, size_t n, cudaMemcpyKind) {
    if (nf_emu::route(nullptr) == nf_emu::Route::Refuse) return cudaErrorStreamCaptureImplicit;
    std::memmove(dst, src, n);
    return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t n, cudaMemcpyKind, cudaStream_t s) {
    return nf_emu::submit(s, [dst, src, n] { std::memmove(dst, src, n); });
}
cudaError_t cudaMemsetAsync(void* p, int v, size_t n, cudaStream_t s) {
    return nf_emu::submit(s, [p, v, n] { std::memset(p, v, n); });
}
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned) { static int token; *e = reinterpret_cast<cudaEvent_t>(&token); return cudaSuccess; }
cudaError_t cudaEventRecord(cudaEvent_t, cudaStream_t) { return cudaSuccess; }
cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaEventDestroy(cudaEvent_t) { return cudaSuccess; }

// ---- cuBLAS: C = alpha op(A) op(B) + beta C, column-major, per batch ----------------------------

cublasStatus_t cublasCreate(cublasHandle_t* h) { static int token; *h = reinterpret_cast<cublasHandle_t>(&token); return CUBLAS_STATUS_SUCCESS; }
cublasStatus_t cublasSetMathMode(cublasHandle_t, cublasMath_t) { return CUBLAS_STATUS_SUCCESS; }
namespace {
cudaStream_t g_blas_stream = nullptr;  // one handle per device in the engine, one device here
}
cublasStatus_t cublasSetStream(cublasHandle_t, cudaStream_t s) { g_blas_stream = s; return CUBLAS_STATUS_SUCCESS; }
const char* cublasGetStatusString(cublasStatus_t s) { return s == CUBLAS_STATUS_SUCCESS ? "CUBLAS_STATUS_SUCCESS" : "CUBLAS_STATUS_INVALID_VALUE"; }

namespace {
template <class T>
cublasStatus_t gemm(cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, T alpha, const T* a, int lda,
                    long long sa, const T* b, int ldb, long long sb, T beta, T* c, int ldc, long long sc, int batches) {
    // cuBLAS's own argument rules: a leading dimension must cover the stored rows.
    if (m < 0 || n < 0 || k < 0 || ldc < std::max(1, m) || lda < std::max(1, ta == CUBLAS_OP_N ? m : k) ||
        ldb < std::max(1, tb == CUBLAS_OP_N ? k : n))
        return CUBLAS_STATUS_INVALID_VALUE;
    for (int p = 0; p < batches; ++p) {
        const T* A = a + p * sa;
        const T* B = b + p * sb;
        T* C = c + p * sc;
#if defined(NF_EMU_CBLAS)
        const CBLAS_TRANSPOSE oa = ta == CUBLAS_OP_N ? CblasNoTrans : CblasTrans;
        const CBLAS_TRANSPOSE ob = tb == CUBLAS_OP_N ? CblasNoTrans : CblasTrans;
        if constexpr (sizeof(T) == sizeof(float))
            cblas_sgemm(CblasColMajor, oa, ob, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        else
            cblas_dgemm(CblasColMajor, oa, ob, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
#else
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < m; ++i) {
                double acc = 0;
                for (int l = 0; l < k; ++l) {
                    const T x = ta == CUBLAS_OP_N ? A[i + static_cast<long long>(l) * lda] : A[l + static_cast<long long>(i) * lda];
                    const T y = tb == CUBLAS_OP_N ? B[l + static_cast<long long>(j) * ldb] : B[j + static_cast<long long>(l) * ldb];
                    acc += static_cast<double>(x) * static_cast<double>(y);
                }
                T& out = C[i + static_cast<long long>(j) * ldc];
                out = static_cast<T>(alpha * acc + (beta == T(0) ? 0.0 : static_cast<double>(beta) * out));
            }
#endif
    }
    return CUBLAS_STATUS_SUCCESS;
}

// Runs a GEMM now, or records it into the capture of the handle's stream (host scalars by value,
// as cuBLAS reads them at the call); a recorded GEMM checks its arguments when the graph runs.
template <class F>
cublasStatus_t on_blas_stream(F f) {
    switch (nf_emu::route(g_blas_stream)) {
        case nf_emu::Route::Refuse: return CUBLAS_STATUS_EXECUTION_FAILED;
        case nf_emu::Route::Record: break;
        case nf_emu::Route::Run: return f();
    }
    nf_emu::record(g_blas_stream, [f] { f(); });
    return CUBLAS_STATUS_SUCCESS;
}
}  // namespace

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                         int k, const float* alpha, const float* a, int lda, long long sa,
                                         const float* b, int ldb, long long sb, const float* beta, float* c, int ldc,
                                         long long sc, int batches) {
    return on_blas_stream([=, al = *alpha, be = *beta] { return gemm(ta, tb, m, n, k, al, a, lda, sa, b, ldb, sb, be, c, ldc, sc, batches); });
}

cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                         int k, const double* alpha, const double* a, int lda, long long sa,
                                         const double* b, int ldb, long long sb, const double* beta, double* c,
                                         int ldc, long long sc, int batches) {
    return on_blas_stream([=, al = *alpha, be = *beta] { return gemm(ta, tb, m, n, k, al, a, lda, sa, b, ldb, sb, be, c, ldc, sc, batches); });
}
