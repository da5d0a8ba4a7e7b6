#include "heartbeat/agent.h"

#include <time.h>

#include "common/bound_method.h"
#include "common/errors.h"
#include "common/integer_arg.h"
#include "heartbeat/process_id.h"
#include "vlp/frame.h"

namespace hostwire {

namespace {

uint64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Result codes beyond the dgram outcomes, for input the frame cannot carry.
constexpr int kInvalidStatus = -1;

}  // namespace

Napi::Function HeartbeatAgent::Define(Napi::Env env) {
  return DefineClass(env, "HeartbeatAgent",
                     {
                         InstanceMethod<&HeartbeatAgent::Terminal>("terminal"),
                         InstanceMethod<&HeartbeatAgent::SetNonce>("setNonce"),
                         InstanceAccessor<&HeartbeatAgent::GetNonce>("nonce"),
                         InstanceAccessor<&HeartbeatAgent::GetRegressions>("regressions"),
                         InstanceAccessor<&HeartbeatAgent::GetPid>("pid"),
                         StaticValue("INVALID_STATUS", Napi::Number::New(env, kInvalidStatus)),
                     });
}

// new HeartbeatAgent(sender: native DgramSender, version: 1 | 2)
HeartbeatAgent::HeartbeatAgent(const Napi::CallbackInfo& info) : Napi::ObjectWrap<HeartbeatAgent>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject() || !info[1].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "HeartbeatAgent(sender, version)");
    return;
  }
  sender_ = Napi::ObjectWrap<DgramSender>::Unwrap(info[0].As<Napi::Object>());
  if (sender_ == nullptr) return;
  sender_ref_ = Napi::Persistent(info[0].As<Napi::Object>());
  double version = 0;
  if (!ReadIntegerArg(env, info[1], "version", 0, 255, &version)) return;
  if (version != vlp::kVersion1 && version != vlp::kVersion2) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "VLP version must be 1 or 2");
    return;
  }
  version_ = static_cast<uint8_t>(version);
  origin_ns_ = MonotonicNs();
  InstallBoundMethod(env, info.This(), "beat", BeatCallback, this);
}

// Nanoseconds since connect, never going backwards (a regression is counted
// and the last value repeated).
uint64_t HeartbeatAgent::Timestamp() {
  uint64_t now = MonotonicNs();
  uint64_t ts = now >= origin_ns_ ? now - origin_ns_ : 0;
  if (ts < last_timestamp_) {
    regressions_ += 1;
    ts = last_timestamp_;
  }
  if (ts >= vlp::kTimestampReserved) ts = vlp::kTimestampReserved - 1;
  last_timestamp_ = ts;
  return ts;
}

int HeartbeatAgent::Send(uint8_t status, uint64_t nonce, uint64_t payload) {
  vlp::Result r = vlp::Encode(frame_, version_, status, CachedPid(), Timestamp(), nonce, payload);
  if (r != vlp::Result::kOk) return kInvalidStatus;
  return sender_->SendBytes(frame_, sizeof(frame_));
}

// The largest payload the frame carries: a u32 in v0.2; in v0.1 a u64 on the
// wire, of which a JS number reaches exactly the safe integers.
double HeartbeatAgent::MaxPayload() const { return version_ == vlp::kVersion2 ? 4294967295.0 : 9007199254740991.0; }

// beat(status, payload) -> dgram result (outcome | errno << 8), or INVALID_STATUS.
// Both numbers are checked where they are read: 2^32 must not wrap to Ok.
napi_value HeartbeatAgent::BeatCallback(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  void* data;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  auto* self = static_cast<HeartbeatAgent*>(data);
  double status = 0;
  double payload = 0;
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "beat(status: number, payload?: number)");
    return nullptr;
  }
  if (!ReadIntegerArg(env, argv[0], "status", 0, 255, &status) ||
      (argc > 1 && !ReadIntegerArg(env, argv[1], "payload", 0, self->MaxPayload(), &payload))) {
    return nullptr;
  }
  // Critical with a regular nonce is an operational alert; only terminal()
  // may use NONCE_TERMINAL. Stall is refused by the encoder (INVALID_STATUS).
  int result = self->Send(static_cast<uint8_t>(status), self->next_nonce_, static_cast<uint64_t>(payload));
  if (result == 0) {
    // Commit only what was sent. v0.2 skips NONCE_TERMINAL and wraps to 0;
    // v0.1 stops at NONCE_TERMINAL - 1.
    if (self->next_nonce_ < vlp::kNonceTerminal - 1) {
      self->next_nonce_++;
    } else if (self->version_ == vlp::kVersion2) {
      self->next_nonce_ = 0;
    }
  }
  napi_value out;
  napi_create_int32(env, result, &out);
  return out;
}

// terminal(payload = 0) -> dgram result: Critical with NONCE_TERMINAL ("I am dying").
Napi::Value HeartbeatAgent::Terminal(const Napi::CallbackInfo& info) {
  double payload = 0;
  if (info.Length() > 0 && !ReadIntegerArg(info.Env(), info[0], "payload", 0, MaxPayload(), &payload)) {
    return Napi::Value();
  }
  return Napi::Number::New(info.Env(), Send(vlp::kCritical, vlp::kNonceTerminal, static_cast<uint64_t>(payload)));
}

Napi::Value HeartbeatAgent::GetNonce(const Napi::CallbackInfo& info) {
  return Napi::BigInt::New(info.Env(), next_nonce_);
}

// setNonce(bigint): for tests and for resuming a sequence.
void HeartbeatAgent::SetNonce(const Napi::CallbackInfo& info) {
  if (!info[0].IsBigInt()) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", "The \"nonce\" argument must be of type bigint");
    return;
  }
  bool lossless = false;
  uint64_t v = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless || v == vlp::kNonceTerminal) {
    ThrowRangeError(info.Env(), "ERR_OUT_OF_RANGE", "nonce must be a u64 below NONCE_TERMINAL");
    return;
  }
  next_nonce_ = v;
}

Napi::Value HeartbeatAgent::GetRegressions(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), regressions_);
}

Napi::Value HeartbeatAgent::GetPid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), CachedPid());
}

}  // namespace hostwire
