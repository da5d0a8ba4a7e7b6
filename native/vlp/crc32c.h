// CRC-32C (Castagnoli), as VLP v0.2 uses over frame bytes 0..28.
// SSE4.2's crc32 instruction when the CPU has it (checked once at run time),
// otherwise a slicing-by-8 table.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hostwire {

uint32_t Crc32c(const uint8_t* data, size_t length);
uint32_t Crc32cTable(const uint8_t* data, size_t length);
bool Crc32cHardware();  // whether Crc32c() uses the CPU instruction

}  // namespace hostwire
