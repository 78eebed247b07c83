// Library-level functions of the CUDA engine: versions, errors, devices.
#include <cublas_v2.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "cuda/runtime.h"
#include "neuralflow_cuda.h"

namespace nf {
namespace cuda {

void check(cudaError_t err, const char* fn, const char* what) {
    if (err == cudaSuccess) return;
    cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    const nf_status status = err == cudaErrorMemoryAllocation ? NF_ERROR_OUT_OF_MEMORY : NF_ERROR_INTERNAL;
    fail(status, "%s: CUDA error %s (%s) in %s", fn, cudaGetErrorName(err), cudaGetErrorString(err), what);
}

}  // namespace cuda
}  // namespace nf

extern "C" NF_API int32_t nf_cuda_abi_version(void) { return NF_CUDA_ABI_VERSION; }

extern "C" NF_API const char* nf_cuda_last_error(void) { return nf::last_error(); }

extern "C" NF_API const char* nf_cuda_build_info(void) {
    static const std::string info = [] {
        const int runtime = CUDART_VERSION;  // linked statically: the version built with
        char buf[256];
        std::snprintf(buf, sizeof buf, "neuralflow_cuda abi %d, CUDA runtime %d.%d (static), cuBLAS %d.%d.%d, built for %s",
                      NF_CUDA_ABI_VERSION, runtime / 1000, (runtime % 1000) / 10, CUBLAS_VER_MAJOR, CUBLAS_VER_MINOR,
                      CUBLAS_VER_PATCH, NF_CUDA_ARCHS);
        return std::string(buf);
    }();
    return info.c_str();
}

extern "C" NF_API nf_status nf_cuda_device_count(int32_t* count) {
    static const char* fn = "nf_cuda_device_count";
    return nf::guard(fn, [&] {
        if (!count) NF_INVALID("%s: count is NULL", fn);
        *count = 0;
        int n = 0;
        const cudaError_t err = cudaGetDeviceCount(&n);
        if (err != cudaSuccess) {
            cudaGetLastError();
            NF_UNSUPPORTED("%s: no usable CUDA device: %s (%s)", fn, cudaGetErrorString(err), cudaGetErrorName(err));
        }
        if (n == 0) NF_UNSUPPORTED("%s: the CUDA driver reports no device", fn);
        *count = n;
    });
}

extern "C" NF_API nf_status nf_cuda_device_props_get(int32_t device, nf_cuda_device_props* out) {
    static const char* fn = "nf_cuda_device_props_get";
    return nf::guard(fn, [&] {
        if (!out) NF_INVALID("%s: out is NULL", fn);
        cudaDeviceProp p{};
        NF_CUDA(cudaGetDeviceProperties(&p, device), fn);
        std::memset(out, 0, sizeof *out);
        std::memcpy(out->name, p.name, std::min(sizeof out->name - 1, std::strlen(p.name)));
        out->total_bytes = static_cast<int64_t>(p.totalGlobalMem);
        out->major = p.major;
        out->minor = p.minor;
        out->multiprocessors = p.multiProcessorCount;
    });
}

extern "C" NF_API nf_status nf_cuda_device_set(int32_t device) {
    static const char* fn = "nf_cuda_device_set";
    return nf::guard(fn, [&] {
        int n = 0;
        NF_CUDA(cudaGetDeviceCount(&n), fn);
        if (device < 0 || device >= n) NF_INVALID("%s: device = %d is outside [0, %d)", fn, device, n);
        NF_CUDA(cudaSetDevice(device), fn);
    });
}

extern "C" NF_API nf_status nf_cuda_device_get(int32_t* device) {
    static const char* fn = "nf_cuda_device_get";
    return nf::guard(fn, [&] {
        if (!device) NF_INVALID("%s: device is NULL", fn);
        int d = 0;
        NF_CUDA(cudaGetDevice(&d), fn);
        *device = d;
    });
}

extern "C" NF_API nf_status nf_cuda_synchronize(void) {
    static const char* fn = "nf_cuda_synchronize";
    return nf::guard(fn, [&] { NF_CUDA(cudaDeviceSynchronize(), fn); });
}
