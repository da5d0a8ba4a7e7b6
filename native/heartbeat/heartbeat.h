#pragma once
#include <napi.h>
namespace hostwire {
// Adds the heartbeat agent and the fatal-signal hook to `exports.heartbeat`.
void InitHeartbeat(Napi::Env env, Napi::Object exports);
void InitFatalSignals(Napi::Env env, Napi::Object heartbeat);
}  // namespace hostwire
