#include "netlink/monitor.h"

#include <errno.h>
#include <linux/rtnetlink.h>

#include <memory>
#include <string>
#include <vector>

#include "common/errors.h"
#include "common/external_memory.h"
#include "common/poll_handle.h"
#include "netlink/messages.h"
#include "netlink/netlink_error.h"
#include "netlink/records.h"
#include "netlink/rtnl_socket.h"

namespace hostwire {

namespace {

constexpr int kMaxReadsPerWakeup = 64;

}  // namespace

Napi::Function NetlinkMonitor::Define(Napi::Env env) {
  return DefineClass(env, "NetlinkMonitor",
                     {
                         InstanceMethod<&NetlinkMonitor::Start>("start"),
                         InstanceMethod<&NetlinkMonitor::Close>("close"),
                         InstanceMethod<&NetlinkMonitor::Ref>("ref"),
                         InstanceMethod<&NetlinkMonitor::Unref>("unref"),
                         InstanceAccessor<&NetlinkMonitor::GetNetns>("netns"),
                     });
}

// new NetlinkMonitor(netns|null, groups: number[] (RTNLGRP_*), onRecords(ArrayBuffer), onError(err))
NetlinkMonitor::NetlinkMonitor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetlinkMonitor>(info) {
  Napi::Env env = info.Env();
  if (!info[1].IsArray() || !info[2].IsFunction() || !info[3].IsFunction()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "NetlinkMonitor(netns, groups[], onEvents, onError)");
    return;
  }
  std::string netns = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string();
  Napi::Array group_list = info[1].As<Napi::Array>();
  std::vector<unsigned> groups;
  for (uint32_t i = 0; i < group_list.Length(); i++) {
    groups.push_back(group_list.Get(i).As<Napi::Number>().Uint32Value());
  }
  RtnlError e = socket_.Open(netns.empty() ? nullptr : netns.c_str(), groups, true);
  if (e.err != 0) {
    NetlinkError(env, e, socket_.netns_path(), true).ThrowAsJavaScriptException();
    return;
  }
  memory_.Set(env, static_cast<int64_t>(socket_.buffer_bytes()));
  on_events_ = Napi::Persistent(info[2].As<Napi::Function>());
  on_error_ = Napi::Persistent(info[3].As<Napi::Function>());
  async_context_ = std::make_unique<Napi::AsyncContext>(env, "hostwire:NetlinkMonitor");
  poll_ = std::make_unique<PollHandle>(env, socket_.fd(), [this](int status, int) { OnReadable(status); });
}

NetlinkMonitor::~NetlinkMonitor() { poll_.reset(); }

void NetlinkMonitor::Start(const Napi::CallbackInfo& info) {
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

void NetlinkMonitor::Close(const Napi::CallbackInfo& info) { Shutdown(); }

// The callbacks close over the JS monitor, which holds this wrapper: they
// are dropped here, or neither side could ever be collected.
void NetlinkMonitor::Shutdown() {
  if (poll_) poll_->Close();
  socket_.Close();
  memory_.Set(Env(), 0);
  on_events_.Reset();
  on_error_.Reset();
  if (started_) {
    started_ = false;
    Napi::ObjectWrap<NetlinkMonitor>::Unref();
  }
}

void NetlinkMonitor::Ref(const Napi::CallbackInfo& info) {
  if (poll_) poll_->SetRef(true);
}

void NetlinkMonitor::Unref(const Napi::CallbackInfo& info) {
  if (poll_) poll_->SetRef(false);
}

Napi::Value NetlinkMonitor::GetNetns(const Napi::CallbackInfo& info) {
  if (socket_.netns_path().empty()) return info.Env().Null();
  return Napi::String::New(info.Env(), socket_.netns_path());
}

void NetlinkMonitor::OnReadable(int status) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  if (status < 0) {
    ReportError(-status, "poll");
    return;
  }
  RecordWriter records;
  bool overrun = false;
  for (int round = 0; round < kMaxReadsPerWakeup && socket_.fd() >= 0; round++) {
    int n = socket_.ReadNotifications([&](const nlmsghdr* header) {
      const bool added =
          header->nlmsg_type == RTM_NEWROUTE || header->nlmsg_type == RTM_NEWLINK || header->nlmsg_type == RTM_NEWNEIGH;
      const RecordAction action = added ? RecordAction::kNew : RecordAction::kDeleted;
      RouteInfo route;
      LinkInfo link;
      FdbInfo entry;
      if (DecodeRoute(header, &route)) {
        if ((route.flags & RTM_F_CLONED) == 0) records.Route(action, route);
      } else if (DecodeLink(header, &link)) {
        records.Link(action, link);
      } else if (DecodeFdb(header, &entry)) {
        records.Fdb(action, entry);
      }
    });
    if (n == -ENOBUFS) {
      // The kernel dropped notifications: whoever listens must resynchronise.
      overrun = true;
      continue;
    }
    if (n == -EAGAIN || n == -EWOULDBLOCK) break;
    if (n < 0) {
      Deliver(records);
      ReportError(-n, "recvmsg");
      return;
    }
  }
  if (overrun) records.Overrun();
  Deliver(records);
}

void NetlinkMonitor::Deliver(const RecordWriter& records) {
  if (records.empty() || on_events_.IsEmpty()) return;
  Napi::Env env = Env();
  on_events_.MakeCallback(Value(), {Napi::Value(env, records.ToArrayBuffer(env))}, *async_context_);
  if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
}

void NetlinkMonitor::ReportError(int err, const char* syscall) {
  if (on_error_.IsEmpty()) return;  // closed by the handler of the batch before it
  Napi::Env env = Env();
  Napi::Error error = ErrnoError(env, err, syscall);
  on_error_.MakeCallback(Value(), {error.Value()}, *async_context_);
  if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
}

}  // namespace hostwire
