/*
 * The attention core: q, k, v as strided (B, N, H, D) views of one packed qkv tensor of shape
 * (B, N, 3, H, D). Planning: both einsums ('bqhd,bkhd->bhqk' and 'bhqk,bkhd->bqhd') lower to one
 * batched GEMM each that reads the views in place through leading dimensions and batch strides:
 * no COPY step, no workspace, every (b, h) batch entry addressing exactly the right q, k, v, S and
 * O blocks. End to end on both backends (OpenCL skips visibly without a device): S = q k^T /
 * sqrt(D), softmax with no mask, a causal (N, N) mask and a padding (B, 1, 1, N) mask, O = S v,
 * against a long-double reference written here, float32 and float64.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "plan.h"
#include "rng.h"

typedef struct dims {
    int64_t b, n, h, d;
} dims;

static void packed_views(const dims *s, int64_t *shape, int64_t *strides)
{
    const int64_t sh[4] = {s->b, s->n, s->h, s->d};
    const int64_t st[4] = {s->n * 3 * s->h * s->d, 3 * s->h * s->d, s->d, 1};
    memcpy(shape, sh, sizeof sh);
    memcpy(strides, st, sizeof st);
}

/* The only step of p, a GEMM; no copies, no workspace. */
static const ecl_gemm_args *single_gemm(const ecl_plan *p, const char *what)
{
    cr_assert_eq(p->low.nsteps, 1, "%s: %d steps:\n%s", what, p->low.nsteps, ecl_plan_describe(p));
    cr_assert_eq(p->low.steps[0].kind, ECL_STEP_GEMM, "%s:\n%s", what, ecl_plan_describe(p));
    cr_assert_eq(p->workspace_bytes, 0, "%s: workspace %zu", what, p->workspace_bytes);
    cr_assert_eq(ecl_plan_workspace_bytes(p), 0);
    return &p->low.steps[0].gemm;
}

/* Each batch entry's (A, B, C) element offsets must be exactly the expected set: for (b, h) in
 * row-major order, want[b * H + h]. Batch dims may come in any order. */
static void expect_batches(const ecl_gemm_args *g, const dims *s, const int64_t (*want)[3],
                           const char *what)
{
    const int64_t count = s->b * s->h;
    int *seen = calloc((size_t)count, sizeof(int));
    cr_assert(seen);
    int64_t idx[ECL_MAX_DIMS] = {0}, total = 1;
    for (int i = 0; i < g->nbatch; i++)
        total *= g->batch_shape[i];
    cr_assert_eq(total, count, "%s: %lld batch entries, expected %lld", what, (long long)total,
                 (long long)count);
    for (int64_t e = 0; e < total; e++) {
        int64_t off[3] = {0, 0, 0};
        for (int i = 0; i < g->nbatch; i++) {
            off[0] += idx[i] * g->batch_stride_a[i];
            off[1] += idx[i] * g->batch_stride_b[i];
            off[2] += idx[i] * g->batch_stride_c[i];
        }
        int64_t j = 0;
        while (j < count && memcmp(want[j], off, sizeof off) != 0)
            j++;
        cr_assert(j < count, "%s: batch entry %lld addresses A %lld, B %lld, C %lld: no (b, h)",
                  what, (long long)e, (long long)off[0], (long long)off[1], (long long)off[2]);
        cr_assert(!seen[j], "%s: (b, h) #%lld addressed twice", what, (long long)j);
        seen[j] = 1;
        for (int i = g->nbatch - 1; i >= 0 && ++idx[i] == g->batch_shape[i]; i--)
            idx[i] = 0;
    }
    free(seen);
}

