// CUDA graphs (issue 17): the engine's side of replaying a traced step as one graph launch.
//
// A capture redirects the calling thread's launches (stream() in every <<<...>>>, cuBLAS's
// stream, the memsets) to a private stream in capture mode, so the graph holds exactly the
// kernels the thread asked for. Values that change per launch (random draws' Philox counters,
// optimizer hyperparameters) live in the graph's parameter block in device memory; before a
// launch the host copy of that block goes to the device through pinned memory on the same
// stream, so the copy lands after the previous launch has finished reading it. Two pinned
// mirrors with an event each let the host write launch N+1's values while launch N's copy may
// still be queued.
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "cuda/runtime.h"
#include "neuralflow_cuda.h"

struct nf_cuda_graph {
    int device = 0;
    cudaGraphExec_t exec = nullptr;
    std::vector<void*> held;                    // blocks the captured kernels use
    void* params = nullptr;                     // the parameter block on the device
    std::vector<unsigned char> staging;         // its host copy, rewritten by nf_cuda_graph_set_*
    std::vector<nf::cuda::GraphSlot> slots;
    std::vector<nf::cuda::GraphCheck> checks;   // read after each launch
    int32_t max_slots = 0;
    void* mirror[2] = {nullptr, nullptr};       // pinned copies the device reads from
    cudaEvent_t copied[2] = {nullptr, nullptr}; // the copy out of mirror[k] has run
    int next = 0;
    cudaEvent_t done = nullptr;                 // the last launch has finished
};

namespace nf {
namespace cuda {
namespace {

struct Capture {
    cudaStream_t stream = nullptr;
    nf_cuda_graph* graph = nullptr;
};

thread_local Capture* t_capture = nullptr;

// Frees what a graph holds; safe on a half-built one. Errors are ignored: it also runs on
// failure paths and from .NET finalizers, where nothing could report them.
void free_graph(nf_cuda_graph* g) {
    if (!g) return;
    int previous = 0;
    cudaGetDevice(&previous);
    cudaSetDevice(g->device);
    if (g->done) cudaEventSynchronize(g->done);
    if (g->exec) cudaGraphExecDestroy(g->exec);
    for (int k = 0; k < 2; ++k) {
        if (g->copied[k]) {
            cudaEventSynchronize(g->copied[k]);
            cudaEventDestroy(g->copied[k]);
        }
        if (g->mirror[k]) cudaFreeHost(g->mirror[k]);
    }
    if (g->done) cudaEventDestroy(g->done);
    try {
        for (void* p : g->held) release_block("nf_cuda_graph_destroy", p);
        if (g->params) release_block("nf_cuda_graph_destroy", g->params);
    } catch (...) {
    }
    cudaSetDevice(previous);
    delete g;
}

struct GraphDeleter {
    void operator()(nf_cuda_graph* g) const { free_graph(g); }
};
using GraphPtr = std::unique_ptr<nf_cuda_graph, GraphDeleter>;

nf_cuda_graph* checked(const char* fn, const nf_cuda_graph* g, int32_t slot, GraphSlot::What what) {
    if (!g) NF_INVALID("%s: graph is NULL", fn);
    if (slot < 0 || slot >= static_cast<int32_t>(g->slots.size()))
        NF_INVALID("%s: slot = %d is outside the graph's %d slots", fn, slot, static_cast<int>(g->slots.size()));
    if (g->slots[slot].what != what)
        NF_INVALID("%s: slot %d holds %s", fn, slot, g->slots[slot].what == GraphSlot::Random ? "a random draw" : "an optimizer step");
    return const_cast<nf_cuda_graph*>(g);
}

}  // namespace

cudaStream_t stream() { return t_capture ? t_capture->stream : nullptr; }

bool capturing() { return t_capture != nullptr; }

void* capture_slot(const char* fn, const GraphSlot& slot, const void* value, int64_t bytes) {
    nf_cuda_graph* g = t_capture->graph;
    const int32_t i = static_cast<int32_t>(g->slots.size());
    if (i >= g->max_slots)
        NF_UNSUPPORTED("%s: the CUDA graph capture has room for %d per-launch values (max_slots) and this call needs one more",
                       fn, g->max_slots);
    if (bytes > kGraphSlotBytes) ::nf::fail(NF_ERROR_INTERNAL, "%s: a graph slot holds %lld bytes, not %lld", fn, (long long)kGraphSlotBytes, (long long)bytes);
    g->slots.push_back(slot);
    std::memcpy(g->staging.data() + i * kGraphSlotBytes, value, static_cast<size_t>(bytes));
    return static_cast<char*>(g->params) + i * kGraphSlotBytes;
}

void capture_check(GraphCheck check) { t_capture->graph->checks.push_back(std::move(check)); }

bool hold_for_capture(void* block) {
    if (!t_capture || !block) return false;
    t_capture->graph->held.push_back(block);
    return true;
}

}  // namespace cuda
}  // namespace nf

