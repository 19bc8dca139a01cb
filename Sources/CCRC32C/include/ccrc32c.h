// CRC-32C with the SSE4.2 instruction where the processor has it.
#ifndef HINDSIGHT_CCRC32C_H
#define HINDSIGHT_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Whether the hardware path is available on this processor.
int ccrc32c_hardware_available(void);

/// Continues the CRC-32C `crc` (0 to start) over `length` bytes with the hardware
/// instruction. Only call when ccrc32c_hardware_available() is true.
uint32_t ccrc32c_hardware(uint32_t crc, const uint8_t *data, size_t length);

#endif
