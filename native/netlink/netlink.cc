// Netlink: the request side of rtnetlink for JS — routes, links and the
// bridge FDB, synchronously. Each call is one kernel round trip of a few
// microseconds (the kernel answers inside the send syscall); handing it to
// the threadpool would cost far more than it saves. The exception is a dump
// of a large routing table (a full BGP table: tens of milliseconds), which
// routesAsync() runs on the threadpool instead, on a socket of its own.
#include "netlink/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/bound_method.h"
#include "common/constants.h"
#include "common/errors.h"
#include "common/integer_arg.h"
#include "common/unique_fd.h"
#include "netlink/attributes.h"
#include "netlink/messages.h"
#include "netlink/monitor.h"
#include "netlink/netlink_error.h"
#include "netlink/records.h"
#include "netlink/rtnl_socket.h"

#ifndef RTEXT_FILTER_SKIP_STATS
#define RTEXT_FILTER_SKIP_STATS (1 << 3)
#endif

namespace hostwire {

namespace {

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

// object[name] when it is set: 1 with `*out` set, 0 when it is undefined, or
// -1 with an exception pending when it is not an integer in [min, max].
int OptionalInteger(Napi::Object object, const char* name, double min, double max, double* out) {
  Napi::Value value = object.Get(name);
  if (object.Env().IsExceptionPending()) return -1;
  if (value.IsUndefined()) return 0;
  return ReadIntegerArg(object.Env(), value, name, min, max, out) ? 1 : -1;
}

std::string ToString(const Napi::Value& value) {
  return value.IsString() ? value.As<Napi::String>().Utf8Value() : std::string();
}

// A dump whose messages `add` turns into records; an interrupted dump
// (signalled by a null message) starts the records over.
template <typename Add>
RtnlError DumpRecords(RtnlSocket& socket, nlmsghdr* request, const char* name, RecordWriter& records, Add add,
                      const std::atomic<bool>* cancelled = nullptr) {
  records.Clear();
  return socket.Dump(
      request, name,
      [&](const nlmsghdr* header) {
        if (header == nullptr) {
          records.Clear();
        } else {
          add(header);
        }
      },
      cancelled);
}

// Which routes a dump returns. With strict checking (see RtnlSocket::strict)
// the kernel applies the table, protocol and device itself, so routes that do
// not match are never built or copied; the same tests also run here, for
// kernels that do not. No kernel filters dumps by destination: those are
// matched here, so only the routes asked for become records for JS.
struct RouteFilter {
  struct Destination {
    Address address;
    uint8_t prefix = 0;
  };
  static constexpr size_t kMaxDestinations = 16;

  uint8_t family = AF_UNSPEC;             // AF_UNSPEC: any
  uint32_t table = 0;                     // 0: any
  int32_t protocol = -1;                  // -1: any
  uint32_t oif = 0;                       // 0: any
  std::vector<Destination> destinations;  // empty: any

  bool Matches(const RouteInfo& route) const {
    if ((route.flags & RTM_F_CLONED) != 0) return false;  // cache entries, not routes
    if (table != 0 && route.table != table) return false;
    if (protocol >= 0 && route.protocol != protocol) return false;
    if (oif != 0 && route.oif != oif) return false;
    if (destinations.empty()) return true;
    for (const Destination& d : destinations) {
      if (route.family == d.address.family && route.prefix == d.prefix &&
          memcmp(route.dst, d.address.bytes, AddressLength(route.family)) == 0) {
        return true;
      }
    }
    return false;
  }
};

// "address/prefix", as the JS side builds it.
bool ParseDestination(const std::string& text, RouteFilter::Destination* out) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos || slash + 1 >= text.size() || text.size() - slash > 4) return false;
  const std::string address = text.substr(0, slash);
  if (inet_pton(AF_INET, address.c_str(), out->address.bytes) == 1) {
    out->address.family = AF_INET;
  } else if (inet_pton(AF_INET6, address.c_str(), out->address.bytes) == 1) {
    out->address.family = AF_INET6;
  } else {
    return false;
  }
  int prefix = 0;
  for (size_t i = slash + 1; i < text.size(); i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    prefix = prefix * 10 + (text[i] - '0');
  }
  if (prefix > (out->address.family == AF_INET ? 32 : 128)) return false;
  out->prefix = static_cast<uint8_t>(prefix);
  return true;
}

