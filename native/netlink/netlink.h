// The netlink module. One name per concept, from the kernel up to TypeScript:
//   RtnlSocket      rtnl_socket.h  a NETLINK_ROUTE socket in plain C++ (no N-API): opened in
//                                  any namespace, one request and its ack, dumps, notifications
//   Netlink         netlink.h      the N-API class behind TS `Netlink` (src/netlink/netlink.ts):
//                                  route, link and bridge FDB requests
//   NetlinkMonitor  monitor.h      the N-API class behind TS `NetlinkMonitor` (src/netlink/monitor.ts):
//                                  change notifications on Node's loop
// messages.h decodes rtnetlink messages into plain structs, records.h packs
// them for JS (the layout is exported as `netlink.constants`), attributes.h
// reads and writes rtattr TLVs, netns.h opens sockets in another namespace and
// netlink_error.h turns a failed step into a Node-style error.
#pragma once

#include <napi.h>

#include "common/external_memory.h"
#include "netlink/records.h"
#include "netlink/rtnl_socket.h"

namespace hostwire {

// Adds `exports.netlink`: Netlink, NetlinkMonitor and the module's constants.
void InitNetlink(Napi::Env env, Napi::Object exports);

// The request side of rtnetlink for JS: routes, links and the bridge FDB,
// synchronously (see netlink.cc for why).
class Netlink : public Napi::ObjectWrap<Netlink> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Netlink(const Napi::CallbackInfo& info);
  ~Netlink() override;

 private:
  void Release();
  void ThrowFailure(napi_env env, const RtnlError& e);
  static napi_value ChangeRouteCallback(napi_env env, napi_callback_info cbinfo);
  Napi::Value Routes(const Napi::CallbackInfo& info);
  Napi::Value RoutesAsync(const Napi::CallbackInfo& info);
  Napi::Value LookupRoute(const Napi::CallbackInfo& info);
  Napi::Value Links(const Napi::CallbackInfo& info);
  Napi::Value Link(const Napi::CallbackInfo& info);
  static napi_value FdbCallback(napi_env env, napi_callback_info cbinfo);
  void Close(const Napi::CallbackInfo& info);
  Napi::Value GetNetns(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetBufferBytes(const Napi::CallbackInfo& info);
  static Napi::Value GetExternalMemory(const Napi::CallbackInfo& info);

  RtnlSocket socket_;
  RecordWriter records_;   // reused by the hot dump so its buffer is allocated once
  ExternalMemory memory_;  // the socket's receive buffer, while it is open
};

}  // namespace hostwire
