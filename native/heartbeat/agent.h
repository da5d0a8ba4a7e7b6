// The native half of a heartbeat agent: one call encodes a VLP frame (nonce,
// monotonic timestamp, cached pid, CRC) and sends it on the agent's datagram
// sender. The nonce is committed only when the kernel accepted the datagram,
// so a dropped beat leaves no gap. Retry and reconnect policy is in TypeScript.
#pragma once

#include <napi.h>

#include <cstdint>

#include "dgram/sender.h"

namespace hostwire {

class HeartbeatAgent : public Napi::ObjectWrap<HeartbeatAgent> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit HeartbeatAgent(const Napi::CallbackInfo& info);

 private:
  static napi_value BeatCallback(napi_env env, napi_callback_info info);
  Napi::Value Terminal(const Napi::CallbackInfo& info);
  Napi::Value GetNonce(const Napi::CallbackInfo& info);
  Napi::Value GetRegressions(const Napi::CallbackInfo& info);
  Napi::Value GetPid(const Napi::CallbackInfo& info);
  void SetNonce(const Napi::CallbackInfo& info);

  double MaxPayload() const;
  uint64_t Timestamp();
  int Send(uint8_t status, uint64_t nonce, uint64_t payload);

  DgramSender* sender_ = nullptr;
  Napi::ObjectReference sender_ref_;
  uint8_t version_ = 2;
  uint64_t next_nonce_ = 1;
  uint64_t origin_ns_ = 0;
  uint64_t last_timestamp_ = 0;
  double regressions_ = 0;
  uint8_t frame_[32] = {};
};

}  // namespace hostwire
