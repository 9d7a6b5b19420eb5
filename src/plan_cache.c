/*
 * The one-shot plan cache: FNV-1a hashed byte keys, linear search over a few dozen entries (cheaper
 * than a hash table at this size), least-recently-used eviction.
 */
#include "plan_cache.h"

#include <stdlib.h>
#include <string.h>

#include "tensor.h"
#include "alloc.h"

#define ECL_PLAN_CACHE_DEFAULT 64

void ecl_plan_cache_init(ecl_plan_cache *cache, size_t capacity)
{
    memset(cache, 0, sizeof *cache);
    cache->capacity = capacity ? capacity : ECL_PLAN_CACHE_DEFAULT;
}

void ecl_plan_cache_clear(ecl_plan_cache *cache)
{
    for (size_t i = 0; i < cache->count; i++) {
        ecl_plan_destroy(cache->entries[i].plan);
        ecl_free(cache->entries[i].key);
    }
    ecl_free(cache->entries);
    ecl_free(cache->scratch);
    size_t capacity = cache->capacity;
    ecl_plan_cache_init(cache, capacity);
}

static int reserve(ecl_plan_cache *cache, size_t need)
{
    if (need <= cache->scratch_cap)
        return 1;
    size_t cap = need < 256 ? 256 : need * 2;
    unsigned char *p = ecl_realloc(cache->scratch, cap);
    if (!p)
        return 0;
    cache->scratch = p;
    cache->scratch_cap = cap;
    return 1;
}

static size_t put(unsigned char *dst, size_t at, const void *src, size_t len)
{
    memcpy(dst + at, src, len);
    return at + len;
}

int ecl_plan_cache_make_key(ecl_plan_cache *cache, const char *equation, int n,
                            const ecl_tensor *const *inputs, size_t *key_len, uint64_t *hash)
{
    size_t eq_len = strlen(equation);
    size_t need = eq_len + 1 + sizeof(int);
    for (int i = 0; i < n; i++)
        need += 2 * sizeof(int) + 2 * sizeof(int64_t) * (size_t)inputs[i]->ndim;
    if (!reserve(cache, need))
        return 0;
    unsigned char *k = cache->scratch;
    size_t at = put(k, 0, equation, eq_len + 1);
    at = put(k, at, &n, sizeof n);
    for (int i = 0; i < n; i++) {
        const ecl_tensor *t = inputs[i];
        int dtype = (int)t->dtype;
        at = put(k, at, &dtype, sizeof dtype);
        at = put(k, at, &t->ndim, sizeof t->ndim);
        at = put(k, at, t->shape, sizeof(int64_t) * (size_t)t->ndim);
        at = put(k, at, t->stride, sizeof(int64_t) * (size_t)t->ndim);
    }
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < at; i++)
        h = (h ^ k[i]) * 1099511628211ull;
    *key_len = at;
    *hash = h;
    return 1;
}

ecl_plan *ecl_plan_cache_find(ecl_plan_cache *cache, size_t key_len, uint64_t hash)
{
    for (size_t i = 0; i < cache->count; i++) {
        ecl_plan_cache_entry *e = &cache->entries[i];
        if (e->hash == hash && e->key_len == key_len && memcmp(e->key, cache->scratch, key_len) == 0) {
            e->last_use = ++cache->clock;
            return e->plan;
        }
    }
    return NULL;
}

int ecl_plan_cache_insert(ecl_plan_cache *cache, size_t key_len, uint64_t hash, ecl_plan *plan)
{
    unsigned char *key = ecl_malloc(key_len);
    if (!key)
        return 0;
    memcpy(key, cache->scratch, key_len);
    if (!cache->entries) {
        cache->entries = ecl_calloc(cache->capacity, sizeof *cache->entries);
        if (!cache->entries) {
            ecl_free(key);
            return 0;
        }
    }
    size_t slot = cache->count;
    if (cache->count == cache->capacity) {
        slot = 0;
        for (size_t i = 1; i < cache->count; i++)
            if (cache->entries[i].last_use < cache->entries[slot].last_use)
                slot = i;
        ecl_plan_destroy(cache->entries[slot].plan);
        ecl_free(cache->entries[slot].key);
    } else {
        cache->count++;
    }
    cache->entries[slot] = (ecl_plan_cache_entry){hash, key, key_len, plan, ++cache->clock};
    return 1;
}
