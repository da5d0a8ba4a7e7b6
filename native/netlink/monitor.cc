// NetlinkMonitor: route, link and bridge FDB change notifications on Node's
// loop. The socket joins the asked multicast groups and is read without
// blocking whenever libuv says it is readable; each wakeup hands JS one array
// of decoded events.
#include <errno.h>
#include <linux/rtnetlink.h>

#include <memory>
#include <string>
#include <vector>

#include "common/errors.h"
#include "common/poll_handle.h"
#include "netlink/messages.h"
#include "netlink/netlink.h"
#include "netlink/objects.h"
#include "netlink/rtnl_socket.h"

namespace hostwire {

namespace {

constexpr int kMaxReadsPerWakeup = 64;

napi_value MakeEvent(napi_env env, const char* kind, bool added, napi_value data) {
  napi_value event, value;
  napi_create_object(env, &event);
  napi_create_string_latin1(env, kind, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, event, "kind", value);
  napi_create_string_latin1(env, added ? "new" : "del", NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, event, "action", value);
  napi_set_named_property(env, event, kind, data);
  return event;
}

}  // namespace

class NetlinkMonitor : public Napi::ObjectWrap<NetlinkMonitor> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkMonitor",
                       {
                           InstanceMethod<&NetlinkMonitor::Start>("start"),
                           InstanceMethod<&NetlinkMonitor::Close>("close"),
                           InstanceMethod<&NetlinkMonitor::Ref>("ref"),
                           InstanceMethod<&NetlinkMonitor::Unref>("unref"),
                           InstanceAccessor<&NetlinkMonitor::GetNetns>("netns"),
                       });
  }

  // new NetlinkMonitor(netns|null, groups: number[] (RTNLGRP_*), onEvents(events[]), onError(err))
  explicit NetlinkMonitor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetlinkMonitor>(info) {
    Napi::Env env = info.Env();
    if (!info[1].IsArray() || !info[2].IsFunction() || !info[3].IsFunction()) {
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "NetlinkMonitor(netns, groups[], onEvents, onError)");
      return;
    }
    std::string netns = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string();
    Napi::Array groupList = info[1].As<Napi::Array>();
    std::vector<unsigned> groups;
    for (uint32_t i = 0; i < groupList.Length(); i++) {
      groups.push_back(groupList.Get(i).As<Napi::Number>().Uint32Value());
    }
    RtnlError e = socket_.Open(netns.empty() ? nullptr : netns.c_str(), groups, true);
    if (e.err != 0) {
      ErrnoError(env, e.err, e.syscall, socket_.netnsPath().empty() ? nullptr : socket_.netnsPath().c_str())
          .ThrowAsJavaScriptException();
      return;
    }
    on_events_ = Napi::Persistent(info[2].As<Napi::Function>());
    on_error_ = Napi::Persistent(info[3].As<Napi::Function>());
    async_context_ = std::make_unique<Napi::AsyncContext>(env, "hostwire:NetlinkMonitor");
    poll_ = std::make_unique<PollHandle>(env, socket_.fd(), [this](int status, int) { OnReadable(status); });
  }

  ~NetlinkMonitor() override { poll_.reset(); }

 private:
  void Start(const Napi::CallbackInfo& info) {
    if (!poll_ || socket_.fd() < 0) {
      ErrnoError(info.Env(), EBADF, "poll").ThrowAsJavaScriptException();
      return;
    }
    int rc = poll_->Start(UV_READABLE);
    if (rc != 0) {
      ErrnoError(info.Env(), -rc, "poll").ThrowAsJavaScriptException();
      return;
    }
    if (!started_) {
      started_ = true;
      Napi::ObjectWrap<NetlinkMonitor>::Ref();  // libuv holds a pointer to this object
    }
  }

  void Close(const Napi::CallbackInfo& info) { Shutdown(); }

  void Shutdown() {
    if (poll_) poll_->Close();
    socket_.Close();
    if (started_) {
      started_ = false;
      Napi::ObjectWrap<NetlinkMonitor>::Unref();
    }
  }

  void Ref(const Napi::CallbackInfo& info) {
    if (poll_) poll_->SetRef(true);
  }
  void Unref(const Napi::CallbackInfo& info) {
    if (poll_) poll_->SetRef(false);
  }

  Napi::Value GetNetns(const Napi::CallbackInfo& info) {
    if (socket_.netnsPath().empty()) return info.Env().Null();
    return Napi::String::New(info.Env(), socket_.netnsPath());
  }

  void OnReadable(int status) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      ReportError(-status, "poll");
      return;
    }
    RouteObjects routes(env);
    LinkObjects links(env);
    FdbObjects fdb(env);
    napi_value events;
    napi_create_array(env, &events);
    uint32_t count = 0;
    bool overrun = false;
    for (int round = 0; round < kMaxReadsPerWakeup && socket_.fd() >= 0; round++) {
      int n = socket_.ReadNotifications([&](const nlmsghdr* header) {
        const bool added = header->nlmsg_type == RTM_NEWROUTE || header->nlmsg_type == RTM_NEWLINK ||
                           header->nlmsg_type == RTM_NEWNEIGH;
        RouteInfo route;
        LinkInfo link;
        FdbInfo entry;
        napi_value event = nullptr;
        if (DecodeRoute(header, &route)) {
          if ((route.flags & RTM_F_CLONED) == 0) event = MakeEvent(env, "route", added, routes.Make(route));
        } else if (DecodeLink(header, &link)) {
          event = MakeEvent(env, "link", added, links.Make(link));
        } else if (DecodeFdb(header, &entry)) {
          event = MakeEvent(env, "fdb", added, fdb.Make(entry));
        }
        if (event != nullptr) napi_set_element(env, events, count++, event);
      });
      if (n == -ENOBUFS) {
        // The kernel dropped notifications: whoever listens must resynchronise.
        overrun = true;
        continue;
      }
      if (n == -EAGAIN || n == -EWOULDBLOCK) break;
      if (n < 0) {
        Deliver(events, count);
        ReportError(-n, "recvmsg");
        return;
      }
    }
    if (overrun) {
      napi_value event, value;
      napi_create_object(env, &event);
      napi_create_string_latin1(env, "overrun", NAPI_AUTO_LENGTH, &value);
      napi_set_named_property(env, event, "kind", value);
      napi_set_element(env, events, count++, event);
    }
    Deliver(events, count);
  }

  void Deliver(napi_value events, uint32_t count) {
    if (count == 0) return;
    Napi::Env env = Env();
    on_events_.MakeCallback(Value(), {events}, *async_context_);
    if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
  }

  void ReportError(int err, const char* syscall) {
    Napi::Env env = Env();
    Napi::Error error = ErrnoError(env, err, syscall);
    on_error_.MakeCallback(Value(), {error.Value()}, *async_context_);
    if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
  }

  RtnlSocket socket_;
  std::unique_ptr<PollHandle> poll_;
  Napi::FunctionReference on_events_;
  Napi::FunctionReference on_error_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  bool started_ = false;
};

Napi::Function DefineNetlinkMonitor(Napi::Env env) { return NetlinkMonitor::Define(env); }

void InitNetlink(Napi::Env env, Napi::Object exports) {
  Napi::Object netlink = Napi::Object::New(env);
  netlink.Set("NetlinkSocket", DefineNetlinkSocket(env));
  netlink.Set("NetlinkMonitor", DefineNetlinkMonitor(env));
  Napi::Object groups = Napi::Object::New(env);
  groups.Set("link", Napi::Number::New(env, RTNLGRP_LINK));
  groups.Set("neigh", Napi::Number::New(env, RTNLGRP_NEIGH));
  groups.Set("ipv4Route", Napi::Number::New(env, RTNLGRP_IPV4_ROUTE));
  groups.Set("ipv6Route", Napi::Number::New(env, RTNLGRP_IPV6_ROUTE));
  netlink.Set("groups", groups);
  exports.Set("netlink", netlink);
}

}  // namespace hostwire
