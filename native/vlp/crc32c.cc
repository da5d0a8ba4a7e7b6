#include "vlp/crc32c.h"

#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#elif defined(__aarch64__)
#include <arm_acle.h>
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace hostwire {

namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // reflected Castagnoli

struct Tables {
  uint32_t t[8][256];
  Tables() {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
      for (int s = 1; s < 8; s++) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(const uint8_t* data, size_t length) {
  uint64_t crc = 0xFFFFFFFFu;
  while (length >= 8) {
    uint64_t word;
    memcpy(&word, data, 8);
    crc = _mm_crc32_u64(crc, word);
    data += 8;
    length -= 8;
  }
  uint32_t crc32 = static_cast<uint32_t>(crc);
  while (length-- > 0) crc32 = _mm_crc32_u8(crc32, *data++);
  return crc32 ^ 0xFFFFFFFFu;
}

bool DetectSse42() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}
#endif

#if defined(__aarch64__)
// ARMv8 CRC32 instructions are optional before ARMv8.1: only this function is
// built for them, and it runs only when the kernel reports HWCAP_CRC32.
__attribute__((target("+crc"))) uint32_t Crc32cArmv8(const uint8_t* data, size_t length) {
  uint32_t crc = 0xFFFFFFFFu;
  while (length >= 8) {
    uint64_t word;
    memcpy(&word, data, 8);
    crc = __crc32cd(crc, word);
    data += 8;
    length -= 8;
  }
  while (length-- > 0) crc = __crc32cb(crc, *data++);
  return crc ^ 0xFFFFFFFFu;
}

bool DetectArmv8Crc() { return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }
#endif

using CrcFn = uint32_t (*)(const uint8_t*, size_t);

struct Implementation {
  CrcFn fn;
  const char* name;
};

Implementation Choose() {
#if defined(__x86_64__)
  if (DetectSse42()) return {Crc32cSse42, "sse4.2"};
#elif defined(__aarch64__)
  if (DetectArmv8Crc()) return {Crc32cArmv8, "armv8-crc"};
#endif
  return {Crc32cTable, "table"};
}

const Implementation kCrc = Choose();

}  // namespace

uint32_t Crc32cTable(const uint8_t* data, size_t length) {
  const Tables& tb = GetTables();
  uint32_t crc = 0xFFFFFFFFu;
  while (length >= 8) {
    uint32_t lo;
    uint32_t hi;
    memcpy(&lo, data, 4);  // little-endian hosts only (x86-64, arm64 LE)
    memcpy(&hi, data + 4, 4);
    lo ^= crc;
    crc = tb.t[7][lo & 0xff] ^ tb.t[6][(lo >> 8) & 0xff] ^ tb.t[5][(lo >> 16) & 0xff] ^ tb.t[4][lo >> 24] ^
          tb.t[3][hi & 0xff] ^ tb.t[2][(hi >> 8) & 0xff] ^ tb.t[1][(hi >> 16) & 0xff] ^ tb.t[0][hi >> 24];
    data += 8;
    length -= 8;
  }
  while (length-- > 0) crc = (crc >> 8) ^ tb.t[0][(crc ^ *data++) & 0xff];
  return crc ^ 0xFFFFFFFFu;
}

uint32_t Crc32c(const uint8_t* data, size_t length) { return kCrc.fn(data, length); }

bool Crc32cHardware() { return kCrc.fn != Crc32cTable; }

const char* Crc32cImplementation() { return kCrc.name; }

}  // namespace hostwire
