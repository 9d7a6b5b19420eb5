/*
 * Tests of the OpenCL backend's GEMM step (clblast_gemm.c, clblast_calls.c) against long-double
 * loops written here: every transpose combination, matrix-vector shapes (Xgemv), one product, a
 * batch whose dims merge (XgemmStridedBatched), unmergeable dims run as a few strided calls
 * or as one XgemmBatched with offsets (attention on a (B,N,H,D) layout, many dims, negative
 * strides), broadcast (zero) A/B batch strides, k == 0 with beta == 0 over NaN, empty sizes,
 * leading dimensions CLBlast rejects, both dtypes; random cases; and the errors (bad arguments,
 * 32-bit reach, CLBlast's own codes, a device without fp64, CLBlast missing). Elements C's view
 * does not address must stay untouched. Skips visibly where no OpenCL device exists.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "clblast_gemm.h"

static ecl_error err;
static ecl_backend *be;

static void setup(void) { be = ecl_test_opencl_backend(&err); }
static void teardown(void)
{
    if (be)
        be->ops->destroy(be);
}

TestSuite(opencl_gemm, .init = setup, .fini = teardown);

static uint64_t rng_state;
static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static int64_t rnd(int64_t lo, int64_t hi) { return lo + (int64_t)(next_u64() % (uint64_t)(hi - lo + 1)); }
static double unit(void) { return (double)(next_u64() >> 11) / 9007199254740992.0 * 2.0 - 1.0; }

/* One GEMM request: the arguments, each operand's element offset, the scalars. */
typedef struct gcase {
    ecl_dtype dtype;
    ecl_gemm_args g;
    int64_t off[3];
    double alpha, beta;
    int nan_c; /* C starts as NaN: with beta == 0 it must not be read */
} gcase;

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
static void place(gcase *gc)
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
static void check(const gcase *gc, const char *what)
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
        for (int64_t i = 0; i < len[o]; i++)
            store(t, host[o], i, o == 2 && gc->nan_c ? NAN : unit());
        cr_assert_eq(be->ops->alloc(be, (size_t)len[o] * esize(t), &mem[o]), ECL_SUCCESS, "%s",
                     err.message);
        cr_assert_eq(be->ops->write(be, mem[o], 0, host[o], (size_t)len[o] * esize(t)),
                     ECL_SUCCESS, "%s", err.message);
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
                    long double x = (long double)load(t, host[0], oa + ia) * load(t, host[1], ob + ib);
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
    cr_assert_eq(st, ECL_SUCCESS, "%s: %s", what, err.message);
    void *got = malloc((size_t)len[2] * esize(t));
    cr_assert_eq(be->ops->read(be, mem[2], 0, got, (size_t)len[2] * esize(t)), ECL_SUCCESS, "%s",
                 err.message);
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
static void contiguous(gcase *gc)
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
    place(gc);
}

static gcase plain(ecl_dtype t, int ta, int tb, int64_t m, int64_t n, int64_t k, int pad)
{
    gcase gc = {.dtype = t, .alpha = 0.75, .beta = -0.5};
    gc.g = (ecl_gemm_args){.trans_a = ta, .trans_b = tb, .m = m, .n = n, .k = k,
                           .lda = (ta ? m : k) + pad, .ldb = (tb ? k : n) + pad, .ldc = n + pad};
    return gc;
}

Test(opencl_gemm, every_transpose_both_dtypes)
{
    for (int t = 0; t < 2; t++)
        for (int flags = 0; flags < 4; flags++)
            for (int beta0 = 0; beta0 < 2; beta0++) {
                gcase gc = plain(t ? ECL_F64 : ECL_F32, flags & 1, flags >> 1, 13, 17, 9, 3);
                if (beta0)
                    gc.beta = 0, gc.nan_c = 1;
                place(&gc);
                char what[64];
                snprintf(what, sizeof what, "dtype %d trans %d%d beta0 %d", t, flags & 1,
                         flags >> 1, beta0);
                check(&gc, what);
            }
}

/* Large enough for CLBlast's indirect (padded, tuned) kernel. */
Test(opencl_gemm, large_products)
{
    for (int flags = 0; flags < 4; flags++) {
        gcase gc = plain(flags & 1 ? ECL_F64 : ECL_F32, flags & 1, flags >> 1, 130, 97, 150, 1);
        place(&gc);
        check(&gc, "large");
    }
}

