// JS bindings of the VLP codec. encodeInto/decodeInto are raw N-API (they are
// hot paths): numbers or BigInts in, a result code out, decoded fields written
// into a caller-owned Uint32Array — nothing is allocated per call.
#include "vlp/vlp.h"

#include <cmath>

#include "common/bytes.h"
#include "common/constants.h"
#include "common/errors.h"
#include "common/integer_arg.h"
#include "vlp/crc32c.h"
#include "vlp/frame.h"

namespace hostwire {

namespace {

// Frame-field argument problems, returned (not thrown) so the TS side builds
// the same error the reference encoder throws. Node's integer rule
// (validateInteger): kFieldType | field for a value that is not a number (or,
// for u64 fields, a bigint); kFieldRange | field for NaN, ±Infinity, a fraction
// or an integer outside the field's range. Fields in check order.
// All exported as vlp.constants.encodeField and .fieldError.
enum Field : int { kFieldVersion = 0, kFieldStatus, kFieldPid, kFieldTimestamp, kFieldNonce, kFieldPayload };
constexpr int kFieldMask = 0xff;
constexpr int kFieldType = 0x100;
constexpr int kFieldRange = 0x200;
static_assert(kFieldPayload <= kFieldMask && (kFieldType & kFieldMask) == 0 && (kFieldRange & kFieldMask) == 0);

// decodeInto's Uint32Array, one slot per decoded field, u64 fields as two
// halves (exported as vlp.constants.decodeSlot).
enum DecodeSlot : int {
  kSlotVersion = 0,
  kSlotStatus,
  kSlotPid,
  kSlotTimestampLo,
  kSlotTimestampHi,
  kSlotNonceLo,
  kSlotNonceHi,
  kSlotPayloadLo,
  kSlotPayloadHi,
  kSlotCrcExpected,
  kSlotCrcActual,
  kSlotCount,
};

bool IsInteger(double d) { return std::isfinite(d) && std::trunc(d) == d; }

// An integer JS number in [0, max]; 0 or a field error.
int GetInteger(napi_env env, napi_value v, int field, double max, double* out) {
  if (napi_get_value_double(env, v, out) != napi_ok) return kFieldType | field;
  if (!IsInteger(*out) || *out < 0 || *out > max) return kFieldRange | field;
  return 0;
}

// u64 from an integer JS number (exact up to 2^53, then every double is an
// integer) or a BigInt, at most `max`; 0 or a field error.
int GetU64(napi_env env, napi_value v, int field, uint64_t max, uint64_t* out) {
  napi_valuetype type;
  napi_typeof(env, v, &type);
  if (type == napi_number) {
    double d;
    napi_get_value_double(env, v, &d);
    if (!IsInteger(d)) return kFieldRange | field;
    // 2^64 is the first double past u64: casting it (or more) is undefined behaviour.
    if (d < 0 || d >= 18446744073709551616.0) return kFieldRange | field;
    *out = static_cast<uint64_t>(d);
    return *out > max ? kFieldRange | field : 0;
  }
  if (type == napi_bigint) {
    bool lossless = false;
    napi_get_value_bigint_uint64(env, v, out, &lossless);  // negative or wider than u64: not lossless
    return !lossless || *out > max ? kFieldRange | field : 0;
  }
  return kFieldType | field;
}

napi_value Int(napi_env env, int v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

// Reads and checks the frame's fields in order; 0, a field error, or a vlp::Result.
int EncodeFields(napi_env env, napi_value* field, uint8_t* out) {
  double version, status, pid;
  uint64_t timestamp, nonce, payload;
  int r;
  if ((r = GetInteger(env, field[0], kFieldVersion, 255, &version)) != 0) return r;
  if ((r = GetInteger(env, field[1], kFieldStatus, 255, &status)) != 0) return r;
  if ((r = GetInteger(env, field[2], kFieldPid, 4294967295.0, &pid)) != 0) return r;
  if ((r = GetU64(env, field[3], kFieldTimestamp, UINT64_MAX, &timestamp)) != 0) return r;
  if ((r = GetU64(env, field[4], kFieldNonce, UINT64_MAX, &nonce)) != 0) return r;
  if ((r = GetU64(env, field[5], kFieldPayload, version == vlp::kVersion2 ? UINT32_MAX : UINT64_MAX, &payload)) != 0) {
    return r;
  }
  // A byte the wire does not know as a version or status is Encode's BadVersion / BadStatus.
  return static_cast<int>(vlp::Encode(out, static_cast<uint8_t>(version), static_cast<uint8_t>(status),
                                      static_cast<uint32_t>(pid), timestamp, nonce, payload));
}

// encodeInto(out, offset, version, status, pid, timestamp, nonce, payload) -> 0, a vlp::Result or a field error.
// Bad `out`/`offset` throw; the frame's fields never do (see kFieldType).
napi_value EncodeInto(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint8_t* out;
  size_t length;
  double offset;
  if (argc < 8 || !BorrowBytes(env, argv[0], &out, &length)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "encodeInto(out: Uint8Array, offset, version, status, pid, timestamp, nonce, payload)");
    return nullptr;
  }
  if (length < vlp::kFrameSize) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "a VLP frame needs 32 bytes at offset");
    return nullptr;
  }
  // Checked as read: an offset of 2^32 must not wrap to 0.
  if (!ReadIntegerArg(env, argv[1], "offset", 0, static_cast<double>(length - vlp::kFrameSize), &offset)) {
    return nullptr;
  }
  return Int(env, EncodeFields(env, argv + 2, out + static_cast<size_t>(offset)));
}

