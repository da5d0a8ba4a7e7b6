// JS bindings of the VLP codec. encodeInto/decodeInto are raw N-API (they are
// hot paths): numbers or BigInts in, a result code out, decoded fields written
// into a caller-owned Uint32Array — nothing is allocated per call.
#include "vlp/vlp.h"

#include "common/bytes.h"
#include "common/errors.h"
#include "common/integer_arg.h"
#include "vlp/crc32c.h"
#include "vlp/frame.h"

namespace hostwire {

namespace {

napi_value Int(napi_env env, int v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

// encodeInto(out, offset, version, status, pid, timestamp, nonce, payload) -> Result
napi_value EncodeInto(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint8_t* out;
  size_t length;
  double offset, version, status, pid;
  uint64_t timestamp, nonce, payload;
  if (argc < 8 || !BorrowBytes(env, argv[0], &out, &length)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "encodeInto(out: Uint8Array, offset, version, status, pid, timestamp, nonce, payload)");
    return nullptr;
  }
  if (length < vlp::kFrameSize) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "a VLP frame needs 32 bytes at offset");
    return nullptr;
  }
  // Each number is checked as read: a status of 2^32 must not wrap to Ok, nor an offset to 0.
  if (!ReadIntegerArg(env, argv[1], "offset", 0, static_cast<double>(length - vlp::kFrameSize), &offset) ||
      !ReadIntegerArg(env, argv[2], "version", 0, 255, &version) ||
      !ReadIntegerArg(env, argv[3], "status", 0, 255, &status) ||
      !ReadIntegerArg(env, argv[4], "pid", 0, 4294967295.0, &pid)) {
    return nullptr;
  }
  if (!ReadU64Arg(env, argv[5], "timestamp", &timestamp) || !ReadU64Arg(env, argv[6], "nonce", &nonce) ||
      !ReadU64Arg(env, argv[7], "payload", &payload)) {
    return nullptr;
  }
  if (version == vlp::kVersion2 && payload > UINT32_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "a VLP v0.2 payload is a u32");
    return nullptr;
  }
  return Int(env, static_cast<int>(vlp::Encode(out + static_cast<size_t>(offset), static_cast<uint8_t>(version),
                                                static_cast<uint8_t>(status), static_cast<uint32_t>(pid), timestamp,
                                                nonce, payload)));
}

// decodeInto(bytes, offset, length, fields: Uint32Array(11), strictV2) -> Result
// fields: version, status, pid, tsLo, tsHi, nonceLo, nonceHi, payloadLo, payloadHi, crcExpected, crcActual
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
      type != napi_uint32_array || count < 11) {
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
  fields[0] = f.version;
  fields[1] = f.status;
  fields[2] = f.pid;
  fields[3] = static_cast<uint32_t>(f.timestamp);
  fields[4] = static_cast<uint32_t>(f.timestamp >> 32);
  fields[5] = static_cast<uint32_t>(f.nonce);
  fields[6] = static_cast<uint32_t>(f.nonce >> 32);
  fields[7] = static_cast<uint32_t>(f.payload);
  fields[8] = static_cast<uint32_t>(f.payload >> 32);
  fields[9] = f.crc_expected;
  fields[10] = f.crc_actual;
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
  exports.Set("vlp", vlp);
}

}  // namespace hostwire
