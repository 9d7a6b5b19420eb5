/*
 * Shared by the libFuzzer targets: splits a fuzz input into an equation (up to the first NUL) and a
 * byte stream, and draws operand descriptors (dtype, ndim, shape, strides) from that stream, biased
 * towards shapes that fit the equation's terms and towards sizes that stress overflow checks.
 */
#ifndef ECL_FUZZ_INPUT_H
#define ECL_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "equation.h"

typedef struct fuzz_bytes {
    const uint8_t *p;
    size_t n;
} fuzz_bytes;

static inline uint8_t fuzz_byte(fuzz_bytes *b)
{
    if (!b->n)
        return 0;
    b->n--;
    return *b->p++;
}

/* Mostly small sizes (0-4), sometimes values at the edges of 64-bit arithmetic. */
static inline int64_t fuzz_size(fuzz_bytes *b)
{
    static const int64_t edge[] = {INT64_MAX, INT64_MAX / 2 + 1, (int64_t)1 << 32, (int64_t)1 << 31,
                                   (int64_t)1 << 40, 3037000500, -1, 65536};
    uint8_t v = fuzz_byte(b);
    return v < 240 ? v % 5 : edge[v % 8];
}

static inline int64_t fuzz_stride(fuzz_bytes *b)
{
    uint8_t v = fuzz_byte(b);
    if (v < 200)
        return (int64_t)(v % 9) - 2;
    return v & 1 ? INT64_MAX / 3 : INT64_MIN / 3;
}

typedef struct fuzz_operands {
    int n;
    ecl_tensor_desc desc[ECL_MAX_OPERANDS];
    int64_t shape[ECL_MAX_OPERANDS][ECL_MAX_DIMS];
    int64_t strides[ECL_MAX_OPERANDS][ECL_MAX_DIMS];
} fuzz_operands;

/* One descriptor per term of eq (or, when the stream says so, one too many or too few). */
static inline void fuzz_operands_draw(const ecl_equation *eq, fuzz_bytes *b, fuzz_operands *o)
{
    memset(o, 0, sizeof *o);
    uint8_t flags = fuzz_byte(b);
    o->n = eq->nops + (flags == 255 ? 1 : flags == 254 ? -1 : 0);
    if (o->n > ECL_MAX_OPERANDS)
        o->n = ECL_MAX_OPERANDS;
    if (o->n < 0)
        o->n = 0;
    for (int i = 0; i < o->n; i++) {
        const ecl_term *t = &eq->in[i < eq->nops ? i : 0];
        uint8_t d = fuzz_byte(b);
        int ndim = t->nlabels + (t->ellipsis != ECL_NO_ELLIPSIS ? d % 4 : 0);
        if (d >= 250)
            ndim = d % 2 ? ndim + 1 : ndim - 1;  /* a rank that does not fit the term */
        if (ndim < 0 || ndim > ECL_MAX_DIMS)
            ndim = 0;
        uint8_t kind = fuzz_byte(b);
        for (int k = 0; k < ndim; k++) {
            o->shape[i][k] = fuzz_size(b);
            o->strides[i][k] = fuzz_stride(b);
        }
        o->desc[i] = (ecl_tensor_desc){(kind & 1) ? ECL_F64 : ECL_F32, ndim, o->shape[i],
                                       (kind & 2) ? o->strides[i] : NULL};
        if (kind == 0xff)
            o->desc[i].dtype = (ecl_dtype)7;  /* not a dtype */
    }
}

/* Copies the equation (bytes up to the first NUL, or all) into a new string; the rest is *rest. */
static inline char *fuzz_split(const uint8_t *data, size_t size, fuzz_bytes *rest)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t len = nul ? (size_t)(nul - data) : size;
    char *text = malloc(len + 1);
    if (!text)
        return NULL;
    memcpy(text, data, len);
    text[len] = '\0';
    rest->p = nul ? nul + 1 : data + size;
    rest->n = nul ? size - len - 1 : 0;
    return text;
}

#endif /* ECL_FUZZ_INPUT_H */
