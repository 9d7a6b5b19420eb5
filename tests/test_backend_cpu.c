/*
 * Tests of the CPU backend (backend_cpu.c, cpu_*.c): every primitive against naive long-double
 * loops written here, on random shapes (size 0 and 1 dims, 0-d) and random layouts (permuted,
 * padded, negative and zero strides), both dtypes, mixed-dtype copies and alpha/beta combinations
 * including beta == 0 over a NaN-filled destination; sizes large enough to take the threaded and
 * blocked paths; GEMM with every transpose combination, broadcast batch strides and k == 0;
 * memory operations and argument errors. Elements a view does not address must stay untouched.
 */
#include <criterion/criterion.h>

#include "backend.h"
#include "strided_view.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SANITIZE_ADDRESS__
/* The huge-allocation test expects NULL from the allocator, not an AddressSanitizer abort. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }
#endif

static ecl_error err;
static ecl_backend *be;

static void setup(void)
{
    ecl_error_clear(&err);
    cr_assert_eq(ecl_backend_cpu_create(0, &err, &be), ECL_SUCCESS, "%s", err.message);
    tv_set_backend(be, &err);
}

static void teardown(void) { be->ops->destroy(be); }

TestSuite(backend_cpu, .init = setup, .fini = teardown);

/* ---- copy ------------------------------------------------------------------------------------ */

Test(backend_cpu, copy_random_layouts)
{
    for (int iter = 0; iter < 600; iter++) {
        tv_rng_state = 1000 + (uint64_t)iter;
        char what[96];
        tview dst = {.dtype = rnd(0, 1) ? ECL_F32 : ECL_F64};
        tview src = {.dtype = rnd(0, 1) ? ECL_F32 : ECL_F64};
        tv_random_shape(&dst, (int)rnd(0, 5), 6);
        src.ndim = dst.ndim;
        memcpy(src.shape, dst.shape, sizeof dst.shape);
        int s = (int)rnd(0, NSCALARS - 1);
        tv_random_layout(&dst, 1, betas[s] == 0.0);
        tv_random_layout(&src, 0, 0);
        snprintf(what, sizeof what, "copy seed %d ndim %d", 1000 + iter, dst.ndim);
        tv_check_copy(&dst, &src, alphas[s], betas[s], what);
    }
}

/* Copies between two permuted layouts of one shape, large enough for the blocked and threaded
 * paths. */
static void copy_case(int ndim, const int64_t *shape, const int *dst_perm, const int *src_perm,
                      unsigned src_neg, ecl_dtype dt, ecl_dtype st, int s)
{
    tview dst = {.dtype = dt, .ndim = ndim}, src = {.dtype = st, .ndim = ndim};
    memcpy(dst.shape, shape, sizeof(int64_t) * (size_t)ndim);
    memcpy(src.shape, shape, sizeof(int64_t) * (size_t)ndim);
    tv_layout(&dst, dst_perm, 0, 0, 1, 0, betas[s] == 0.0);
    tv_layout(&src, src_perm, src_neg, 0, 1, 0, 0);
    char what[96];
    snprintf(what, sizeof what, "copy ndim %d shape0 %lld scalars %d", ndim, (long long)shape[0],
             s);
    tv_check_copy(&dst, &src, alphas[s], betas[s], what);
}

Test(backend_cpu, copy_transposes_and_large)
{
    tv_rng_state = 7;
    const int64_t mat[2] = {333, 259};
    const int id2[2] = {0, 1}, tr2[2] = {1, 0};
    const int64_t cube[3] = {5, 67, 90};
    const int id3[3] = {0, 1, 2}, p021[3] = {0, 2, 1}, p201[3] = {2, 0, 1}, p120[3] = {1, 2, 0};
    const int64_t flat[1] = {300001};
    const int id1[1] = {0};
    for (int s = 0; s < NSCALARS; s++)
        for (int t = 0; t < 4; t++) {
            ecl_dtype dt = t & 1 ? ECL_F64 : ECL_F32, st = t & 2 ? ECL_F64 : ECL_F32;
            copy_case(2, mat, id2, tr2, 0, dt, st, s);
            copy_case(2, mat, tr2, id2, 1, dt, st, s);
            copy_case(3, cube, id3, p021, 0, dt, st, s);
            copy_case(3, cube, p201, id3, 0, dt, st, s);
            copy_case(3, cube, id3, p120, 4, dt, st, s);
            copy_case(1, flat, id1, id1, 0, dt, st, s);
            copy_case(1, flat, id1, id1, 1, dt, st, s);
        }
}

