// Decoded netlink messages for JS, as packed binary records in one
// ArrayBuffer per call; src/netlink/records.ts turns them into objects.
// Building JS objects through N-API costs about a microsecond per entry,
// more than the kernel's own work for a dump, while plain JS object literals
// cost tens of nanoseconds. The layout is defined once, below, and exported
// to TypeScript (RecordLayout(), as `netlink.constants.record`).
//
// Every record starts with a header: u8 kind, u8 action, u16 byte length.
// Integers are native-endian; addresses are network order. Offsets are from
// the start of the record.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "netlink/messages.h"

namespace hostwire {

enum class RecordKind : uint8_t { kRoute = 1, kLink = 2, kFdb = 3, kOverrun = 4 };
enum class RecordAction : uint8_t { kListed = 0, kNew = 1, kDeleted = 2 };

namespace record {

struct Header {
  static constexpr uint16_t kSize = 4;
  static constexpr size_t kKind = 0;    // u8 RecordKind
  static constexpr size_t kAction = 1;  // u8 RecordAction
  static constexpr size_t kLength = 2;  // u16: the whole record's bytes
};

struct Route {
  static constexpr uint16_t kSize = 72;
  static constexpr size_t kFamily = 4;  // u8: 4 or 6
  static constexpr size_t kPrefix = 5;  // u8
  static constexpr size_t kProtocol = 6;
  static constexpr size_t kScope = 7;
  static constexpr size_t kType = 8;
  static constexpr size_t kBits = 9;      // u8: kHas* below
  static constexpr size_t kTable = 12;    // u32
  static constexpr size_t kOif = 16;      // u32, 0: none
  static constexpr size_t kMetric = 20;   // u32
  static constexpr size_t kDst = 24;      // [16]
  static constexpr size_t kGateway = 40;  // [16]
  static constexpr size_t kPrefsrc = 56;  // [16]
  static constexpr uint8_t kHasGateway = 1;
  static constexpr uint8_t kHasPrefsrc = 2;
  static constexpr uint8_t kHasMetric = 4;
  static constexpr uint8_t kMultipath = 8;
};

struct Link {
  static constexpr uint16_t kSize = 96;
  static constexpr size_t kIndex = 4;        // u32
  static constexpr size_t kFlags = 8;        // u32 IFF_*
  static constexpr size_t kMtu = 12;         // u32
  static constexpr size_t kMaster = 16;      // u32, 0: none
  static constexpr size_t kOperstate = 20;   // u8 IF_OPER_*
  static constexpr size_t kMacLength = 21;   // u8
  static constexpr size_t kNameLength = 22;  // u8
  static constexpr size_t kKindLength = 23;  // u8
  static constexpr size_t kName = 24;        // [kNameCapacity]
  static constexpr size_t kKind = 40;        // [kKindCapacity]
  static constexpr size_t kMac = 64;         // [kMacCapacity]
  static constexpr size_t kNameCapacity = 16;
  static constexpr size_t kKindCapacity = 24;
  static constexpr size_t kMacCapacity = 32;
};

struct Fdb {
  static constexpr uint16_t kSize = 48;
  static constexpr size_t kIfindex = 4;     // u32
  static constexpr size_t kMaster = 8;      // u32, 0: none
  static constexpr size_t kVlan = 12;       // i32, -1: none
  static constexpr size_t kState = 16;      // u16 NUD_*
  static constexpr size_t kFlags = 18;      // u8 NTF_*
  static constexpr size_t kBits = 19;       // u8: kHasMac
  static constexpr size_t kDstFamily = 20;  // u8: 0 (none), 4 or 6
  static constexpr size_t kMac = 24;        // [6]
  static constexpr size_t kDst = 32;        // [16]
  static constexpr uint8_t kHasMac = 1;
};

// An overrun record (the kernel dropped notifications) is a bare header.
struct Overrun {
  static constexpr uint16_t kSize = Header::kSize;
};

static_assert(Route::kBits < Route::kTable && Route::kMetric + 4 <= Route::kDst &&
              Route::kPrefsrc + 16 == Route::kSize);
static_assert(Link::kName + Link::kNameCapacity == Link::kKind && Link::kKind + Link::kKindCapacity == Link::kMac &&
              Link::kMac + Link::kMacCapacity == Link::kSize);
static_assert(Fdb::kDstFamily < Fdb::kMac && Fdb::kMac + 6 <= Fdb::kDst && Fdb::kDst + 16 == Fdb::kSize);

}  // namespace record

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
  uint8_t* Append(RecordKind kind, RecordAction action, uint16_t length);
  std::vector<uint8_t> data_;
};

// The layout above for TypeScript: { kind, action, header, route, link, fdb },
// each a frozen object of numbers (offsets, sizes and bits).
Napi::Object RecordLayout(Napi::Env env);

}  // namespace hostwire
