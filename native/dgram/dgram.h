#pragma once
#include <napi.h>
namespace hostwire {
// Adds the dgram module's classes and `constants` to `exports.dgram`.
void InitDgram(Napi::Env env, Napi::Object exports);
}  // namespace hostwire