/* ---- reduce and mul -------------------------------------------------------------------------- */

static void random_sum_case(int with_b, int iter)
{
    const int seed = (with_b ? 5000 : 3000) + iter;
    tv_rng_state = (uint64_t)seed;
    ecl_dtype t = rnd(0, 1) ? ECL_F32 : ECL_F64;
    tview a = {.dtype = t}, b = {.dtype = t}, dst = {.dtype = t};
    int nkeep = (int)rnd(0, 3), nsum = (int)rnd(0, 3);
    tv_random_shape(&a, nkeep + nsum, iter % 10 == 0 ? 40 : 6);
    b.ndim = dst.ndim = a.ndim;
    memcpy(b.shape, a.shape, sizeof a.shape);
    memcpy(dst.shape, a.shape, sizeof a.shape);
    dst.ndim = nkeep;
    int s = (int)rnd(0, NSCALARS - 1);
    tv_random_layout(&dst, 1, betas[s] == 0.0);
    tv_random_layout(&a, 0, 0);
    if (with_b)
        tv_random_layout(&b, 0, 0);
    char what[96];
    snprintf(what, sizeof what, "%s seed %d keep %d sum %d", with_b ? "mul" : "reduce", seed,
             nkeep, nsum);
    tv_check_sum(&dst, &a, with_b ? &b : NULL, alphas[s], betas[s], what);
}

Test(backend_cpu, reduce_random_layouts)
{
    for (int iter = 0; iter < 600; iter++)
        random_sum_case(0, iter);
}

Test(backend_cpu, mul_random_layouts)
{
    for (int iter = 0; iter < 600; iter++)
        random_sum_case(1, iter);
}

/* A sum case with explicit layouts: shape over nkeep kept + summed dims, permutations per operand,
 * zero_b marks dims where b is broadcast. */
static void sum_case(int with_b, int nd, int nkeep, const int64_t *shape, const int *a_perm,
                     const int *b_perm, unsigned zero_a, unsigned zero_b, ecl_dtype t, int s)
{
    tview a = {.dtype = t, .ndim = nd}, b = {.dtype = t, .ndim = nd};
    tview dst = {.dtype = t, .ndim = nkeep};
    memcpy(a.shape, shape, sizeof(int64_t) * (size_t)nd);
    memcpy(b.shape, shape, sizeof(int64_t) * (size_t)nd);
    memcpy(dst.shape, shape, sizeof(int64_t) * (size_t)nkeep);
    const int id[MAXD] = {0, 1, 2, 3, 4, 5, 6, 7};
    tv_layout(&dst, id, 0, 0, 1, 0, betas[s] == 0.0);
    tv_layout(&a, a_perm, 0, zero_a, 1, 0, 0);
    if (with_b)
        tv_layout(&b, b_perm, 0, zero_b, 1, 0, 0);
    char what[128];
    snprintf(what, sizeof what, "%s nd %d keep %d shape %lld,%lld dtype %d scalars %d",
             with_b ? "mul" : "reduce", nd, nkeep, (long long)shape[0],
             (long long)(nd > 1 ? shape[1] : 0), (int)t, s);
    tv_check_sum(&dst, &a, with_b ? &b : NULL, alphas[s], betas[s], what);
}

