#ifndef HOOKLINE_CSUPPORT_H
#define HOOKLINE_CSUPPORT_H

/// Starts loading the cache line at `address` for a read that comes soon. Swift has no
/// prefetch of its own; loops that read columns in scattered order (a sync's per-customer
/// grouping, its id tables) issue this a few steps ahead so the reads overlap.
static inline void hl_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