// { family?: 4 | 6, table?, protocol?, oif?, destinations?: string[] }: a
// field left out matches any route (the defaults are TypeScript's).
bool ParseRouteFilter(Napi::Env env, Napi::Value value, RouteFilter* filter) {
  if (!value.IsObject()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "a route filter must be an object");
    return false;
  }
  Napi::Object object = value.As<Napi::Object>();
  double number = 0;
  int set = OptionalInteger(object, "family", 4, 6, &number);
  if (set < 0) return false;
  if (set > 0 && number == 5) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "a route family is 4 or 6");
    return false;
  }
  if (set > 0) filter->family = number == 4 ? AF_INET : AF_INET6;
  if ((set = OptionalInteger(object, "table", 1, 4294967295.0, &number)) < 0) return false;
  if (set > 0) filter->table = static_cast<uint32_t>(number);
  if ((set = OptionalInteger(object, "protocol", 0, 255, &number)) < 0) return false;
  if (set > 0) filter->protocol = static_cast<int32_t>(number);
  if ((set = OptionalInteger(object, "oif", 1, 2147483647.0, &number)) < 0) return false;
  if (set > 0) filter->oif = static_cast<uint32_t>(number);
  Napi::Value destinations = object.Get("destinations");
  if (env.IsExceptionPending()) return false;
  if (!destinations.IsUndefined()) {
    if (!destinations.IsArray()) {
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "route filter destinations must be an array");
      return false;
    }
    Napi::Array list = destinations.As<Napi::Array>();
    if (list.Length() > RouteFilter::kMaxDestinations) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "a route dump takes at most 16 destinations");
      return false;
    }
    for (uint32_t i = 0; i < list.Length(); i++) {
      RouteFilter::Destination d;
      if (!ParseDestination(ToString(list.Get(i)), &d)) {
        ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "a route destination must be \"address/prefix\"");
        return false;
      }
      filter->destinations.push_back(d);
    }
  }
  return true;
}

// One RTM_GETROUTE dump into route records.
RtnlError DumpRoutes(RtnlSocket& socket, const RouteFilter& filter, RecordWriter& records,
                     const std::atomic<bool>* cancelled = nullptr) {
  struct {
    nlmsghdr header;
    rtmsg msg;
    char attrs[32];
  } request = {};
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  request.header.nlmsg_type = RTM_GETROUTE;
  request.msg.rtm_family = filter.family;
  const bool kernel_filters = socket.strict();
  if (kernel_filters) {
    AttributeWriter attrs(&request, sizeof request);
    if (filter.table != 0) {
      request.msg.rtm_table = static_cast<uint8_t>(filter.table < 256 ? filter.table : uint32_t{RT_TABLE_UNSPEC});
      attrs.PutU32(RTA_TABLE, filter.table);
    }
    if (filter.protocol >= 0) request.msg.rtm_protocol = static_cast<uint8_t>(filter.protocol);
    if (filter.oif != 0) attrs.PutU32(RTA_OIF, filter.oif);
  }
  RtnlError e = DumpRecords(
      socket, &request.header, "RTM_GETROUTE", records,
      [&](const nlmsghdr* header) {
        RouteInfo route;
        if (DecodeRoute(header, &route) && filter.Matches(route)) records.Route(RecordAction::kListed, route);
      },
      cancelled);
  // Asked to filter, the kernel refuses a table it does not have (ENOENT) or a
  // device that is gone (ENODEV): either way, no route matches.
  if (kernel_filters && ((e.err == ENOENT && filter.table != 0) || (e.err == ENODEV && filter.oif != 0))) {
    records.Clear();
    return {};
  }
  return e;
}

