/*
 * ecl_softmax on both backends (OpenCL skips visibly without a device) against a long-double
 * reference written here: random shapes (0-d, size-0 and size-1 dims, rows short and long enough
 * for either OpenCL kernel) and layouts (permuted, padded, negative strides: elements outside the
 * view must stay untouched), float32 and float64, scale factors, additive masks of every
 * broadcast shape with -inf entries (fully masked rows become NaN), values large enough to
 * overflow exp() without the max subtraction, hand-computed rows; each OpenCL kernel directly;
 * the CPU's vectorisable exp against libm; and every error path (the tensor unchanged
 * afterwards).
 */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "context.h"
#include "cpu_exp.h"
#include "inplace_case.h"
#include "opencl_launch.h"
#include "softmax_space.h"
#include "tensor.h"

#define BOTH_BACKENDS(name)                                                   \
    static void name(ecl_backend_kind kind);                                  \
    Test(softmax, name##_cpu) { name(ECL_BACKEND_CPU); }                      \
    Test(softmax, name##_opencl) { name(ECL_BACKEND_OPENCL); }                \
    static void name(ecl_backend_kind kind)

/* An additive mask: a contiguous tensor of shape mshape (mndim dims, right-aligned against the
 * case's shape) and its values on the host. */
typedef struct mask_case {
    int ndim;
    int64_t shape[ECL_CASE_MAX_DIMS];
    double *values;
    ecl_tensor *tensor;
} mask_case;

/* A mask of the given shape with values in [-3, 3), each -inf with probability p_inf. */
static void make_mask_of(mask_case *m, ecl_context *ctx, ecl_rng *rng, ecl_dtype dtype, int ndim,
                         const int64_t *shape, double p_inf)
{
    m->ndim = ndim;
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) {
        m->shape[d] = shape[d];
        n *= shape[d];
    }
    m->values = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    float *f = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    cr_assert(m->values && f);
    for (int64_t i = 0; i < n; i++) {
        double v = ecl_rng_chance(rng, p_inf) ? -INFINITY : 6.0 * ecl_rng_uniform(rng) - 3.0;
        m->values[i] = ecl_case_round(dtype, v);
        f[i] = (float)m->values[i];
    }
    cr_assert_eq(ecl_tensor_create(ctx, dtype, ndim, m->shape, &m->tensor), ECL_SUCCESS);
    const size_t bytes = (size_t)n * (dtype == ECL_F32 ? sizeof(float) : sizeof(double));
    cr_assert_eq(ecl_tensor_write(m->tensor, dtype == ECL_F32 ? (void *)f : (void *)m->values,
                                  bytes), ECL_SUCCESS);
    free(f);
}

/* A mask of a random shape that broadcasts against the case: trailing dims, each full or 1. */
static void make_mask(mask_case *m, ecl_context *ctx, ecl_rng *rng, const ecl_inplace_case *c,
                      double p_inf)
{
    const int ndim = ecl_rng_below(rng, c->ndim + 1);
    int64_t shape[ECL_CASE_MAX_DIMS];
    for (int d = 0; d < ndim; d++)
        shape[d] = ecl_rng_chance(rng, 0.5) ? c->shape[c->ndim - ndim + d] : 1;
    make_mask_of(m, ctx, rng, c->dtype, ndim, shape, p_inf);
}

static void free_mask(mask_case *m)
{
    ecl_tensor_destroy(m->tensor);
    free(m->values);
    memset(m, 0, sizeof *m);
}

/* The mask's value for view element i (row-major over the case's shape). */
static double mask_at(const mask_case *m, const ecl_inplace_case *c, int64_t i)
{
    if (!m)
        return 0.0;
    int64_t off = 0, step = 1;
    for (int d = c->ndim - 1; d >= 0; d--) {
        const int64_t idx = i % c->shape[d];
        i /= c->shape[d];
        const int md = d - (c->ndim - m->ndim);
        if (md >= 0) {
            off += (m->shape[md] == 1 ? 0 : idx) * step;
            step *= m->shape[md];
        }
    }
    return m->values[off];
}

/* Expected base contents after the softmax: rows of the view replaced, the rest as they were. */
static long double *reference(const ecl_inplace_case *c, const mask_case *m, double scale)
{
    long double *want = malloc(sizeof(long double) * (size_t)c->span);
    long double *v = malloc(sizeof(long double) * (size_t)(c->numel > 0 ? c->numel : 1));
    cr_assert(want && v);
    for (int64_t i = 0; i < c->span; i++)
        want[i] = c->base[i];
    const int64_t n = c->ndim > 0 ? c->shape[c->ndim - 1] : 1;
    for (int64_t r0 = 0; n > 0 && r0 < c->numel; r0 += n) {
        long double mx = -INFINITY, sum = 0;
        for (int64_t i = r0; i < r0 + n; i++) {
            v[i] = (long double)scale * c->base[c->where[i]] + mask_at(m, c, i);
            mx = v[i] > mx ? v[i] : mx;
        }
        for (int64_t i = r0; i < r0 + n; i++)
            sum += expl(v[i] - mx);
        for (int64_t i = r0; i < r0 + n; i++)
            want[c->where[i]] = expl(v[i] - mx) / sum;
    }
    free(v);
    return want;
}

static void expect_base(const ecl_inplace_case *c, const long double *want, const char *what)
{
    double *got = ecl_case_read(c);
    const double rel = c->dtype == ECL_F32 ? 2e-5 : 1e-12, tiny = c->dtype == ECL_F32 ? 1e-30 : 1e-300;
    for (int64_t i = 0; i < c->span; i++) {
        const long double w = want[i];
        if (isnan(w)) {
            cr_assert(isnan(got[i]), "%s: base[%lld] = %g, expected NaN", what, (long long)i, got[i]);
            continue;
        }
        const long double tol = rel * fabsl(w) + tiny;
        cr_assert(fabsl(got[i] - w) <= tol, "%s: base[%lld] = %.9g, expected %.9Lg (tolerance %.2Lg)",
                  what, (long long)i, got[i], w, tol);
    }
    free(got);
}

static void check_case(ecl_context *ctx, ecl_inplace_case *c, mask_case *m, double scale,
                       const char *what)
{
    long double *want = reference(c, m, scale);
    cr_assert_eq(ecl_softmax(ctx, c->view, scale, m ? m->tensor : NULL), ECL_SUCCESS, "%s: %s",
                 what, ecl_context_last_error(ctx));
    expect_base(c, want, what);
    free(want);
}

static void random_shape(ecl_rng *rng, int *ndim, int64_t *shape)
{
    static const int64_t rows[] = {1, 2, 3, 7, 31, 63, 64, 65, 200, 1000};
    *ndim = ecl_rng_below(rng, 5);
    for (int d = 0; d < *ndim; d++)
        shape[d] = ecl_rng_below(rng, 10) == 0 ? 0 : 1 + ecl_rng_below(rng, 4);
    if (*ndim > 0 && ecl_rng_chance(rng, 0.5))
        shape[*ndim - 1] = rows[ecl_rng_below(rng, 10)];
}

static void random_cases(ecl_backend_kind kind, ecl_dtype dtype, uint64_t seed)
{
    static const double scales[] = {1.0, 0.125, 0.7, 2.5, -1.3};
    ecl_context *ctx = ecl_test_context(kind);
    ecl_rng rng;
    ecl_rng_seed(&rng, seed);
    for (int t = 0; t < 120; t++) {
        int ndim;
        int64_t shape[ECL_CASE_MAX_DIMS];
        random_shape(&rng, &ndim, shape);
        ecl_inplace_case c;
        ecl_case_make(&c, ctx, &rng, dtype, ndim, shape, ecl_rng_below(&rng, 2), -4.0, 4.0);
        const int masked = ecl_rng_chance(&rng, 0.6);
        mask_case m = {0};
        if (masked)
            make_mask(&m, ctx, &rng, &c, ecl_rng_chance(&rng, 0.5) ? 0.3 : 0.0);
        const double scale = scales[ecl_rng_below(&rng, 5)];
        char what[256];
        snprintf(what, sizeof what, "%s %s case %d (seed %llu): shape %s, mask %s, scale %g",
                 ecl_test_backend_name(kind), ecl_dtype_name(dtype), t, (unsigned long long)seed,
                 ecl_case_shape_str(ndim, shape),
                 masked ? ecl_case_shape_str(m.ndim, m.shape) : "none", scale);
        check_case(ctx, &c, masked ? &m : NULL, scale, what);
        free_mask(&m);
        ecl_case_free(&c);
    }
    ecl_context_destroy(ctx);
}

BOTH_BACKENDS(random_f32) { random_cases(kind, ECL_F32, 1); }
BOTH_BACKENDS(random_f64) { random_cases(kind, ECL_F64, 2); }

/* Rows of log(1..4) + c: 0.1, 0.2, 0.3, 0.4 whatever c is (in float32 only c = 0 keeps the
 * logarithms' differences exact enough to check this way). */
BOTH_BACKENDS(known_values)
{
    ecl_context *ctx = ecl_test_context(kind);
    for (int dt = 0; dt < 2; dt++) {
        const ecl_dtype dtype = dt ? ECL_F64 : ECL_F32;
        const int64_t shape[2] = {3, 4};
        ecl_rng rng;
        ecl_rng_seed(&rng, 3);
        ecl_inplace_case c;
        ecl_case_make(&c, ctx, &rng, dtype, 2, shape, 0, 0, 1);
        const double offsets[3] = {0.0, -1000.0, 1e4};
        for (int64_t i = 0; i < 12; i++)
            ecl_case_set(&c, i, log((double)(i % 4 + 1)) + offsets[i / 4]);
        cr_assert_eq(ecl_softmax(ctx, c.view, 1.0, NULL), ECL_SUCCESS);
        double *got = ecl_case_read(&c);
        const int64_t checked = dt ? 12 : 4;
        const double tol = dt ? 1e-11 : 1e-6;
        for (int64_t i = 0; i < checked; i++)
            cr_expect(fabs(got[i] - (double)(i % 4 + 1) / 10.0) <= tol, "%s %s [%lld] = %.9g",
                      ecl_test_backend_name(kind), ecl_dtype_name(dtype), (long long)i, got[i]);
        free(got);
        ecl_case_free(&c);
    }
    ecl_context_destroy(ctx);
}

/* Values whose exp() overflows (float32 beyond 88.7, float64 beyond 709.8), and huge ones. */
BOTH_BACKENDS(large_values_do_not_overflow)
{
    ecl_context *ctx = ecl_test_context(kind);
    static const double spreads[][2] = {{88.0, 100.0}, {700.0, 1000.0}, {1e4, 1e4 + 30}, {-1e30, 1e30},
                                        {-3e38, 3e38}, {1e300, 1e300}};
    for (int dt = 0; dt < 2; dt++) {
        const ecl_dtype dtype = dt ? ECL_F64 : ECL_F32;
        for (int s = 0; s < 6; s++) {
            if (!dt && spreads[s][1] > 3.4e38)
                continue;
            for (int len = 0; len < 2; len++) {
                const int64_t shape[2] = {len ? 3 : 17, len ? 500 : 9};
                ecl_rng rng;
                ecl_rng_seed(&rng, 10 + (uint64_t)s);
                ecl_inplace_case c;
                ecl_case_make(&c, ctx, &rng, dtype, 2, shape, 1, spreads[s][0], spreads[s][1]);
                char what[160];
                snprintf(what, sizeof what, "%s %s values in [%g, %g], shape %s",
                         ecl_test_backend_name(kind), ecl_dtype_name(dtype), spreads[s][0],
                         spreads[s][1], ecl_case_shape_str(2, shape));
                check_case(ctx, &c, NULL, s == 5 ? 1.0 : 0.5, what);
                double *got = ecl_case_read(&c);
                for (int64_t i = 0; i < c.numel; i++)
                    cr_assert(isfinite(got[c.where[i]]), "%s: element %lld is %g", what,
                              (long long)i, got[c.where[i]]);
                free(got);
                ecl_case_free(&c);
            }
        }
    }
    ecl_context_destroy(ctx);
}

/* Masked positions get exactly 0, a row with one unmasked position exactly 1, a fully masked row
 * (all -inf) NaN, as do rows holding NaN or +inf. */
BOTH_BACKENDS(masked_rows_and_non_finite_values)
{
    ecl_context *ctx = ecl_test_context(kind);
    for (int dt = 0; dt < 2; dt++) {
        const ecl_dtype dtype = dt ? ECL_F64 : ECL_F32;
        for (int len = 0; len < 2; len++) {
            const int64_t n = len ? 300 : 5, shape[2] = {5, n};
            ecl_rng rng;
            ecl_rng_seed(&rng, 20);
            ecl_inplace_case c;
            ecl_case_make(&c, ctx, &rng, dtype, 2, shape, 0, -2, 2);
            ecl_case_set(&c, 3 * n + 1, NAN);
            ecl_case_set(&c, 4 * n + 2, INFINITY);
            double *mask = malloc(sizeof(double) * (size_t)(5 * n));
            float *mask32 = malloc(sizeof(float) * (size_t)(5 * n));
            cr_assert(mask && mask32);
            for (int64_t i = 0; i < 5 * n; i++) {
                const int64_t r = i / n, k = i % n;
                mask[i] = r == 0 ? (k % 2 ? -INFINITY : 0.0) : r == 1 ? (k == 3 ? 0.0 : -INFINITY)
                        : r == 2 ? -INFINITY : 0.0;
                mask32[i] = (float)mask[i];
            }
            ecl_tensor *m = NULL;
            cr_assert_eq(ecl_tensor_create(ctx, dtype, 2, shape, &m), ECL_SUCCESS);
            cr_assert_eq(ecl_tensor_write(m, dt ? (void *)mask : (void *)mask32,
                                          (size_t)(5 * n) * (dt ? 8 : 4)), ECL_SUCCESS);
            cr_assert_eq(ecl_softmax(ctx, c.view, 1.0, m), ECL_SUCCESS, "%s",
                         ecl_context_last_error(ctx));
            double *got = ecl_case_read(&c);
            double row0 = 0;
            for (int64_t k = 0; k < n; k++) {
                const char *where = ecl_test_backend_name(kind);
                if (k % 2)
                    cr_expect_eq(got[k], 0.0, "%s: masked position %lld", where, (long long)k);
                row0 += got[k];
                cr_expect_eq(got[n + k], k == 3 ? 1.0 : 0.0, "%s: row 1 [%lld] = %g", where,
                             (long long)k, got[n + k]);
                cr_expect(isnan(got[2 * n + k]), "%s: fully masked row [%lld] = %g", where,
                          (long long)k, got[2 * n + k]);
                cr_expect(isnan(got[3 * n + k]), "%s: row with NaN [%lld] = %g", where,
                          (long long)k, got[3 * n + k]);
                cr_expect(isnan(got[4 * n + k]), "%s: row with +inf [%lld] = %g", where,
                          (long long)k, got[4 * n + k]);
            }
            cr_expect(fabs(row0 - 1.0) < 1e-5, "row 0 sums to %g", row0);
            free(got);
            free(mask);
            free(mask32);
            ecl_tensor_destroy(m);
            ecl_case_free(&c);
        }
    }
    ecl_context_destroy(ctx);
}

/* The attention shapes: scores (B, H, N, N) with masks (N, N), (B, 1, N, N), (B, 1, 1, N). */
BOTH_BACKENDS(attention_mask_shapes)
{
    ecl_context *ctx = ecl_test_context(kind);
    const int64_t shape[4] = {2, 3, 70, 70};
    static const int64_t mshapes[3][4] = {{70, 70}, {2, 1, 70, 70}, {2, 1, 1, 70}};
    static const int mndim[3] = {2, 4, 4};
    for (int k = 0; k < 3; k++) {
        ecl_rng rng;
        ecl_rng_seed(&rng, 30 + (uint64_t)k);
        ecl_inplace_case c;
        ecl_case_make(&c, ctx, &rng, ECL_F32, 4, shape, 0, -3, 3);
        mask_case m;
        make_mask_of(&m, ctx, &rng, ECL_F32, mndim[k], mshapes[k], 0.2);
        char what[96];
        snprintf(what, sizeof what, "%s mask %s", ecl_test_backend_name(kind),
                 ecl_case_shape_str(m.ndim, m.shape));
        check_case(ctx, &c, &m, 0.125, what);
        free_mask(&m);
        ecl_case_free(&c);
    }
    ecl_context_destroy(ctx);
}

/* Each of the OpenCL kernels directly (the backend picks one by row length and device), with
 * work-groups of several sizes and too few of them, so the loops over rows run. */
Test(softmax, opencl_kernels_directly)
{
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_OPENCL);
    ecl_ocl_backend *be = (ecl_ocl_backend *)ctx->backend;
    static const int64_t shapes[][2] = {{5, 1}, {7, 3}, {3, 63}, {4, 64}, {2, 1000}, {40, 300}};
    for (int dt = 0; dt < 2; dt++) {
        const ecl_dtype dtype = dt ? ECL_F64 : ECL_F32;
        struct ecl_ocl_kernels *k;
        cr_assert_eq(ecl_ocl_kernels_get(be, dtype, &k), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            for (int variant = 0; variant < 6; variant++) {
                const int group = variant >= 2;
                size_t wg = group ? (size_t)32 << (variant - 2) : 1 + (size_t)variant * 15;
                size_t groups = variant % 2 ? 1 : (size_t)shapes[s][0];
                if (group && wg > 256)
                    continue;
                ecl_rng rng;
                ecl_rng_seed(&rng, 40 + s * 8 + (uint64_t)variant);
                ecl_inplace_case c;
                ecl_case_make(&c, ctx, &rng, dtype, 2, shapes[s], 1, -5, 5);
                mask_case m;
                const int64_t mshape[2] = {1, shapes[s][1]};
                make_mask_of(&m, ctx, &rng, dtype, 2, mshape, 0.1);
                const int64_t mstride[2] = {0, 1};
                const ecl_strided x = {c.view->storage->mem, c.view->offset, 2, c.shape, c.stride};
                const ecl_strided ms = {m.tensor->storage->mem, 0, 2, c.shape, mstride};
                long double *want = reference(&c, &m, 0.3);
                cpu_space sp;
                ecl_ocl_space space;
                cr_assert(ecl_softmax_space(&sp, &x, &ms));
                cr_assert_eq(ecl_ocl_space_pack(be, "softmax", &sp, &space), ECL_SUCCESS);
                const cl_mem xm = (cl_mem)x.mem, mm = (cl_mem)ms.mem;
                const ecl_ocl_scalar scale = ecl_ocl_scalar_of(dtype, 0.3);
                const cl_int has_mask = 1;
                const ecl_ocl_arg args[] = {{sizeof xm, &xm}, {sizeof mm, &mm}, {sizeof space, &space},
                                            {scale.size, &scale.v}, {sizeof has_mask, &has_mask}};
                cr_assert_eq(ecl_ocl_enqueue(be, k, group ? ECL_K_SOFTMAX_GROUP : ECL_K_SOFTMAX_ROWS,
                                             args, 5, 1, &groups, &wg), ECL_SUCCESS, "%s",
                             ecl_context_last_error(ctx));
                char what[128];
                snprintf(what, sizeof what, "%s kernel, %zu groups of %zu, %s %s",
                         group ? "group" : "rows", groups, wg, ecl_dtype_name(dtype),
                         ecl_case_shape_str(2, shapes[s]));
                expect_base(&c, want, what);
                free(want);
                free_mask(&m);
                ecl_case_free(&c);
            }
        }
    }
    ecl_context_destroy(ctx);
}

