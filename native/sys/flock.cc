// flock(2): whole-file advisory locks, held per open file description, so a
// lock dies with the process that held it. Only the non-blocking form is
// offered: a blocking flock would stall Node's event loop.
#include <errno.h>
#include <sys/file.h>

#include "common/errors.h"
#include "sys/sys.h"

namespace hostwire {

namespace {

// tryLock(fd, exclusive) -> true when taken, false when another holder has it.
Napi::Value TryLock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"fd\" argument must be a number");
    return Napi::Value();
  }
  const int fd = info[0].As<Napi::Number>().Int32Value();
  const int op = (info[1].ToBoolean().Value() ? LOCK_EX : LOCK_SH) | LOCK_NB;
  int rc;
  do {
    rc = ::flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return Napi::Boolean::New(env, true);
  if (errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
  ErrnoError(env, errno, "flock").ThrowAsJavaScriptException();
  return Napi::Value();
}

Napi::Value Unlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"fd\" argument must be a number");
    return Napi::Value();
  }
  if (::flock(info[0].As<Napi::Number>().Int32Value(), LOCK_UN) != 0) {
    ErrnoError(env, errno, "flock").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

}  // namespace

void InitFlock(Napi::Env env, Napi::Object sys) {
  sys.Set("tryLock", Napi::Function::New(env, TryLock, "tryLock"));
  sys.Set("unlock", Napi::Function::New(env, Unlock, "unlock"));
}

}  // namespace hostwire
