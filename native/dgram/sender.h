// The sending end of an AF_UNIX datagram socket. send() is one syscall: it
// never blocks, never queues in memory, and reports what happened as a small
// integer (see outcome.h). An observer that is not there yet is not an error:
// the sender stays "pending" and addresses each datagram with sendto() until
// one is accepted, then connects.
#pragma once

#include <napi.h>

#include <memory>

#include "common/poll_handle.h"
#include "common/unique_fd.h"
#include "dgram/address.h"

namespace hostwire {

class DgramSender : public Napi::ObjectWrap<DgramSender> {
 public:
  enum class State : int { kPending = 0, kConnected = 1, kDisconnected = 2, kClosed = 3 };

  static Napi::Function Define(Napi::Env env);
  explicit DgramSender(const Napi::CallbackInfo& info);
  ~DgramSender() override;

  // Sends one datagram and classifies the result (outcome | errno << 8).
  int SendBytes(const uint8_t* data, size_t length);

 private:
  static napi_value SendCallback(napi_env env, napi_callback_info cbinfo);
  void Reconnect(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void WaitWritable(const Napi::CallbackInfo& info);
  void CancelWait(const Napi::CallbackInfo& info);
  void Ref(const Napi::CallbackInfo& info);
  void Unref(const Napi::CallbackInfo& info);
  Napi::Value GetState(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetSendBufferSize(const Napi::CallbackInfo& info);
  void SetSendBufferSize(const Napi::CallbackInfo& info, const Napi::Value& value);

  // Opens and connects a fresh socket; on success swaps it in. Returns 0 or -errno.
  int OpenAndConnect(UniqueFd* fd, State* state);
  void StopWaiting();
  void DestroyPoll();
  void OnWritable(int status);

  UnixAddress address_;
  UniqueFd fd_;
  State state_ = State::kPending;
  bool require_peer_ = false;
  bool waiting_ = false;
  bool ref_ = false;  // senders do not hold the loop open unless asked to
  std::unique_ptr<PollHandle> poll_;
  Napi::FunctionReference on_writable_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
};

}  // namespace hostwire
