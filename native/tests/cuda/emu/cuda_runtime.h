// CUDA emulation for machines without a GPU (native/tests/cuda/emu/README.md): the subset of the
// CUDA runtime and device built-ins that libneuralflow_cuda uses, so its kernels compile as plain
// C++ and run on the CPU, each block's threads as cooperative fibers. It checks the kernels'
// logic (index math, reductions, shuffles, barriers, the cuBLAS mapping), not their speed, and not
// what only hardware shows (memory model, real libm rounding of the device).
#pragma once

#include <math.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
// One block runs at a time, so function-local statics serve as the block's shared memory.
#define __shared__ static
#define CUDART_VERSION 11080

typedef int cudaError_t;
enum : int { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorMemoryAllocation = 2, cudaErrorInvalidDevice = 101,
             cudaErrorIllegalState = 401, cudaErrorStreamCaptureUnsupported = 900,
             cudaErrorStreamCaptureInvalidated = 901, cudaErrorStreamCaptureImplicit = 906 };
enum cudaMemcpyKind { cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice, cudaMemcpyDefault };
typedef struct CUstream_st* cudaStream_t;
typedef struct CUevent_st* cudaEvent_t;
typedef struct CUgraph_st* cudaGraph_t;
typedef struct CUgraphExec_st* cudaGraphExec_t;
enum cudaStreamCaptureMode { cudaStreamCaptureModeGlobal = 0, cudaStreamCaptureModeThreadLocal = 1, cudaStreamCaptureModeRelaxed = 2 };
#define cudaHostAllocPortable 1u
#define cudaEventDisableTiming 2u
#define cudaStreamNonBlocking 1u

struct dim3 {
    unsigned x, y, z;
    dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
struct uint3 {
    unsigned x, y, z;
};

struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    int major, minor, multiProcessorCount;
};

namespace nf_emu {
extern uint3 threadIdx, blockIdx;
extern dim3 blockDim, gridDim;
// Runs body once per thread of the grid (the grid capped at a few blocks: NeuralFlow's kernels
// loop grid-stride, so fewer blocks still cover every item and exercise the multi-block paths).
void launch(dim3 grid, dim3 block, std::function<void()> body);
// A launch on a stream: run now, or recorded when the stream is capturing a graph (emu.cpp).
void launch(dim3 grid, dim3 block, size_t shared_bytes, cudaStream_t stream, std::function<void()> body);
void sync_block();
void sync_warp();
// This lane's slot for the value it offers in the current warp exchange, and the partner's.
uint64_t* exchange_slot(int lane);
int lane_id();
}  // namespace nf_emu

using nf_emu::blockDim;
using nf_emu::blockIdx;
using nf_emu::gridDim;
using nf_emu::threadIdx;

inline void __syncthreads() { nf_emu::sync_block(); }

template <class T>
T nf_emu_shuffle(T v, int src_lane) {
    static_assert(sizeof(T) <= 8, "shuffle of a word");
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    *nf_emu::exchange_slot(nf_emu::lane_id()) = bits;
    nf_emu::sync_warp();  // everyone has offered
    uint64_t got = *nf_emu::exchange_slot(src_lane);
    nf_emu::sync_warp();  // everyone has read: the slots may be reused
    T r;
    std::memcpy(&r, &got, sizeof(T));
    return r;
}
template <class T> T __shfl_xor_sync(unsigned, T v, int mask) { return nf_emu_shuffle(v, nf_emu::lane_id() ^ mask); }
template <class T> T __shfl_down_sync(unsigned, T v, int delta) {
    const int src = nf_emu::lane_id() + delta;
    return nf_emu_shuffle(v, src < 32 ? src : nf_emu::lane_id());
}
inline unsigned long long atomicMin(unsigned long long* p, unsigned long long v) {
    const unsigned long long old = *p;  // one fiber at a time: no race
    if (v < old) *p = v;
    return old;
}
// float, double, int and unsigned long long, as the device's overloads.
template <class T> T atomicAdd(T* p, T v) {
    const T old = *p;  // one fiber at a time: no race
    *p = old + v;
    return old;
}
inline unsigned __umulhi(unsigned a, unsigned b) { return static_cast<unsigned>((static_cast<uint64_t>(a) * b) >> 32); }
template <class T> T min(T a, T b) { return b < a ? b : a; }
template <class T> T max(T a, T b) { return a < b ? b : a; }

cudaError_t cudaGetDeviceCount(int* n);
cudaError_t cudaSetDevice(int d);
cudaError_t cudaGetDevice(int* d);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int d);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaGetLastError();
const char* cudaGetErrorName(cudaError_t e);
const char* cudaGetErrorString(cudaError_t e);
cudaError_t cudaMalloc(void** p, size_t n);
cudaError_t cudaFree(void* p);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total);
cudaError_t cudaHostAlloc(void** p, size_t n, unsigned flags);
cudaError_t cudaFreeHost(void* p);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t n, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t n, cudaMemcpyKind kind, cudaStream_t s = nullptr);
cudaError_t cudaMemsetAsync(void* p, int v, size_t n, cudaStream_t s = nullptr);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned flags);
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t e);
cudaError_t cudaFreeHost(void* p);
cudaError_t cudaEventDestroy(cudaEvent_t e);
// Graphs: a capture records the stream's launches, copies and memsets (and cuBLAS calls) in
// order; an instantiated graph replays them in that order. Work on the legacy stream from the
// thread that is capturing is refused with cudaErrorStreamCaptureImplicit and invalidates the
// capture (stricter than a GPU, where it would run outside the graph), so a launch that forgot
// the engine's stream() fails the emulated tests instead of escaping a graph on a GPU.
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t s);
cudaError_t cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode mode);
cudaError_t cudaStreamEndCapture(cudaStream_t s, cudaGraph_t* graph);
cudaError_t cudaGraphInstantiateWithFlags(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long flags);
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t s);
cudaError_t cudaGraphDestroy(cudaGraph_t graph);
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec);
namespace nf_emu {
// How work submitted to stream s is handled now (also used by the emulated cuBLAS).
enum class Route { Run, Record, Refuse };
Route route(cudaStream_t s);
// Appends work to the capture of stream s (route(s) == Record).
void record(cudaStream_t s, std::function<void()> work);
// Runs, records or refuses one copy, memset or graph launch on stream s.
cudaError_t submit(cudaStream_t s, std::function<void()> work);
}  // namespace nf_emu
inline cudaMemcpyKind nf_emu_kind(int k) { return static_cast<cudaMemcpyKind>(k); }
