// libneuralflow_dist: the C ABI of neuralflow_dist.h over MPI. One process per rank, one thread
// inside MPI at a time (MPI_THREAD_SERIALIZED), which the MPI lock (dist_internal.h) ensures
// whatever thread calls in. Every blocking collective is the non-blocking one plus a polled wait, so
// that a hung or dead peer becomes an error with a deadline instead of a job that never ends.
#include "neuralflow_dist.h"

#include <dlfcn.h>
#include <mpi.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.h"
#include "dist/dist_internal.h"

namespace {
bool g_ready = false;      // nf_dist_init succeeded
bool g_finalized = false;  // nf_dist_finalize ran (MPI cannot be initialised again)
}  // namespace

void nf::dist::require_ready(const char* fn) {
    if (!g_ready)
        nf::fail(NF_ERROR_INVALID_ARGUMENT, "%s: the distributed engine is not initialised (call nf_dist_init first%s)", fn,
                 g_finalized ? "; it was finalized, and MPI cannot be initialised twice in a process" : "");
}

namespace {

bool g_own_mpi = false;    // this library called MPI_Init_thread (and so finalizes)
int g_rank = 0, g_size = 1;
MPI_Comm g_comm = MPI_COMM_NULL;  // the collectives' communicator (a dup of WORLD)
MPI_Comm g_ctl = MPI_COMM_NULL;   // arrival notes of the ring (another dup, so tags never mix)
std::string g_info;

// ---- arrival notes: which collective each rank reached, to name a hung rank ----------------
long long g_seq = 0;        // collectives this rank has started
long long g_prev_seq = 0;   // the last one the previous rank of the ring said it started
constexpr int kNotes = 256; // send buffers in flight; a note is 8 bytes, sent eagerly
long long g_note_buf[kNotes];
MPI_Request g_note_req[kNotes];
bool g_note_init = false;

void check(int rc, const char* fn, const char* what) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) std::snprintf(text, sizeof text, "MPI error %d", rc);
    nf::fail(NF_ERROR_INTERNAL, "%s: %s failed on rank %d of %d: %s", fn, what, g_rank, g_size, text);
}

using nf::dist::require_ready;

int prev_rank() { return (g_rank + g_size - 1) % g_size; }
int next_rank() { return (g_rank + 1) % g_size; }

// Reads every note the previous rank has sent so far (without waiting).
void drain_notes() {
    for (;;) {
        int flag = 0;
        MPI_Status st;
        if (MPI_Iprobe(prev_rank(), 0, g_ctl, &flag, &st) != MPI_SUCCESS || !flag) return;
        long long seq = 0;
        if (MPI_Recv(&seq, 1, MPI_LONG_LONG, prev_rank(), 0, g_ctl, MPI_STATUS_IGNORE) != MPI_SUCCESS) return;
        if (seq > g_prev_seq) g_prev_seq = seq;
    }
}

// Called as each collective starts: tells the next rank how far this one got.
void note_arrival() {
    ++g_seq;
    if (g_size == 1) return;
    if (!g_note_init) {
        for (auto& r : g_note_req) r = MPI_REQUEST_NULL;
        g_note_init = true;
    }
    int slot = static_cast<int>(g_seq % kNotes);
    if (g_note_req[slot] != MPI_REQUEST_NULL) {
        int done = 0;
        MPI_Test(&g_note_req[slot], &done, MPI_STATUS_IGNORE);
        // Still unsent 256 collectives later: the next rank is gone; let MPI finish or drop it.
        if (!done) MPI_Request_free(&g_note_req[slot]);
    }
    g_note_buf[slot] = g_seq;
    MPI_Isend(&g_note_buf[slot], 1, MPI_LONG_LONG, next_rank(), 0, g_ctl, &g_note_req[slot]);
    drain_notes();
}

double now_s() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

[[noreturn]] void timed_out(const char* fn, long long seq, double timeout_s) {
    drain_notes();
    int prev = prev_rank();
    if (g_prev_seq < seq)
        nf::fail(NF_ERROR_INTERNAL,
                 "%s: collective #%lld did not complete within %g s on rank %d of %d: rank %d has not reached it "
                 "(the last collective it started is #%lld), so rank %d is hung or dead",
                 fn, seq, timeout_s, g_rank, g_size, prev, g_prev_seq, prev);
    nf::fail(NF_ERROR_INTERNAL,
             "%s: collective #%lld did not complete within %g s on rank %d of %d: rank %d reached it, so a rank before it "
             "in the ring is hung or dead (the rank after that one names it in its own error)",
             fn, seq, timeout_s, g_rank, g_size, prev);
}

