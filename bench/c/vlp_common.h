/* Shared by the C reference programs that speak VLP: CRC-32C with the SSE4.2
 * instruction (compile with -msse4.2), and a v0.2 encoder. */
#pragma once
#include <nmmintrin.h>
#include <stdint.h>
#include <string.h>

#include "clock.h"

static inline uint32_t crc32c(const uint8_t *p, size_t n) {
  uint64_t c = 0xFFFFFFFFu;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c = _mm_crc32_u64(c, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = (uint32_t)c;
  while (n--) c32 = _mm_crc32_u8(c32, *p++);
  return c32 ^ 0xFFFFFFFFu;
}

static inline void vlp_encode(uint8_t *f, uint8_t status, uint32_t pid, uint64_t ts, uint64_t nonce, uint32_t payload) {
  f[0] = 0x56;
  f[1] = 0x41;
  f[2] = 2;
  f[3] = status;
  memcpy(f + 4, &pid, 4);
  memcpy(f + 8, &ts, 8);
  memcpy(f + 16, &nonce, 8);
  memcpy(f + 24, &payload, 4);
  uint32_t crc = crc32c(f, 28);
  memcpy(f + 28, &crc, 4);
}
