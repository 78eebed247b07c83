// Failure notes: how a rank that cannot go on tells the others, so that a rank waiting in a
// collective fails at once with the reason instead of waiting out the timeout (Horovod's
// coordinator broadcasts a worker's error to the others; torchelastic reports the failed rank's
// own exception as the job's root cause). The notes travel on the control communicator (the one
// of the ring's arrival notes, with their own tags), so they never mix with a collective:
//   failure  a rank threw on its own (nf_dist_announce_failure): every collective it has not
//            finished fails on the other ranks, with its message;
//   leaving  a rank finalizes (nf_dist_finalize) after collective #N: a rank waiting in a
//            collective after #N will never see it finish (a rank that caught an exception and
//            disposed its strategy, or simply ran fewer collectives).
// A failed rank lingers (nf_dist_linger) before it ends the job with MPI_Abort, so that the
// others learn of the failure in their next collective and report it instead of being killed
// first; they end the job themselves (their strategy, disposed after the failure, aborts).
// A waiting rank looks for notes as it polls (wait_for), so the happy path costs one MPI_Iprobe
// per 64 polls of a collective that has not finished yet, and nothing for one that has.
// Any thread may announce a failure (.NET's unhandled-exception hook runs on the thread that
// threw): while another thread of the rank is inside MPI (waiting in a collective), the note is
// handed to that thread, which sends it at its next poll and then leaves its wait (the rank is
// ending), since MPI_THREAD_SERIALIZED allows one thread inside MPI at a time.
#include <mpi.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "common/error.h"
#include "dist/dist_internal.h"
#include "neuralflow_dist.h"

namespace {

constexpr int kNoteTag = 1;             // a failure or leaving note: int64 header, then UTF-8 text
constexpr long long kFailed = -1;       // the header of a failure note (else: the last collective)
constexpr size_t kMaxText = 600;        // the note's text, cut to fit the error message it becomes

struct Note {
    bool known = false;
    long long after = kFailed;  // kFailed: failed; else left after this collective
    std::string text;
};

std::vector<Note> g_notes;               // by rank: what each one told this rank
std::vector<char> g_sent;                // this rank's own note, alive until the sends complete
std::vector<MPI_Request> g_sends;
bool g_announced = false;

// This rank's own failure, announced from any thread: the text, and whether a note waits for the
// thread inside MPI to send it. g_own_text is written once, before g_failed_here is set.
std::mutex g_own_mutex;
std::string g_own_text;
std::atomic<bool> g_failed_here{false};
std::atomic<bool> g_note_handed_over{false};

double now_s() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void sized() {
    size_t n = static_cast<size_t>(nf::dist::world_size());
    if (g_notes.size() != n) g_notes.assign(n, Note{});
}

// Reads every note that has arrived (without waiting).
void receive_notes() {
    sized();
    MPI_Comm ctl = nf::dist::control_comm();
    for (;;) {
        int flag = 0;
        MPI_Status st;
        if (MPI_Iprobe(MPI_ANY_SOURCE, kNoteTag, ctl, &flag, &st) != MPI_SUCCESS || !flag) break;
        int bytes = 0;
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        std::vector<char> buf(static_cast<size_t>(bytes > 0 ? bytes : 0) + 1, 0);
        if (MPI_Recv(buf.data(), bytes, MPI_BYTE, st.MPI_SOURCE, kNoteTag, ctl, MPI_STATUS_IGNORE) != MPI_SUCCESS) break;
        Note& note = g_notes[st.MPI_SOURCE];
        note.known = true;
        std::memcpy(&note.after, buf.data(), sizeof note.after);
        note.text.assign(buf.data() + sizeof note.after, static_cast<size_t>(bytes) - sizeof note.after);
    }
}

// Sends this rank's note (header `after`, then text) to every other rank, once.
void send_note(long long after, const char* text) {
    int size = nf::dist::world_size(), rank = nf::dist::world_rank();
    if (size == 1 || g_announced) return;
    g_announced = true;
    size_t length = text ? std::strlen(text) : 0;
    if (length > kMaxText) length = kMaxText;
    g_sent.assign(sizeof after + length, 0);
    std::memcpy(g_sent.data(), &after, sizeof after);
    if (length > 0) std::memcpy(g_sent.data() + sizeof after, text, length);
    g_sends.assign(static_cast<size_t>(size), MPI_REQUEST_NULL);
    for (int r = 0; r < size; r++)
        if (r != rank)
            MPI_Isend(g_sent.data(), static_cast<int>(g_sent.size()), MPI_BYTE, r, kNoteTag, nf::dist::control_comm(), &g_sends[r]);
}

}  // namespace

