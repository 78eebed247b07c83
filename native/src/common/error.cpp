#include "common/error.h"

#include <pthread.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace nf {

namespace {
// The last error lives in a per-thread heap buffer reached through a pthread key rather than
// a C++ thread_local: thread_local in a shared library needs __tls_get_addr from the dynamic
// loader (an extra NEEDED entry) and the buffer is freed when the thread exits.
constexpr size_t kMaxMessage = 1024;
pthread_key_t g_key;
pthread_once_t g_once = PTHREAD_ONCE_INIT;
bool g_key_ok = false;

void make_key() { g_key_ok = pthread_key_create(&g_key, std::free) == 0; }

// This thread's buffer, created on first use; nullptr if that allocation fails.
char* thread_buffer(bool create) {
    pthread_once(&g_once, make_key);
    if (!g_key_ok) return nullptr;
    char* buf = static_cast<char*>(pthread_getspecific(g_key));
    if (!buf && create) {
        buf = static_cast<char*>(std::calloc(kMaxMessage, 1));
        if (buf && pthread_setspecific(g_key, buf) != 0) {
            std::free(buf);
            buf = nullptr;
        }
    }
    return buf;
}
}  // namespace

std::string format(const char* fmt, ...) {
    char buf[kMaxMessage];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    return std::string(buf);
}

void fail(nf_status status, const char* fmt, ...) {
    char buf[kMaxMessage];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    throw Error(status, buf);
}

void set_last_error(const char* message) noexcept {
    char* buf = thread_buffer(true);
    if (!buf) return;  // out of memory for the message itself: nf_last_error says so
    std::strncpy(buf, message ? message : "", kMaxMessage - 1);
    buf[kMaxMessage - 1] = '\0';
}

const char* last_error() noexcept {
    pthread_once(&g_once, make_key);
    if (!g_key_ok) return "error messages unavailable (pthread_key_create failed)";
    const char* buf = thread_buffer(false);
    return buf ? buf : "";
}

}  // namespace nf