static void check_plans(ecl_backend_kind kind)
{
    ecl_context *ctx = ecl_test_context(kind);
    static const dims sizes[] = {{8, 1024, 16, 64}, {2, 64, 3, 16}, {1, 5, 7, 3}, {3, 2, 2, 2}};
    for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
        const dims *s = &sizes[c];
        for (int dt = 0; dt < 2; dt++) {
            const ecl_dtype dtype = dt ? ECL_F64 : ECL_F32;
            int64_t shape[4], strides[4];
            packed_views(s, shape, strides);
            char what[128];
            snprintf(what, sizeof what, "%s B=%lld N=%lld H=%lld D=%lld %s", ecl_test_backend_name(kind),
                     (long long)s->b, (long long)s->n, (long long)s->h, (long long)s->d,
                     ecl_dtype_name(dtype));
            const ecl_tensor_desc qk[2] = {{dtype, 4, shape, strides}, {dtype, 4, shape, strides}};
            ecl_plan *p = NULL;
            cr_assert_eq(ecl_plan_create(ctx, "bqhd,bkhd->bhqk", 2, qk, NULL, &p), ECL_SUCCESS,
                         "%s", ecl_context_last_error(ctx));
            const ecl_gemm_args *g = single_gemm(p, what);
            const int64_t row = 3 * s->h * s->d, n = s->n;
            int64_t (*want)[3] = malloc(sizeof *want * (size_t)(s->b * s->h));
            cr_assert(want);
            if (n > 1 && s->d > 1) {
                cr_expect(g->m == n && g->n == n && g->k == s->d, "%s: m n k %lld %lld %lld", what,
                          (long long)g->m, (long long)g->n, (long long)g->k);
                cr_expect(g->lda == row && g->ldb == row && g->ldc == n, "%s: ld %lld %lld %lld",
                          what, (long long)g->lda, (long long)g->ldb, (long long)g->ldc);
                cr_expect(!g->trans_a && g->trans_b, "%s: scores are q k^T", what);
                for (int64_t b = 0; b < s->b; b++)
                    for (int64_t h = 0; h < s->h; h++) {
                        const int64_t qk_off = b * n * row + h * s->d;
                        const int64_t w[3] = {qk_off, qk_off, (b * s->h + h) * n * n};
                        memcpy(want[b * s->h + h], w, sizeof w);
                    }
                expect_batches(g, s, (const int64_t(*)[3])want, what);
            }
            ecl_plan_destroy(p);

            const int64_t sshape[4] = {s->b, s->h, n, n};
            const ecl_tensor_desc sv[2] = {{dtype, 4, sshape, NULL}, {dtype, 4, shape, strides}};
            cr_assert_eq(ecl_plan_create(ctx, "bhqk,bkhd->bqhd", 2, sv, NULL, &p), ECL_SUCCESS,
                         "%s", ecl_context_last_error(ctx));
            g = single_gemm(p, what);
            if (n > 1 && s->d > 1) {
                cr_expect(g->m == n && g->n == s->d && g->k == n, "%s: m n k %lld %lld %lld", what,
                          (long long)g->m, (long long)g->n, (long long)g->k);
                cr_expect(g->lda == n && g->ldb == row && g->ldc == s->h * s->d,
                          "%s: ld %lld %lld %lld", what, (long long)g->lda, (long long)g->ldb,
                          (long long)g->ldc);
                cr_expect(!g->trans_a && !g->trans_b, "%s: O = S v", what);
                for (int64_t b = 0; b < s->b; b++)
                    for (int64_t h = 0; h < s->h; h++) {
                        const int64_t w[3] = {(b * s->h + h) * n * n, b * n * row + h * s->d,
                                              b * n * s->h * s->d + h * s->d};
                        memcpy(want[b * s->h + h], w, sizeof w);
                    }
                expect_batches(g, s, (const int64_t(*)[3])want, what);
            }
            free(want);
            ecl_plan_destroy(p);
        }
    }
    ecl_context_destroy(ctx);
}

Test(attention, packed_qkv_views_plan_one_gemm_without_copies_cpu) { check_plans(ECL_BACKEND_CPU); }
Test(attention, packed_qkv_views_plan_one_gemm_without_copies_opencl)
{
    check_plans(ECL_BACKEND_OPENCL);
}

/* ---- end to end ------------------------------------------------------------------------------- */

enum { MASK_NONE, MASK_CAUSAL, MASK_PADDING };

/* Mask value for (b, q, k): 0 or -inf; padding hides the last b + 1 keys of batch b (never all). */
static double mask_value(int kind, const dims *s, int64_t b, int64_t q, int64_t k)
{
    if (kind == MASK_CAUSAL)
        return k > q ? -INFINITY : 0.0;
    if (kind == MASK_PADDING)
        return k >= s->n - (b + 1) % s->n ? -INFINITY : 0.0;
    return 0.0;
}