/* ---- errors: status, message, tensor unchanged ------------------------------------------------ */

static void expect_error(ecl_context *ctx, ecl_inplace_case *c, ecl_status want, ecl_status got,
                         const char *what)
{
    cr_expect_eq(got, want, "%s: status %d (%s), expected %d", what, (int)got,
                 ecl_context_last_error(ctx), (int)want);
    cr_expect(strlen(ecl_context_last_error(ctx)) > 0, "%s: no message", what);
    double *now = ecl_case_read(c);
    cr_expect(memcmp(now, c->base, sizeof(double) * (size_t)c->span) == 0,
              "%s: the tensor changed", what);
    free(now);
}

BOTH_BACKENDS(errors)
{
    ecl_context *ctx = ecl_test_context(kind), *other = ecl_test_context(ECL_BACKEND_CPU);
    ecl_rng rng;
    ecl_rng_seed(&rng, 50);
    const int64_t shape[3] = {2, 3, 4};
    ecl_inplace_case c;
    ecl_case_make(&c, ctx, &rng, ECL_F32, 3, shape, 0, -1, 1);
    cr_expect_eq(ecl_softmax(NULL, c.view, 1.0, NULL), ECL_ERROR_INVALID_ARGUMENT);
    expect_error(ctx, &c, ECL_ERROR_INVALID_ARGUMENT, ecl_softmax(ctx, NULL, 1.0, NULL), "NULL tensor");
    static const struct { int ndim; int64_t shape[4]; const char *what; } bad[] = {
        {2, {3, 5}, "mask (3, 5)"}, {2, {2, 4}, "mask (2, 4)"}, {4, {1, 2, 3, 4}, "mask (1, 2, 3, 4)"},
        {1, {2}, "mask (2,)"}, {3, {2, 3, 0}, "mask (2, 3, 0)"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mask_case m;
        make_mask_of(&m, ctx, &rng, ECL_F32, bad[i].ndim, bad[i].shape, 0);
        expect_error(ctx, &c, ECL_ERROR_SHAPE, ecl_softmax(ctx, c.view, 1.0, m.tensor), bad[i].what);
        free_mask(&m);
    }
    mask_case m64, mine, theirs;
    make_mask_of(&m64, ctx, &rng, ECL_F64, 3, shape, 0);
    expect_error(ctx, &c, ECL_ERROR_DTYPE, ecl_softmax(ctx, c.view, 1.0, m64.tensor), "float64 mask");
    make_mask_of(&theirs, other, &rng, ECL_F32, 3, shape, 0);
    expect_error(ctx, &c, ECL_ERROR_INVALID_ARGUMENT, ecl_softmax(ctx, c.view, 1.0, theirs.tensor),
                 "mask of another context");
    make_mask_of(&mine, ctx, &rng, ECL_F32, 3, shape, 0);
    expect_error(other, &c, ECL_ERROR_INVALID_ARGUMENT, ecl_softmax(other, c.view, 1.0, NULL),
                 "tensor of another context");
    ecl_tensor *alias = NULL, *broadcast = NULL, *overlapping = NULL;
    const int64_t one_row[1] = {4}, bshape[2] = {3, 4}, bstride[2] = {0, 1}, ostride[2] = {1, 1};
    cr_assert_eq(ecl_tensor_view(c.base_tensor, 4, 1, one_row, NULL, &alias), ECL_SUCCESS);
    expect_error(ctx, &c, ECL_ERROR_INVALID_ARGUMENT, ecl_softmax(ctx, c.view, 1.0, alias),
                 "mask overlapping the tensor");
    cr_assert_eq(ecl_tensor_view(c.base_tensor, 0, 2, bshape, bstride, &broadcast), ECL_SUCCESS);
    expect_error(ctx, &c, ECL_ERROR_INVALID_ARGUMENT, ecl_softmax(ctx, broadcast, 1.0, NULL),
                 "broadcast (stride 0) tensor");
    cr_assert_eq(ecl_tensor_view(c.base_tensor, 0, 2, bshape, ostride, &overlapping), ECL_SUCCESS);
    expect_error(ctx, &c, ECL_ERROR_INVALID_ARGUMENT, ecl_softmax(ctx, overlapping, 1.0, NULL),
                 "self-overlapping tensor");
    /* and a valid call afterwards works and clears the error */
    cr_expect_eq(ecl_softmax(ctx, c.view, 1.0, mine.tensor), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_expect_str_empty(ecl_context_last_error(ctx));
    ecl_tensor_destroy(alias);
    ecl_tensor_destroy(broadcast);
    ecl_tensor_destroy(overlapping);
    free_mask(&m64);
    free_mask(&mine);
    free_mask(&theirs);
    ecl_case_free(&c);
    ecl_context_destroy(other);
    ecl_context_destroy(ctx);
}

/* The float32 e^x of the CPU softmax (cpu_exp.h) against libm's exp rounded to float32, within 2
 * ulp (of float32; subnormal results within 2 of the smallest subnormal), over its whole domain,
 * the cut-off to 0, -inf and NaN included. */
Test(softmax, cpu_expf_matches_libm)
{
    for (long i = 0; i <= 2000000; i++) {
        const float x = (float)(-106.0 * (double)i / 2000000.0);
        const float want = (float)exp((double)x), got = cpu_expf_nonpositive(x);
        const float ulp = want >= FLT_MIN ? nextafterf(want, INFINITY) - want : 0x1p-149f;
        cr_assert(fabsf(got - want) <= 2 * ulp, "e^%.9g = %.9g, libm %.9g", (double)x, (double)got,
                  (double)want);
    }
    cr_expect_eq(cpu_expf_nonpositive(-INFINITY), 0.0f);
    cr_expect_eq(cpu_expf_nonpositive(-104.0f), 0.0f);
    cr_expect_eq(cpu_expf_nonpositive(-1e30f), 0.0f);
    cr_expect_eq(cpu_expf_nonpositive(0.0f), 1.0f);
    cr_expect_eq(cpu_expf_nonpositive(-0.0f), 1.0f);
    cr_expect(isnan(cpu_expf_nonpositive(NAN)));
}

/* The CPU softmax's own e^x (cpu_exp.h) against libm's over its whole domain, subnormal results,
 * the cut-off to 0, -inf and NaN included. */
Test(softmax, cpu_exp_matches_libm)
{
    for (long i = 0; i <= 2000000; i++) {
        const double x = -750.0 * (double)i / 2000000.0, want = exp(x), got = cpu_exp_nonpositive(x);
        const double ulp = want >= DBL_MIN ? nextafter(want, INFINITY) - want : 0x1p-1074;
        cr_assert(fabs(got - want) <= 2 * ulp, "e^%.17g = %.17g, libm %.17g", x, got, want);
    }
    cr_expect_eq(cpu_exp_nonpositive(-INFINITY), 0.0);
    cr_expect_eq(cpu_exp_nonpositive(-746.0), 0.0);
    cr_expect_eq(cpu_exp_nonpositive(0.0), 1.0);
    cr_expect_eq(cpu_exp_nonpositive(-0.0), 1.0);
    cr_expect(isnan(cpu_exp_nonpositive(NAN)));
    cr_expect(isnan(cpu_exp_nonpositive(-NAN)));
    cr_expect(fabs(cpu_exp_nonpositive(0.25) - exp(0.25)) <= 4e-16, "small positive arguments too");
}