/* m == 1 or n == 1 take Xgemv; vectors with unit or ld stride. */
Test(opencl_gemm, matrix_vector)
{
    const int64_t shapes[3][2] = {{1, 23}, {31, 1}, {1, 1}};
    for (int s = 0; s < 3; s++)
        for (int flags = 0; flags < 16; flags++) {
            gcase gc = plain(flags & 4 ? ECL_F64 : ECL_F32, flags & 1, flags >> 1 & 1,
                             shapes[s][0], shapes[s][1], 19, 2);
            if (flags & 8) /* y must not be read: Xgemv alone would turn NaN * 0 into NaN */
                gc.beta = 0, gc.nan_c = 1;
            place(&gc);
            char what[64];
            snprintf(what, sizeof what, "gemv shape %d flags %d", s, flags);
            check(&gc, what);
        }
}

Test(opencl_gemm, merged_batch_strides)
{
    for (int flags = 0; flags < 8; flags++) {
        gcase gc = plain(flags & 4 ? ECL_F64 : ECL_F32, flags & 1, flags >> 1 & 1, 7, 5, 6, 1);
        gc.g.nbatch = 2 + (flags & 1);
        for (int d = 0; d < gc.g.nbatch; d++)
            gc.g.batch_shape[d] = 2 + d;
        contiguous(&gc);
        check(&gc, "merged batch");
    }
}

/* 'bqhd,bkhd->bhqk' on (B,N,H,D) tensors: batch dims b, h do not merge in A and B. Small
 * products take one XgemmBatched; with the work threshold lowered, a loop of strided calls. */
Test(opencl_gemm, attention_strided_layout)
{
    const int64_t B = 3, N = 9, H = 4, D = 5;
    const double threshold = ecl_ocl_gemm_loop_min_flops;
    for (int t = 0; t < 4; t++) {
        ecl_ocl_gemm_loop_min_flops = t < 2 ? threshold : 0;
        gcase gc = {.dtype = t & 1 ? ECL_F64 : ECL_F32, .alpha = 0.125, .beta = 0, .nan_c = 1};
        gc.g = (ecl_gemm_args){.trans_b = 1, .m = N, .n = N, .k = D, .lda = H * D,
                               .ldb = H * D, .ldc = N, .nbatch = 2, .batch_shape = {B, H},
                               .batch_stride_a = {N * H * D, D}, .batch_stride_b = {N * H * D, D},
                               .batch_stride_c = {H * N * N, N * N}};
        place(&gc);
        check(&gc, "attention");
    }
}

/* Three unmergeable dims: too many strided calls, so one XgemmBatched with offsets. */
Test(opencl_gemm, offsets_for_many_unmergeable_dims)
{
    for (int flags = 0; flags < 4; flags++) {
        gcase gc = plain(flags & 2 ? ECL_F64 : ECL_F32, flags & 1, 0, 4, 3, 5, 2);
        gc.g.nbatch = 3;
        for (int d = 0; d < 3; d++) {
            gc.g.batch_shape[d] = 5;
            gc.g.batch_stride_a[d] = 200 - 60 * d;     /* gapped */
            gc.g.batch_stride_b[d] = (d == 1 ? -1 : 1) * (300 - 70 * d);
            gc.g.batch_stride_c[d] = (d == 2 ? -20 : d == 1 ? 100 : 500); /* mixed radix */
        }
        place(&gc);
        check(&gc, "offsets");
    }
}

/* A negative C stride on the only batch dim: not for StridedBatched. */
Test(opencl_gemm, negative_batch_stride)
{
    gcase gc = plain(ECL_F32, 0, 1, 6, 7, 8, 0);
    gc.g.nbatch = 1;
    gc.g.batch_shape[0] = 4;
    gc.g.batch_stride_a[0] = 6 * 8;
    gc.g.batch_stride_b[0] = 7 * 8;
    gc.g.batch_stride_c[0] = -6 * 7;
    place(&gc);
    check(&gc, "negative C stride");
}