void nf::dist::poll_failures(const char* fn, long long waiting_seq) {
    if (world_size() == 1) return;
    if (g_failed_here.load()) {
        std::string text;
        {
            std::lock_guard<std::mutex> own(g_own_mutex);
            text = g_own_text;
        }
        // Another thread of this rank failed while this one waited here: its note leaves now,
        // from the thread that may call MPI, and this wait ends, since the rank is ending.
        if (g_note_handed_over.exchange(false)) send_note(kFailed, text.c_str());
        nf::fail(NF_ERROR_INTERNAL, "rank %d of %d failed: %s (announced to the other ranks; the wait in %s, collective #%lld, is abandoned and the job ends)",
                 world_rank(), world_size(), text.c_str(), fn, waiting_seq);
    }
    receive_notes();
    for (int r = 0; r < world_size(); r++) {
        const Note& note = g_notes[r];
        if (!note.known) continue;
        if (note.after == kFailed)
            nf::fail(NF_ERROR_INTERNAL, "rank %d failed: %s (rank %d of %d learned it waiting in %s, collective #%lld; the job cannot go on)",
                     r, note.text.c_str(), world_rank(), world_size(), fn, waiting_seq);
        if (note.after < waiting_seq)
            nf::fail(NF_ERROR_INTERNAL,
                     "rank %d left the job (its DataParallel strategy was disposed or its process ended%s%s) after collective #%lld, so collective #%lld that rank %d of %d waits in (%s) "
                     "can never complete: every rank must run the same collectives (the same Fit, Evaluate, Predict and AllReduce calls)",
                     r, note.text.empty() ? "" : ": ", note.text.c_str(), note.after, waiting_seq, world_rank(), world_size(), fn);
    }
}

void nf::dist::announce_leaving(long long last_seq) {
    if (world_size() == 1) return;
    receive_notes();
    send_note(last_seq, "");
    // The leaving note must leave before MPI_Finalize: small sends complete at once (eager).
    for (auto& req : g_sends)
        if (req != MPI_REQUEST_NULL) MPI_Request_free(&req);
}

extern "C" {

NF_API nf_status nf_dist_announce_failure(const char* message) {
    return nf::guard("nf_dist_announce_failure", [&] {
        nf::dist::require_ready("nf_dist_announce_failure");
        if (g_failed_here.load()) return;  // announced once
        {
            std::lock_guard<std::mutex> own(g_own_mutex);
            g_own_text.assign(message ? message : "", 0, kMaxText);
        }
        nf::dist::MpiLock lock(nf::dist::mpi_mutex(), std::try_to_lock);
        if (!lock.owns_lock()) {
            // Another thread is inside MPI: it sends the note at its next poll and leaves its
            // wait; one that leaves MPI first (a collective that completed) lets this thread in.
            g_note_handed_over.store(true);
            g_failed_here.store(true);
            if (!lock.try_lock_for(std::chrono::seconds(30)))
                nf::fail(NF_ERROR_INTERNAL, "nf_dist_announce_failure: another thread of rank %d stayed inside MPI for 30 s, so the failure could not be announced",
                         nf::dist::world_rank());
            if (!g_note_handed_over.exchange(false)) return;  // that thread sent it
        }
        g_failed_here.store(true);
        send_note(kFailed, g_own_text.c_str());
    });
}

NF_API nf_status nf_dist_linger(double timeout_s, int32_t* remaining) {
    return nf::guard("nf_dist_linger", [&] {
        nf::dist::require_ready("nf_dist_linger");
        if (!remaining) NF_INVALID("nf_dist_linger: remaining must not be null");
        int size = nf::dist::world_size(), rank = nf::dist::world_rank();
        // A thread still waiting in a collective leaves it at its next poll (this rank failed).
        nf::dist::MpiLock lock(nf::dist::mpi_mutex(), std::chrono::seconds(10));
        if (!lock.owns_lock()) {
            *remaining = size - 1;
            return;
        }
        double deadline = now_s() + (timeout_s > 0 ? timeout_s : 0);
        for (;;) {
            receive_notes();
            int count = 0;  // ranks still running: no note from them
            for (int r = 0; r < size; r++)
                if (r != rank && !g_notes[r].known) count++;
            *remaining = count;
            if (count == 0 || now_s() >= deadline) return;
            // Keep this rank's own note moving (Open MPI progresses only inside MPI calls).
            for (auto& req : g_sends) {
                int done = 0;
                if (req != MPI_REQUEST_NULL) MPI_Test(&req, &done, MPI_STATUS_IGNORE);
            }
            usleep(1000);
        }
    });
}

}  // extern "C"
