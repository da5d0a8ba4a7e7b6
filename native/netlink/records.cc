#include "netlink/records.h"

#include <string.h>
#include <sys/socket.h>

#include <algorithm>

namespace hostwire {

namespace {

enum Kind : uint8_t { kRoute = 1, kLink = 2, kFdb = 3, kOverrun = 4 };

template <typename T>
void Store(uint8_t* at, T value) {
  memcpy(at, &value, sizeof value);
}

uint8_t FamilyNumber(uint8_t family) { return family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0; }

}  // namespace

uint8_t* RecordWriter::Append(uint8_t kind, RecordAction action, uint16_t length) {
  const size_t at = data_.size();
  data_.resize(at + length, 0);
  uint8_t* record = data_.data() + at;
  record[0] = kind;
  record[1] = static_cast<uint8_t>(action);
  Store<uint16_t>(record + 2, length);
  return record;
}

void RecordWriter::Route(RecordAction action, const RouteInfo& r) {
  uint8_t* p = Append(kRoute, action, 72);
  p[4] = FamilyNumber(r.family);
  p[5] = r.prefix;
  p[6] = r.protocol;
  p[7] = r.scope;
  p[8] = r.type;
  p[9] = static_cast<uint8_t>((r.has_gateway ? 1 : 0) | (r.has_prefsrc ? 2 : 0) | (r.has_metric ? 4 : 0) |
                              (r.multipath ? 8 : 0));
  Store<uint32_t>(p + 12, r.table);
  Store<uint32_t>(p + 16, r.oif);
  Store<uint32_t>(p + 20, r.metric);
  memcpy(p + 24, r.dst, 16);
  memcpy(p + 40, r.gateway, 16);
  memcpy(p + 56, r.prefsrc, 16);
}

void RecordWriter::Link(RecordAction action, const LinkInfo& l) {
  uint8_t* p = Append(kLink, action, 96);
  Store<uint32_t>(p + 4, l.index);
  Store<uint32_t>(p + 8, l.flags);
  Store<uint32_t>(p + 12, l.mtu);
  Store<uint32_t>(p + 16, l.master);
  p[20] = l.operstate;
  p[21] = l.mac_length;
  const size_t name_length = std::min<size_t>(l.name.size(), 16);
  const size_t kind_length = std::min<size_t>(l.kind.size(), 24);
  p[22] = static_cast<uint8_t>(name_length);
  p[23] = static_cast<uint8_t>(kind_length);
  memcpy(p + 24, l.name.data(), name_length);
  memcpy(p + 40, l.kind.data(), kind_length);
  memcpy(p + 64, l.mac, std::min<size_t>(l.mac_length, 32));
}

void RecordWriter::Fdb(RecordAction action, const FdbInfo& f) {
  uint8_t* p = Append(kFdb, action, 48);
  Store<uint32_t>(p + 4, f.ifindex);
  Store<uint32_t>(p + 8, f.master);
  Store<int32_t>(p + 12, f.has_vlan ? f.vlan : -1);
  Store<uint16_t>(p + 16, f.state);
  p[18] = f.flags;
  p[19] = f.has_mac ? 1 : 0;
  p[20] = FamilyNumber(f.dst_family);
  memcpy(p + 24, f.mac, 6);
  memcpy(p + 32, f.dst, 16);
}

void RecordWriter::Overrun() { Append(kOverrun, RecordAction::kListed, 4); }

napi_value RecordWriter::ToArrayBuffer(napi_env env) const {
  void* bytes = nullptr;
  napi_value buffer;
  napi_create_arraybuffer(env, data_.size(), &bytes, &buffer);
  if (!data_.empty()) memcpy(bytes, data_.data(), data_.size());
  return buffer;
}

napi_value RecordWriter::TakeArrayBuffer(napi_env env) {
  // Below this a copy costs less than registering a finalizer.
  constexpr size_t kCopyBelow = 16 * 1024;
  if (data_.size() < kCopyBelow) {
    napi_value copy = ToArrayBuffer(env);
    data_.clear();
    return copy;
  }
  auto* owned = new std::vector<uint8_t>(std::move(data_));
  data_ = {};
  napi_value buffer;
  napi_status status = napi_create_external_arraybuffer(
      env, owned->data(), owned->size(),
      [](napi_env, void*, void* hint) { delete static_cast<std::vector<uint8_t>*>(hint); }, owned, &buffer);
  if (status == napi_ok) return buffer;
  // Runtimes that forbid external buffers: copy instead.
  data_ = std::move(*owned);
  delete owned;
  napi_value copy = ToArrayBuffer(env);
  data_.clear();
  return copy;
}

}  // namespace hostwire
