/*
 * ecl_scale on both backends (OpenCL skips visibly without a device) against a long-double
 * product written here: random shapes (0-d, size-0 and size-1 dims) and layouts (permuted,
 * padded, negative strides; elements outside the view untouched), float32 and float64, factors
 * including 1, negative ones and 0 (which writes 0 over NaN and inf without reading them); and
 * the error paths, which leave the tensor unchanged.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "inplace_case.h"

#define BOTH_BACKENDS(name)                                                   \
    static void name(ecl_backend_kind kind);                                  \
    Test(scale, name##_cpu) { name(ECL_BACKEND_CPU); }                        \
    Test(scale, name##_opencl) { name(ECL_BACKEND_OPENCL); }                  \
    static void name(ecl_backend_kind kind)

static void check_scale(ecl_context *ctx, ecl_inplace_case *c, double alpha, const char *what)
{
    long double *want = malloc(sizeof(long double) * (size_t)c->span);
    cr_assert(want);
    for (int64_t i = 0; i < c->span; i++)
        want[i] = c->base[i];
    for (int64_t i = 0; i < c->numel; i++)
        want[c->where[i]] = alpha == 0 ? 0.0L : (long double)alpha * c->base[c->where[i]];
    cr_assert_eq(ecl_scale(ctx, c->view, alpha), ECL_SUCCESS, "%s: %s", what,
                 ecl_context_last_error(ctx));
    double *got = ecl_case_read(c);
    /* Two roundings at most (the factor to the element type on some devices, the product). */
    const double rel = c->dtype == ECL_F32 ? 2.5e-7 : 4.5e-16;
    for (int64_t i = 0; i < c->span; i++) {
        if (isnan(want[i])) {
            cr_assert(isnan(got[i]), "%s: base[%lld] = %g, expected NaN", what, (long long)i, got[i]);
            continue;
        }
        cr_assert(fabsl(got[i] - want[i]) <= rel * fabsl(want[i]),
                  "%s: base[%lld] = %.9g, expected %.9Lg", what, (long long)i, got[i], want[i]);
    }
    free(got);
    free(want);
}

static void random_cases(ecl_backend_kind kind, ecl_dtype dtype, uint64_t seed)
{
    static const double alphas[] = {1.0, 0.0, -1.0, 0.1, 2.5, -3e-3, 1e10};
    ecl_context *ctx = ecl_test_context(kind);
    ecl_rng rng;
    ecl_rng_seed(&rng, seed);
    for (int t = 0; t < 150; t++) {
        const int ndim = ecl_rng_below(&rng, 6);
        int64_t shape[ECL_CASE_MAX_DIMS];
        for (int d = 0; d < ndim; d++)
            shape[d] = ecl_rng_below(&rng, 12) == 0 ? 0 : 1 + ecl_rng_below(&rng, 5);
        if (ndim > 0 && ecl_rng_chance(&rng, 0.3))
            shape[ndim - 1] = 100 + ecl_rng_below(&rng, 300);
        ecl_inplace_case c;
        ecl_case_make(&c, ctx, &rng, dtype, ndim, shape, ecl_rng_below(&rng, 2), -10, 10);
        const double alpha = alphas[ecl_rng_below(&rng, 7)];
        if (alpha == 0 && c.numel > 0) { /* zeros replace NaN and inf without reading them */
            ecl_case_set(&c, 0, NAN);
            ecl_case_set(&c, c.numel - 1, INFINITY);
        }
        char what[200];
        snprintf(what, sizeof what, "%s %s case %d (seed %llu): shape %s, alpha %g",
                 ecl_test_backend_name(kind), ecl_dtype_name(dtype), t, (unsigned long long)seed,
                 ecl_case_shape_str(ndim, shape), alpha);
        check_scale(ctx, &c, alpha, what);
        ecl_case_free(&c);
    }
    ecl_context_destroy(ctx);
}

BOTH_BACKENDS(random_f32) { random_cases(kind, ECL_F32, 101); }
BOTH_BACKENDS(random_f64) { random_cases(kind, ECL_F64, 102); }

BOTH_BACKENDS(errors)
{
    ecl_context *ctx = ecl_test_context(kind), *other = ecl_test_context(ECL_BACKEND_CPU);
    ecl_rng rng;
    ecl_rng_seed(&rng, 103);
    const int64_t shape[2] = {3, 4};
    ecl_inplace_case c;
    ecl_case_make(&c, ctx, &rng, ECL_F64, 2, shape, 0, -1, 1);
    cr_expect_eq(ecl_scale(NULL, c.view, 2.0), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(ecl_scale(ctx, NULL, 2.0), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(ecl_context_last_error(ctx), "NULL"), "%s", ecl_context_last_error(ctx));
    cr_expect_eq(ecl_scale(other, c.view, 2.0), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(ecl_context_last_error(other), "another context"), "%s",
              ecl_context_last_error(other));
    ecl_tensor *broadcast = NULL, *overlapping = NULL;
    const int64_t bstride[2] = {0, 1}, ostride[2] = {2, 1};
    cr_assert_eq(ecl_tensor_view(c.base_tensor, 0, 2, shape, bstride, &broadcast), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_view(c.base_tensor, 0, 2, shape, ostride, &overlapping), ECL_SUCCESS);
    cr_expect_eq(ecl_scale(ctx, broadcast, 2.0), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(ecl_scale(ctx, overlapping, 2.0), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(ecl_context_last_error(ctx), "more than once"), "%s",
              ecl_context_last_error(ctx));
    double *now = ecl_case_read(&c);
    cr_expect(memcmp(now, c.base, sizeof(double) * (size_t)c.span) == 0, "the tensor changed");
    free(now);
    ecl_tensor_destroy(broadcast);
    ecl_tensor_destroy(overlapping);
    ecl_case_free(&c);
    ecl_context_destroy(other);
    ecl_context_destroy(ctx);
}
