#include "netlink/objects.h"

#include <arpa/inet.h>
#include <net/if.h>

namespace hostwire {

namespace {

napi_value Number(napi_env env, double value) {
  napi_value out;
  napi_create_double(env, value, &out);
  return out;
}

napi_value Null(napi_env env) {
  napi_value out;
  napi_get_null(env, &out);
  return out;
}

napi_value Boolean(napi_env env, bool value) {
  napi_value out;
  napi_get_boolean(env, value, &out);
  return out;
}

napi_value String(napi_env env, const std::string& value) {
  napi_value out;
  napi_create_string_utf8(env, value.data(), value.size(), &out);
  return out;
}

const char* OperstateName(uint8_t state) {
  static const char* const kNames[] = {"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"};
  return state < sizeof kNames / sizeof kNames[0] ? kNames[state] : "unknown";
}

const char* const kRouteKeys[] = {"family", "dst",    "prefix",  "table",  "protocol", "scope",
                                  "type",   "oif",    "gateway", "prefsrc", "metric",  "multipath"};
const char* const kLinkKeys[] = {"index", "name", "kind", "master", "mac", "flags", "mtu", "up", "operstate"};
const char* const kFdbKeys[] = {"mac", "ifindex", "master", "vlan", "state", "flags", "dst"};

}  // namespace

ObjectMaker::ObjectMaker(napi_env env, const char* const* names, size_t count) : env_(env), count_(count) {
  for (size_t i = 0; i < count && i < 16; i++) {
    descriptors_[i] = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr};
    napi_create_string_latin1(env, names[i], NAPI_AUTO_LENGTH, &descriptors_[i].name);
  }
}

napi_value ObjectMaker::Make(const napi_value* values) const {
  napi_property_descriptor descriptors[16];
  for (size_t i = 0; i < count_; i++) {
    descriptors[i] = descriptors_[i];
    descriptors[i].value = values[i];
  }
  napi_value object;
  napi_create_object(env_, &object);
  napi_define_properties(env_, object, count_, descriptors);
  return object;
}

napi_value MacString(napi_env env, const uint8_t* bytes, size_t length) {
  static const char kHex[] = "0123456789abcdef";
  char text[3 * 32];
  size_t at = 0;
  for (size_t i = 0; i < length && i < 32; i++) {
    if (i > 0) text[at++] = ':';
    text[at++] = kHex[bytes[i] >> 4];
    text[at++] = kHex[bytes[i] & 15];
  }
  napi_value out;
  napi_create_string_latin1(env, text, at, &out);
  return out;
}

napi_value AddressString(napi_env env, uint8_t family, const uint8_t* bytes) {
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(family, bytes, text, sizeof text) == nullptr) return Null(env);
  napi_value out;
  napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

RouteObjects::RouteObjects(napi_env env) : env_(env), maker_(env, kRouteKeys, 12) {}

napi_value RouteObjects::Make(const RouteInfo& r) const {
  napi_value values[12] = {
      Number(env_, r.family == AF_INET ? 4 : 6),
      AddressString(env_, r.family, r.dst),
      Number(env_, r.prefix),
      Number(env_, r.table),
      Number(env_, r.protocol),
      Number(env_, r.scope),
      Number(env_, r.type),
      r.oif == 0 ? Null(env_) : Number(env_, r.oif),
      r.hasGateway ? AddressString(env_, r.family, r.gateway) : Null(env_),
      r.hasPrefsrc ? AddressString(env_, r.family, r.prefsrc) : Null(env_),
      r.hasMetric ? Number(env_, r.metric) : Null(env_),
      Boolean(env_, r.multipath),
  };
  return maker_.Make(values);
}

LinkObjects::LinkObjects(napi_env env) : env_(env), maker_(env, kLinkKeys, 9) {}

napi_value LinkObjects::Make(const LinkInfo& l) const {
  napi_value values[9] = {
      Number(env_, l.index),
      String(env_, l.name),
      l.kind.empty() ? Null(env_) : String(env_, l.kind),
      l.master == 0 ? Null(env_) : Number(env_, l.master),
      l.macLength == 0 ? Null(env_) : MacString(env_, l.mac, l.macLength),
      Number(env_, l.flags),
      Number(env_, l.mtu),
      Boolean(env_, (l.flags & IFF_UP) != 0),
      [&] {
        napi_value s;
        napi_create_string_latin1(env_, OperstateName(l.operstate), NAPI_AUTO_LENGTH, &s);
        return s;
      }(),
  };
  return maker_.Make(values);
}

FdbObjects::FdbObjects(napi_env env) : env_(env), maker_(env, kFdbKeys, 7) {}

napi_value FdbObjects::Make(const FdbInfo& f) const {
  napi_value values[7] = {
      f.hasMac ? MacString(env_, f.mac, 6) : Null(env_),
      Number(env_, f.ifindex),
      f.master == 0 ? Null(env_) : Number(env_, f.master),
      f.hasVlan ? Number(env_, f.vlan) : Null(env_),
      Number(env_, f.state),
      Number(env_, f.flags),
      f.dstFamily == 0 ? Null(env_) : AddressString(env_, f.dstFamily, f.dst),
  };
  return maker_.Make(values);
}

}  // namespace hostwire
