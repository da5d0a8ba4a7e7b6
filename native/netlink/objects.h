// Decoded netlink structs as plain JS objects. Property names are created
// once per call and each object is filled with one napi_define_properties,
// which keeps a dump of many entries cheap.
#pragma once

#include <node_api.h>

#include "netlink/messages.h"

namespace hostwire {

class ObjectMaker {
 public:
  ObjectMaker(napi_env env, const char* const* names, size_t count);
  // `values` holds one value per name, in the same order.
  napi_value Make(const napi_value* values) const;

 private:
  napi_env env_;
  size_t count_;
  napi_property_descriptor descriptors_[16];
};

// One maker per kind; construct once per call, then Make per entry.
class RouteObjects {
 public:
  explicit RouteObjects(napi_env env);
  napi_value Make(const RouteInfo& route) const;

 private:
  napi_env env_;
  ObjectMaker maker_;
};

class LinkObjects {
 public:
  explicit LinkObjects(napi_env env);
  napi_value Make(const LinkInfo& link) const;

 private:
  napi_env env_;
  ObjectMaker maker_;
};

class FdbObjects {
 public:
  explicit FdbObjects(napi_env env);
  napi_value Make(const FdbInfo& entry) const;

 private:
  napi_env env_;
  ObjectMaker maker_;
};

// "02:00:00:00:00:01"; any length (InfiniBand addresses are 20 bytes).
napi_value MacString(napi_env env, const uint8_t* bytes, size_t length);
napi_value AddressString(napi_env env, uint8_t family, const uint8_t* bytes);

}  // namespace hostwire
