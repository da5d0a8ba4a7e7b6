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

#include <cstddef>
#include <cstdint>

#include "common/external_memory.h"
#include "netlink/records.h"
#include "netlink/rtnl_socket.h"

namespace hostwire {

// Adds `exports.netlink`: Netlink, NetlinkMonitor, the multicast `groups` and
// `constants` (the record layout, RouteOp, RouteChange and the kernel numbers
// TypeScript's route defaults use).
void InitNetlink(Napi::Env env, Napi::Object exports);

enum class RouteOp : uint32_t { kAdd = 0, kReplace = 1, kRemove = 2 };

// Netlink.changeRoute()'s request: slots of one Uint32Array, with the
// destination and gateway passed beside it as text. Packed rather than an
// options object because a route change is a hot path (~1.5 µs in all, the
// kernel's work included), and reading ten properties through N-API would add
// about a third to it; TS fills one array it reuses. Every number is sent to
// the kernel as it is: the defaults are decided in TypeScript.
struct RouteChange {
  static constexpr size_t kOp = 0;        // RouteOp
  static constexpr size_t kPrefix = 1;    // destination prefix length
  static constexpr size_t kTable = 2;     // RTA_TABLE
  static constexpr size_t kProtocol = 3;  // rtm_protocol, RTPROT_*
  static constexpr size_t kScope = 4;     // rtm_scope, RT_SCOPE_*
  static constexpr size_t kType = 5;      // rtm_type, RTN_*
  static constexpr size_t kOif = 6;       // RTA_OIF, sent when kBits has kHasOif
  static constexpr size_t kMetric = 7;    // RTA_PRIORITY, sent when kBits has kHasMetric
  static constexpr size_t kBits = 8;
  static constexpr size_t kLength = 9;
  static constexpr uint32_t kHasOif = 1;
  static constexpr uint32_t kHasMetric = 2;
};

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