// routesAsync(): one route dump on the threadpool, on a socket of its own in
// the same namespace, so it never waits for a synchronous call on the main
// socket, nor makes one wait. The socket's receive buffer lives only while
// the work is pending; it is reported to V8 for that time. The records come
// back as an ArrayBuffer that takes them over without a copy.
class RouteDumpWork : public Napi::AsyncWorker {
 public:
  RouteDumpWork(Napi::Function callback, UniqueFd netns_fd, std::string netns_path, RouteFilter filter,
                std::shared_ptr<std::atomic<bool>> cancelled)
      : Napi::AsyncWorker(callback, "hostwire:routes"),
        netns_fd_(std::move(netns_fd)),
        netns_path_(std::move(netns_path)),
        filter_(std::move(filter)),
        cancelled_(std::move(cancelled)) {
    Napi::MemoryManagement::AdjustExternalMemory(Env(), kReportedBytes);
  }

  void Execute() override {
    RtnlSocket socket;
    error_ = socket.OpenIn(netns_fd_.get(), netns_path_);
    netns_fd_.reset();
    if (error_.err != 0) {
      opening_ = true;
      return;
    }
    error_ = DumpRoutes(socket, filter_, records_, cancelled_.get());
    socket.Close();
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::MemoryManagement::AdjustExternalMemory(env, -kReportedBytes);
    if (error_.err != 0) {
      records_.Release();
      Callback().Call({NetlinkError(env, error_, netns_path_, opening_).Value()});
      return;
    }
    Callback().Call({env.Null(), Napi::Value(env, records_.TakeArrayBuffer(env))});
  }

 private:
  static constexpr int64_t kReportedBytes = RtnlSocket::kReceiveBufferSize;

  UniqueFd netns_fd_;
  std::string netns_path_;
  RouteFilter filter_;
  std::shared_ptr<std::atomic<bool>> cancelled_;
  RecordWriter records_;
  RtnlError error_;
  bool opening_ = false;
};

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

Napi::Function Netlink::Define(Napi::Env env) {
  return DefineClass(env, "Netlink",
                     {
                         InstanceMethod<&Netlink::Routes>("routes"),
                         InstanceMethod<&Netlink::RoutesAsync>("routesAsync"),
                         InstanceMethod<&Netlink::LookupRoute>("lookupRoute"),
                         InstanceMethod<&Netlink::Links>("links"),
                         InstanceMethod<&Netlink::Link>("link"),
                         InstanceMethod<&Netlink::Close>("close"),
                         InstanceAccessor<&Netlink::GetNetns>("netns"),
                         InstanceAccessor<&Netlink::GetFd>("fd"),
                         InstanceAccessor<&Netlink::GetBufferBytes>("bufferBytes"),
                         StaticMethod<&Netlink::GetExternalMemory>("externalMemory"),
                     });
}

