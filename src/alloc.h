/*
 * Every host allocation the library makes goes through these wrappers (plain malloc underneath), so
 * that tests can count the live blocks and make the Nth allocation fail (fault.h). Memory from
 * ecl_malloc/ecl_calloc/ecl_realloc/ecl_strdup is released with ecl_free; ecl_aligned_alloc's with
 * ecl_aligned_free (it counts as a device allocation: the CPU backend's buffers).
 */
#ifndef ECL_ALLOC_H
#define ECL_ALLOC_H

#include <stddef.h>

void *ecl_malloc(size_t bytes);
void *ecl_calloc(size_t count, size_t size);
void *ecl_realloc(void *ptr, size_t bytes);
char *ecl_strdup(const char *s);
void ecl_free(void *ptr);

/* The CPU backend's buffers: aligned_alloc, failing when the device-allocation fault fires. */
void *ecl_aligned_alloc(size_t alignment, size_t bytes);
void ecl_aligned_free(void *ptr);

/* Blocks from the functions above not yet released (test-only bookkeeping). */
long ecl_alloc_live(void);

#endif /* ECL_ALLOC_H */
