// NCCL behind the distributed engine's interface, loaded at run time (dlopen), so that the
// library builds and runs where NCCL is not installed (Debian does not package it) and uses it
// where it is. Only the handful of entry points below are used; their C signatures are NCCL's
// public ABI (nccl.h, stable since 2.0; ncclAvg since 2.10), declared here because the headers
// are not needed to build. The communicator is set up over MPI: the ranks first agree that every
// one of them loaded NCCL (a job where one rank falls back to MPI and another calls NCCL would
// hang), then rank 0's unique id travels by MPI_Bcast.
#include <dlfcn.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.h"
#include "dist/dist_internal.h"
#include "neuralflow_dist.h"

namespace {

// ---- NCCL's ABI (nccl.h): enums as int, the communicator opaque --------------------------
using nccl_result = int;   // ncclResult_t: ncclSuccess = 0
using nccl_comm = void*;   // ncclComm_t
constexpr int kUniqueIdBytes = 128;  // NCCL_UNIQUE_ID_BYTES
struct nccl_unique_id {
    char internal[kUniqueIdBytes];
};
// ncclDataType_t and ncclRedOp_t values used here.
constexpr int kNcclUint8 = 1, kNcclFloat32 = 7, kNcclFloat64 = 8;
constexpr int kNcclSum = 0, kNcclAvg = 4;
constexpr int kMinVersion = 21000;  // 2.10.0 (codes are X*10000 + Y*100 + Z from 2.9 on)

struct Nccl {
    void* handle = nullptr;
    nccl_result (*get_version)(int*) = nullptr;
    nccl_result (*get_unique_id)(nccl_unique_id*) = nullptr;
    nccl_result (*comm_init_rank)(nccl_comm*, int, nccl_unique_id, int) = nullptr;
    nccl_result (*comm_destroy)(nccl_comm) = nullptr;
    nccl_result (*all_reduce)(const void*, void*, size_t, int, int, nccl_comm, void*) = nullptr;
    nccl_result (*broadcast)(const void*, void*, size_t, int, int, nccl_comm, void*) = nullptr;
    nccl_result (*all_gather)(const void*, void*, size_t, int, nccl_comm, void*) = nullptr;
    const char* (*error_string)(nccl_result) = nullptr;
    nccl_comm comm = nullptr;
    int version = 0;
};

Nccl g_nccl;
bool g_decided = false;
int32_t g_available = 0;
std::string g_status;  // what nf_dist_nccl_status returns

template <class F>
bool bind(void* handle, const char* name, F& slot, std::string& why) {
    slot = reinterpret_cast<F>(dlsym(handle, name));
    if (!slot) why = nf::format("it has no %s", name);
    return slot != nullptr;
}

// This rank's attempt: the library and its entry points, or why not (in `why`).
bool load(const char* library, std::string& why) {
    void* h = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char* e = dlerror();
        why = nf::format("dlopen(\"%s\") failed: %s", library, e ? e : "unknown error");
        return false;
    }
    Nccl n;
    n.handle = h;
    bool ok = bind(h, "ncclGetVersion", n.get_version, why) && bind(h, "ncclGetUniqueId", n.get_unique_id, why) &&
              bind(h, "ncclCommInitRank", n.comm_init_rank, why) && bind(h, "ncclCommDestroy", n.comm_destroy, why) &&
              bind(h, "ncclAllReduce", n.all_reduce, why) && bind(h, "ncclBroadcast", n.broadcast, why) &&
              bind(h, "ncclAllGather", n.all_gather, why) && bind(h, "ncclGetErrorString", n.error_string, why);
    if (ok && (n.get_version(&n.version) != 0 || n.version < kMinVersion)) {
        why = nf::format("its version code is %d; NeuralFlow needs NCCL 2.10 or later (ncclAvg)", n.version);
        ok = false;
    }
    if (!ok) {
        why = nf::format("%s: %s", library, why.c_str());
        dlclose(h);
        return false;
    }
    g_nccl = n;
    return true;
}

void check_nccl(nccl_result rc, const char* fn, const char* what) {
    if (rc == 0) return;
    nf::fail(NF_ERROR_INTERNAL, "%s: %s failed on rank %d of %d: %s (NCCL error %d)", fn, what, nf_dist_rank(),
             nf_dist_size(), g_nccl.error_string ? g_nccl.error_string(rc) : "?", rc);
}

// A failed nf_dist_* call made here becomes this function's error, with the callee's message.
void check_dist(nf_status status, const char* fn) {
    if (status != NF_OK) nf::fail(status, "%s: %s", fn, nf_dist_last_error());
}

void require_comm(const char* fn) {
    nf::dist::require_ready(fn);
    if (!g_nccl.comm)
        NF_INVALID("%s: NCCL is not set up (nf_dist_nccl_init first; %s)", fn,
                   g_status.empty() ? "it was not called" : g_status.c_str());
}

int nccl_type(nf_dtype dtype, const char* fn) {
    switch (dtype) {
        case NF_FLOAT32: return kNcclFloat32;
        case NF_FLOAT64: return kNcclFloat64;
        default: NF_UNSUPPORTED("%s: dtype %d is not supported (float32 and float64 are)", fn, static_cast<int>(dtype));
    }
}

void check_count(int64_t count, const void* a, const void* b, const char* fn) {
    if (count < 0) NF_INVALID("%s: count %lld is negative", fn, static_cast<long long>(count));
    if (count > 0 && (!a || !b)) NF_INVALID("%s: a buffer is null", fn);
}

}  // namespace

