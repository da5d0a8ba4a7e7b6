// Native memory a JS object keeps alive, reported to V8. V8 cannot see
// malloc'd buffers; without a report, thousands of small wrappers holding
// large buffers look cheap and are collected late (or, in a quiet daemon,
// never). Report what is held when it is allocated and zero when it is freed.
#pragma once

#include <napi.h>

#include <cstdint>

namespace hostwire {

class ExternalMemory {
 public:
  ExternalMemory() = default;
  ExternalMemory(const ExternalMemory&) = delete;
  ExternalMemory& operator=(const ExternalMemory&) = delete;
  // An owner collected without close() still gives back what it reported.
  ~ExternalMemory() { Set(env_, 0); }

  // Tells V8 that `bytes` are now held (replacing the previous report).
  void Set(napi_env env, int64_t bytes) {
    if (env == nullptr || bytes == reported_) return;
    env_ = env;
    Napi::MemoryManagement::AdjustExternalMemory(env, bytes - reported_);
    reported_ = bytes;
  }
  int64_t reported() const { return reported_; }

 private:
  napi_env env_ = nullptr;
  int64_t reported_ = 0;
};

}  // namespace hostwire
