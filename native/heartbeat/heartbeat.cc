#include "heartbeat/heartbeat.h"

#include "heartbeat/agent.h"

namespace hostwire {

void InitHeartbeat(Napi::Env env, Napi::Object exports) {
  Napi::Object heartbeat = Napi::Object::New(env);
  heartbeat.Set("HeartbeatAgent", HeartbeatAgent::Define(env));
  InitFatalSignals(env, heartbeat);
  exports.Set("heartbeat", heartbeat);
}

}  // namespace hostwire
