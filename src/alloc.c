/*
 * The library's host allocator (alloc.h): malloc and friends, plus a count of live blocks and the
 * host/device allocation fault points that tests arm through fault.h.
 */
#include "alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

static atomic_long live;

static void *counted(void *p)
{
    if (p)
        atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
    return p;
}

void *ecl_malloc(size_t bytes)
{
    return ecl_fault_hit(ECL_FAULT_HOST_ALLOC) ? NULL : counted(malloc(bytes));
}

void *ecl_calloc(size_t count, size_t size)
{
    return ecl_fault_hit(ECL_FAULT_HOST_ALLOC) ? NULL : counted(calloc(count, size));
}

void *ecl_realloc(void *ptr, size_t bytes)
{
    if (ecl_fault_hit(ECL_FAULT_HOST_ALLOC))
        return NULL;
    void *p = realloc(ptr, bytes);
    return ptr ? p : counted(p);
}

char *ecl_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = ecl_malloc(n);
    return copy ? memcpy(copy, s, n) : NULL;
}

void ecl_free(void *ptr)
{
    if (ptr)
        atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
    free(ptr);
}

void *ecl_aligned_alloc(size_t alignment, size_t bytes)
{
    return ecl_fault_hit(ECL_FAULT_DEVICE_ALLOC) ? NULL : counted(aligned_alloc(alignment, bytes));
}

void ecl_aligned_free(void *ptr)
{
    ecl_free(ptr);
}

long ecl_alloc_live(void)
{
    return atomic_load_explicit(&live, memory_order_relaxed);
}