Test(backend_cpu, reduce_large_paths)
{
    tv_rng_state = 11;
    const int id[3] = {0, 1, 2}, tr[2] = {1, 0};
    const int64_t full[3] = {64, 100, 150}, wide[2] = {3000, 700}, tall[2] = {3, 200000};
    const int64_t few[2] = {3, 200000}, many[2] = {5000, 100};
    for (int s = 0; s < NSCALARS; s += 2)
        for (int t = 0; t < 2; t++) {
            ecl_dtype dt = t ? ECL_F64 : ECL_F32;
            sum_case(0, 3, 0, full, id, NULL, 0, 0, dt, s);   /* ijk-> */
            sum_case(0, 2, 1, wide, tr, NULL, 0, 0, dt, s);   /* ji->j, rows */
            sum_case(0, 2, 1, tall, tr, NULL, 0, 0, dt, s);   /* ji->j, few columns: split sum */
            sum_case(0, 2, 1, few, id, NULL, 0, 0, dt, s);    /* ij->i, few kept */
            sum_case(0, 2, 1, many, id, NULL, 0, 0, dt, s);   /* ij->i, many kept */
            sum_case(0, 2, 1, many, tr, NULL, 0, 0, dt, s);   /* column-major source */
        }
}

Test(backend_cpu, mul_large_paths)
{
    tv_rng_state = 13;
    const int id[3] = {0, 1, 2}, tr[2] = {1, 0};
    const int64_t bdot[3] = {8, 100, 300}, outer[2] = {1000, 700}, mv[2] = {2000, 300};
    const int64_t dot[1] = {500001};
    for (int s = 0; s < NSCALARS; s += 2)
        for (int t = 0; t < 2; t++) {
            ecl_dtype dt = t ? ECL_F64 : ECL_F32;
            sum_case(1, 3, 2, bdot, id, id, 0, 0, dt, s);        /* bij,bij->bi */
            sum_case(1, 2, 2, outer, id, id, 2, 1, dt, s);       /* i,j->ij */
            sum_case(1, 2, 2, outer, id, tr, 0, 0, dt, s);       /* ij,ji->ij */
            sum_case(1, 2, 1, mv, id, id, 0, 1, dt, s);          /* ij,j->i */
            sum_case(1, 2, 1, mv, tr, id, 0, 2, dt, s);          /* ji,j->i (rows, b broadcast) */
            sum_case(1, 1, 0, dot, id, id, 0, 0, dt, s);         /* i,i-> */
        }
}

/* float32 sums accumulate in double: 1 + 2^20 * 2^-24 is exact in double but a float accumulator
 * loses every small term. */
Test(backend_cpu, reduce_f32_accumulates_in_double)
{
    const int64_t n = (1 << 20) + 1;
    float *x = malloc((size_t)n * sizeof(float));
    cr_assert_not_null(x);
    x[0] = 1.0f;
    for (int64_t i = 1; i < n; i++)
        x[i] = 0x1p-24f;
    float out = NAN;
    int64_t shape[1] = {n}, stride[1] = {1};
    ecl_strided src = {x, 0, 1, shape, stride}, dst = {&out, 0, 0, NULL, NULL};
    cr_assert_eq(be->ops->reduce(be, ECL_F32, &dst, &src, 1.0, 0.0), ECL_SUCCESS);
    cr_assert_eq(out, 1.0625f, "sum is %.9g", (double)out);
    ecl_strided b = src;
    out = NAN;
    cr_assert_eq(be->ops->mul(be, ECL_F32, &dst, &src, &b, 1.0, 0.0), ECL_SUCCESS);
    cr_assert_eq(out, 1.0f + (float)(0x1p-48 * (double)(n - 1)), "dot is %.9g", (double)out);
    free(x);
}

/* ---- scale ----------------------------------------------------------------------------------- */

Test(backend_cpu, scale_random_layouts)
{
    const double factors[] = {0.0, 1.0, -2.5, 0.5};
    for (int iter = 0; iter < 300; iter++) {
        tv_rng_state = 9000 + (uint64_t)iter;
        tview dst = {.dtype = rnd(0, 1) ? ECL_F32 : ECL_F64};
        tv_random_shape(&dst, (int)rnd(0, 5), iter % 20 == 0 ? 90 : 6);
        double beta = factors[rnd(0, 3)];
        tv_random_layout(&dst, 1, beta == 0.0 && rnd(0, 1));
        expect e;
        expect_init(&e, &dst);
        int64_t idx[MAXD] = {0};
        if (numel(dst.ndim, dst.shape) > 0)
            do {
                int64_t i = tv_address(&dst, idx);
                expect_set(&e, &dst, i, 0.0L, 0.0L, 1.0, beta);
            } while (next_index(dst.ndim, dst.shape, idx));
        ecl_strided d = tv_strided(&dst);
        cr_assert_eq(be->ops->scale(be, dst.dtype, &d, beta), ECL_SUCCESS, "%s", err.message);
        char what[64];
        snprintf(what, sizeof what, "scale seed %d", 9000 + iter);
        expect_check(&e, &dst, 0, what);
        free(dst.data);
    }
}

