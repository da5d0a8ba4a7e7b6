// SO_PEERCRED: the pid, uid and gid of the process at the other end of a
// connected Unix stream socket, as the kernel recorded them at connect().
// Node has no way to ask; servers use it to decide whom to answer.
#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/errors.h"
#include "sys/sys.h"

namespace hostwire {

namespace {

// peerCredentials(fd) -> { pid, uid, gid }.
Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"fd\" argument must be a number");
    return Napi::Value();
  }
  const int fd = info[0].As<Napi::Number>().Int32Value();
  struct ucred cred {};
  socklen_t length = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
    ErrnoError(env, errno, "getsockopt").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, cred.pid));
  result.Set("uid", Napi::Number::New(env, cred.uid));
  result.Set("gid", Napi::Number::New(env, cred.gid));
  return result;
}

}  // namespace

void InitPeerCredentials(Napi::Env env, Napi::Object sys) {
  sys.Set("peerCredentials", Napi::Function::New(env, PeerCredentials, "peerCredentials"));
}

}  // namespace hostwire
