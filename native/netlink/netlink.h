#pragma once
#include <napi.h>
namespace hostwire {
// Adds `exports.netlink`: the NetlinkSocket request handle and NetlinkMonitor.
void InitNetlink(Napi::Env env, Napi::Object exports);
Napi::Function DefineNetlinkSocket(Napi::Env env);
Napi::Function DefineNetlinkMonitor(Napi::Env env);
}  // namespace hostwire