/* ---- gemm ------------------------------------------------------------------------------------ */

typedef struct gemm_case {
    ecl_dtype dtype;
    ecl_gemm_args g;
    tview a, b, c;  /* flat buffers; a.offset etc. locate batch 0 */
} gemm_case;

/* Lays out a batch of rows x cols matrices with row stride ld in a flat buffer, the batch dims in
 * random order (some broadcast when allow_zero), returning the batch strides. */
static void gemm_operand(tview *v, ecl_dtype t, const ecl_gemm_args *g, int64_t rows, int64_t cols,
                         int64_t ld, int allow_zero, int64_t *batch_stride, int nan_fill)
{
    v->dtype = t;
    v->ndim = g->nbatch + 1;
    int perm[MAXD];
    for (int d = 0; d < g->nbatch; d++) {
        v->shape[d] = g->batch_shape[d];
        perm[d] = d;
    }
    v->shape[g->nbatch] = rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 1;
    for (int d = g->nbatch - 1; d > 0; d--) {
        int j = (int)rnd(0, d), x = perm[d];
        perm[d] = perm[j];
        perm[j] = x;
    }
    perm[g->nbatch] = g->nbatch;
    unsigned neg = 0, zero = 0;
    for (int d = 0; d < g->nbatch; d++) {
        if (rnd(0, 3) == 0)
            neg |= 1u << d;
        if (allow_zero && rnd(0, 3) == 0)
            zero |= 1u << d;
    }
    tv_layout(v, perm, neg, zero, 1, rnd(0, 2), nan_fill);
    for (int d = 0; d < g->nbatch; d++)
        batch_stride[d] = v->stride[d];
}

static void check_gemm(gemm_case *gc, double alpha, double beta, const char *what)
{
    ecl_gemm_args *g = &gc->g;
    expect e;
    expect_init(&e, &gc->c);
    int64_t bidx[MAXD] = {0};
    if (numel(g->nbatch, g->batch_shape) > 0)
        do {
            int64_t oa = gc->a.offset, ob = gc->b.offset, oc = gc->c.offset;
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
                        long double x = tv_get(&gc->a, oa + ia) * tv_get(&gc->b, ob + ib);
                        s += x;
                        sabs += fabsl(x);
                    }
                    expect_set(&e, &gc->c, oc + i * g->ldc + j, s, sabs, alpha, beta);
                }
        } while (next_index(g->nbatch, g->batch_shape, bidx));
    cr_assert_eq(be->ops->gemm(be, gc->dtype, g, gc->a.data, gc->a.offset, gc->b.data,
                               gc->b.offset, gc->c.data, gc->c.offset, alpha, beta),
                 ECL_SUCCESS, "%s: %s", what, err.message);
    expect_check(&e, &gc->c, (long double)(g->k + 4) * eps(gc->dtype), what);
    free(gc->a.data);
    free(gc->b.data);
    free(gc->c.data);
}

