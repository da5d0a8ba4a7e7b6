#include "vlp/frame.h"

#include <cstring>

#include "vlp/crc32c.h"

namespace hostwire::vlp {

namespace {

inline void Put32(uint8_t* p, uint32_t v) { memcpy(p, &v, 4); }  // little-endian host
inline void Put64(uint8_t* p, uint64_t v) { memcpy(p, &v, 8); }
inline uint32_t Get32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
inline uint64_t Get64(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

// Field rules shared by encoder and v0.2 decoder, in decode order.
Result CheckFields(uint8_t status, uint32_t pid, uint64_t timestamp, uint64_t nonce) {
  if (status > kStall) return Result::kBadStatus;
  if (status == kStall) return Result::kStallOnWire;
  if (pid <= 1) return Result::kBadPid;  // 0 is the kernel, 1 is init
  if (timestamp == kTimestampReserved) return Result::kBadTimestamp;
  if (nonce == kNonceTerminal && status != kCritical) return Result::kBadNonce;
  return Result::kOk;
}

void ReadCommon(const uint8_t* in, Frame* frame) {
  frame->version = in[2];
  frame->status = in[3];
  frame->pid = Get32(in + 4);
  frame->timestamp = Get64(in + 8);
  frame->nonce = Get64(in + 16);
}

}  // namespace

Result Encode(uint8_t* out, uint8_t version, uint8_t status, uint32_t pid, uint64_t timestamp, uint64_t nonce,
              uint64_t payload) {
  if (version != kVersion1 && version != kVersion2) return Result::kBadVersion;
  Result r = CheckFields(status, pid, timestamp, nonce);
  if (r != Result::kOk) return r;
  out[0] = kMagic0;
  out[1] = kMagic1;
  out[2] = version;
  out[3] = status;
  Put32(out + 4, pid);
  Put64(out + 8, timestamp);
  Put64(out + 16, nonce);
  if (version == kVersion1) {
    Put64(out + 24, payload);
  } else {
    Put32(out + 24, static_cast<uint32_t>(payload));
    Put32(out + 28, Crc32c(out, 28));
  }
  return Result::kOk;
}

Result DecodeV2(const uint8_t* in, size_t length, Frame* frame) {
  if (length != kFrameSize) return Result::kBadLength;
  if (in[0] != kMagic0 || in[1] != kMagic1) return Result::kBadMagic;
  if (in[2] != kVersion2) return Result::kBadVersion;
  ReadCommon(in, frame);
  frame->payload = Get32(in + 24);
  frame->crc_actual = Get32(in + 28);
  frame->crc_expected = Crc32c(in, 28);
  if (frame->crc_actual != frame->crc_expected) return Result::kBadCrc;
  return CheckFields(frame->status, frame->pid, frame->timestamp, frame->nonce);
}

Result Decode(const uint8_t* in, size_t length, Frame* frame) {
  if (length != kFrameSize) return Result::kBadLength;
  if (in[0] != kMagic0 || in[1] != kMagic1) return Result::kBadMagic;
  if (in[2] == kVersion2) return DecodeV2(in, length, frame);
  if (in[2] != kVersion1) return Result::kBadVersion;
  // v0.1 knows only BadMagic, BadVersion and BadStatus.
  ReadCommon(in, frame);
  frame->payload = Get64(in + 24);
  frame->crc_actual = 0;
  frame->crc_expected = 0;
  return frame->status >= kStall ? Result::kBadStatus : Result::kOk;
}

}  // namespace hostwire::vlp
