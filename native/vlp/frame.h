// VLP frames, 32 bytes, little-endian.
//   v0.2: magic "VA" | 0x02 | status | pid u32 | timestamp u64 | nonce u64 | payload u32 | crc32c(0..28) u32
//   v0.1: magic "VA" | 0x01 | status | pid u32 | timestamp u64 | nonce u64 | payload u64 (no CRC)
// Decode checks run in the spec's order and the first failure is reported.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hostwire::vlp {

constexpr size_t kFrameSize = 32;
constexpr uint8_t kMagic0 = 0x56;  // 'V'
constexpr uint8_t kMagic1 = 0x41;  // 'A'
constexpr uint8_t kVersion1 = 0x01;
constexpr uint8_t kVersion2 = 0x02;
constexpr uint64_t kNonceTerminal = UINT64_MAX;
constexpr uint64_t kTimestampReserved = UINT64_MAX;

enum Status : uint8_t { kOk = 0, kDegraded = 1, kCritical = 2, kStall = 3 };

// Outcome of decoding (and of validating encoder input), in decode order.
enum class Result : int {
  kOk = 0,
  kBadLength = 1,
  kBadMagic = 2,
  kBadVersion = 3,
  kBadCrc = 4,
  kBadStatus = 5,
  kStallOnWire = 6,
  kBadPid = 7,
  kBadTimestamp = 8,
  kBadNonce = 9,
};

struct Frame {
  uint8_t version;
  uint8_t status;
  uint32_t pid;
  uint64_t timestamp;
  uint64_t nonce;
  uint64_t payload;       // u32 in v0.2, u64 in v0.1
  uint32_t crc_expected;  // v0.2: the CRC the bytes hash to
  uint32_t crc_actual;    // v0.2: the CRC the frame carries
};

// Writes 32 bytes; returns kOk or the Result the decoder would reject it with
// (Stall, reserved pid/timestamp, NONCE_TERMINAL without Critical,
// payload wider than the version allows -> kBadLength is not used here).
Result Encode(uint8_t* out, uint8_t version, uint8_t status, uint32_t pid, uint64_t timestamp, uint64_t nonce,
              uint64_t payload);

// v0.2 only (the strict conformance decoder).
Result DecodeV2(const uint8_t* in, size_t length, Frame* frame);
// Branches on byte 2: v0.2 as above, v0.1 with its own (shorter) checks.
Result Decode(const uint8_t* in, size_t length, Frame* frame);

}  // namespace hostwire::vlp