// Polls until the request completes or the deadline passes: a tight loop first (latency of a
// small allreduce), then short sleeps so a waiting rank leaves the cores to the others.
void wait_for(MPI_Request* req, const char* fn, long long seq, double timeout_s) {
    double deadline = timeout_s > 0 ? now_s() + timeout_s : 0;
    for (long spins = 0;; spins++) {
        int done = 0;
        check(MPI_Test(req, &done, MPI_STATUS_IGNORE), fn, "MPI_Test");
        if (done) return;
        if (spins > 2000) usleep(spins > 20000 ? 500 : 50);
        if ((spins & 63) != 0) continue;
        // A rank that failed on its own, or left, will never arrive: its reason, at once.
        nf::dist::poll_failures(fn, seq);
        if (deadline > 0 && now_s() > deadline) timed_out(fn, seq, timeout_s);
    }
}

MPI_Datatype mpi_type(nf_dtype dtype, const char* fn) {
    switch (dtype) {
        case NF_FLOAT32: return MPI_FLOAT;
        case NF_FLOAT64: return MPI_DOUBLE;
        default: nf::fail(NF_ERROR_UNSUPPORTED, "%s: dtype %d is not supported (float32 and float64 are)", fn, static_cast<int>(dtype));
    }
}

int checked_count(int64_t count, const char* fn) {
    if (count < 0 || count > INT_MAX)
        nf::fail(NF_ERROR_INVALID_ARGUMENT, "%s: count %lld is outside 0..%d (one call moves at most INT_MAX elements; split it)",
                 fn, static_cast<long long>(count), INT_MAX);
    return static_cast<int>(count);
}

void scale(void* buffer, int count, nf_dtype dtype, double factor) {
    if (dtype == NF_FLOAT32) {
        auto* p = static_cast<float*>(buffer);
        float f = static_cast<float>(factor);
        for (int i = 0; i < count; i++) p[i] *= f;
    } else {
        auto* p = static_cast<double*>(buffer);
        for (int i = 0; i < count; i++) p[i] *= factor;
    }
}

// A started allreduce: what the wait needs to finish it (MEAN divides after the sum).
struct Pending {
    MPI_Request req = MPI_REQUEST_NULL;
    void* buffer = nullptr;
    int count = 0;
    nf_dtype dtype = NF_FLOAT32;
    nf_dist_op op = NF_DIST_SUM;
    long long seq = 0;
    bool used = false;
};
std::vector<Pending> g_pending;

int64_t start_allreduce(void* buffer, int64_t count, nf_dtype dtype, nf_dist_op op, const char* fn) {
    require_ready(fn);
    if (op != NF_DIST_SUM && op != NF_DIST_MEAN) nf::fail(NF_ERROR_INVALID_ARGUMENT, "%s: op %d is not SUM (0) or MEAN (1)", fn, static_cast<int>(op));
    MPI_Datatype t = mpi_type(dtype, fn);
    int n = checked_count(count, fn);
    if (n > 0 && !buffer) nf::fail(NF_ERROR_INVALID_ARGUMENT, "%s: buffer is null", fn);
    size_t slot = 0;
    while (slot < g_pending.size() && g_pending[slot].used) slot++;
    if (slot == g_pending.size()) g_pending.emplace_back();
    Pending& p = g_pending[slot];
    note_arrival();
    p = Pending{MPI_REQUEST_NULL, buffer, n, dtype, op, g_seq, true};
    int rc = MPI_Iallreduce(MPI_IN_PLACE, buffer, n, t, MPI_SUM, g_comm, &p.req);
    if (rc != MPI_SUCCESS) p = Pending{};
    check(rc, fn, "MPI_Iallreduce");
    return static_cast<int64_t>(slot);
}

Pending& pending(int64_t handle, const char* fn) {
    require_ready(fn);
    if (handle < 0 || handle >= static_cast<int64_t>(g_pending.size()) || !g_pending[handle].used)
        nf::fail(NF_ERROR_INVALID_ARGUMENT, "%s: handle %lld is not a pending allreduce", fn, static_cast<long long>(handle));
    return g_pending[handle];
}

void complete(Pending& p) {
    if (p.op == NF_DIST_MEAN && g_size > 1) scale(p.buffer, p.count, p.dtype, 1.0 / g_size);
    p = Pending{};
}

// Open MPI opens its plugins with dlopen and they need libmpi's symbols globally visible; .NET
// loads this library (and so libmpi) RTLD_LOCAL. Promote libmpi to RTLD_GLOBAL first.
void promote_libmpi() {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&MPI_Init_thread), &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
}

}  // namespace

std::recursive_timed_mutex& nf::dist::mpi_mutex() {
    static std::recursive_timed_mutex mutex;
    return mutex;
}

