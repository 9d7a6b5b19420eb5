/*
 * Random operand layouts and data, and walking a strided view (see random_operand.h).
 */
#include "random_operand.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t ecl_rand_operand_numel(const ecl_rand_operand *op)
{
    int64_t numel = 1;
    for (int d = 0; d < op->ndim; d++)
        numel *= op->shape[d];
    return numel;
}

/* Strides: row-major, or (strided) a random memory order with some gaps and zero strides on
 * some size-1 dims, placed at a small offset in a slightly larger buffer. */
void ecl_rand_operand_layout(ecl_rng *rng, ecl_rand_operand *op)
{
    int perm[ECL_MAX_DIMS];
    int strided = ecl_rng_chance(rng, 0.35);
    for (int d = 0; d < op->ndim; d++)
        perm[d] = d;
    for (int i = op->ndim - 1; strided && i > 0; i--) {
        int j = ecl_rng_below(rng, i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    int64_t extent = 1, max_offset = 0;
    for (int m = op->ndim - 1; m >= 0; m--) {
        int d = perm[m];
        op->strides[d] = extent * (strided && ecl_rng_chance(rng, 0.3) ? 2 : 1);
        extent = op->strides[d] * (op->shape[d] > 0 ? op->shape[d] : 1);
    }
    for (int d = 0; d < op->ndim; d++) {
        if (strided && op->shape[d] == 1 && ecl_rng_chance(rng, 0.4))
            op->strides[d] = 0;
        if (op->shape[d] > 0)
            max_offset += (op->shape[d] - 1) * op->strides[d];
    }
    int64_t numel = ecl_rand_operand_numel(op);
    if (numel == 0)
        max_offset = 0;
    op->offset = strided ? ecl_rng_below(rng, 4) : 0;
    op->buffer_numel = op->offset + max_offset + 1 + (strided ? ecl_rng_below(rng, 3) : 0);
    op->row_major = op->offset == 0;
    int64_t step = 1;
    for (int d = op->ndim - 1; d >= 0; d--) {
        if (numel > 0 && op->shape[d] > 1 && op->strides[d] != step)
            op->row_major = 0;
        step *= op->shape[d] > 0 ? op->shape[d] : 1;
    }
}

/* Calls visit for every element of the view in row-major order with its buffer offset. */
static void for_each_element(const ecl_rand_operand *op, void (*visit)(void *ctx, int64_t offset),
                             void *ctx)
{
    int64_t idx[ECL_MAX_DIMS] = {0};
    if (ecl_rand_operand_numel(op) == 0)
        return;
    for (;;) {
        int64_t offset = op->offset;
        for (int d = 0; d < op->ndim; d++)
            offset += idx[d] * op->strides[d];
        visit(ctx, offset);
        int d = op->ndim - 1;
        for (; d >= 0; d--) {
            if (++idx[d] < op->shape[d])
                break;
            idx[d] = 0;
        }
        if (d < 0)
            return;
    }
}

typedef struct fill_ctx {
    ecl_rng *rng;
    ecl_rand_operand *op;
} fill_ctx;

static void fill_one(void *ctx, int64_t offset)
{
    fill_ctx *f = ctx;
    double v = ecl_rng_chance(f->rng, 0.2) ? (double)(ecl_rng_below(f->rng, 7) - 3)
                                           : 2.0 * ecl_rng_uniform(f->rng) - 1.0;
    if (f->op->dtype == ECL_F32)
        ((float *)f->op->buffer)[offset] = (float)v;
    else
        ((double *)f->op->buffer)[offset] = v;
}

int ecl_rand_operand_fill(ecl_rng *rng, ecl_rand_operand *op)
{
    size_t elem = op->dtype == ECL_F32 ? sizeof(float) : sizeof(double);
    op->buffer = malloc((size_t)op->buffer_numel * elem);
    if (!op->buffer)
        return -1;
    for (int64_t i = 0; i < op->buffer_numel; i++) {  /* gaps are NaN: using them is a bug */
        if (op->dtype == ECL_F32)
            ((float *)op->buffer)[i] = NAN;
        else
            ((double *)op->buffer)[i] = NAN;
    }
    fill_ctx f = {rng, op};
    for_each_element(op, fill_one, &f);
    return 0;
}

typedef struct pack_ctx {
    const ecl_rand_operand *op;
    void *dst;
    int64_t next;
} pack_ctx;

static void pack_one(void *ctx, int64_t offset)
{
    pack_ctx *p = ctx;
    if (p->op->dtype == ECL_F32)
        ((float *)p->dst)[p->next++] = ((const float *)p->op->buffer)[offset];
    else
        ((double *)p->dst)[p->next++] = ((const double *)p->op->buffer)[offset];
}

void ecl_rand_operand_pack(const ecl_rand_operand *op, void *dst)
{
    pack_ctx p = {op, dst, 0};
    for_each_element(op, pack_one, &p);
}

static void append_dims(char *buf, size_t size, const int64_t *v, int n)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "(");
    for (int d = 0; d < n; d++) {
        len = strlen(buf);
        snprintf(buf + len, size - len, "%s%lld", d ? "," : "", (long long)v[d]);
    }
    len = strlen(buf);
    snprintf(buf + len, size - len, ")");
}

void ecl_rand_operand_describe(const ecl_rand_operand *op, char *buf, size_t size)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s shape ", ecl_dtype_name(op->dtype));
    append_dims(buf, size, op->shape, op->ndim);
    len = strlen(buf);
    snprintf(buf + len, size - len, " strides ");
    append_dims(buf, size, op->strides, op->ndim);
    len = strlen(buf);
    snprintf(buf + len, size - len, " offset %lld%s", (long long)op->offset,
             op->row_major ? " (row-major)" : "");
}
