// NetlinkSocket: the request side of rtnetlink for JS — routes, links and the
// bridge FDB, synchronously. Each call is one kernel round trip of a few
// microseconds (the kernel answers inside the send syscall); handing it to
// the threadpool would cost far more than it saves.
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <string>

#include "common/bound_method.h"
#include "common/errors.h"
#include "common/external_memory.h"
#include "netlink/attributes.h"
#include "netlink/messages.h"
#include "netlink/netlink.h"
#include "netlink/netlink_error.h"
#include "netlink/records.h"
#include "netlink/rtnl_socket.h"

#ifndef RTEXT_FILTER_SKIP_STATS
#define RTEXT_FILTER_SKIP_STATS (1 << 3)
#endif

namespace hostwire {

namespace {

enum RouteOp { kAdd = 0, kReplace = 1, kDelete = 2 };

struct RouteRequest {
  nlmsghdr header;
  rtmsg msg;
  char attrs[256];
};

struct Address {
  uint8_t family = 0;
  uint8_t bytes[16] = {0};
};

bool ParseAddress(napi_env env, napi_value value, Address* out) {
  char text[64];
  size_t length = 0;
  if (napi_get_value_string_latin1(env, value, text, sizeof text, &length) != napi_ok || length >= sizeof text - 1) {
    return false;
  }
  if (inet_pton(AF_INET, text, out->bytes) == 1) {
    out->family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text, out->bytes) == 1) {
    out->family = AF_INET6;
    return true;
  }
  return false;
}

bool IsNullish(napi_env env, napi_value value) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  return type == napi_null || type == napi_undefined;
}

int32_t Int32Or(napi_env env, napi_value value, int32_t fallback) {
  int32_t out;
  return napi_get_value_int32(env, value, &out) == napi_ok ? out : fallback;
}

std::string ToString(const Napi::Value& value) {
  return value.IsString() ? value.As<Napi::String>().Utf8Value() : std::string();
}

// A dump whose messages `add` turns into records; an interrupted dump
// (signalled by a null message) starts the records over.
template <typename Add>
RtnlError DumpRecords(RtnlSocket& socket, nlmsghdr* request, const char* name, RecordWriter& records, Add add) {
  records.Clear();
  return socket.Dump(request, name, [&](const nlmsghdr* header) {
    if (header == nullptr) {
      records.Clear();
    } else {
      add(header);
    }
  });
}

// RTM_GETLINK for every link, or for one (by index or IFLA_IFNAME); statistics
// are not wanted, so the kernel is told to skip building them.
struct LinkRequest {
  nlmsghdr header;
  ifinfomsg msg;
  char attrs[64];
};

void InitLinkRequest(LinkRequest* request) {
  memset(request, 0, sizeof *request);
  request->header.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  request->header.nlmsg_type = RTM_GETLINK;
  request->msg.ifi_family = AF_UNSPEC;
  AttributeWriter(request, sizeof *request).PutU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
}

}  // namespace