void nf::dist::nccl_shutdown() noexcept {
    if (g_nccl.comm) g_nccl.comm_destroy(g_nccl.comm);
    g_nccl.comm = nullptr;
    g_decided = false;
    g_available = 0;
}

extern "C" {

NF_API nf_status nf_dist_nccl_init(const char* library, int32_t required, int32_t* available, double timeout_s) {
    static const char* fn = "nf_dist_nccl_init";
    return nf::guard(fn, [&] {
        if (!available) NF_INVALID("%s: available must not be null", fn);
        nf::dist::require_ready(fn);
        if (!g_decided) {
            const char* path = library && *library ? library : "libnccl.so.2";
            std::string why;
            const bool mine = g_nccl.handle != nullptr || load(path, why);
            // Every rank learns every rank's answer: NCCL only if all have it.
            const int size = nf_dist_size(), rank = nf_dist_rank();
            double have = mine ? 1 : 0;
            std::vector<double> all(static_cast<size_t>(size));
            check_dist(nf_dist_allgather(&have, 1, NF_FLOAT64, all.data(), timeout_s), fn);
            int missing = mine ? -1 : rank;  // this rank's own reason first, else the first rank without NCCL
            for (int r = 0; r < size && missing < 0; r++)
                if (all[static_cast<size_t>(r)] == 0) missing = r;
            if (missing >= 0) {
                g_status = missing == rank ? "not used: " + why
                                           : nf::format("not used: rank %d of %d could not load NCCL", missing, size);
                g_decided = true;
                if (required)
                    NF_UNSUPPORTED("%s: NCCL was required (NEURALFLOW_DIST_NCCL=ON) but rank %d of %d cannot use it%s%s", fn,
                                   missing, size, missing == rank ? ": " : "", missing == rank ? why.c_str() : "");
            } else {
                // The id, plus one leading byte: rank 0's ncclGetUniqueId may fail, and the others must hear it.
                std::vector<char> id(1 + kUniqueIdBytes, 0);
                nccl_unique_id uid{};
                if (rank == 0) id[0] = g_nccl.get_unique_id(&uid) == 0 ? 1 : 0;
                if (rank == 0) std::memcpy(&id[1], uid.internal, kUniqueIdBytes);
                check_dist(nf_dist_broadcast(id.data(), static_cast<int64_t>(id.size()), 0, timeout_s), fn);
                if (!id[0]) nf::fail(NF_ERROR_INTERNAL, "%s: ncclGetUniqueId failed on rank 0", fn);
                std::memcpy(uid.internal, &id[1], kUniqueIdBytes);
                check_nccl(g_nccl.comm_init_rank(&g_nccl.comm, size, uid, rank), fn, "ncclCommInitRank");
                g_status = nf::format("NCCL %d.%d.%d from %s", g_nccl.version / 10000, g_nccl.version / 100 % 100,
                                      g_nccl.version % 100, path);
                g_available = 1;
                g_decided = true;
            }
        }
        if (required && !g_available)
            NF_UNSUPPORTED("%s: NCCL was required (NEURALFLOW_DIST_NCCL=ON) but is %s", fn, g_status.c_str());
        *available = g_available;
    });
}

NF_API const char* nf_dist_nccl_status(void) { return g_status.c_str(); }

NF_API nf_status nf_dist_nccl_allreduce(void* device_buffer, int64_t count, nf_dtype dtype, nf_dist_op op, void* stream) {
    static const char* fn = "nf_dist_nccl_allreduce";
    return nf::guard(fn, [&] {
        require_comm(fn);
        if (op != NF_DIST_SUM && op != NF_DIST_MEAN) NF_INVALID("%s: op %d is not SUM (0) or MEAN (1)", fn, static_cast<int>(op));
        const int t = nccl_type(dtype, fn);
        check_count(count, device_buffer, device_buffer, fn);
        check_nccl(g_nccl.all_reduce(device_buffer, device_buffer, static_cast<size_t>(count), t,
                                     op == NF_DIST_MEAN ? kNcclAvg : kNcclSum, g_nccl.comm, stream),
                   fn, "ncclAllReduce");
    });
}

NF_API nf_status nf_dist_nccl_broadcast(void* device_buffer, int64_t bytes, int32_t root, void* stream) {
    static const char* fn = "nf_dist_nccl_broadcast";
    return nf::guard(fn, [&] {
        require_comm(fn);
        check_count(bytes, device_buffer, device_buffer, fn);
        if (root < 0 || root >= nf_dist_size()) NF_INVALID("%s: root %d is not a rank (world size %d)", fn, root, nf_dist_size());
        check_nccl(g_nccl.broadcast(device_buffer, device_buffer, static_cast<size_t>(bytes), kNcclUint8, root, g_nccl.comm, stream),
                   fn, "ncclBroadcast");
    });
}

NF_API nf_status nf_dist_nccl_allgather(const void* device_send, int64_t count, nf_dtype dtype, void* device_recv, void* stream) {
    static const char* fn = "nf_dist_nccl_allgather";
    return nf::guard(fn, [&] {
        require_comm(fn);
        const int t = nccl_type(dtype, fn);
        check_count(count, device_send, device_recv, fn);
        check_nccl(g_nccl.all_gather(device_send, device_recv, static_cast<size_t>(count), t, g_nccl.comm, stream), fn,
                   "ncclAllGather");
    });
}

}  // extern "C"