/* A random batched GEMM; sizes up to maxmn x maxmn x maxk, padded leading dims. */
static void gemm_random(int seed, int64_t maxmn, int64_t maxk, int maxbatch, int64_t lda_override)
{
    tv_rng_state = (uint64_t)seed;
    gemm_case gc = {.dtype = rnd(0, 1) ? ECL_F32 : ECL_F64};
    ecl_gemm_args *g = &gc.g;
    g->trans_a = (int)rnd(0, 1);
    g->trans_b = (int)rnd(0, 1);
    g->m = rnd(0, 9) == 0 ? 0 : rnd(1, maxmn);
    g->n = rnd(0, 9) == 0 ? 0 : rnd(1, maxmn);
    g->k = rnd(0, 7) == 0 ? 0 : rnd(1, maxk);
    g->nbatch = (int)rnd(0, maxbatch);
    for (int d = 0; d < g->nbatch; d++)
        g->batch_shape[d] = rnd(0, 15) == 0 ? 0 : rnd(1, 4);
    g->lda = (g->trans_a ? g->m : g->k) + rnd(0, 2);
    g->ldb = (g->trans_b ? g->k : g->n) + rnd(0, 2);
    g->ldc = g->n + rnd(0, 2);
    if (lda_override >= 0)
        g->lda = lda_override;
    int s = (int)rnd(0, NSCALARS - 1);
    gemm_operand(&gc.a, gc.dtype, g, g->trans_a ? g->k : g->m, g->trans_a ? g->m : g->k, g->lda,
                 1, g->batch_stride_a, 0);
    gemm_operand(&gc.b, gc.dtype, g, g->trans_b ? g->n : g->k, g->trans_b ? g->k : g->n, g->ldb,
                 1, g->batch_stride_b, 0);
    gemm_operand(&gc.c, gc.dtype, g, g->m, g->n, g->ldc, 0, g->batch_stride_c, betas[s] == 0.0);
    char what[160];
    snprintf(what, sizeof what, "gemm seed %d t%d%d m %lld n %lld k %lld batch %d scalars %d", seed,
             g->trans_a, g->trans_b, (long long)g->m, (long long)g->n, (long long)g->k,
             g->nbatch, s);
    check_gemm(&gc, alphas[s], betas[s], what);
}

Test(backend_cpu, gemm_random_small)
{
    for (int iter = 0; iter < 500; iter++)
        gemm_random(20000 + iter, 9, 9, 3, -1);
}

Test(backend_cpu, gemm_random_large)
{
    for (int iter = 0; iter < 24; iter++)
        gemm_random(30000 + iter, 130, 150, 1, -1);
}

/* Leading dims (padded by 0-2 when pad) and the three operands of a case whose sizes, flags and
 * batch are set; C starts as NaN when c_nan (for beta == 0). */
static void lay_out_case(gemm_case *gc, int pad, int c_nan)
{
    ecl_gemm_args *g = &gc->g;
    g->lda = (g->trans_a ? g->m : g->k) + (pad ? rnd(0, 2) : 0);
    g->ldb = (g->trans_b ? g->k : g->n) + (pad ? rnd(0, 2) : 0);
    g->ldc = g->n + (pad ? rnd(0, 2) : 0);
    gemm_operand(&gc->a, gc->dtype, g, g->trans_a ? g->k : g->m, g->trans_a ? g->m : g->k, g->lda,
                 1, g->batch_stride_a, 0);
    gemm_operand(&gc->b, gc->dtype, g, g->trans_b ? g->n : g->k, g->trans_b ? g->k : g->n, g->ldb,
                 1, g->batch_stride_b, 0);
    gemm_operand(&gc->c, gc->dtype, g, g->m, g->n, g->ldc, 0, g->batch_stride_c, c_nan);
}

/* Products with one row or one column of C (matrix-vector, run as cblas gemv): every transposition,
 * padded leading dims, a batch, and each alpha/beta pair (beta 0 over a C full of NaN). */
Test(backend_cpu, gemm_vector_shapes)
{
    for (int iter = 0; iter < 16 * NSCALARS; iter++) {
        tv_rng_state = 50000 + (uint64_t)iter;
        gemm_case gc = {.dtype = iter & 1 ? ECL_F64 : ECL_F32};
        ecl_gemm_args *g = &gc.g;
        const int row = iter >> 1 & 1, s = (iter >> 4) % NSCALARS;
        g->trans_a = iter >> 2 & 1;
        g->trans_b = iter >> 3 & 1;
        g->m = row ? 1 : 57;
        g->n = row ? 61 : 1;
        g->k = 700;
        g->nbatch = 1;
        g->batch_shape[0] = 3;
        lay_out_case(&gc, 1, betas[s] == 0.0);
        char what[160];
        snprintf(what, sizeof what, "vector gemm %d: t%d%d m %lld n %lld scalars %d", iter,
                 g->trans_a, g->trans_b, (long long)g->m, (long long)g->n, s);
        check_gemm(&gc, alphas[s], betas[s], what);
    }
}