/* Zero A or B batch strides broadcast one matrix over the batch, in both batch paths. */
Test(opencl_gemm, broadcast_zero_strides)
{
    for (int flags = 0; flags < 8; flags++) {
        gcase gc = plain(flags & 4 ? ECL_F64 : ECL_F32, flags & 1, 0, 5, 6, 7, 1);
        gc.g.nbatch = flags & 2 ? 3 : 1;
        for (int d = 0; d < gc.g.nbatch; d++)
            gc.g.batch_shape[d] = flags & 2 ? 5 : 9;
        contiguous(&gc);
        if (gc.g.nbatch == 3) /* C's dims unmergeable: 25 products from offsets */
            for (int d = 0; d < 3; d++)
                gc.g.batch_stride_c[d] = (d == 0 ? 36 : d == 1 ? 6 : 1) * gc.g.m * gc.g.ldc;
        for (int d = 0; d < gc.g.nbatch; d++)
            (flags & 1 ? gc.g.batch_stride_a : gc.g.batch_stride_b)[d] = 0;
        gc.off[0] = gc.off[1] = gc.off[2] = 0;
        place(&gc);
        check(&gc, "broadcast");
    }
}

Test(opencl_gemm, k_zero_scales_c)
{
    for (int t = 0; t < 2; t++) {
        gcase gc = plain(t ? ECL_F64 : ECL_F32, 0, 0, 4, 5, 0, 2);
        gc.g.nbatch = 1, gc.g.batch_shape[0] = 3;
        contiguous(&gc);
        gc.beta = 0, gc.nan_c = 1;
        check(&gc, "k == 0, beta 0");
        gc.beta = 2, gc.nan_c = 0;
        check(&gc, "k == 0, beta 2");
    }
}

Test(opencl_gemm, empty_sizes_leave_c_alone)
{
    const int64_t sizes[4][3] = {{0, 4, 3}, {4, 0, 3}, {0, 0, 0}, {3, 3, 3}};
    for (int s = 0; s < 4; s++) {
        gcase gc = plain(ECL_F32, 0, 0, sizes[s][0], sizes[s][1], sizes[s][2], 1);
        gc.g.nbatch = 1;
        gc.g.batch_shape[0] = s == 3 ? 0 : 2;
        contiguous(&gc);
        gc.nan_c = 1, gc.beta = 0;
        check(&gc, "empty");
    }
}

/* Row strides below the row length (A's rows all the same): not for CLBlast, still right. */
Test(opencl_gemm, leading_dims_clblast_rejects)
{
    for (int t = 0; t < 2; t++) {
        gcase gc = plain(t ? ECL_F64 : ECL_F32, 0, 0, 5, 4, 6, 0);
        gc.g.lda = 0;
        gc.g.ldb = 2;
        place(&gc);
        check(&gc, "lda 0, ldb < n");
    }
}

Test(opencl_gemm, random_cases)
{
    const double threshold = ecl_ocl_gemm_loop_min_flops;
    for (int iter = 0; iter < 60; iter++) {
        rng_state = 7000 + (uint64_t)iter;
        ecl_ocl_gemm_loop_min_flops = iter % 2 ? 0 : threshold; /* both unmergeable-batch paths */
        gcase gc = plain(rnd(0, 1) ? ECL_F64 : ECL_F32, (int)rnd(0, 1), (int)rnd(0, 1),
                         rnd(1, 12), rnd(1, 12), rnd(0, 9) ? rnd(1, 12) : 0, (int)rnd(0, 2));
        ecl_gemm_args *g = &gc.g;
        g->nbatch = (int)rnd(0, 3);
        for (int d = 0; d < g->nbatch; d++)
            g->batch_shape[d] = rnd(1, 4);
        contiguous(&gc);
        for (int d = 0; d < g->nbatch; d++) {
            int64_t *s[3] = {g->batch_stride_a, g->batch_stride_b, g->batch_stride_c};
            for (int o = 0; o < 3; o++) {
                if (rnd(0, 3) == 0)
                    s[o][d] = -s[o][d];
                if (o < 2 && rnd(0, 4) == 0)
                    s[o][d] = 0;
                if ((o < 2 || d == 0) && rnd(0, 3) == 0)
                    s[o][d] *= 2; /* C: only the outermost, so its products never overlap */
            }
        }
        gc.off[0] = rnd(0, 3), gc.off[1] = rnd(0, 3), gc.off[2] = rnd(0, 3);
        place(&gc);
        gc.alpha = unit();
        gc.beta = rnd(0, 2) ? unit() : 0;
        gc.nan_c = gc.beta == 0;
        char what[96];
        snprintf(what, sizeof what, "random case %d (m %lld n %lld k %lld, %d batch dims)", iter,
                 (long long)g->m, (long long)g->n, (long long)g->k, g->nbatch);
        check(&gc, what);
    }
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void *small_buffer(size_t bytes)
{
    void *mem = NULL;
    cr_assert_eq(be->ops->alloc(be, bytes, &mem), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(be->ops->fill_zero(be, mem, 0, bytes), ECL_SUCCESS, "%s", err.message);
    return mem;
}

Test(opencl_gemm, argument_errors)
{
    void *x = small_buffer(4096);
    ecl_gemm_args g = {.m = 2, .n = 2, .k = 2, .lda = 2, .ldb = 2, .ldc = 2};
    cr_assert_eq(be->ops->gemm(be, (ecl_dtype)7, &g, x, 0, x, 0, x, 0, 1, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(be->ops->gemm(be, ECL_F32, NULL, x, 0, x, 0, x, 0, 1, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, NULL, 0, x, 0, x, 0, 1, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    g.k = -1;
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 0, x, 0, 1, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    g.k = 2;
    g.nbatch = 1, g.batch_shape[0] = 3; /* C stride 0 over 3 products */
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 0, x, 0, 1, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "C stride 0"), "%s", err.message);
    g.batch_stride_c[0] = -4; /* reaches before the buffer */
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 0, x, 0, 1, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "operand C"), "%s", err.message);
    g.nbatch = 2; /* 2^80 products */
    g.batch_shape[0] = g.batch_shape[1] = INT64_C(1) << 40;
    g.batch_stride_c[0] = INT64_C(1) << 40, g.batch_stride_c[1] = 1;
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 0, x, 0, 1, 0), ECL_ERROR_OVERFLOW);
    g.nbatch = 1; /* an extent beyond 2^63 */
    g.batch_shape[0] = 5, g.batch_stride_c[0] = INT64_MAX / 2;
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 0, x, 0, 1, 0), ECL_ERROR_OVERFLOW);
    cr_assert(strstr(err.message, "operand C"), "%s", err.message);
    be->ops->free(be, x);
}

