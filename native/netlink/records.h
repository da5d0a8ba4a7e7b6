// Decoded netlink messages for JS, as packed binary records in one
// ArrayBuffer per call; src/netlink/records.ts turns them into objects.
// Building JS objects through N-API costs about a microsecond per entry,
// more than the kernel's own work for a dump, while plain JS object literals
// cost tens of nanoseconds. The layout below is mirrored in records.ts.
//
// Every record starts with: u8 kind, u8 action (1 new, 2 del, 0 listed),
// u16 byte length. Integers are native-endian; addresses are network order.
//
//   ROUTE (kind 1, 72 bytes)
//     4 u8 family (4|6)   5 u8 prefix   6 u8 protocol   7 u8 scope   8 u8 type
//     9 u8 bits (1 gateway, 2 prefsrc, 4 metric, 8 multipath)
//     12 u32 table   16 u32 oif   20 u32 metric
//     24 dst[16]   40 gateway[16]   56 prefsrc[16]
//   LINK (kind 2, 96 bytes)
//     4 u32 index   8 u32 flags   12 u32 mtu   16 u32 master   20 u8 operstate
//     21 u8 mac length   22 u8 name length   23 u8 kind length
//     24 name[16]   40 kind[24]   64 mac[32]
//   FDB (kind 3, 48 bytes)
//     4 u32 ifindex   8 u32 master   12 i32 vlan (-1: none)   16 u16 state
//     18 u8 flags   19 u8 bits (1 mac)   20 u8 dst family (0|4|6)
//     24 mac[6]   32 dst[16]
//   OVERRUN (kind 4, 4 bytes): the kernel dropped notifications.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <vector>

#include "netlink/messages.h"

namespace hostwire {

enum class RecordAction : uint8_t { kListed = 0, kNew = 1, kDeleted = 2 };

class RecordWriter {
 public:
  RecordWriter() { data_.reserve(4096); }
  void Route(RecordAction action, const RouteInfo& route);
  void Link(RecordAction action, const LinkInfo& link);
  void Fdb(RecordAction action, const FdbInfo& entry);
  void Overrun();
  void Clear() { data_.clear(); }
  bool empty() const { return data_.empty(); }
  // A new ArrayBuffer holding the records written so far.
  napi_value ToArrayBuffer(napi_env env) const;
  // An ArrayBuffer that takes over the records without copying them (a dump
  // of a large table is megabytes); the writer is left empty.
  napi_value TakeArrayBuffer(napi_env env);
  // Drops the records and the memory that held them.
  void Release() { std::vector<uint8_t>().swap(data_); }

 private:
  uint8_t* Append(uint8_t kind, RecordAction action, uint16_t length);
  std::vector<uint8_t> data_;
};

}  // namespace hostwire