/* Many products, threaded over the batch: medium ones through cblas, tiny ones through loops. */
Test(backend_cpu, gemm_many_small_batches)
{
    for (int iter = 0; iter < 16; iter++) {
        tv_rng_state = 40000 + (uint64_t)iter;
        gemm_case gc = {.dtype = iter & 1 ? ECL_F64 : ECL_F32};
        ecl_gemm_args *g = &gc.g;
        const int tiny = iter >= 8;
        g->trans_a = iter >> 1 & 1;
        g->trans_b = iter >> 2 & 1;
        g->m = tiny ? 8 : 33, g->n = tiny ? 8 : 40, g->k = tiny ? 7 : 24;
        g->nbatch = 2;
        g->batch_shape[0] = tiny ? 64 : 12;
        g->batch_shape[1] = tiny ? 80 : 16;
        lay_out_case(&gc, 0, iter % 8 < 4);
        check_gemm(&gc, iter % 8 < 4 ? 1.0 : 0.5, iter % 8 < 4 ? 0.0 : 2.0, "gemm many batches");
    }
}

/* Few large products on a 3-thread backend are cut into blocks of C's rows (m >= n) or columns
 * (m < n) run on the OpenMP threads: every transposition, 1 or 2 products (6 or 3 blocks each,
 * ragged), padded leading dims, matrix-vector shapes (one row or column of C, cut along the other
 * side), and each alpha/beta pair. Products whose C is too small to cut (m, n < 64) with a long k
 * are split along k when there are fewer of them than threads (1 or 2 here), the partial products
 * summed in order. */
Test(backend_cpu, gemm_few_products_cut_into_blocks)
{
    be->ops->destroy(be);
    cr_assert_eq(ecl_backend_cpu_create(3, &err, &be), ECL_SUCCESS, "%s", err.message);
    tv_set_backend(be, &err);
    const int64_t mn[][2] = {{203, 70}, {70, 203}, {1, 301}, {301, 1}, {40, 21}, {1, 17}};
    for (int iter = 0; iter < 24; iter++) { /* 6 shapes x 4 transpositions */
        tv_rng_state = 60000 + (uint64_t)iter;
        gemm_case gc = {.dtype = (iter + iter / 4) & 1 ? ECL_F64 : ECL_F32};
        ecl_gemm_args *g = &gc.g;
        const int s = iter % NSCALARS;
        g->trans_a = iter & 1;
        g->trans_b = iter >> 1 & 1;
        g->m = mn[iter / 4][0];
        g->n = mn[iter / 4][1];
        /* >= 4M flops in all, so that threads are used */
        const int narrow = g->m * g->n < 2000, vector = g->m == 1 || g->n == 1;
        g->k = narrow ? 3001 + 2200000 / (g->m * g->n) : vector ? 8000 : 160;
        g->nbatch = 1;
        g->batch_shape[0] = 1 + iter % 2;
        lay_out_case(&gc, 1, betas[s] == 0.0);
        char what[160];
        snprintf(what, sizeof what, "cut gemm %d: t%d%d m %lld n %lld batch %lld scalars %d", iter,
                 g->trans_a, g->trans_b, (long long)g->m, (long long)g->n,
                 (long long)g->batch_shape[0], s);
        check_gemm(&gc, alphas[s], betas[s], what);
    }
}

/* Sizes around the small-product kernel's register blocks (4 rows by 16 columns of C): full
 * blocks, ragged right and bottom edges, every transposition (op(B) packed when transposed),
 * padded leading dims, and each alpha/beta pair (beta 0 over a C full of NaN). */