MPI_Comm nf::dist::control_comm() { return g_ctl; }
int nf::dist::world_rank() { return g_rank; }
int nf::dist::world_size() { return g_size; }

extern "C" {

NF_API int32_t nf_dist_abi_version(void) { return NF_DIST_ABI_VERSION; }
NF_API const char* nf_dist_last_error(void) { return nf::last_error(); }

NF_API const char* nf_dist_build_info(void) {
    nf::dist::MpiLock lock(nf::dist::mpi_mutex());
    if (g_info.empty()) {
        char version[MPI_MAX_LIBRARY_VERSION_STRING];
        int len = 0;
        if (MPI_Get_library_version(version, &len) == MPI_SUCCESS) {
            g_info.assign(version, static_cast<size_t>(len));
            size_t eol = g_info.find_first_of("\r\n");
            if (eol != std::string::npos) g_info.resize(eol);
        } else {
            g_info = "MPI (version unknown)";
        }
    }
    return g_info.c_str();
}

NF_API nf_status nf_dist_init(int32_t* rank, int32_t* size) {
    return nf::guard("nf_dist_init", [&] {
        nf::dist::MpiLock lock(nf::dist::mpi_mutex());
        if (!rank || !size) NF_INVALID("nf_dist_init: rank and size must not be null");
        if (g_finalized) NF_INVALID("nf_dist_init: MPI was finalized in this process and cannot be initialised again");
        if (!g_ready) {
            int initialized = 0;
            MPI_Initialized(&initialized);
            if (!initialized) {
                promote_libmpi();
                // .NET turns SIGSEGV into NullReferenceException; Open MPI's stack-trace
                // handlers must not take those signals over.
                setenv("OMPI_MCA_opal_signal", "", 0);
                int provided = 0;
                int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
                if (rc != MPI_SUCCESS) nf::fail(NF_ERROR_INTERNAL, "nf_dist_init: MPI_Init_thread failed (error %d)", rc);
                g_own_mpi = true;
                if (provided < MPI_THREAD_SERIALIZED)
                    nf::fail(NF_ERROR_UNSUPPORTED, "nf_dist_init: this MPI gives thread level %d, NeuralFlow needs MPI_THREAD_SERIALIZED (%d)",
                             provided, MPI_THREAD_SERIALIZED);
            }
            MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
            check(MPI_Comm_dup(MPI_COMM_WORLD, &g_comm), "nf_dist_init", "MPI_Comm_dup");
            check(MPI_Comm_dup(MPI_COMM_WORLD, &g_ctl), "nf_dist_init", "MPI_Comm_dup");
            MPI_Comm_set_errhandler(g_comm, MPI_ERRORS_RETURN);
            MPI_Comm_set_errhandler(g_ctl, MPI_ERRORS_RETURN);
            check(MPI_Comm_rank(g_comm, &g_rank), "nf_dist_init", "MPI_Comm_rank");
            check(MPI_Comm_size(g_comm, &g_size), "nf_dist_init", "MPI_Comm_size");
            g_ready = true;
        }
        *rank = g_rank;
        *size = g_size;
    });
}

NF_API nf_status nf_dist_finalize(void) {
    return nf::guard("nf_dist_finalize", [&] {
        nf::dist::MpiLock lock(nf::dist::mpi_mutex());
        if (!g_ready) return;
        // A rank that failed meanwhile: its reason, and no MPI_Finalize (which would wait for it);
        // the caller ends the job. Otherwise the others learn that this rank runs no more collectives.
        nf::dist::poll_failures("nf_dist_finalize", 0);
        nf::dist::announce_leaving(g_seq);
        nf::dist::nccl_shutdown();  // NCCL's communicator goes before the MPI that set it up
        g_ready = false;
        g_finalized = true;
        for (auto& r : g_note_req)
            if (g_note_init && r != MPI_REQUEST_NULL) MPI_Request_free(&r);
        drain_notes();
        MPI_Comm_free(&g_ctl);
        MPI_Comm_free(&g_comm);
        if (g_own_mpi) check(MPI_Finalize(), "nf_dist_finalize", "MPI_Finalize");
    });
}

NF_API int32_t nf_dist_rank(void) { return g_rank; }
NF_API int32_t nf_dist_size(void) { return g_size; }

NF_API nf_status nf_dist_allreduce(void* buffer, int64_t count, nf_dtype dtype, nf_dist_op op, double timeout_s) {
    return nf::guard("nf_dist_allreduce", [&] {
        nf::dist::MpiLock lock(nf::dist::mpi_mutex());
        int64_t h = start_allreduce(buffer, count, dtype, op, "nf_dist_allreduce");
        Pending& p = g_pending[h];
        try {
            wait_for(&p.req, "nf_dist_allreduce", p.seq, timeout_s);
        } catch (...) {
            p.used = false;  // the request is abandoned with the job
            throw;
        }
        complete(p);
    });
}

NF_API nf_status nf_dist_iallreduce(void* buffer, int64_t count, nf_dtype dtype, nf_dist_op op, int64_t* handle) {
    return nf::guard("nf_dist_iallreduce", [&] {
        nf::dist::MpiLock lock(nf::dist::mpi_mutex());
        if (!handle) NF_INVALID("nf_dist_iallreduce: handle must not be null");
        *handle = start_allreduce(buffer, count, dtype, op, "nf_dist_iallreduce");
    });
}

NF_API nf_status nf_dist_test(int64_t handle, int32_t* done) {
    return nf::guard("nf_dist_test", [&] {
        nf::dist::MpiLock lock(nf::dist::mpi_mutex());
        if (!done) NF_INVALID("nf_dist_test: done must not be null");
        Pending& p = pending(handle, "nf_dist_test");
        int flag = 0;
        check(MPI_Test(&p.req, &flag, MPI_STATUS_IGNORE), "nf_dist_test", "MPI_Test");
        if (flag) complete(p);
        *done = flag;
    });
}

NF_API nf_status nf_dist_wait(int64_t handle, double timeout_s) {
    return nf::guard("nf_dist_wait", [&] {
        nf::dist::MpiLock lock(nf::dist::mpi_mutex());
        Pending& p = pending(handle, "nf_dist_wait");
        wait_for(&p.req, "nf_dist_wait", p.seq, timeout_s);
        complete(p);
    });
}

NF_API nf_status nf_dist_broadcast(void* buffer, int64_t bytes, int32_t root, double timeout_s) {
    return nf::guard("nf_dist_broadcast", [&] {
        nf::dist::MpiLock lock(nf::dist::mpi_mutex());
        require_ready("nf_dist_broadcast");
        int n = checked_count(bytes, "nf_dist_broadcast");
        if (n > 0 && !buffer) NF_INVALID("nf_dist_broadcast: buffer is null");
        if (root < 0 || root >= g_size) NF_INVALID("nf_dist_broadcast: root %d is not a rank (world size %d)", root, g_size);
        note_arrival();
        MPI_Request req;
        check(MPI_Ibcast(buffer, n, MPI_BYTE, root, g_comm, &req), "nf_dist_broadcast", "MPI_Ibcast");
        wait_for(&req, "nf_dist_broadcast", g_seq, timeout_s);
    });
}

NF_API nf_status nf_dist_barrier(double timeout_s) {
    return nf::guard("nf_dist_barrier", [&] {
        nf::dist::MpiLock lock(nf::dist::mpi_mutex());
        require_ready("nf_dist_barrier");
        note_arrival();
        MPI_Request req;
        check(MPI_Ibarrier(g_comm, &req), "nf_dist_barrier", "MPI_Ibarrier");
        wait_for(&req, "nf_dist_barrier", g_seq, timeout_s);
    });
}

NF_API nf_status nf_dist_allgather(const void* send, int64_t count, nf_dtype dtype, void* recv, double timeout_s) {
    return nf::guard("nf_dist_allgather", [&] {
        nf::dist::MpiLock lock(nf::dist::mpi_mutex());
        require_ready("nf_dist_allgather");
        MPI_Datatype t = mpi_type(dtype, "nf_dist_allgather");
        int n = checked_count(count, "nf_dist_allgather");
        checked_count(count * g_size, "nf_dist_allgather");
        if (n > 0 && (!send || !recv)) NF_INVALID("nf_dist_allgather: send and recv must not be null");
        note_arrival();
        MPI_Request req;
        check(MPI_Iallgather(send, n, t, recv, n, t, g_comm, &req), "nf_dist_allgather", "MPI_Iallgather");
        wait_for(&req, "nf_dist_allgather", g_seq, timeout_s);
    });
}

NF_API nf_status nf_dist_abort(int32_t code) {
    return nf::guard("nf_dist_abort", [&] {
        require_ready("nf_dist_abort");
        // Called by the thread ending the job, maybe while another waits in a collective; that
        // one leaves MPI within a poll once this rank announced its failure. If it does not
        // (a wait without polls), the job ends anyway: MPI_Abort is this process's last call.
        nf::dist::MpiLock lock(nf::dist::mpi_mutex(), std::chrono::seconds(10));
        MPI_Abort(MPI_COMM_WORLD, code);
    });
}

}  // extern "C"
