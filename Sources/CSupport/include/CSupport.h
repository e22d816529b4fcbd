#ifndef HOOKLINE_CSUPPORT_H
#define HOOKLINE_CSUPPORT_H

/// Starts loading the cache line at `address` for a read that comes soon. Swift has no
/// prefetch of its own; loops that read columns in scattered order (a sync's per-customer
/// grouping, its id tables) issue this a few steps ahead so the reads overlap.
static inline void hl_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#include <stddef.h>
#include <stdint.h>

/// The first occurrence of `needle` in `haystack`, or NULL: glibc's `memmem` (a GNU
/// extension that Swift's Glibc module does not show). Used for the content rules' phrase
/// search over UTF-8 bytes.
const void *hl_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

/// Whether this CPU has the SHA extensions (and SSSE3, SSE4.1) that `hl_sha256_compress` uses.
int hl_sha256_hardware(void);

/// One SHA-256 block (FIPS 180-4 §6.2.2) through the x86 SHA instructions; call only when
/// `hl_sha256_hardware()` says so. `state` is H0…H7, `k` the 64 round constants (the Swift
/// side's table, so that there is one).
void hl_sha256_compress(uint32_t state[8], const uint8_t block[64], const uint32_t k[64]);

#endif