Test(backend_cpu, gemm_small_register_blocks)
{
    const int64_t ms[] = {1, 3, 4, 5, 8, 17}, ns[] = {1, 15, 16, 17, 33, 64}, ks[] = {1, 7, 16};
    int iter = 0;
    for (int mi = 0; mi < 6; mi++)
        for (int ni = 0; ni < 6; ni++)
            for (int ki = 0; ki < 3; ki++, iter++) {
                tv_rng_state = 60000 + (uint64_t)iter;
                gemm_case gc = {.dtype = iter % 5 == 0 ? ECL_F64 : ECL_F32};
                ecl_gemm_args *g = &gc.g;
                const int s = iter % NSCALARS;
                g->trans_a = iter & 1;
                g->trans_b = iter >> 1 & 1;
                g->m = ms[mi], g->n = ns[ni], g->k = ks[ki];
                g->nbatch = 1;
                g->batch_shape[0] = 1 + iter % 3;
                lay_out_case(&gc, 1, betas[s] == 0.0);
                char what[160];
                snprintf(what, sizeof what, "small gemm %d: t%d%d m %lld n %lld k %lld scalars %d", iter,
                         g->trans_a, g->trans_b, (long long)g->m, (long long)g->n, (long long)g->k, s);
                check_gemm(&gc, alphas[s], betas[s], what);
            }
}

/* Leading dimensions cblas rejects (a single row, or rows repeated with stride 0) still work. */
Test(backend_cpu, gemm_degenerate_leading_dims)
{
    for (int iter = 0; iter < 40; iter++)
        gemm_random(50000 + iter, 5, 6, 1, 0);
    for (int iter = 0; iter < 6; iter++)
        gemm_random(51000 + iter, 90, 90, 0, 0);
}

/* ---- memory, creation, errors ---------------------------------------------------------------- */

Test(backend_cpu, memory_roundtrip)
{
    void *mem = NULL;
    cr_assert_eq(be->ops->alloc(be, 0, &mem), ECL_SUCCESS);
    cr_assert_not_null(mem);
    be->ops->free(be, mem);
    cr_assert_eq(be->ops->alloc(be, 1000, &mem), ECL_SUCCESS);
    cr_assert_eq((uintptr_t)mem % 64, 0);
    unsigned char in[1000], out[1000];
    for (int i = 0; i < 1000; i++)
        in[i] = (unsigned char)(i * 7 + 3);
    cr_assert_eq(be->ops->write(be, mem, 0, in, 1000), ECL_SUCCESS);
    cr_assert_eq(be->ops->fill_zero(be, mem, 100, 50), ECL_SUCCESS);
    cr_assert_eq(be->ops->read(be, mem, 0, out, 1000), ECL_SUCCESS);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(out[i], i >= 100 && i < 150 ? 0 : in[i], "byte %d", i);
    cr_assert_eq(be->ops->read(be, mem, 990, out, 10), ECL_SUCCESS);
    cr_assert(memcmp(out, in + 990, 10) == 0);
    cr_assert_eq(be->ops->finish(be), ECL_SUCCESS);
    be->ops->free(be, mem);
    be->ops->free(be, NULL);

    double host[4] = {1, 2, 3, 4};
    cr_assert_eq(be->ops->wrap_host(be, host, sizeof host, &mem), ECL_SUCCESS);
    cr_assert_eq(mem, (void *)host);
    be->ops->unwrap(be, mem);
    cr_assert_eq(host[3], 4.0);
}

Test(backend_cpu, alloc_failure_reports_bytes)
{
    void *mem = (void *)1;
    cr_assert_eq(be->ops->alloc(be, SIZE_MAX - 8, &mem), ECL_ERROR_OUT_OF_MEMORY);
    cr_assert_null(mem);
    char bytes[32];
    snprintf(bytes, sizeof bytes, "%zu", SIZE_MAX - 8);
    cr_assert(strstr(err.message, bytes), "message: %s", err.message);
    cr_assert_eq(be->ops->alloc(be, (size_t)1 << 62, &mem), ECL_ERROR_OUT_OF_MEMORY);
    cr_assert_null(mem);
}

