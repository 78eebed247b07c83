// A stand-in for libnccl.so.2 in tests: the entry points libneuralflow_dist loads (nccl.cpp),
// with NCCL's C signatures, implemented over MPI on host memory. That is enough to test the
// NCCL path where NCCL cannot be installed: the emulated CUDA engine's "device" memory is host
// memory, so what NeuralFlow hands NCCL as device pointers MPI can read. The stream argument is
// ignored (the emulator runs every copy and kernel synchronously). fake_nccl_calls() counts the
// collectives, so a test can tell that NCCL carried them and not MPI.
#include <mpi.h>

#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace {

using nccl_result = int;
constexpr nccl_result kSuccess = 0, kInvalidArgument = 4, kInvalidUsage = 5, kSystemError = 2;
struct unique_id {
    char internal[128];
};
struct comm {
    MPI_Comm mpi;
    int rank, size;
};
long g_calls = 0;

MPI_Datatype mpi_type(int nccl_type) {
    switch (nccl_type) {
        case 1: return MPI_BYTE;    // ncclUint8
        case 7: return MPI_FLOAT;   // ncclFloat32
        case 8: return MPI_DOUBLE;  // ncclFloat64
        default: return MPI_DATATYPE_NULL;
    }
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) long fake_nccl_calls(void) { return g_calls; }

__attribute__((visibility("default"))) nccl_result ncclGetVersion(int* version) {
    *version = 21803;  // claims 2.18.3
    return kSuccess;
}

__attribute__((visibility("default"))) const char* ncclGetErrorString(nccl_result r) {
    switch (r) {
        case kSuccess: return "no error (fake NCCL)";
        case kInvalidArgument: return "invalid argument (fake NCCL)";
        case kInvalidUsage: return "invalid usage (fake NCCL)";
        default: return "system error (fake NCCL)";
    }
}

__attribute__((visibility("default"))) nccl_result ncclGetUniqueId(unique_id* id) {
    std::memset(id->internal, 0, sizeof id->internal);
    std::snprintf(id->internal, sizeof id->internal, "fake-nccl pid %d", static_cast<int>(getpid()));
    return kSuccess;
}

// Joins as NCCL does: every rank with the same id; the fake checks that by comparing them.
__attribute__((visibility("default"))) nccl_result ncclCommInitRank(comm** out, int nranks, unique_id id, int rank) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) return kInvalidUsage;
    auto* c = new comm{};
    MPI_Comm_dup(MPI_COMM_WORLD, &c->mpi);
    MPI_Comm_rank(c->mpi, &c->rank);
    MPI_Comm_size(c->mpi, &c->size);
    if (c->rank != rank || c->size != nranks) return kInvalidArgument;
    unique_id root = id;
    MPI_Bcast(root.internal, sizeof root.internal, MPI_BYTE, 0, c->mpi);
    int same = std::memcmp(root.internal, id.internal, sizeof id.internal) == 0, all = 0;
    MPI_Allreduce(&same, &all, 1, MPI_INT, MPI_MIN, c->mpi);
    if (!all) return kInvalidUsage;
    *out = c;
    return kSuccess;
}

__attribute__((visibility("default"))) nccl_result ncclCommDestroy(comm* c) {
    if (!c) return kInvalidArgument;
    MPI_Comm_free(&c->mpi);
    delete c;
    return kSuccess;
}

__attribute__((visibility("default"))) nccl_result ncclAllReduce(const void* send, void* recv, size_t count, int dtype,
                                                                 int op, comm* c, void* /*stream*/) {
    MPI_Datatype t = mpi_type(dtype);
    if (t == MPI_DATATYPE_NULL || (op != 0 && op != 4) || !c) return kInvalidArgument;
    g_calls++;
    int n = static_cast<int>(count);
    if (MPI_Allreduce(send == recv ? MPI_IN_PLACE : send, recv, n, t, MPI_SUM, c->mpi) != MPI_SUCCESS) return kSystemError;
    if (op == 4) {  // ncclAvg
        if (t == MPI_FLOAT)
            for (int i = 0; i < n; i++) static_cast<float*>(recv)[i] /= static_cast<float>(c->size);
        else
            for (int i = 0; i < n; i++) static_cast<double*>(recv)[i] /= c->size;
    }
    return kSuccess;
}

__attribute__((visibility("default"))) nccl_result ncclBroadcast(const void* send, void* recv, size_t count, int dtype,
                                                                 int root, comm* c, void* /*stream*/) {
    MPI_Datatype t = mpi_type(dtype);
    if (t == MPI_DATATYPE_NULL || !c) return kInvalidArgument;
    g_calls++;
    int size = 0;
    MPI_Type_size(t, &size);
    if (c->rank == root && send != recv) std::memcpy(recv, send, count * static_cast<size_t>(size));
    return MPI_Bcast(recv, static_cast<int>(count), t, root, c->mpi) == MPI_SUCCESS ? kSuccess : kSystemError;
}

__attribute__((visibility("default"))) nccl_result ncclAllGather(const void* send, void* recv, size_t count, int dtype,
                                                                 comm* c, void* /*stream*/) {
    MPI_Datatype t = mpi_type(dtype);
    if (t == MPI_DATATYPE_NULL || !c) return kInvalidArgument;
    g_calls++;
    int n = static_cast<int>(count);
    return MPI_Allgather(send, n, t, recv, n, t, c->mpi) == MPI_SUCCESS ? kSuccess : kSystemError;
}

}  // extern "C"
