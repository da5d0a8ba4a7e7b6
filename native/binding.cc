// Registers each native module. Nothing else lives here.
#include <napi.h>

#include "dgram/dgram.h"
#include "heartbeat/heartbeat.h"
#include "netlink/netlink.h"
#include "sys/sys.h"
#include "vlp/vlp.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  hostwire::InitDgram(env, exports);
  hostwire::InitSys(env, exports);
  hostwire::InitVlp(env, exports);
  hostwire::InitHeartbeat(env, exports);
  hostwire::InitNetlink(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(hostwire, Init)
