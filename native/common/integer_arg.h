// Integer arguments read the way Node's validateInteger reads them, so a
// number never wraps on its way into C++: a value of the wrong type (a BigInt
// where a number is wanted, a string) is ERR_INVALID_ARG_TYPE; NaN, ±Infinity,
// a fraction or a value outside the range is ERR_OUT_OF_RANGE. The success
// path is one napi_get_value_* call and a few compares, cheap enough for send
// and beat; only the error path allocates.
#pragma once

#include <node_api.h>

#include <cstdint>

namespace hostwire {

// The cold paths, out of line. Both name the argument and show the value received.
void ThrowIntegerArgError(napi_env env, napi_value value, const char* name, double min, double max);
void ThrowU64ArgError(napi_env env, napi_value value, const char* name);

// Whether a double in [-2^63, 2^63) has no fraction: two conversions, no libm call.
inline bool IsWhole(double d) { return static_cast<double>(static_cast<int64_t>(d)) == d; }

// A number that is an integer in [min, max]. True with `*out` set, or false
// with a JS exception pending. `min` and `max` must be exact in a double and
// within ±2^53.
inline bool ReadIntegerArg(napi_env env, napi_value value, const char* name, double min, double max, double* out) {
  double d;
  // The range test comes first: it also rejects NaN and keeps IsWhole's cast defined.
  if (napi_get_value_double(env, value, &d) == napi_ok && d >= min && d <= max && IsWhole(d)) {
    *out = d;
    return true;
  }
  ThrowIntegerArgError(env, value, name, min, max);
  return false;
}

// A u64 given as a number (an integer below 2^64; exact up to 2^53) or a BigInt.
inline bool ReadU64Arg(napi_env env, napi_value value, const char* name, uint64_t* out) {
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok) {
    // From 2^53 up every double is whole (and beyond int64_t's range).
    if (d >= 0 && d < 18446744073709551616.0 && (d >= 9007199254740992.0 || IsWhole(d))) {
      *out = static_cast<uint64_t>(d);
      return true;
    }
  } else {
    bool lossless = false;
    if (napi_get_value_bigint_uint64(env, value, out, &lossless) == napi_ok && lossless) return true;
  }
  ThrowU64ArgError(env, value, name);
  return false;
}

}  // namespace hostwire
