// Integer arguments read the way Node's validateInteger reads them, so a
// number never wraps on its way into C++: a value of the wrong type (a BigInt
// where a number is wanted, a string) is ERR_INVALID_ARG_TYPE; NaN, ±Infinity,
// a fraction or a value outside the range is ERR_OUT_OF_RANGE. The success
// path is one napi_get_value_* call and a few compares, cheap enough for send
// and beat; only the error path allocates.
#pragma once

#include <node_api.h>

#include <cmath>
#include <cstdint>

namespace hostwire {

// The cold paths, out of line. Both name the argument and show the value received.
void ThrowIntegerArgError(napi_env env, napi_value value, const char* name, double min, double max);
void ThrowU64ArgError(napi_env env, napi_value value, const char* name);

// A number that is an integer in [min, max]. True with `*out` set, or false
// with a JS exception pending. `min` and `max` must be exact in a double.
inline bool ReadIntegerArg(napi_env env, napi_value value, const char* name, double min, double max, double* out) {
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok && d >= min && d <= max && std::trunc(d) == d) {
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
    if (d >= 0 && d < 18446744073709551616.0 && std::trunc(d) == d) {
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
