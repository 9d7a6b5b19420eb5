/*
 * GEMM cases for the OpenCL GEMM tests and their long-double check (see gemm_case.h).
 */
#include "gemm_case.h"

#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "half.h"

uint64_t gemm_rng_state;
static uint64_t next_u64(void)
{
    uint64_t z = (gemm_rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
int64_t gemm_rnd(int64_t lo, int64_t hi) { return lo + (int64_t)(next_u64() % (uint64_t)(hi - lo + 1)); }
double gemm_unit(void) { return (double)(next_u64() >> 11) / 9007199254740992.0 * 2.0 - 1.0; }


static size_t esize(ecl_dtype t) { return t == ECL_F32 ? 4 : 8; }

static void rows_cols(const ecl_gemm_args *g, int o, int64_t *rows, int64_t *cols, int64_t *ld)
{
    int t = o == 0 ? g->trans_a : o == 1 ? g->trans_b : 0;
    int64_t r = o == 0 ? g->m : o == 1 ? g->k : g->m, c = o == 0 ? g->k : g->n;
    *rows = t ? c : r;
    *cols = t ? r : c;
    *ld = o == 0 ? g->lda : o == 1 ? g->ldb : g->ldc;
}

static const int64_t *bstride(const ecl_gemm_args *g, int o)
{
    return o == 0 ? g->batch_stride_a : o == 1 ? g->batch_stride_b : g->batch_stride_c;
}

/* Lowest and highest element an operand's view touches, relative to its offset. */
static void reach(const ecl_gemm_args *g, int o, int64_t *lo, int64_t *hi)
{
    int64_t rows, cols, ld;
    rows_cols(g, o, &rows, &cols, &ld);
    *lo = 0;
    *hi = 0;
    if (rows > 0 && cols > 0) {
        int64_t span = (rows - 1) * ld;
        *lo = span < 0 ? span : 0;
        *hi = (span > 0 ? span : 0) + cols - 1;
    }
    for (int d = 0; d < g->nbatch; d++) {
        int64_t span = (g->batch_shape[d] > 0 ? g->batch_shape[d] - 1 : 0) * bstride(g, o)[d];
        *lo += span < 0 ? span : 0;
        *hi += span > 0 ? span : 0;
    }
}

/* Moves each operand's offset so its view starts at or after element 1 (0 and the end are
 * guard elements). */
void gemm_place(gcase *gc)
{
    for (int o = 0; o < 3; o++) {
        int64_t lo, hi;
        reach(&gc->g, o, &lo, &hi);
        gc->off[o] += 1 - lo;
    }
}

static double load(ecl_dtype t, const void *p, int64_t i)
{
    return t == ECL_F32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}
static void store(ecl_dtype t, void *p, int64_t i, double x)
{
    if (t == ECL_F32)
        ((float *)p)[i] = (float)x;
    else
        ((double *)p)[i] = x;
}

/* x rounded to the format of compute mode c (identity for the default). */
static double round_to(int c, double x)
{
    const float f = (float)x;
    return c == ECL_COMPUTE_TF32 ? ecl_round_tf32(f)
           : c == ECL_COMPUTE_F16 ? ecl_round_f16(f)
           : c == ECL_COMPUTE_BF16 ? ecl_round_bf16(f)
                                   : x;
}

static int next_index(int nd, const int64_t *shape, int64_t *idx)
{
    for (int d = nd - 1; d >= 0; d--) {
        if (++idx[d] < shape[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

/* Runs gc through the backend and checks every element of C's buffer. */
void gemm_case_check(ecl_backend *be, ecl_error *errp, const gcase *gc, const char *what)
{
    const ecl_gemm_args *g = &gc->g;
    const ecl_dtype t = gc->dtype;
    int64_t len[3];
    void *host[3], *mem[3];
    for (int o = 0; o < 3; o++) {
        int64_t lo, hi;
        reach(g, o, &lo, &hi);
        len[o] = gc->off[o] + hi + 2;
        host[o] = malloc((size_t)len[o] * esize(t));
        for (int64_t i = 0; i < len[o]; i++) {
            const double x = o == 2 && gc->nan_c ? NAN : gemm_unit();
            store(t, host[o], i, o < 2 && !gc->raw ? round_to(g->compute, x) : x);
        }
        cr_assert_eq(be->ops->alloc(be, (size_t)len[o] * esize(t), &mem[o]), ECL_SUCCESS, "%s",
                     errp->message);
        cr_assert_eq(be->ops->write(be, mem[o], 0, host[o], (size_t)len[o] * esize(t)),
                     ECL_SUCCESS, "%s", errp->message);
    }
    /* expected C: untouched elements keep their bits; computed ones get a tolerance */
    double *want = malloc(sizeof(double) * (size_t)len[2]), *tol = calloc((size_t)len[2], sizeof(double));
    for (int64_t i = 0; i < len[2]; i++)
        want[i] = load(t, host[2], i), tol[i] = -1;
    const double eps = t == ECL_F32 ? 1.2e-7 : 2.3e-16;
    int64_t bidx[ECL_MAX_DIMS] = {0}, count = 1;
    for (int d = 0; d < g->nbatch; d++)
        count *= g->batch_shape[d];
    for (int64_t b = 0; b < count; b++, next_index(g->nbatch, g->batch_shape, bidx)) {
        int64_t oa = gc->off[0], ob = gc->off[1], oc = gc->off[2];
        for (int d = 0; d < g->nbatch; d++) {
            oa += bidx[d] * g->batch_stride_a[d];
            ob += bidx[d] * g->batch_stride_b[d];
            oc += bidx[d] * g->batch_stride_c[d];
        }
        for (int64_t i = 0; i < g->m; i++)
            for (int64_t j = 0; j < g->n; j++) {
                long double s = 0, sabs = 0;
                for (int64_t p = 0; p < g->k; p++) {
                    int64_t ia = g->trans_a ? p * g->lda + i : i * g->lda + p;
                    int64_t ib = g->trans_b ? j * g->ldb + p : p * g->ldb + j;
                    long double x = (long double)round_to(g->compute, load(t, host[0], oa + ia)) *
                                    round_to(g->compute, load(t, host[1], ob + ib));
                    s += x;
                    sabs += fabsl(x);
                }
                int64_t ic = oc + i * g->ldc + j;
                double prev = gc->beta == 0 ? 0 : gc->beta * load(t, host[2], ic);
                want[ic] = (double)(gc->alpha * s) + prev;
                tol[ic] = eps * (double)(g->k + 4) * (fabs(gc->alpha) * (double)sabs + fabs(prev)) + 1e-300;
            }
    }
    ecl_status st = be->ops->gemm(be, t, g, mem[0], gc->off[0], mem[1], gc->off[1], mem[2],
                                  gc->off[2], gc->alpha, gc->beta);
    cr_assert_eq(st, ECL_SUCCESS, "%s: %s", what, errp->message);
    void *got = malloc((size_t)len[2] * esize(t));
    cr_assert_eq(be->ops->read(be, mem[2], 0, got, (size_t)len[2] * esize(t)), ECL_SUCCESS, "%s",
                 errp->message);
    for (int64_t i = 0; i < len[2]; i++) {
        double x = load(t, got, i);
        if (tol[i] < 0)
            cr_assert(memcmp((const char *)got + i * (int64_t)esize(t),
                             (const char *)host[2] + i * (int64_t)esize(t), esize(t)) == 0,
                      "%s: element %lld outside C's view changed", what, (long long)i);
        else
            cr_assert(fabs(x - want[i]) <= tol[i], "%s: C[%lld] = %.17g, want %.17g (tol %.3g)",
                      what, (long long)i, x, want[i], tol[i]);
    }
    for (int o = 0; o < 3; o++) {
        be->ops->free(be, mem[o]);
        free(host[o]);
    }
    free(got);
    free(want);
    free(tol);
}

/* A contiguous batch: dims row-major over the matrices (they merge into one stride). */
void gemm_contiguous(gcase *gc)
{
    ecl_gemm_args *g = &gc->g;
    for (int o = 0; o < 3; o++) {
        int64_t rows, cols, ld, *s = (int64_t *)bstride(g, o);
        rows_cols(g, o, &rows, &cols, &ld);
        int64_t step = (rows > 1 ? rows : 1) * (ld > cols ? ld : cols > 1 ? cols : 1);
        for (int d = g->nbatch - 1; d >= 0; d--) {
            s[d] = step;
            step *= g->batch_shape[d];
        }
    }
    gemm_place(gc);
}

gcase gemm_plain(ecl_dtype t, int ta, int tb, int64_t m, int64_t n, int64_t k, int pad)
{
    gcase gc = {.dtype = t, .alpha = 0.75, .beta = -0.5};
    gc.g = (ecl_gemm_args){.trans_a = ta, .trans_b = tb, .m = m, .n = n, .k = k,
                           .lda = (ta ? m : k) + pad, .ldb = (tb ? k : n) + pad, .ldc = n + pad};
    return gc;
}

