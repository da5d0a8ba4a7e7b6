// A failed rtnetlink step as a Node-style error: errno name as `code`, the
// kernel's extended-ack text when it gave one, and the namespace as `netns`
// (and as `path` when opening the socket in it failed, as fs errors do).
#pragma once

#include <napi.h>

#include <string>

#include "common/errors.h"
#include "netlink/rtnl_socket.h"

namespace hostwire {

inline Napi::Error NetlinkError(Napi::Env env, const RtnlError& e, const std::string& netnsPath, bool opening) {
  const char* detail = e.kernelMessage.empty() ? nullptr : e.kernelMessage.c_str();
  const char* path = opening && !netnsPath.empty() ? netnsPath.c_str() : nullptr;
  Napi::Error error = ErrnoError(env, e.err, e.syscall, path, detail);
  if (!netnsPath.empty()) error.Set("netns", Napi::String::New(env, netnsPath));
  return error;
}

}  // namespace hostwire
