#include "netlink/records.h"

#include <string.h>
#include <sys/socket.h>

#include <algorithm>

#include "common/constants.h"

namespace hostwire {

namespace {

template <typename T>
void Store(uint8_t* at, T value) {
  memcpy(at, &value, sizeof value);
}

uint8_t FamilyNumber(uint8_t family) { return family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0; }

}  // namespace

uint8_t* RecordWriter::Append(RecordKind kind, RecordAction action, uint16_t length) {
  const size_t at = data_.size();
  data_.resize(at + length, 0);
  uint8_t* record = data_.data() + at;
  record[record::Header::kKind] = static_cast<uint8_t>(kind);
  record[record::Header::kAction] = static_cast<uint8_t>(action);
  Store<uint16_t>(record + record::Header::kLength, length);
  return record;
}

void RecordWriter::Route(RecordAction action, const RouteInfo& r) {
  using L = record::Route;
  uint8_t* p = Append(RecordKind::kRoute, action, L::kSize);
  p[L::kFamily] = FamilyNumber(r.family);
  p[L::kPrefix] = r.prefix;
  p[L::kProtocol] = r.protocol;
  p[L::kScope] = r.scope;
  p[L::kType] = r.type;
  p[L::kBits] = static_cast<uint8_t>((r.has_gateway ? L::kHasGateway : 0) | (r.has_prefsrc ? L::kHasPrefsrc : 0) |
                                     (r.has_metric ? L::kHasMetric : 0) | (r.multipath ? L::kMultipath : 0));
  Store<uint32_t>(p + L::kTable, r.table);
  Store<uint32_t>(p + L::kOif, r.oif);
  Store<uint32_t>(p + L::kMetric, r.metric);
  memcpy(p + L::kDst, r.dst, 16);
  memcpy(p + L::kGateway, r.gateway, 16);
  memcpy(p + L::kPrefsrc, r.prefsrc, 16);
}

void RecordWriter::Link(RecordAction action, const LinkInfo& l) {
  using L = record::Link;
  uint8_t* p = Append(RecordKind::kLink, action, L::kSize);
  Store<uint32_t>(p + L::kIndex, l.index);
  Store<uint32_t>(p + L::kFlags, l.flags);
  Store<uint32_t>(p + L::kMtu, l.mtu);
  Store<uint32_t>(p + L::kMaster, l.master);
  p[L::kOperstate] = l.operstate;
  const size_t name_length = std::min(l.name.size(), L::kNameCapacity);
  const size_t kind_length = std::min(l.kind.size(), L::kKindCapacity);
  const size_t mac_length = std::min<size_t>(l.mac_length, L::kMacCapacity);
  p[L::kMacLength] = static_cast<uint8_t>(mac_length);
  p[L::kNameLength] = static_cast<uint8_t>(name_length);
  p[L::kKindLength] = static_cast<uint8_t>(kind_length);
  memcpy(p + L::kName, l.name.data(), name_length);
  memcpy(p + L::kKind, l.kind.data(), kind_length);
  memcpy(p + L::kMac, l.mac, mac_length);
}

void RecordWriter::Fdb(RecordAction action, const FdbInfo& f) {
  using L = record::Fdb;
  uint8_t* p = Append(RecordKind::kFdb, action, L::kSize);
  Store<uint32_t>(p + L::kIfindex, f.ifindex);
  Store<uint32_t>(p + L::kMaster, f.master);
  Store<int32_t>(p + L::kVlan, f.has_vlan ? f.vlan : -1);
  Store<uint16_t>(p + L::kState, f.state);
  p[L::kFlags] = f.flags;
  p[L::kBits] = f.has_mac ? L::kHasMac : 0;
  p[L::kDstFamily] = FamilyNumber(f.dst_family);
  memcpy(p + L::kMac, f.mac, 6);
  memcpy(p + L::kDst, f.dst, 16);
}

void RecordWriter::Overrun() { Append(RecordKind::kOverrun, RecordAction::kListed, record::Overrun::kSize); }
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

Napi::Object RecordLayout(Napi::Env env) {
  using H = record::Header;
  using R = record::Route;
  using L = record::Link;
  using F = record::Fdb;
  auto number = [](auto code) { return static_cast<double>(static_cast<int>(code)); };
  return FrozenObjects(
      env, {
               {"kind", FrozenNumbers(env, {{"route", number(RecordKind::kRoute)},
                                            {"link", number(RecordKind::kLink)},
                                            {"fdb", number(RecordKind::kFdb)},
                                            {"overrun", number(RecordKind::kOverrun)}})},
               {"action", FrozenNumbers(env, {{"listed", number(RecordAction::kListed)},
                                              {"new", number(RecordAction::kNew)},
                                              {"deleted", number(RecordAction::kDeleted)}})},
               {"header",
                FrozenNumbers(
                    env, {{"size", H::kSize}, {"kind", H::kKind}, {"action", H::kAction}, {"length", H::kLength}})},
               {"route", FrozenNumbers(env, {{"size", R::kSize},
                                             {"family", R::kFamily},
                                             {"prefix", R::kPrefix},
                                             {"protocol", R::kProtocol},
                                             {"scope", R::kScope},
                                             {"type", R::kType},
                                             {"bits", R::kBits},
                                             {"table", R::kTable},
                                             {"oif", R::kOif},
                                             {"metric", R::kMetric},
                                             {"dst", R::kDst},
                                             {"gateway", R::kGateway},
                                             {"prefsrc", R::kPrefsrc},
                                             {"hasGateway", R::kHasGateway},
                                             {"hasPrefsrc", R::kHasPrefsrc},
                                             {"hasMetric", R::kHasMetric},
                                             {"multipath", R::kMultipath}})},
               {"link", FrozenNumbers(env, {{"size", L::kSize},
                                            {"index", L::kIndex},
                                            {"flags", L::kFlags},
                                            {"mtu", L::kMtu},
                                            {"master", L::kMaster},
                                            {"operstate", L::kOperstate},
                                            {"macLength", L::kMacLength},
                                            {"nameLength", L::kNameLength},
                                            {"kindLength", L::kKindLength},
                                            {"name", L::kName},
                                            {"kind", L::kKind},
                                            {"mac", L::kMac}})},
               {"fdb", FrozenNumbers(env, {{"size", F::kSize},
                                           {"ifindex", F::kIfindex},
                                           {"master", F::kMaster},
                                           {"vlan", F::kVlan},
                                           {"state", F::kState},
                                           {"flags", F::kFlags},
                                           {"bits", F::kBits},
                                           {"dstFamily", F::kDstFamily},
                                           {"mac", F::kMac},
                                           {"dst", F::kDst},
                                           {"hasMac", F::kHasMac}})},
           });
}

}  // namespace hostwire