// new Netlink(netns: string | null)
Netlink::Netlink(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Netlink>(info) {
  Napi::Env env = info.Env();
  std::string netns = ToString(info[0]);
  RtnlError e = socket_.Open(netns.empty() ? nullptr : netns.c_str(), {}, false, true);
  if (e.err != 0) {
    NetlinkError(env, e, socket_.netns_path(), true).ThrowAsJavaScriptException();
    return;
  }
  memory_.Set(env, static_cast<int64_t>(socket_.buffer_bytes()));
  // Hot paths skip ObjectWrap's unwrap (see bound_method.h).
  InstallBoundMethod(env, info.This(), "changeRoute", ChangeRouteCallback, this);
  InstallBoundMethod(env, info.This(), "fdb", FdbCallback, this);
}

Netlink::~Netlink() { Release(); }

// Closes the socket and frees its buffers, and tells V8 they are gone.
void Netlink::Release() {
  socket_.Close();
  records_.Release();
  memory_.Set(Env(), 0);
}

void Netlink::ThrowFailure(napi_env env, const RtnlError& e) {
  NetlinkError(Napi::Env(env), e, socket_.netns_path(), false).ThrowAsJavaScriptException();
}

// changeRoute(change: Uint32Array (RouteChange), dst, gateway | null) -> true,
// or for the removal of an absent route, false. The kernel gets every number
// as given: which protocol, scope, table and type a route gets by default is
// decided in TypeScript (src/netlink/netlink.ts).
napi_value Netlink::ChangeRouteCallback(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 3;
  napi_value argv[3];
  void* data = nullptr;
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, &data);
  auto* self = static_cast<Netlink*>(data);
  napi_typedarray_type array_type;
  size_t length = 0;
  void* raw = nullptr;
  if (argc < 3 || napi_get_typedarray_info(env, argv[0], &array_type, &length, &raw, nullptr, nullptr) != napi_ok ||
      array_type != napi_uint32_array || length < RouteChange::kLength) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "changeRoute(change: Uint32Array, dst: string, gateway: string | null)");
    return nullptr;
  }
  const auto* change = static_cast<const uint32_t*>(raw);
  const uint32_t op = change[RouteChange::kOp];
  const uint32_t prefix = change[RouteChange::kPrefix];
  const uint32_t table = change[RouteChange::kTable];
  const uint32_t protocol = change[RouteChange::kProtocol];
  const uint32_t scope = change[RouteChange::kScope];
  const uint32_t type = change[RouteChange::kType];
  const uint32_t bits = change[RouteChange::kBits];
  Address dst;
  if (op > static_cast<uint32_t>(RouteOp::kRemove) || !ParseAddress(env, argv[1], &dst)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "route destination must be an IPv4 or IPv6 address");
    return nullptr;
  }
  if (prefix > (dst.family == AF_INET ? 32u : 128u) || protocol > 255 || scope > 255 || type > 255) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "route prefix, protocol, scope or type is out of its range");
    return nullptr;
  }
  Address gateway;
  const bool has_gateway = !IsNullish(env, argv[2]);
  if (has_gateway && (!ParseAddress(env, argv[2], &gateway) || gateway.family != dst.family)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "route gateway must be an address of the destination's family");
    return nullptr;
  }

  const auto route_op = static_cast<RouteOp>(op);
  RouteRequest request;
  memset(&request, 0, sizeof request.header + sizeof request.msg);
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  request.header.nlmsg_type = route_op == RouteOp::kRemove ? RTM_DELROUTE : RTM_NEWROUTE;
  request.header.nlmsg_flags = route_op == RouteOp::kAdd       ? NLM_F_CREATE | NLM_F_EXCL
                               : route_op == RouteOp::kReplace ? NLM_F_CREATE | NLM_F_REPLACE
                                                               : 0;
  rtmsg& msg = request.msg;
  msg.rtm_family = dst.family;
  msg.rtm_dst_len = static_cast<uint8_t>(prefix);
  // rtm_table has 8 bits; RTA_TABLE carries the whole id.
  msg.rtm_table = static_cast<uint8_t>(table < 256 ? table : uint32_t{RT_TABLE_UNSPEC});
  msg.rtm_protocol = static_cast<uint8_t>(protocol);
  msg.rtm_scope = static_cast<uint8_t>(scope);
  msg.rtm_type = static_cast<uint8_t>(type);
  const unsigned width = AddressLength(dst.family);
  AttributeWriter attrs(&request, sizeof request);
  attrs.PutU32(RTA_TABLE, table);
  attrs.Put(RTA_DST, dst.bytes, width);
  if ((bits & RouteChange::kHasOif) != 0) attrs.PutU32(RTA_OIF, change[RouteChange::kOif]);
  if (has_gateway) attrs.Put(RTA_GATEWAY, gateway.bytes, width);
  if ((bits & RouteChange::kHasMetric) != 0) attrs.PutU32(RTA_PRIORITY, change[RouteChange::kMetric]);

  const char* name = route_op == RouteOp::kRemove ? "RTM_DELROUTE" : "RTM_NEWROUTE";
  RtnlError e = self->socket_.Transact(&request.header, name);
  napi_value result;
  if (e.err == 0) {
    napi_get_boolean(env, true, &result);
    return result;
  }
  if (route_op == RouteOp::kRemove && e.err == ESRCH) {  // no such route: an outcome, not a failure
    napi_get_boolean(env, false, &result);
    return result;
  }
  self->ThrowFailure(env, e);
  return nullptr;
}

