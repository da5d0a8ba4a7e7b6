#include "common/errors.h"

#include <string.h>
#include <uv.h>

#include <string>

namespace hostwire {

const char* ErrnoName(int err) {
  // libuv error codes are negated errnos on Unix.
  return uv_err_name(-err);
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const char* path, const char* detail) {
  const char* code = ErrnoName(err);
  std::string message = std::string(code) + ": " + (detail != nullptr ? detail : strerror(err)) + ", " + syscall;
  if (path != nullptr) {
    message += " '";
    message += path;
    message += "'";
  }
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, syscall));
  if (path != nullptr) error.Set("path", Napi::String::New(env, path));
  return error;
}

void ThrowTypeError(Napi::Env env, const char* code, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.ThrowAsJavaScriptException();
}

void ThrowRangeError(Napi::Env env, const char* code, const std::string& message) {
  Napi::RangeError error = Napi::RangeError::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.ThrowAsJavaScriptException();
}

}  // namespace hostwire
