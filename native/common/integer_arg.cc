#include "common/integer_arg.h"

#include <cstdio>
#include <string>

namespace hostwire {

namespace {

std::string StringOf(napi_env env, napi_value value) {
  napi_value text;
  size_t length = 0;
  if (napi_coerce_to_string(env, value, &text) != napi_ok ||
      napi_get_value_string_utf8(env, text, nullptr, 0, &length) != napi_ok) {
    return "?";
  }
  std::string out(length, '\0');
  napi_get_value_string_utf8(env, text, out.data(), length + 1, &length);
  return out;
}

// The value as args.ts describes it: 1.5, "1", 1n, null, an instance of Object.
std::string Describe(napi_env env, napi_value value) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return "?";
  switch (type) {
    case napi_string:
      return "\"" + StringOf(env, value) + "\"";
    case napi_bigint:
      return StringOf(env, value) + "n";
    case napi_number:
    case napi_boolean:
    case napi_undefined:
    case napi_null:
      return StringOf(env, value);
    case napi_symbol:
      return "a symbol";
    default: {
      napi_value constructor, name;
      napi_valuetype name_type;
      if (napi_get_named_property(env, value, "constructor", &constructor) == napi_ok &&
          napi_get_named_property(env, constructor, "name", &name) == napi_ok &&
          napi_typeof(env, name, &name_type) == napi_ok && name_type == napi_string) {
        return "an instance of " + StringOf(env, name);
      }
      return "an instance of Object";
    }
  }
}

void Throw(napi_env env, bool range, const char* code, const std::string& message) {
  napi_value code_value, message_value, error;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value);
  napi_create_string_utf8(env, message.c_str(), message.size(), &message_value);
  if (range) {
    napi_create_range_error(env, code_value, message_value, &error);
  } else {
    napi_create_type_error(env, code_value, message_value, &error);
  }
  napi_throw(env, error);
}

void ThrowArgError(napi_env env, napi_value value, const char* name, bool type_ok, const char* type,
                   const std::string& range) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return;
  const std::string received = Describe(env, value);
  if (!type_ok) {
    Throw(env, false, "ERR_INVALID_ARG_TYPE",
          std::string("The \"") + name + "\" argument must be of type " + type + "; received " + received);
  } else {
    Throw(env, true, "ERR_OUT_OF_RANGE",
          std::string("The \"") + name + "\" argument must be " + range + "; received " + received);
  }
}

bool IsType(napi_env env, napi_value value, napi_valuetype wanted) {
  napi_valuetype type;
  return napi_typeof(env, value, &type) == napi_ok && type == wanted;
}

}  // namespace

void ThrowIntegerArgError(napi_env env, napi_value value, const char* name, double min, double max) {
  char range[96];
  std::snprintf(range, sizeof(range), "an integer >= %.0f and <= %.0f", min, max);
  ThrowArgError(env, value, name, IsType(env, value, napi_number), "number", range);
}

void ThrowU64ArgError(napi_env env, napi_value value, const char* name) {
  const bool type_ok = IsType(env, value, napi_number) || IsType(env, value, napi_bigint);
  ThrowArgError(env, value, name, type_ok, "number or bigint", "an integer >= 0 and <= 18446744073709551615");
}

}  // namespace hostwire