// routes(filter) -> route records (see ParseRouteFilter).
Napi::Value Netlink::Routes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RouteFilter filter;
  if (!ParseRouteFilter(env, info[0], &filter)) return Napi::Value();
  RecordWriter records;
  RtnlError e = DumpRoutes(socket_, filter, records);
  if (e.err != 0) {
    ThrowFailure(env, e);
    return Napi::Value();
  }
  return Napi::Value(env, records.TakeArrayBuffer(env));
}

// routesAsync(filter, callback(err, records)) -> cancel()
// The callback runs once, on the loop. cancel() makes the dump stop at its
// next datagram (the callback then gets ECANCELED); it may be called at any time.
Napi::Value Netlink::RoutesAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RouteFilter filter;
  if (!ParseRouteFilter(env, info[0], &filter)) return Napi::Value();
  if (!info[1].IsFunction()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "routesAsync() takes a callback");
    return Napi::Value();
  }
  if (socket_.fd() < 0) {
    ThrowFailure(env, RtnlError{EBADF, "RTM_GETROUTE", {}});
    return Napi::Value();
  }
  UniqueFd netns_fd;
  if (int rc = socket_.DupNetns(&netns_fd); rc < 0) {
    ThrowFailure(env, RtnlError{-rc, "fcntl", {}});
    return Napi::Value();
  }
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  auto* work = new RouteDumpWork(info[1].As<Napi::Function>(), std::move(netns_fd), socket_.netns_path(),
                                 std::move(filter), cancelled);
  work->Queue();
  return Napi::Function::New(
      env, [cancelled](const Napi::CallbackInfo&) { cancelled->store(true, std::memory_order_relaxed); }, "cancel");
}

// lookupRoute(address) -> one route record (`ip route get`), or none when unreachable.
Napi::Value Netlink::LookupRoute(const Napi::CallbackInfo& info) {
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
  if (e.err == ENETUNREACH || e.err == EHOSTUNREACH) {
    records.Clear();
  } else if (e.err != 0) {
    ThrowFailure(env, e);
    return Napi::Value();
  }
  return Napi::Value(env, records.ToArrayBuffer(env));
}

// links() -> link records
Napi::Value Netlink::Links(const Napi::CallbackInfo& info) {
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
Napi::Value Netlink::Link(const Napi::CallbackInfo& info) {
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
  if (e.err == ENODEV) {
    records.Clear();
  } else if (e.err != 0) {
    ThrowFailure(env, e);
    return Napi::Value();
  }
  return Napi::Value(env, records.ToArrayBuffer(env));
}

// fdb(masterIndex (0 = every bridge)) -> FDB records
napi_value Netlink::FdbCallback(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 1;
  napi_value argv[1];
  void* data = nullptr;
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, &data);
  auto* self = static_cast<Netlink*>(data);
  const int32_t master = argc > 0 ? Int32Or(env, argv[0], 0) : 0;
  // As `bridge fdb show br BR`: the kernel filters by bridge. With strict
  // checking that is an ndmsg carrying NDA_MASTER; without, an ifinfomsg
  // carrying IFLA_MASTER (with an ndmsg the old parser ignores the filter).
  // The result holds the bridge's own entries and its ports'.
  struct {
    nlmsghdr header;
    ifinfomsg msg;
    char attrs[16];
  } request = {};
  const bool legacy = master > 0 && !self->socket_.strict();
  request.header.nlmsg_len = NLMSG_LENGTH(legacy ? sizeof(ifinfomsg) : sizeof(ndmsg));
  request.header.nlmsg_type = RTM_GETNEIGH;
  request.msg.ifi_family = AF_BRIDGE;  // ndm_family and ifi_family share the first byte
  AttributeWriter attrs(&request, sizeof request);
  if (master > 0) attrs.PutU32(legacy ? uint16_t{IFLA_MASTER} : uint16_t{NDA_MASTER}, static_cast<uint32_t>(master));
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

void Netlink::Close(const Napi::CallbackInfo& info) { Release(); }

Napi::Value Netlink::GetNetns(const Napi::CallbackInfo& info) {
  if (socket_.netns_path().empty()) return info.Env().Null();
  return Napi::String::New(info.Env(), socket_.netns_path());
}

Napi::Value Netlink::GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), socket_.fd()); }

