#include "dgram/dgram.h"

#include <errno.h>

#include "dgram/outcome.h"
#include "dgram/receiver.h"
#include "dgram/sender.h"

namespace hostwire {

namespace {

// classifySendErrno(errno, wasConnected) -> outcome code; the table the sender
// itself uses, exposed so callers and tests can see the errno mapping.
Napi::Value ClassifySendErrnoJs(const Napi::CallbackInfo& info) {
  int err = info[0].As<Napi::Number>().Int32Value();
  bool was_connected = info[1].ToBoolean().Value();
  return Napi::Number::New(info.Env(), static_cast<int>(ClassifySendErrno(err, was_connected)));
}

}  // namespace

void InitDgram(Napi::Env env, Napi::Object exports) {
  Napi::Object dgram = Napi::Object::New(env);
  dgram.Set("DgramSender", DgramSender::Define(env));
  dgram.Set("DgramReceiver", DgramReceiver::Define(env));
  dgram.Set("classifySendErrno", Napi::Function::New(env, ClassifySendErrnoJs, "classifySendErrno"));
  exports.Set("dgram", dgram);
}

}  // namespace hostwire
