#include "dgram/dgram.h"

#include <errno.h>

#include "common/constants.h"
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

// The numbers TypeScript reads from the dgram handles: the receiver's
// per-datagram record and flags, the sender's result encoding and states.
Napi::Object DgramConstants(Napi::Env env) {
  auto code = [](auto value) { return static_cast<double>(static_cast<int>(value)); };
  using State = DgramSender::State;
  return FrozenObjects(env, {
                                {"receiveMeta", FrozenNumbers(env, {{"length", kMetaLength},
                                                                    {"flags", kMetaFlags},
                                                                    {"pid", kMetaPid},
                                                                    {"uid", kMetaUid},
                                                                    {"gid", kMetaGid},
                                                                    {"stride", kMetaFields}})},
                                {"receiveFlag", FrozenNumbers(env, {{"truncated", kFlagTruncated},
                                                                    {"controlTruncated", kFlagControlTruncated},
                                                                    {"fdsClosed", kFlagFdsClosed}})},
                                {"sendOutcome", FrozenNumbers(env, {{"sent", code(SendOutcome::kSent)},
                                                                    {"queueFull", code(SendOutcome::kQueueFull)},
                                                                    {"noObserver", code(SendOutcome::kNoObserver)},
                                                                    {"peerGone", code(SendOutcome::kPeerGone)},
                                                                    {"storageFull", code(SendOutcome::kStorageFull)},
                                                                    {"failed", code(SendOutcome::kFailed)}})},
                                {"sendResult", FrozenNumbers(env, {{"outcomeMask", kSendResultOutcomeMask},
                                                                   {"errnoShift", kSendResultErrnoShift}})},
                                {"senderState", FrozenNumbers(env, {{"pending", code(State::kPending)},
                                                                    {"connected", code(State::kConnected)},
                                                                    {"disconnected", code(State::kDisconnected)},
                                                                    {"closed", code(State::kClosed)}})},
                            });
}

}  // namespace

void InitDgram(Napi::Env env, Napi::Object exports) {
  Napi::Object dgram = Napi::Object::New(env);
  dgram.Set("DgramSender", DgramSender::Define(env));
  dgram.Set("DgramReceiver", DgramReceiver::Define(env));
  dgram.Set("classifySendErrno", Napi::Function::New(env, ClassifySendErrnoJs, "classifySendErrno"));
  dgram.Set("constants", DgramConstants(env));
  exports.Set("dgram", dgram);
}

}  // namespace hostwire
