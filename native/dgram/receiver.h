// The receiving end of an AF_UNIX datagram socket, event-driven on Node's
// loop. Each wakeup drains the socket with recvmmsg() in batches into one
// preallocated buffer and hands JS the batch size; JS reads the bytes and a
// per-datagram record (length, flags, sender pid/uid/gid) from two typed
// arrays it was given once. Nothing is allocated per datagram.
#pragma once

#include <napi.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <memory>
#include <vector>

#include "common/external_memory.h"
#include "common/poll_handle.h"
#include "common/unique_fd.h"
#include "dgram/address.h"

namespace hostwire {

// Layout of one datagram's record in the Int32Array `meta`; exported with the
// flags as dgram.constants.receiveMeta and .receiveFlag.
enum ReceiveMetaField : int {
  kMetaLength = 0,  // the datagram's real length, even when truncated
  kMetaFlags = 1,   // kFlag* bits below
  kMetaPid = 2,     // -1 when credentials are off
  kMetaUid = 3,
  kMetaGid = 4,
  kMetaFields = 5,
};

enum ReceiveFlag : int {
  kFlagTruncated = 1,         // longer than the slot: only the head was kept
  kFlagControlTruncated = 2,  // more ancillary data than room (extra fds were closed by the kernel)
  kFlagFdsClosed = 4,         // the sender passed file descriptors; they were closed
};

class DgramReceiver : public Napi::ObjectWrap<DgramReceiver> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit DgramReceiver(const Napi::CallbackInfo& info);
  ~DgramReceiver() override;

 private:
  void Start(const Napi::CallbackInfo& info);
  void Stop(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void Ref(const Napi::CallbackInfo& info);
  void Unref(const Napi::CallbackInfo& info);
  Napi::Value GetData(const Napi::CallbackInfo& info);
  Napi::Value GetMeta(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetFdsClosed(const Napi::CallbackInfo& info);
  Napi::Value GetTruncated(const Napi::CallbackInfo& info);
  Napi::Value GetReceiveBufferSize(const Napi::CallbackInfo& info);
  void SetReceiveBufferSize(const Napi::CallbackInfo& info, const Napi::Value& value);

  int BindPathname(mode_t mode);
  void PrepareBatch();
  int ReadBatch();  // messages read, or -errno; fills meta and closes passed fds
  void OnReadable(int status);
  void Deliver(int count);
  void ReportError(int err, const char* syscall);
  void StopPolling();
  void CloseSocket();
  void ReleaseBatch();

  UnixAddress address_;
  UniqueFd fd_;
  bool credentials_ = false;
  bool polling_ = false;
  bool owns_path_ = false;
  dev_t bound_dev_ = 0;
  ino_t bound_ino_ = 0;
  uint32_t batch_size_ = 0;
  uint32_t message_size_ = 0;
  double fds_closed_ = 0;
  double truncated_ = 0;

  uint8_t* data_ = nullptr;  // backing store of data_ref_ (batch_size_ * message_size_)
  int32_t* meta_ = nullptr;  // backing store of meta_ref_ (batch_size_ * kMetaFields)
  Napi::Reference<Napi::Uint8Array> data_ref_;
  Napi::Reference<Napi::Int32Array> meta_ref_;
  std::vector<mmsghdr> messages_;
  std::vector<iovec> iovecs_;
  std::vector<uint8_t> control_;
  ExternalMemory batch_memory_;  // messages_, iovecs_ and control_, reported to V8

  std::unique_ptr<PollHandle> poll_;
  Napi::FunctionReference on_batch_;
  Napi::FunctionReference on_error_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
};

}  // namespace hostwire
