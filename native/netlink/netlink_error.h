// A failed rtnetlink step as a Node-style error: errno name as `code`, the
// kernel's extended-ack text when it gave one, and the namespace as `netns`
// (and as `path` when opening the socket in it failed, as fs errors do).
#pragma once

#include <napi.h>

#include <string>

#include "common/errors.h"
#include "netlink/rtnl_socket.h"

namespace hostwire {

inline Napi::Error NetlinkError(Napi::Env env, const RtnlError& e, const std::string& netns_path, bool opening) {
  const char* detail = e.kernel_message.empty() ? nullptr : e.kernel_message.c_str();
  const char* path = opening && !netns_path.empty() ? netns_path.c_str() : nullptr;
  Napi::Error error = ErrnoError(env, e.err, e.syscall, path, detail);
  if (!netns_path.empty()) error.Set("netns", Napi::String::New(env, netns_path));
  return error;
}

}  // namespace hostwire