// decodeInto(bytes, offset, length, fields: Uint32Array(kSlotCount), strictV2) -> Result
napi_value DecodeInto(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint8_t* in;
  size_t in_length;
  double offset, length;
  napi_typedarray_type type;
  size_t count;
  void* raw;
  bool strict = false;
  if (argc < 4 || !BorrowBytes(env, argv[0], &in, &in_length) ||
      napi_get_typedarray_info(env, argv[3], &type, &count, &raw, nullptr, nullptr) != napi_ok ||
      type != napi_uint32_array || count < kSlotCount) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "decodeInto(bytes: Uint8Array, offset, length, fields: Uint32Array(11)[, strictV2])");
    return nullptr;
  }
  if (!ReadIntegerArg(env, argv[1], "offset", 0, static_cast<double>(in_length), &offset) ||
      !ReadIntegerArg(env, argv[2], "length", 0, static_cast<double>(in_length) - offset, &length)) {
    return nullptr;
  }
  if (argc > 4) napi_get_value_bool(env, argv[4], &strict);
  vlp::Frame f{};
  in += static_cast<size_t>(offset);
  const size_t size = static_cast<size_t>(length);
  vlp::Result r = strict ? vlp::DecodeV2(in, size, &f) : vlp::Decode(in, size, &f);
  auto* fields = static_cast<uint32_t*>(raw);
  fields[kSlotVersion] = f.version;
  fields[kSlotStatus] = f.status;
  fields[kSlotPid] = f.pid;
  fields[kSlotTimestampLo] = static_cast<uint32_t>(f.timestamp);
  fields[kSlotTimestampHi] = static_cast<uint32_t>(f.timestamp >> 32);
  fields[kSlotNonceLo] = static_cast<uint32_t>(f.nonce);
  fields[kSlotNonceHi] = static_cast<uint32_t>(f.nonce >> 32);
  fields[kSlotPayloadLo] = static_cast<uint32_t>(f.payload);
  fields[kSlotPayloadHi] = static_cast<uint32_t>(f.payload >> 32);
  fields[kSlotCrcExpected] = f.crc_expected;
  fields[kSlotCrcActual] = f.crc_actual;
  return Int(env, static_cast<int>(r));
}

napi_value Crc(napi_env env, napi_callback_info info, bool table) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint8_t* data;
  size_t length;
  if (argc < 1 || !BorrowBytes(env, argv[0], &data, &length)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "crc32c(data: Uint8Array)");
    return nullptr;
  }
  napi_value r;
  napi_create_uint32(env, table ? Crc32cTable(data, length) : Crc32c(data, length), &r);
  return r;
}

napi_value CrcFast(napi_env env, napi_callback_info info) { return Crc(env, info, false); }
napi_value CrcTable(napi_env env, napi_callback_info info) { return Crc(env, info, true); }

// The numbers TypeScript reads: decodeInto's slots, encodeInto's field errors
// and the Result codes, keyed by the spec's names for them.
Napi::Object VlpConstants(Napi::Env env) {
  auto code = [](vlp::Result r) { return static_cast<double>(static_cast<int>(r)); };
  using vlp::Result;
  return FrozenObjects(
      env,
      {
          {"decodeSlot", FrozenNumbers(env, {{"version", kSlotVersion},
                                             {"status", kSlotStatus},
                                             {"pid", kSlotPid},
                                             {"timestampLo", kSlotTimestampLo},
                                             {"timestampHi", kSlotTimestampHi},
                                             {"nonceLo", kSlotNonceLo},
                                             {"nonceHi", kSlotNonceHi},
                                             {"payloadLo", kSlotPayloadLo},
                                             {"payloadHi", kSlotPayloadHi},
                                             {"crcExpected", kSlotCrcExpected},
                                             {"crcActual", kSlotCrcActual},
                                             {"count", kSlotCount}})},
          {"encodeField", FrozenNumbers(env, {{"version", kFieldVersion},
                                              {"status", kFieldStatus},
                                              {"pid", kFieldPid},
                                              {"timestamp", kFieldTimestamp},
                                              {"nonce", kFieldNonce},
                                              {"payload", kFieldPayload}})},
          {"fieldError", FrozenNumbers(env, {{"fieldMask", kFieldMask}, {"type", kFieldType}, {"range", kFieldRange}})},
          {"result", FrozenNumbers(env, {{"Ok", code(Result::kOk)},
                                         {"BadLength", code(Result::kBadLength)},
                                         {"BadMagic", code(Result::kBadMagic)},
                                         {"BadVersion", code(Result::kBadVersion)},
                                         {"BadCrc", code(Result::kBadCrc)},
                                         {"BadStatus", code(Result::kBadStatus)},
                                         {"StallOnWire", code(Result::kStallOnWire)},
                                         {"BadPid", code(Result::kBadPid)},
                                         {"BadTimestamp", code(Result::kBadTimestamp)},
                                         {"BadNonce", code(Result::kBadNonce)}})},
      });
}

void SetFunction(napi_env env, napi_value obj, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, obj, name, fn);
}

}  // namespace

void InitVlp(Napi::Env env, Napi::Object exports) {
  Napi::Object vlp = Napi::Object::New(env);
  SetFunction(env, vlp, "encodeInto", EncodeInto);
  SetFunction(env, vlp, "decodeInto", DecodeInto);
  SetFunction(env, vlp, "crc32c", CrcFast);
  SetFunction(env, vlp, "crc32cTable", CrcTable);
  vlp.Set("crc32cHardware", Napi::Boolean::New(env, Crc32cHardware()));
  vlp.Set("crc32cImplementation", Napi::String::New(env, Crc32cImplementation()));
  vlp.Set("constants", VlpConstants(env));
  exports.Set("vlp", vlp);
}

}  // namespace hostwire