using nf::cuda::kGraphSlotBytes;

extern "C" NF_API nf_status nf_cuda_graph_capture_begin(int32_t max_slots) {
    static const char* fn = "nf_cuda_graph_capture_begin";
    return nf::guard(fn, [&] {
        if (nf::cuda::t_capture) NF_INVALID("%s: this thread is already capturing a CUDA graph", fn);
        if (max_slots < 0 || max_slots > 65536) NF_INVALID("%s: max_slots = %d is outside [0, 65536]", fn, max_slots);
        nf::cuda::GraphPtr g(new nf_cuda_graph());
        NF_CUDA(cudaGetDevice(&g->device), fn);
        g->max_slots = max_slots;
        if (max_slots > 0) {
            g->params = nf::cuda::allocate_block(fn, max_slots * kGraphSlotBytes);
            g->staging.assign(static_cast<size_t>(max_slots * kGraphSlotBytes), 0);
        }
        auto capture = std::make_unique<nf::cuda::Capture>();
        // Non-blocking: another thread's work on the legacy stream neither joins nor breaks the capture.
        NF_CUDA(cudaStreamCreateWithFlags(&capture->stream, cudaStreamNonBlocking), fn);
        const cudaError_t err = cudaStreamBeginCapture(capture->stream, cudaStreamCaptureModeRelaxed);
        if (err != cudaSuccess) {
            cudaStreamDestroy(capture->stream);
            NF_CUDA(err, fn);
        }
        capture->graph = g.release();
        nf::cuda::t_capture = capture.release();
    });
}

extern "C" NF_API nf_status nf_cuda_graph_capture_end(nf_cuda_graph** out) {
    static const char* fn = "nf_cuda_graph_capture_end";
    return nf::guard(fn, [&] {
        if (out) *out = nullptr;
        if (!nf::cuda::t_capture) NF_INVALID("%s: this thread is not capturing a CUDA graph", fn);
        // The capture ends here whatever happens next.
        std::unique_ptr<nf::cuda::Capture> capture(nf::cuda::t_capture);
        nf::cuda::t_capture = nullptr;
        nf::cuda::GraphPtr g(capture->graph);
        cudaGraph_t graph = nullptr;
        const cudaError_t ended = cudaStreamEndCapture(capture->stream, &graph);
        cudaStreamDestroy(capture->stream);
        if (!out) {
            if (graph) cudaGraphDestroy(graph);
            NF_INVALID("%s: out is NULL", fn);
        }
        NF_CUDA(ended, fn);
        const cudaError_t made = cudaGraphInstantiateWithFlags(&g->exec, graph, 0);
        cudaGraphDestroy(graph);  // the executable graph keeps its own copy
        NF_CUDA(made, fn);
        if (!g->slots.empty()) {
            const size_t bytes = g->slots.size() * kGraphSlotBytes;
            for (int k = 0; k < 2; ++k) {
                NF_CUDA(cudaHostAlloc(&g->mirror[k], bytes, cudaHostAllocPortable), fn);
                NF_CUDA(cudaEventCreateWithFlags(&g->copied[k], cudaEventDisableTiming), fn);
            }
        }
        NF_CUDA(cudaEventCreateWithFlags(&g->done, cudaEventDisableTiming), fn);
        *out = g.release();
    });
}

