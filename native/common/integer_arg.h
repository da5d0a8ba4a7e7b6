// Integer arguments read the way Node's validateInteger reads them, so a
// number never wraps on its way into C++: a non-number (a BigInt included) is
// ERR_INVALID_ARG_TYPE; NaN, ±Infinity, a fraction or a value outside
// [min, max] is ERR_OUT_OF_RANGE. The success path is one
// napi_get_value_double and three compares, cheap enough for send and beat;
// only the error path allocates.
#pragma once

#include <node_api.h>

#include <cmath>

namespace hostwire {

// Throws the error ReadIntegerArg describes, naming the argument. Out of line: it is the cold path.
void ThrowIntegerArgError(napi_env env, napi_value value, const char* name, double min, double max);

// True with `*out` set, or false with a JS exception pending. `min` and `max`
// must be exact in a double (|x| <= 2^53).
inline bool ReadIntegerArg(napi_env env, napi_value value, const char* name, double min, double max, double* out) {
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok && d >= min && d <= max && std::trunc(d) == d) {
    *out = d;
    return true;
  }
  ThrowIntegerArgError(env, value, name, min, max);
  return false;
}

}  // namespace hostwire