class NetlinkSocket : public Napi::ObjectWrap<NetlinkSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkSocket",
                       {
                           InstanceMethod<&NetlinkSocket::Routes>("routes"),
                           InstanceMethod<&NetlinkSocket::LookupRoute>("lookupRoute"),
                           InstanceMethod<&NetlinkSocket::Links>("links"),
                           InstanceMethod<&NetlinkSocket::Link>("link"),
                           InstanceMethod<&NetlinkSocket::Close>("close"),
                           InstanceAccessor<&NetlinkSocket::GetNetns>("netns"),
                           InstanceAccessor<&NetlinkSocket::GetFd>("fd"),
                       });
  }

  // new NetlinkSocket(netns: string | null)
  explicit NetlinkSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetlinkSocket>(info) {
    Napi::Env env = info.Env();
    std::string netns = ToString(info[0]);
    RtnlError e = socket_.Open(netns.empty() ? nullptr : netns.c_str(), {}, false);
    if (e.err != 0) {
      NetlinkError(env, e, socket_.netnsPath(), true).ThrowAsJavaScriptException();
      return;
    }
    memory_.Set(env, static_cast<int64_t>(socket_.bufferBytes()));
    // Hot paths skip ObjectWrap's unwrap (see bound_method.h).
    InstallBoundMethod(env, info.This(), "changeRoute", ChangeRouteCallback, this);
    InstallBoundMethod(env, info.This(), "fdb", FdbCallback, this);
  }

 private:
  void ThrowFailure(napi_env env, const RtnlError& e) {
    NetlinkError(Napi::Env(env), e, socket_.netnsPath(), false).ThrowAsJavaScriptException();
  }

  // changeRoute(op, dst, prefix, oif, gateway|null, table, protocol, scope, metric, type)
  //   -> true, or for a delete of an absent route, false. -1 (table: 0) means "default".
  static napi_value ChangeRouteCallback(napi_env env, napi_callback_info cbinfo) {
    size_t argc = 10;
    napi_value argv[10];
    void* data = nullptr;
    napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, &data);
    auto* self = static_cast<NetlinkSocket*>(data);
    if (argc < 10) {
      napi_throw_type_error(env, "ERR_MISSING_ARGS", "changeRoute takes 10 arguments");
      return nullptr;
    }
    const int32_t op = Int32Or(env, argv[0], -1);
    Address dst;
    if (op < kAdd || op > kDelete || !ParseAddress(env, argv[1], &dst)) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "route destination must be an IPv4 or IPv6 address");
      return nullptr;
    }
    const int32_t prefix = Int32Or(env, argv[2], -1);
    if (prefix < 0 || prefix > (dst.family == AF_INET ? 32 : 128)) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "route prefix length is out of range for its family");
      return nullptr;
    }
    Address gateway;
    const bool hasGateway = !IsNullish(env, argv[4]);
    if (hasGateway && (!ParseAddress(env, argv[4], &gateway) || gateway.family != dst.family)) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "route gateway must be an address of the destination's family");
      return nullptr;
    }
    const int32_t oif = Int32Or(env, argv[3], 0);
    uint32_t table = 0;  // 0: the main table (0 itself is never a valid table to ask for)
    if (napi_get_value_uint32(env, argv[5], &table) != napi_ok) table = 0;
    const int32_t protocol = Int32Or(env, argv[6], -1);
    const int32_t scope = Int32Or(env, argv[7], -1);
    const int32_t metric = Int32Or(env, argv[8], -1);
    const int32_t type = Int32Or(env, argv[9], -1);

    RouteRequest request;
    memset(&request, 0, sizeof request.header + sizeof request.msg);
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    request.header.nlmsg_type = op == kDelete ? RTM_DELROUTE : RTM_NEWROUTE;
    request.header.nlmsg_flags = op == kAdd       ? NLM_F_CREATE | NLM_F_EXCL
                                 : op == kReplace ? NLM_F_CREATE | NLM_F_REPLACE
                                                  : 0;
    rtmsg& msg = request.msg;
    msg.rtm_family = dst.family;
    msg.rtm_dst_len = static_cast<uint8_t>(prefix);
    const uint32_t tableId = table == 0 ? uint32_t{RT_TABLE_MAIN} : table;
    msg.rtm_table = static_cast<uint8_t>(tableId < 256 ? tableId : uint32_t{RT_TABLE_UNSPEC});
    if (op == kDelete) {
      // As `ip route del`: unset fields match any route; set ones must match.
      msg.rtm_protocol = static_cast<uint8_t>(protocol < 0 ? RTPROT_UNSPEC : protocol);
      msg.rtm_scope = static_cast<uint8_t>(scope < 0 ? RT_SCOPE_NOWHERE : scope);
      msg.rtm_type = static_cast<uint8_t>(type < 0 ? RTN_UNSPEC : type);
    } else {
      msg.rtm_protocol = static_cast<uint8_t>(protocol < 0 ? RTPROT_BOOT : protocol);
      // As `ip route add`: an IPv4 route straight to a device is link-scoped.
      const bool linkScope = dst.family == AF_INET && !hasGateway && oif > 0;
      msg.rtm_scope = static_cast<uint8_t>(scope >= 0 ? scope : linkScope ? int{RT_SCOPE_LINK} : int{RT_SCOPE_UNIVERSE});
      msg.rtm_type = static_cast<uint8_t>(type < 0 ? RTN_UNICAST : type);
    }
    const unsigned width = AddressLength(dst.family);
    AttributeWriter attrs(&request, sizeof request);
    attrs.PutU32(RTA_TABLE, tableId);
    attrs.Put(RTA_DST, dst.bytes, width);
    if (oif > 0) attrs.PutU32(RTA_OIF, static_cast<uint32_t>(oif));
    if (hasGateway) attrs.Put(RTA_GATEWAY, gateway.bytes, width);
    if (metric >= 0) attrs.PutU32(RTA_PRIORITY, static_cast<uint32_t>(metric));

    static const char* const kNames[] = {"RTM_NEWROUTE", "RTM_NEWROUTE", "RTM_DELROUTE"};
    RtnlError e = self->socket_.Transact(&request.header, kNames[op]);
    napi_value result;
    if (e.err == 0) {
      napi_get_boolean(env, true, &result);
      return result;
    }
    if (op == kDelete && e.err == ESRCH) {  // no such route: an outcome, not a failure
      napi_get_boolean(env, false, &result);
      return result;
    }
    self->ThrowFailure(env, e);
    return nullptr;
  }

  // routes(family 0|4|6, table (0 = all), dst|null, prefix) -> route records; cache clones are left out.
  Napi::Value Routes(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const int family = Int32Or(env, info[0], 0);
    const uint32_t table = static_cast<uint32_t>(Int32Or(env, info[1], RT_TABLE_MAIN));
    Address match;
    const bool exact = info.Length() > 2 && !IsNullish(env, info[2]);
    if (exact && !ParseAddress(env, info[2], &match)) {
      ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "route destination must be an IPv4 or IPv6 address");
      return Napi::Value();
    }
    const int matchPrefix = exact ? Int32Or(env, info[3], -1) : -1;
    struct {
      nlmsghdr header;
      rtmsg msg;
    } request = {};
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    request.header.nlmsg_type = RTM_GETROUTE;
    request.msg.rtm_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
    RecordWriter records;
    RtnlError e = DumpRecords(socket_, &request.header, "RTM_GETROUTE", records, [&](const nlmsghdr* header) {
      RouteInfo route;
      if (!DecodeRoute(header, &route) || (route.flags & RTM_F_CLONED) != 0) return;
      if (table != 0 && route.table != table) return;
      if (exact && (route.family != match.family || route.prefix != matchPrefix ||
                    memcmp(route.dst, match.bytes, AddressLength(route.family)) != 0)) {
        return;
      }
      records.Route(RecordAction::kListed, route);
    });
    if (e.err != 0) {
      ThrowFailure(env, e);
      return Napi::Value();
    }
    return Napi::Value(env, records.ToArrayBuffer(env));
  }

  // lookupRoute(address) -> one route record (`ip route get`), or none when unreachable.
  Napi::Value LookupRoute(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Address address;
    if (!ParseAddress(env, info[0], &address)) {
      ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "address must be an IPv4 or IPv6 address");
      return Napi::Value();
    }
    RouteRequest request;
    memset(&request, 0, sizeof request.header + sizeof request.msg);
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    request.header.nlmsg_type = RTM_GETROUTE;
    request.msg.rtm_family = address.family;
    request.msg.rtm_dst_len = address.family == AF_INET ? 32 : 128;
    AttributeWriter attrs(&request, sizeof request);
    attrs.Put(RTA_DST, address.bytes, AddressLength(address.family));
    RecordWriter records;
    RtnlError e = socket_.Transact(&request.header, "RTM_GETROUTE", [&](const nlmsghdr* header) {
      RouteInfo route;
      if (DecodeRoute(header, &route)) records.Route(RecordAction::kListed, route);
    });
    if (e.err == ENETUNREACH || e.err == EHOSTUNREACH) records.Clear();
    else if (e.err != 0) {
      ThrowFailure(env, e);
      return Napi::Value();
    }
    return Napi::Value(env, records.ToArrayBuffer(env));
  }

  // links() -> link records
  Napi::Value Links(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    LinkRequest request;
    InitLinkRequest(&request);
    RecordWriter records;
    RtnlError e = DumpRecords(socket_, &request.header, "RTM_GETLINK", records, [&](const nlmsghdr* header) {
      LinkInfo link;
      if (DecodeLink(header, &link)) records.Link(RecordAction::kListed, link);
    });
    if (e.err != 0) {
      ThrowFailure(env, e);
      return Napi::Value();
    }
    return Napi::Value(env, records.ToArrayBuffer(env));
  }

  // link(nameOrIndex) -> one link record, or none
  Napi::Value Link(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    LinkRequest request;
    InitLinkRequest(&request);
    AttributeWriter attrs(&request, sizeof request);
    if (info[0].IsNumber()) {
      request.msg.ifi_index = info[0].As<Napi::Number>().Int32Value();
    } else if (info[0].IsString()) {
      std::string name = info[0].As<Napi::String>().Utf8Value();
      if (name.empty() || name.size() >= IFNAMSIZ) {
        ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "interface name must be 1-15 bytes");
        return Napi::Value();
      }
      attrs.PutString(IFLA_IFNAME, name.c_str());
    } else {
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "link() takes an interface name or index");
      return Napi::Value();
    }
    RecordWriter records;
    RtnlError e = socket_.Transact(&request.header, "RTM_GETLINK", [&](const nlmsghdr* header) {
      LinkInfo link;
      if (DecodeLink(header, &link)) records.Link(RecordAction::kListed, link);
    });
    if (e.err == ENODEV) records.Clear();
    else if (e.err != 0) {
      ThrowFailure(env, e);
      return Napi::Value();
    }
    return Napi::Value(env, records.ToArrayBuffer(env));
  }

  // fdb(masterIndex (0 = every bridge)) -> FDB records
  static napi_value FdbCallback(napi_env env, napi_callback_info cbinfo) {
    size_t argc = 1;
    napi_value argv[1];
    void* data = nullptr;
    napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, &data);
    auto* self = static_cast<NetlinkSocket*>(data);
    const int32_t master = argc > 0 ? Int32Or(env, argv[0], 0) : 0;
    // As `bridge fdb show br BR`: the kernel filters by bridge when the dump
    // request is an ifinfomsg carrying IFLA_MASTER (with an ndmsg it ignores
    // the filter). The result holds the bridge's own entries and its ports'.
    struct {
      nlmsghdr header;
      ifinfomsg msg;
      char attrs[16];
    } request = {};
    request.header.nlmsg_len = NLMSG_LENGTH(master > 0 ? sizeof(ifinfomsg) : sizeof(ndmsg));
    request.header.nlmsg_type = RTM_GETNEIGH;
    request.msg.ifi_family = AF_BRIDGE;  // ndm_family and ifi_family share the first byte
    AttributeWriter attrs(&request, sizeof request);
    if (master > 0) attrs.PutU32(IFLA_MASTER, static_cast<uint32_t>(master));
    RecordWriter& records = self->records_;
    RtnlError e = DumpRecords(self->socket_, &request.header, "RTM_GETNEIGH", records, [&](const nlmsghdr* header) {
      FdbInfo entry;
      if (!DecodeFdb(header, &entry)) return;
      records.Fdb(RecordAction::kListed, entry);
    });
    if (e.err != 0) {
      self->ThrowFailure(env, e);
      return nullptr;
    }
    return records.ToArrayBuffer(env);
  }

  void Close(const Napi::CallbackInfo& info) {
    socket_.Close();  // frees the receive buffer too
    memory_.Set(info.Env(), 0);
  }

  Napi::Value GetNetns(const Napi::CallbackInfo& info) {
    if (socket_.netnsPath().empty()) return info.Env().Null();
    return Napi::String::New(info.Env(), socket_.netnsPath());
  }

  Napi::Value GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), socket_.fd()); }

  RtnlSocket socket_;
  ExternalMemory memory_;  // the socket's receive buffer
  RecordWriter records_;  // reused by the hot dump so its buffer is allocated once
};

Napi::Function DefineNetlinkSocket(Napi::Env env) { return NetlinkSocket::Define(env); }

}  // namespace hostwire
