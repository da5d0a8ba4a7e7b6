// NetlinkMonitor: route, link and bridge FDB change notifications on Node's
// loop. The socket joins the asked multicast groups and is read without
// blocking whenever libuv says it is readable; each wakeup hands JS one
// buffer of decoded records (see records.h).
#pragma once

#include <napi.h>

#include <memory>

#include "common/external_memory.h"
#include "common/poll_handle.h"
#include "netlink/records.h"
#include "netlink/rtnl_socket.h"

namespace hostwire {

class NetlinkMonitor : public Napi::ObjectWrap<NetlinkMonitor> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit NetlinkMonitor(const Napi::CallbackInfo& info);
  ~NetlinkMonitor() override;

 private:
  void Start(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void Shutdown();
  void Ref(const Napi::CallbackInfo& info);
  void Unref(const Napi::CallbackInfo& info);
  Napi::Value GetNetns(const Napi::CallbackInfo& info);
  void OnReadable(int status);
  void Deliver(const RecordWriter& records);
  void ReportError(int err, const char* syscall);

  RtnlSocket socket_;
  ExternalMemory memory_;  // the socket's receive buffer
  std::unique_ptr<PollHandle> poll_;
  Napi::FunctionReference on_events_;
  Napi::FunctionReference on_error_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  bool started_ = false;
};

}  // namespace hostwire
