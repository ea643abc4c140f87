#ifndef BRIDGEKEEPER_ALLOCATION_COUNTER_H
#define BRIDGEKEEPER_ALLOCATION_COUNTER_H
#include <stdint.h>
/* Counts heap allocations made by the process that links this target (benchmarks only):
   malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign are wrapped around
   glibc's own implementations. */
uint64_t bk_allocation_count(void);
#endif