Test(backend_cpu, device_name_and_threads)
{
    cr_assert_eq(be->kind, ECL_BACKEND_CPU);
    cr_assert(strstr(be->device_name, "CPU"), "%s", be->device_name);
    cr_assert(strstr(be->device_name, "OpenBLAS"), "%s", be->device_name);
    ecl_backend *one = NULL;
    cr_assert_eq(ecl_backend_cpu_create(1, &err, &one), ECL_SUCCESS);
    cr_assert(strstr(one->device_name, "1 thread)"), "%s", one->device_name);
    one->ops->destroy(one);
    cr_assert_eq(ecl_backend_cpu_create(-1, &err, &one), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_null(one);
    cr_assert(strstr(err.message, "-1"), "%s", err.message);
}

/* Runs the copy/reduce/mul checks on one thread too, against the same references. */
Test(backend_cpu, single_thread_backend)
{
    be->ops->destroy(be);
    cr_assert_eq(ecl_backend_cpu_create(1, &err, &be), ECL_SUCCESS);
    tv_set_backend(be, &err);
    for (int iter = 0; iter < 100; iter++) {
        random_sum_case(0, iter);
        random_sum_case(1, iter);
    }
    gemm_random(777, 60, 60, 2, -1);
}

Test(backend_cpu, argument_errors)
{
    float x[16] = {0};
    int64_t shape2[2] = {2, 2}, shape3[2] = {2, 3}, stride[2] = {2, 1}, neg[1] = {-1};
    ecl_strided v2 = {x, 0, 2, shape2, stride}, v3 = {x, 0, 2, shape3, stride};
    ecl_strided v1 = {x, 0, 1, shape2, stride}, bad = {x, 0, 1, neg, stride};
    ecl_strided nomem = {NULL, 0, 2, shape2, stride};
    ecl_strided toomany = {x, 0, ECL_MAX_DIMS + 1, shape2, stride};
    const ecl_status invalid = ECL_ERROR_INVALID_ARGUMENT;

    cr_assert_eq(be->ops->copy(be, ECL_F32, NULL, ECL_F32, &v2, 1, 0), invalid);
    cr_assert(strstr(err.message, "dst"), "%s", err.message);
    cr_assert_eq(be->ops->copy(be, ECL_F32, &v2, ECL_F32, &v1, 1, 0), invalid);
    cr_assert(strstr(err.message, "1 dims"), "%s", err.message);
    cr_assert_eq(be->ops->copy(be, ECL_F32, &v2, ECL_F32, &v3, 1, 0), invalid);
    cr_assert(strstr(err.message, "dim 1"), "%s", err.message);
    cr_assert_eq(be->ops->copy(be, (ecl_dtype)9, &v2, ECL_F32, &v2, 1, 0), invalid);
    cr_assert_eq(be->ops->copy(be, ECL_F32, &nomem, ECL_F32, &v2, 1, 0), invalid);
    cr_assert_eq(be->ops->scale(be, ECL_F32, &bad, 0.0), invalid);
    cr_assert(strstr(err.message, "-1"), "%s", err.message);
    cr_assert_eq(be->ops->scale(be, ECL_F32, &toomany, 0.0), invalid);
    cr_assert_eq(be->ops->reduce(be, ECL_F32, &v2, &v1, 1, 0), invalid);
    cr_assert(strstr(err.message, "fewer"), "%s", err.message);
    cr_assert_eq(be->ops->reduce(be, ECL_F32, &v1, &v3, 1, 0), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(be->ops->mul(be, ECL_F32, &v1, &v2, &v3, 1, 0), invalid);
    cr_assert_eq(be->ops->mul(be, ECL_F32, &v2, &v1, &v1, 1, 0), invalid);
    cr_assert_eq(be->ops->mul(be, ECL_F32, &v1, &v2, NULL, 1, 0), invalid);

    ecl_gemm_args g = {.m = 2, .n = 2, .k = -1, .lda = 2, .ldb = 2, .ldc = 2};
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 0, x, 0, 1, 0), invalid);
    cr_assert(strstr(err.message, "k=-1"), "%s", err.message);
    cr_assert_eq(be->ops->gemm(be, ECL_F32, NULL, x, 0, x, 0, x, 0, 1, 0), invalid);
    g.k = 2;
    g.nbatch = 1;
    g.batch_shape[0] = 2;
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 0, x, 0, 1, 0), invalid);
    cr_assert(strstr(err.message, "C stride 0"), "%s", err.message);
    g.nbatch = 0;
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, NULL, 0, x, 0, x, 0, 1, 0), invalid);
}
