// A cache prefetch hint: starts loading the line holding an address without waiting for it
// and without ever faulting (any address is allowed, a stale one only wastes the hint).
#ifndef HINDSIGHT_CPREFETCH_H
#define HINDSIGHT_CPREFETCH_H

/// Asks the processor to bring the line holding `address` into the cache for writing.
static inline void cprefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
