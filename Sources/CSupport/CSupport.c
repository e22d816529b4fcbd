// Small C helpers Swift cannot express or reach; see include/CSupport.h.
#define _GNU_SOURCE
#include <string.h>
#include "CSupport.h"

const void *hl_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

int hl_sha256_hardware(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    int sha = (ebx >> 29) & 1;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    return sha && ssse3 && sse41;
}

__attribute__((target("sha,sse4.1,ssse3")))
void hl_sha256_compress(uint32_t state[8], const uint8_t block[64], const uint32_t k[64]) {
    // The instructions keep the working variables as (A, B, E, F) and (C, D, G, H).
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    const __m128i savedABEF = abef, savedCDGH = cdgh;

    // The message schedule, four words at a time: w[j] holds W[4j] ... W[4j+3].
    const __m128i bigEndian = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i w[16];
    for (int j = 0; j < 4; j++) {
        w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * j)), bigEndian);
    }
    for (int j = 4; j < 16; j++) {
        __m128i t = _mm_sha256msg1_epu32(w[j - 4], w[j - 3]);
        t = _mm_add_epi32(t, _mm_alignr_epi8(w[j - 1], w[j - 2], 4));
        w[j] = _mm_sha256msg2_epu32(t, w[j - 1]);
    }
    for (int j = 0; j < 16; j++) {
        __m128i message = _mm_add_epi32(w[j], _mm_loadu_si128((const __m128i *)&k[4 * j]));
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);
        message = _mm_shuffle_epi32(message, 0x0E);
        abef = _mm_sha256rnds2_epu32(abef, cdgh, message);
    }
    abef = _mm_add_epi32(abef, savedABEF);
    cdgh = _mm_add_epi32(cdgh, savedCDGH);

    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}
#else
int hl_sha256_hardware(void) { return 0; }
void hl_sha256_compress(uint32_t state[8], const uint8_t block[64], const uint32_t k[64]) {
    (void)state; (void)block; (void)k;
}
#endif
