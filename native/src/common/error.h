// Error plumbing for the C ABI: kernels throw nf::Error (or anything else), and every exported
// function runs its body inside nf::guard, which turns the exception into an nf_status plus a
// thread-local message. Nothing thrown may cross the C boundary (.NET would crash the process).
#pragma once

#include <exception>
#include <new>
#include <string>

#include "neuralflow.h"

namespace nf {

// A failed argument check or unsupported request; message already names function + argument.
class Error : public std::exception {
public:
    Error(nf_status status, std::string message) : status_(status), message_(std::move(message)) {}
    nf_status status() const noexcept { return status_; }
    const char* what() const noexcept override { return message_.c_str(); }

private:
    nf_status status_;
    std::string message_;
};

// printf-style message builder, so call sites read like the message they produce.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

[[noreturn]] void fail(nf_status status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
#define NF_INVALID(...) ::nf::fail(NF_ERROR_INVALID_ARGUMENT, __VA_ARGS__)
#define NF_UNSUPPORTED(...) ::nf::fail(NF_ERROR_UNSUPPORTED, __VA_ARGS__)

void set_last_error(const char* message) noexcept;
// This thread's last message ("" when none); each engine exports it as its own nf_*last_error.
const char* last_error() noexcept;

// Runs body() and maps every exception to a status. `fn` names the exported function for
// messages that do not carry their own (out of memory, unexpected internal errors).
template <class Body>
nf_status guard(const char* fn, Body&& body) noexcept {
    try {
        body();
        return NF_OK;
    } catch (const Error& e) {
        set_last_error(e.what());
        return e.status();
    } catch (const std::bad_alloc&) {
        set_last_error((std::string(fn) + ": out of memory").c_str());
        return NF_ERROR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        try {
            set_last_error((std::string(fn) + ": internal error: " + e.what()).c_str());
        } catch (...) {
            set_last_error("internal error");
        }
        return NF_ERROR_INTERNAL;
    } catch (...) {
        set_last_error("internal error: unknown exception");
        return NF_ERROR_INTERNAL;
    }
}

}  // namespace nf
