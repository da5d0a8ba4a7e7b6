#pragma once
#include <napi.h>
namespace hostwire {
// Adds small syscalls Node lacks (flock, SO_PEERCRED) to `exports.sys`.
void InitSys(Napi::Env env, Napi::Object exports);
// Registered by each file of this module on the shared `sys` object.
void InitFlock(Napi::Env env, Napi::Object sys);
void InitFiles(Napi::Env env, Napi::Object sys);
void InitPeerCredentials(Napi::Env env, Napi::Object sys);
}  // namespace hostwire
