// Borrowing the bytes of a Uint8Array (Buffer included) without copying.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>

namespace hostwire {

// True when `value` is a Uint8Array; `data`/`length` then view its bytes.
inline bool BorrowBytes(napi_env env, napi_value value, uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  void* raw = nullptr;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr) != napi_ok) {
    return false;
  }
  if (type != napi_uint8_array && type != napi_uint8_clamped_array) return false;
  *data = static_cast<uint8_t*>(raw);
  return true;
}

}  // namespace hostwire
