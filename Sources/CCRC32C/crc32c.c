#include "ccrc32c.h"

#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

int ccrc32c_hardware_available(void) {
    return __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2")))
uint32_t ccrc32c_hardware(uint32_t crc, const uint8_t *data, size_t length) {
    uint64_t c = ~crc;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, data, 8);
        c = _mm_crc32_u64(c, word);
        data += 8;
        length -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (length > 0) {
        c32 = _mm_crc32_u8(c32, *data);
        data++;
        length--;
    }
    return ~c32;
}
#else
int ccrc32c_hardware_available(void) { return 0; }
uint32_t ccrc32c_hardware(uint32_t crc, const uint8_t *data, size_t length) { (void)data; (void)length; return crc; }
#endif
