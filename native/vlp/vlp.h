#pragma once
#include <napi.h>
namespace hostwire {
// Adds the VLP codec and CRC-32C to `exports.vlp`.
void InitVlp(Napi::Env env, Napi::Object exports);
}  // namespace hostwire
