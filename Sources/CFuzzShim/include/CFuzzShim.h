#ifndef BRIDGEKEEPER_CFUZZSHIM_H
#define BRIDGEKEEPER_CFUZZSHIM_H
/* AddressSanitizer's manual poisoning, reached only when the ASan runtime is linked in (the fuzz
   build): the declarations are weak, so a plain build links with them null and the calls do
   nothing. A poisoned byte that is read or written stops the fuzzer with a report at that access. */
#include <stddef.h>

void __asan_poison_memory_region(void const volatile *addr, size_t size) __attribute__((weak));
void __asan_unpoison_memory_region(void const volatile *addr, size_t size) __attribute__((weak));

/// Marks `size` bytes at `address` as off limits (ASan only).
static inline void bk_fuzz_poison(const void *address, size_t size) {
    if (__asan_poison_memory_region) __asan_poison_memory_region(address, size);
}

/// Makes `size` bytes at `address` usable again (ASan only).
static inline void bk_fuzz_unpoison(const void *address, size_t size) {
    if (__asan_unpoison_memory_region) __asan_unpoison_memory_region(address, size);
}

/// True when the ASan runtime is linked in, so poisoned bytes are watched.
static inline int bk_fuzz_poisoning_is_active(void) {
    return __asan_poison_memory_region != NULL;
}

/* AddressSanitizer's allocator calls installed hooks on every malloc and free of every thread
   (weak as above: null without ASan). Counting them tells the harness whether a call it watches
   allocated. */
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t), void (*free_hook)(const volatile void *))
    __attribute__((weak));

/// Starts counting heap allocations (once; later calls change nothing): 1 when they are
/// counted (the ASan runtime is linked in and took the hooks), 0 when they cannot be.
int bk_fuzz_count_allocations(void);

/// Heap allocations counted since counting started.
unsigned long long bk_fuzz_allocation_count(void);

#endif
