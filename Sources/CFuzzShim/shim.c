/* The allocation counter lives here; everything else is static inline in the header. */
#include "CFuzzShim.h"

static unsigned long long allocations;
static int counting = -1;

static void count_malloc(const volatile void *address, size_t size) {
    (void)address;
    (void)size;
    __atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED);
}

static void ignore_free(const volatile void *address) { (void)address; }

int bk_fuzz_count_allocations(void) {
    if (counting < 0) {
        counting = __sanitizer_install_malloc_and_free_hooks
            && __sanitizer_install_malloc_and_free_hooks(count_malloc, ignore_free) != 0;
    }
    return counting;
}

unsigned long long bk_fuzz_allocation_count(void) { return __atomic_load_n(&allocations, __ATOMIC_RELAXED); }