// The receive buffer this socket holds now (0 once closed).
Napi::Value Netlink::GetBufferBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(socket_.buffer_bytes()));
}

// V8's count of external memory, as addons report it (AdjustExternalMemory);
// process.memoryUsage() does not show it. For tests.
Napi::Value Netlink::GetExternalMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(),
                           static_cast<double>(Napi::MemoryManagement::AdjustExternalMemory(info.Env(), 0)));
}

namespace {

Napi::Object NetlinkConstants(Napi::Env env) {
  using C = RouteChange;
  auto op = [](RouteOp value) { return static_cast<double>(value); };
  return FrozenObjects(env, {
                                {"record", RecordLayout(env)},
                                {"routeOp", FrozenNumbers(env, {{"add", op(RouteOp::kAdd)},
                                                                {"replace", op(RouteOp::kReplace)},
                                                                {"remove", op(RouteOp::kRemove)}})},
                                {"routeChange", FrozenNumbers(env, {{"op", C::kOp},
                                                                    {"prefix", C::kPrefix},
                                                                    {"table", C::kTable},
                                                                    {"protocol", C::kProtocol},
                                                                    {"scope", C::kScope},
                                                                    {"type", C::kType},
                                                                    {"oif", C::kOif},
                                                                    {"metric", C::kMetric},
                                                                    {"bits", C::kBits},
                                                                    {"length", C::kLength},
                                                                    {"hasOif", C::kHasOif},
                                                                    {"hasMetric", C::kHasMetric}})},
                                // From <linux/rtnetlink.h>, for the route defaults TypeScript decides.
                                {"kernel", FrozenNumbers(env, {{"RT_TABLE_MAIN", RT_TABLE_MAIN},
                                                               {"RTPROT_UNSPEC", RTPROT_UNSPEC},
                                                               {"RTPROT_BOOT", RTPROT_BOOT},
                                                               {"RT_SCOPE_UNIVERSE", RT_SCOPE_UNIVERSE},
                                                               {"RT_SCOPE_LINK", RT_SCOPE_LINK},
                                                               {"RT_SCOPE_NOWHERE", RT_SCOPE_NOWHERE},
                                                               {"RTN_UNSPEC", RTN_UNSPEC},
                                                               {"RTN_UNICAST", RTN_UNICAST}})},
                            });
}

}  // namespace

void InitNetlink(Napi::Env env, Napi::Object exports) {
  Napi::Object netlink = Napi::Object::New(env);
  netlink.Set("Netlink", Netlink::Define(env));
  netlink.Set("NetlinkMonitor", NetlinkMonitor::Define(env));
  Napi::Object groups = Napi::Object::New(env);
  groups.Set("link", Napi::Number::New(env, RTNLGRP_LINK));
  groups.Set("neigh", Napi::Number::New(env, RTNLGRP_NEIGH));
  groups.Set("ipv4Route", Napi::Number::New(env, RTNLGRP_IPV4_ROUTE));
  groups.Set("ipv6Route", Napi::Number::New(env, RTNLGRP_IPV6_ROUTE));
  netlink.Set("groups", groups);
  netlink.Set("constants", NetlinkConstants(env));
  exports.Set("netlink", netlink);
}

}  // namespace hostwire
