#include "sys/sys.h"

namespace hostwire {

void InitSys(Napi::Env env, Napi::Object exports) {
  Napi::Object sys = Napi::Object::New(env);
  InitFlock(env, sys);
  InitFiles(env, sys);
  InitPeerCredentials(env, sys);
  exports.Set("sys", sys);
}

}  // namespace hostwire
