// Node-style system errors: Error with .code (errno name), .errno, .syscall
// and, when a filesystem path is involved, .path — the same shape fs errors have.
//
// The errno convention everywhere under native/: a function that can fail
// returns -errno (-ENOENT), as the kernel and libuv do, and on success 0 or
// its non-negative result (an fd, a count, a length). An error kept in a
// struct (RtnlError, SysError) or passed to ErrnoError() is the positive
// errno value, as `errno` itself holds it.
#pragma once

#include <napi.h>

namespace hostwire {

// Symbolic name of an errno ("ENOBUFS"), from libuv so it matches Node's own.
const char* ErrnoName(int err);

// Builds the error; the caller throws it (ThrowAsJavaScriptException) or passes it on.
// `detail` replaces strerror()'s text when the plain errno would mislead
// ("a live socket already answers on this path" rather than "Address in use").
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const char* path = nullptr,
                       const char* detail = nullptr);

// Throws a TypeError/RangeError with a code, for bad arguments.
void ThrowTypeError(Napi::Env env, const char* code, const std::string& message);
void ThrowRangeError(Napi::Env env, const char* code, const std::string& message);

}  // namespace hostwire
