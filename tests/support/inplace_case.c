/*
 * Views of random layouts for the in-place operation tests (inplace_case.h).
 */
#include "inplace_case.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ecl_case_round(ecl_dtype dtype, double v) { return dtype == ECL_F32 ? (double)(float)v : v; }

static size_t esize(ecl_dtype dtype) { return dtype == ECL_F32 ? sizeof(float) : sizeof(double); }

static void upload(const ecl_inplace_case *c)
{
    void *raw = malloc((size_t)c->span * esize(c->dtype));
    cr_assert(raw);
    for (int64_t i = 0; i < c->span; i++) {
        if (c->dtype == ECL_F32)
            ((float *)raw)[i] = (float)c->base[i];
        else
            ((double *)raw)[i] = c->base[i];
    }
    cr_assert_eq(ecl_tensor_write(c->base_tensor, raw, (size_t)c->span * esize(c->dtype)),
                 ECL_SUCCESS);
    free(raw);
}

static void random_strides(ecl_inplace_case *c, ecl_rng *rng, int layout)
{
    int order[ECL_CASE_MAX_DIMS]; /* memory order, outermost first */
    for (int d = 0; d < c->ndim; d++)
        order[d] = d;
    for (int d = c->ndim - 1; layout && d > 0; d--) {
        int j = ecl_rng_below(rng, d + 1), t = order[d];
        order[d] = order[j];
        order[j] = t;
    }
    int64_t step = 1;
    for (int i = c->ndim - 1; i >= 0; i--) {
        const int d = order[i];
        c->stride[d] = step;
        const int64_t extent = c->shape[d] > 0 ? c->shape[d] : 1;
        step *= extent + (layout ? ecl_rng_below(rng, 3) : 0);
    }
    c->span = step + (layout ? ecl_rng_below(rng, 4) : 0);
    c->offset = layout ? c->span - step : 0;
    for (int d = 0; d < c->ndim && layout; d++) {
        if (c->shape[d] > 1 && ecl_rng_chance(rng, 0.3)) {
            c->offset += (c->shape[d] - 1) * c->stride[d];
            c->stride[d] = -c->stride[d];
        }
    }
}

void ecl_case_make(ecl_inplace_case *c, ecl_context *ctx, ecl_rng *rng, ecl_dtype dtype, int ndim,
                   const int64_t *shape, int layout, double lo, double hi)
{
    memset(c, 0, sizeof *c);
    c->dtype = dtype;
    c->ndim = ndim;
    c->numel = 1;
    for (int d = 0; d < ndim; d++) {
        c->shape[d] = shape[d];
        c->numel *= shape[d];
    }
    random_strides(c, rng, layout);
    c->base = malloc(sizeof(double) * (size_t)c->span);
    c->where = malloc(sizeof(int64_t) * (size_t)(c->numel > 0 ? c->numel : 1));
    cr_assert(c->base && c->where);
    for (int64_t i = 0; i < c->span; i++)
        c->base[i] = ecl_case_round(dtype, lo + (hi - lo) * ecl_rng_uniform(rng));
    int64_t idx[ECL_CASE_MAX_DIMS] = {0};
    for (int64_t i = 0; i < c->numel; i++) {
        int64_t off = c->offset;
        for (int d = 0; d < ndim; d++)
            off += idx[d] * c->stride[d];
        c->where[i] = off;
        for (int d = ndim - 1; d >= 0 && ++idx[d] == shape[d]; d--)
            idx[d] = 0;
    }
    cr_assert_eq(ecl_tensor_create(ctx, dtype, 1, &c->span, &c->base_tensor), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    upload(c);
    cr_assert_eq(ecl_tensor_view(c->base_tensor, c->offset, ndim, c->shape, c->stride, &c->view),
                 ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
}

void ecl_case_set(ecl_inplace_case *c, int64_t i, double v)
{
    c->base[c->where[i]] = ecl_case_round(c->dtype, v);
    upload(c);
}

double *ecl_case_read(const ecl_inplace_case *c)
{
    void *raw = malloc((size_t)c->span * esize(c->dtype));
    double *out = malloc(sizeof(double) * (size_t)c->span);
    cr_assert(raw && out);
    cr_assert_eq(ecl_tensor_read(c->base_tensor, raw, (size_t)c->span * esize(c->dtype)),
                 ECL_SUCCESS);
    for (int64_t i = 0; i < c->span; i++)
        out[i] = c->dtype == ECL_F32 ? (double)((float *)raw)[i] : ((double *)raw)[i];
    free(raw);
    return out;
}

void ecl_case_free(ecl_inplace_case *c)
{
    ecl_tensor_destroy(c->view);
    ecl_tensor_destroy(c->base_tensor);
    free(c->base);
    free(c->where);
    memset(c, 0, sizeof *c);
}

const char *ecl_case_shape_str(int ndim, const int64_t *shape)
{
    static char buf[128];
    int len = snprintf(buf, sizeof buf, "%s", ndim == 0 ? "()" : "");
    for (int d = 0; d < ndim && len < (int)sizeof buf; d++)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%lld", d ? "x" : "",
                        (long long)shape[d]);
    return buf;
}
