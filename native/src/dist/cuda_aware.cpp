// nf_dist_cuda_aware: may MPI be handed device pointers? Asked once per process.
//
// Only Open MPI answers at run time (MPIX_Query_cuda_support, declared by its mpi-ext.h); the
// headers' MPIX_CUDA_AWARE_SUPPORT says only what the build machine's Open MPI was, and a job
// may load another build of libmpi (a cluster's module), so the run-time answer decides. MPICH,
// MVAPICH, Intel MPI and MS-MPI have no such query: there the environment decides
// (NEURALFLOW_DIST_CUDA_AWARE=1), and it overrides Open MPI's answer too (a site that knows its
// UCX transport moves GPU memory, or one that wants to rule out a faulty CUDA path).
#include <mpi.h>
#if defined(__has_include)
#if __has_include(<mpi-ext.h>)
#include <mpi-ext.h>
#endif
#endif

#include <cstdlib>
#include <cstring>
#include <string>

#include "common/error.h"
#include "dist/dist_internal.h"
#include "neuralflow_dist.h"

namespace {

bool g_known = false;
int32_t g_aware = 0;
std::string g_source;

void decide(const char* fn) {
    const char* env = std::getenv("NEURALFLOW_DIST_CUDA_AWARE");
    if (env && *env) {
        if (std::strcmp(env, "0") != 0 && std::strcmp(env, "1") != 0)
            NF_INVALID("%s: NEURALFLOW_DIST_CUDA_AWARE='%s' is not 0 or 1", fn, env);
        g_aware = env[0] == '1';
        g_source = std::string("NEURALFLOW_DIST_CUDA_AWARE=") + env;
        return;
    }
#if defined(MPIX_CUDA_AWARE_SUPPORT)
    g_aware = MPIX_Query_cuda_support() ? 1 : 0;
    g_source = nf::format("Open MPI's MPIX_Query_cuda_support() = %d at run time (its headers at build time: "
                          "MPIX_CUDA_AWARE_SUPPORT %d)", g_aware, MPIX_CUDA_AWARE_SUPPORT);
#else
    g_aware = 0;
    g_source = "this MPI has no run-time query (not Open MPI): not CUDA-aware unless NEURALFLOW_DIST_CUDA_AWARE=1";
#endif
}

}  // namespace

extern "C" NF_API nf_status nf_dist_cuda_aware(int32_t* aware, const char** source) {
    static const char* fn = "nf_dist_cuda_aware";
    return nf::guard(fn, [&] {
        if (!aware) NF_INVALID("%s: aware must not be null", fn);
        nf::dist::require_ready(fn);
        if (!g_known) {
            decide(fn);
            g_known = true;
        }
        *aware = g_aware;
        if (source) *source = g_source.c_str();
    });
}
