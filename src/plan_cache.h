/*
 * A small bounded cache of plans for the one-shot ecl_einsum, keyed by the bytes of (equation,
 * input dtypes, shapes, strides). Least-recently-used entries are evicted. Owned by a context and,
 * like the context, used by one thread at a time.
 */
#ifndef ECL_PLAN_CACHE_H
#define ECL_PLAN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "einsumcl.h"

typedef struct ecl_plan_cache_entry {
    uint64_t hash;
    unsigned char *key;
    size_t key_len;
    ecl_plan *plan;
    uint64_t last_use;
} ecl_plan_cache_entry;

typedef struct ecl_plan_cache {
    ecl_plan_cache_entry *entries;
    size_t count, capacity;
    uint64_t clock;
    unsigned char *scratch;  /* key being built for a lookup, reused across calls */
    size_t scratch_cap;
} ecl_plan_cache;

void ecl_plan_cache_init(ecl_plan_cache *cache, size_t capacity);
void ecl_plan_cache_clear(ecl_plan_cache *cache);  /* destroys every cached plan */

/* Builds the lookup key into the cache's scratch buffer; returns 0 on allocation failure. */
int ecl_plan_cache_make_key(ecl_plan_cache *cache, const char *equation, int n,
                            const ecl_tensor *const *inputs, size_t *key_len, uint64_t *hash);
/* The cached plan for the key in scratch, or NULL. */
ecl_plan *ecl_plan_cache_find(ecl_plan_cache *cache, size_t key_len, uint64_t hash);
/* Takes ownership of plan under the key in scratch; returns 0 on allocation failure (plan is then
 * not owned by the cache). */
int ecl_plan_cache_insert(ecl_plan_cache *cache, size_t key_len, uint64_t hash, ecl_plan *plan);

#endif /* ECL_PLAN_CACHE_H */