extern "C" NF_API nf_status nf_cuda_graph_slot_kinds(const nf_cuda_graph* graph, int32_t* kinds, int32_t capacity,
                                                     int32_t* count) {
    static const char* fn = "nf_cuda_graph_slot_kinds";
    return nf::guard(fn, [&] {
        if (!graph || !count) NF_INVALID("%s: graph or count is NULL", fn);
        if (capacity < 0 || (capacity > 0 && !kinds)) NF_INVALID("%s: capacity = %d with kinds %p", fn, capacity, (void*)kinds);
        const int32_t n = static_cast<int32_t>(graph->slots.size());
        for (int32_t i = 0; i < n && i < capacity; ++i) kinds[i] = graph->slots[i].what;
        *count = n;
    });
}

extern "C" NF_API nf_status nf_cuda_graph_set_random(nf_cuda_graph* graph, int32_t slot, uint64_t seed, uint64_t offset) {
    static const char* fn = "nf_cuda_graph_set_random";
    return nf::guard(fn, [&] {
        nf_cuda_graph* g = nf::cuda::checked(fn, graph, slot, nf::cuda::GraphSlot::Random);
        const uint64_t value[2] = {seed, offset};
        std::memcpy(g->staging.data() + slot * kGraphSlotBytes, value, sizeof value);
    });
}

extern "C" NF_API nf_status nf_cuda_graph_set_optimizer(nf_cuda_graph* graph, int32_t slot, nf_optimizer kind, nf_dtype dtype,
                                                        const nf_optimizer_params* p, const nf_optimizer_options* o) {
    static const char* fn = "nf_cuda_graph_set_optimizer";
    return nf::guard(fn, [&] {
        nf_cuda_graph* g = nf::cuda::checked(fn, graph, slot, nf::cuda::GraphSlot::Optimizer);
        if (!p) NF_INVALID("%s: p is NULL", fn);
        const nf_optimizer_options options = o ? *o : nf_optimizer_options{};
        const nf::cuda::GraphSlot& s = g->slots[slot];
        // The captured kernel is the one for the captured kind, dtype and options.
        if (s.kind != kind || s.dtype != dtype || s.plain != nf::optimizer_plain(kind, options))
            NF_INVALID("%s: slot %d was captured for optimizer kind %d, dtype %d%s; this call asks for kind %d, dtype %d%s",
                       fn, slot, s.kind, s.dtype, s.plain ? " without options" : " with options", kind, dtype,
                       nf::optimizer_plain(kind, options) ? " without options" : " with options");
        if (p->step < 1) NF_INVALID("%s: step = %lld must be at least 1", fn, (long long)p->step);
        nf::cuda::optimizer_slot_value(kind, dtype, s.plain, *p, options, g->staging.data() + slot * kGraphSlotBytes);
    });
}

extern "C" NF_API nf_status nf_cuda_graph_launch(nf_cuda_graph* graph) {
    static const char* fn = "nf_cuda_graph_launch";
    return nf::guard(fn, [&] {
        if (!graph) NF_INVALID("%s: graph is NULL", fn);
        if (nf::cuda::t_capture) NF_INVALID("%s: this thread is capturing a CUDA graph", fn);
        nf_cuda_graph* g = graph;
        if (!g->slots.empty()) {
            const int k = g->next;
            const size_t bytes = g->slots.size() * kGraphSlotBytes;
            NF_CUDA(cudaEventSynchronize(g->copied[k]), fn);  // the device has read this mirror
            std::memcpy(g->mirror[k], g->staging.data(), bytes);
            NF_CUDA(cudaMemcpyAsync(g->params, g->mirror[k], bytes, cudaMemcpyHostToDevice, nullptr), fn);
            NF_CUDA(cudaEventRecord(g->copied[k], nullptr), fn);
            g->next = k ^ 1;
        }
        NF_CUDA(cudaGraphLaunch(g->exec, nullptr), fn);
        NF_CUDA(cudaEventRecord(g->done, nullptr), fn);
        // Argument checks: wait for this launch and fail as the eager call would have.
        for (const nf::cuda::GraphCheck& c : g->checks) {
            unsigned long long position = 0;
            NF_CUDA(cudaMemcpy(&position, c.first_bad, sizeof position, cudaMemcpyDeviceToHost), c.fn);
            if (position != ~0ull) c.fail(static_cast<int64_t>(position));
        }
    });
}

extern "C" NF_API nf_status nf_cuda_graph_destroy(nf_cuda_graph* graph) {
    static const char* fn = "nf_cuda_graph_destroy";
    return nf::guard(fn, [&] { nf::cuda::free_graph(graph); });
}
