// CRC-32C (Castagnoli), as VLP v0.2 uses over frame bytes 0..28.
// The CPU's CRC-32C instruction when it has one (checked once at run time:
// SSE4.2 on x86-64, the ARMv8 CRC32 extension on arm64), otherwise a
// slicing-by-8 table.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hostwire {

uint32_t Crc32c(const uint8_t* data, size_t length);
uint32_t Crc32cTable(const uint8_t* data, size_t length);
bool Crc32cHardware();               // whether Crc32c() uses the CPU instruction
const char* Crc32cImplementation();  // "sse4.2", "armv8-crc" or "table"

}  // namespace hostwire