/* CLBlast's kernels index with 32-bit ints: a view reaching beyond INT_MAX is refused up front. */
Test(opencl_gemm, reach_beyond_32_bits)
{
    void *x = small_buffer(4096);
    ecl_gemm_args g = {.m = 2, .n = 2, .k = 2, .lda = 2, .ldb = 2, .ldc = 2};
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, (int64_t)1 << 31, x, 0, 1, 0),
                 ECL_ERROR_BACKEND);
    cr_assert(strstr(err.message, "operand B") && strstr(err.message, "32-bit"), "%s",
              err.message);
    be->ops->free(be, x);
}

/* A buffer too small for the view: CLBlast's own check, reported with its name and the call. */
Test(opencl_gemm, clblast_status_in_message)
{
    void *x = small_buffer(64), *y = small_buffer(4096);
    ecl_gemm_args g = {.m = 8, .n = 8, .k = 8, .lda = 8, .ldb = 8, .ldc = 8};
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, y, 0, y, 0, 1, 0), ECL_ERROR_BACKEND);
    cr_assert(strstr(err.message, "CLBlastSgemm failed: CLBlastInsufficientMemoryA (-1011)"),
              "%s", err.message);
    cr_assert(strstr(err.message, "m=8 n=8 k=8, batch of 1"), "%s", err.message);
    be->ops->free(be, x);
    be->ops->free(be, y);
}

Test(opencl_gemm, float64_needs_fp64)
{
    void *x = small_buffer(4096);
    ((ecl_ocl_backend *)be)->info.has_fp64 = 0; /* as on a device without cl_khr_fp64 */
    ecl_gemm_args g = {.m = 2, .n = 2, .k = 2, .lda = 2, .ldb = 2, .ldc = 2};
    cr_assert_eq(be->ops->gemm(be, ECL_F64, &g, x, 0, x, 0, x, 64, 1, 0), ECL_ERROR_DTYPE);
    cr_assert(strstr(err.message, "cl_khr_fp64"), "%s", err.message);
    ((ecl_ocl_backend *)be)->info.has_fp64 = 1;
    be->ops->free(be, x);
}

/* Each test is its own process, so CLBlast has not been loaded yet here. */
Test(opencl_gemm, missing_clblast_is_unavailable)
{
    setenv("ECL_CLBLAST_LIBRARY", "libclblast-missing.so.9", 1);
    void *x = small_buffer(4096);
    ecl_gemm_args g = {.m = 2, .n = 2, .k = 2, .lda = 2, .ldb = 2, .ldc = 2};
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 0, x, 64, 1, 0), ECL_ERROR_UNAVAILABLE);
    cr_assert(strstr(err.message, "libclblast-missing.so.9"), "%s", err.message);
    be->ops->free(be, x);
}