/* O (B, N, H, D) in long double from the packed qkv values. */
static long double *reference(const dims *s, const double *qkv, int mask)
{
    const int64_t row = 3 * s->h * s->d;
    long double *o = calloc((size_t)(s->b * s->n * s->h * s->d), sizeof(long double));
    long double *p = malloc(sizeof(long double) * (size_t)s->n);
    cr_assert(o && p);
    for (int64_t b = 0; b < s->b; b++)
        for (int64_t h = 0; h < s->h; h++)
            for (int64_t q = 0; q < s->n; q++) {
                long double mx = -INFINITY, sum = 0;
                for (int64_t k = 0; k < s->n; k++) {
                    long double dot = 0;
                    for (int64_t d = 0; d < s->d; d++)
                        dot += (long double)qkv[(b * s->n + q) * row + h * s->d + d] *
                               qkv[(b * s->n + k) * row + (s->h + h) * s->d + d];
                    p[k] = dot / sqrtl((long double)s->d) + mask_value(mask, s, b, q, k);
                    mx = p[k] > mx ? p[k] : mx;
                }
                for (int64_t k = 0; k < s->n; k++)
                    sum += p[k] = expl(p[k] - mx);
                for (int64_t k = 0; k < s->n; k++)
                    for (int64_t d = 0; d < s->d; d++)
                        o[((b * s->n + q) * s->h + h) * s->d + d] +=
                            p[k] / sum * qkv[(b * s->n + k) * row + (2 * s->h + h) * s->d + d];
            }
    free(p);
    return o;
}

static ecl_tensor *upload(ecl_context *ctx, ecl_dtype dtype, int ndim, const int64_t *shape,
                          const double *x, int64_t count)
{
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, dtype, ndim, shape, &t), ECL_SUCCESS);
    void *raw = malloc((size_t)count * ecl_dtype_size(dtype) + 1);
    cr_assert(raw);
    for (int64_t i = 0; i < count; i++) {
        if (dtype == ECL_F32)
            ((float *)raw)[i] = (float)x[i];
        else
            ((double *)raw)[i] = x[i];
    }
    cr_assert_eq(ecl_tensor_write(t, raw, (size_t)count * ecl_dtype_size(dtype)), ECL_SUCCESS);
    free(raw);
    return t;
}

/* The mask as a tensor: (N, N) for causal, (B, 1, 1, N) for padding. */
static ecl_tensor *mask_tensor(ecl_context *ctx, ecl_dtype dtype, int kind, const dims *s)
{
    if (kind == MASK_NONE)
        return NULL;
    const int causal = kind == MASK_CAUSAL;
    const int64_t shape[4] = {causal ? s->n : s->b, causal ? s->n : 1, 1, s->n};
    const int64_t count = causal ? s->n * s->n : s->b * s->n;
    double *m = malloc(sizeof(double) * (size_t)count);
    cr_assert(m);
    for (int64_t i = 0; i < count; i++)
        m[i] = causal ? mask_value(kind, s, 0, i / s->n, i % s->n)
                      : mask_value(kind, s, i / s->n, 0, i % s->n);
    ecl_tensor *t = causal ? upload(ctx, dtype, 2, shape, m, count)
                           : upload(ctx, dtype, 4, (const int64_t[4]){s->b, 1, 1, s->n}, m, count);
    free(m);
    return t;
}

