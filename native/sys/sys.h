#pragma once
#include <napi.h>
namespace hostwire {
// Adds small syscalls Node lacks (flock) to `exports.sys`.
void InitSys(Napi::Env env, Napi::Object exports);
}  // namespace hostwire