static void run_end_to_end(ecl_backend_kind kind)
{
    ecl_context *ctx = ecl_test_context(kind);
    static const dims sizes[] = {{2, 64, 3, 16}, {1, 100, 2, 8}, {3, 7, 5, 4}, {2, 1, 2, 1}};
    ecl_rng rng;
    ecl_rng_seed(&rng, 60);
    for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
        const dims *s = &sizes[c];
        for (int dt = 0; dt < 2; dt++) {
            const ecl_dtype dtype = dt ? ECL_F64 : ECL_F32;
            const int64_t count = s->b * s->n * 3 * s->h * s->d, ocount = s->b * s->n * s->h * s->d;
            double *qkv = malloc(sizeof(double) * (size_t)count);
            cr_assert(qkv);
            for (int64_t i = 0; i < count; i++) {
                const double v = 4.0 * ecl_rng_uniform(&rng) - 2.0;
                qkv[i] = dt ? v : (double)(float)v;
            }
            const int64_t packed[5] = {s->b, s->n, 3, s->h, s->d};
            int64_t shape[4], strides[4];
            packed_views(s, shape, strides);
            ecl_tensor *all = upload(ctx, dtype, 5, packed, qkv, count), *view[3];
            for (int i = 0; i < 3; i++)
                cr_assert_eq(ecl_tensor_view(all, i * s->h * s->d, 4, shape, strides, &view[i]),
                             ECL_SUCCESS);
            const ecl_tensor_desc qk[2] = {{dtype, 4, shape, strides}, {dtype, 4, shape, strides}};
            ecl_plan *scores = NULL, *mix = NULL;
            cr_assert_eq(ecl_plan_create(ctx, "bqhd,bkhd->bhqk", 2, qk, NULL, &scores), ECL_SUCCESS);
            const int64_t sshape[4] = {s->b, s->h, s->n, s->n};
            const ecl_tensor_desc sv[2] = {{dtype, 4, sshape, NULL}, {dtype, 4, shape, strides}};
            cr_assert_eq(ecl_plan_create(ctx, "bhqk,bkhd->bqhd", 2, sv, NULL, &mix), ECL_SUCCESS);
            ecl_tensor *st = NULL, *ot = NULL;
            cr_assert_eq(ecl_tensor_create(ctx, dtype, 4, sshape, &st), ECL_SUCCESS);
            cr_assert_eq(ecl_tensor_create(ctx, dtype, 4, shape, &ot), ECL_SUCCESS);
            for (int mask = MASK_NONE; mask <= MASK_PADDING; mask++) {
                ecl_tensor *m = mask_tensor(ctx, dtype, mask, s);
                const ecl_tensor *in1[2] = {view[0], view[1]}, *in2[2] = {st, view[2]};
                cr_assert_eq(ecl_plan_execute(scores, in1, st, 1.0 / sqrt((double)s->d), 0.0),
                             ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
                cr_assert_eq(ecl_softmax(ctx, st, 1.0, m), ECL_SUCCESS, "%s",
                             ecl_context_last_error(ctx));
                cr_assert_eq(ecl_plan_execute(mix, in2, ot, 1.0, 0.0), ECL_SUCCESS, "%s",
                             ecl_context_last_error(ctx));
                double *got = malloc(sizeof(double) * (size_t)ocount);
                cr_assert(got);
                if (dt) {
                    cr_assert_eq(ecl_tensor_read(ot, got, sizeof(double) * (size_t)ocount), ECL_SUCCESS);
                } else {
                    float *f = malloc(sizeof(float) * (size_t)ocount);
                    cr_assert(f);
                    cr_assert_eq(ecl_tensor_read(ot, f, sizeof(float) * (size_t)ocount), ECL_SUCCESS);
                    for (int64_t i = 0; i < ocount; i++)
                        got[i] = f[i];
                    free(f);
                }
                long double *want = reference(s, qkv, mask);
                const double tol = dt ? 1e-12 : 2e-5;
                for (int64_t i = 0; i < ocount; i++)
                    cr_assert(fabsl(got[i] - want[i]) <= tol,
                              "%s %s B=%lld N=%lld H=%lld D=%lld mask %d: O[%lld] = %.9g, expected "
                              "%.9Lg", ecl_test_backend_name(kind), ecl_dtype_name(dtype),
                              (long long)s->b, (long long)s->n, (long long)s->h, (long long)s->d,
                              mask, (long long)i, got[i], want[i]);
                free(want);
                free(got);
                ecl_tensor_destroy(m);
            }
            ecl_tensor_destroy(ot);
            ecl_tensor_destroy(st);
            ecl_plan_destroy(mix);
            ecl_plan_destroy(scores);
            for (int i = 0; i < 3; i++)
                ecl_tensor_destroy(view[i]);
            ecl_tensor_destroy(all);
            free(qkv);
        }
    }
    ecl_context_destroy(ctx);
}

Test(attention, end_to_end_cpu) { run_end_to_end(ECL_BACKEND_CPU); }
Test(attention, end_to_end_opencl) { run_end_to_end(ECL_BACKEND_OPENCL); }
