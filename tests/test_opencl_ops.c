/*
 * Tests of the OpenCL backend's strided primitives (opencl_ops.c and the kernels): copy, reduce,
 * mul and scale against naive long-double loops written here, on random shapes (size 0 and 1
 * dims, 0-d) and layouts (permuted, padded, negative and zero strides), both dtypes, float32 <->
 * float64 copies and alpha/beta combinations including beta == 0 over a NaN-filled destination;
 * transposes large enough for the tiled kernel and full reductions large enough to be cut into
 * chunks with a second pass. Elements a view does not address must stay untouched. Runs on the
 * first OpenCL device (PoCL in CI) and skips visibly where there is none.
 */
#include <criterion/criterion.h>

#include "opencl_backend.h"
#include "strided_view.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static ecl_error err;
static ecl_backend *be;

/* Each test runs in its own process: it opens the backend itself (kernels come from the on-disk
 * binary cache after the first build) and skips when the machine has no OpenCL device. */
static void open_backend(void)
{
    const char *cache = ECL_TEST_TMPDIR "/opencl-cache";
    if (mkdir(cache, 0700) != 0 && errno != EEXIST)
        cr_log_warn("cannot create %s", cache);
    setenv("ECL_CACHE_DIR", cache, 0);
    ecl_error_clear(&err);
    ecl_status st = ecl_backend_opencl_create(NULL, 1, &err, &be);
    if (st == ECL_ERROR_UNAVAILABLE)
        cr_skip_test("no OpenCL device: %s", err.message);
    cr_assert_eq(st, ECL_SUCCESS, "%s", err.message);
    tv_set_backend(be, &err);
}

static void close_backend(void)
{
    tv_set_backend(NULL, NULL);
    if (be)
        be->ops->destroy(be);
    be = NULL;
}

TestSuite(opencl_ops, .fini = close_backend);

/* ---- copy ------------------------------------------------------------------------------------ */

Test(opencl_ops, copy_random_layouts)
{
    open_backend();
    for (int iter = 0; iter < 400; iter++) {
        tv_rng_state = 1000 + (uint64_t)iter;
        char what[96];
        tview dst = {.dtype = rnd(0, 1) ? ECL_F32 : ECL_F64};
        tview src = {.dtype = rnd(0, 1) ? ECL_F32 : ECL_F64};
        const int ndim = (int)rnd(0, 5);
        tv_random_shape(&dst, ndim, iter % 10 == 0 && ndim <= 3 ? 40 : 6);
        src.ndim = dst.ndim;
        memcpy(src.shape, dst.shape, sizeof dst.shape);
        int s = (int)rnd(0, NSCALARS - 1);
        tv_random_layout(&dst, 1, betas[s] == 0.0);
        tv_random_layout(&src, 0, 0);
        snprintf(what, sizeof what, "copy seed %d ndim %d", 1000 + iter, dst.ndim);
        tv_check_copy(&dst, &src, alphas[s], betas[s], what);
    }
}

/* Copies between two permuted layouts of one shape, large enough for the tiled kernel (tile
 * edges not multiples of 32, batch dims around the transposed pair). */
static void copy_case(int ndim, const int64_t *shape, const int *dst_perm, const int *src_perm,
                      unsigned src_neg, ecl_dtype dt, ecl_dtype st, int s)
{
    tview dst = {.dtype = dt, .ndim = ndim}, src = {.dtype = st, .ndim = ndim};
    memcpy(dst.shape, shape, sizeof(int64_t) * (size_t)ndim);
    memcpy(src.shape, shape, sizeof(int64_t) * (size_t)ndim);
    tv_layout(&dst, dst_perm, 0, 0, 1, 0, betas[s] == 0.0);
    tv_layout(&src, src_perm, src_neg, 0, 1, 0, 0);
    char what[96];
    snprintf(what, sizeof what, "copy ndim %d shape0 %lld dtypes %d<-%d scalars %d", ndim,
             (long long)shape[0], (int)dt, (int)st, s);
    tv_check_copy(&dst, &src, alphas[s], betas[s], what);
}

Test(opencl_ops, copy_transposes_and_large)
{
    open_backend();
    tv_rng_state = 7;
    const int64_t mat[2] = {333, 259};
    const int id2[2] = {0, 1}, tr2[2] = {1, 0};
    const int64_t cube[3] = {5, 67, 90};
    const int id3[3] = {0, 1, 2}, p021[3] = {0, 2, 1}, p201[3] = {2, 0, 1}, p120[3] = {1, 2, 0};
    const int64_t attn[4] = {2, 40, 3, 48}; /* bqhd -> bhqd */
    const int id4[4] = {0, 1, 2, 3}, p0213[4] = {0, 2, 1, 3}, p0231[4] = {0, 2, 3, 1};
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
            copy_case(4, attn, p0213, id4, 0, dt, st, s);
            copy_case(4, attn, id4, p0231, 2, dt, st, s);
            if (s % 3 == 0) {
                copy_case(1, flat, id1, id1, 0, dt, st, s);
                copy_case(1, flat, id1, id1, 1, dt, st, s);
            }
        }
}

/* More rows of a short innermost dim than one launch covers (65535 work-groups of 64 rows along
 * the range's second dimension): the kernel loops over the rest. */
Test(opencl_ops, copy_rows_beyond_range_cap)
{
    open_backend();
    tv_rng_state = 29;
    const int64_t shape[2] = {65535 * 64 + 1001, 3};
    tview dst = {.dtype = ECL_F32, .ndim = 2}, src = {.dtype = ECL_F32, .ndim = 2};
    memcpy(dst.shape, shape, sizeof shape);
    memcpy(src.shape, shape, sizeof shape);
    const int id[2] = {0, 1};
    tv_layout(&dst, id, 0, 0, 1, 0, 1);
    tv_layout(&src, id, 0, 0, 1, 1, 0); /* rows padded: does not merge into one dim */
    tv_check_copy(&dst, &src, 1.0, 0.0, "copy of 4.2M rows of 3");
}

/* Diagonal gathers: views of an n x n x m buffer with one stride covering two of its dims
 * ('ii->i', 'iij->ij', 'iij->ji'), into a contiguous destination. */
Test(opencl_ops, copy_diagonals)
{
    open_backend();
    tv_rng_state = 19;
    const int64_t n = 70, m = 45;
    for (int t = 0; t < 2; t++)
        for (int kind = 0; kind < 3; kind++) {
            const ecl_dtype dt = t ? ECL_F64 : ECL_F32;
            tview src = {.dtype = dt, .len = n * n * m + 1};
            tview dst = {.dtype = dt};
            if (kind == 0) { /* ii->i over the first two dims at j == 0 */
                src.ndim = 1, src.shape[0] = n, src.stride[0] = n * m + m;
            } else if (kind == 1) { /* iij->ij */
                src.ndim = 2, src.shape[0] = n, src.shape[1] = m;
                src.stride[0] = n * m + m, src.stride[1] = 1;
            } else { /* iij->ji */
                src.ndim = 2, src.shape[0] = m, src.shape[1] = n;
                src.stride[0] = 1, src.stride[1] = n * m + m;
            }
            src.offset = 1;
            dst.ndim = src.ndim;
            memcpy(dst.shape, src.shape, sizeof src.shape);
            const int id[2] = {0, 1};
            tv_layout(&dst, id, 0, 0, 1, 0, 1);
            tv_fill(&src, 0);
            char what[64];
            snprintf(what, sizeof what, "diagonal kind %d dtype %d", kind, (int)dt);
            tv_check_copy(&dst, &src, 1.0, 0.0, what);
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
    tv_random_shape(&a, nkeep + nsum, iter % 10 == 0 && nkeep + nsum <= 3 ? 40 : 6);
    b.ndim = a.ndim;
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

Test(opencl_ops, reduce_random_layouts)
{
    open_backend();
    for (int iter = 0; iter < 400; iter++)
        random_sum_case(0, iter);
}

Test(opencl_ops, mul_random_layouts)
{
    open_backend();
    for (int iter = 0; iter < 400; iter++)
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
    const int id[MAXD] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
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

/* Sums over diagonals: 'ii->' (trace) and 'iij->j' of an n x n x m buffer. */
Test(opencl_ops, reduce_diagonals)
{
    open_backend();
    tv_rng_state = 23;
    const int64_t n = 300, m = 40;
    for (int t = 0; t < 2; t++)
        for (int kind = 0; kind < 2; kind++) {
            const ecl_dtype dt = t ? ECL_F64 : ECL_F32;
            tview src = {.dtype = dt, .len = n * n * m}, dst = {.dtype = dt};
            if (kind == 0) {
                src.ndim = 1, src.shape[0] = n, src.stride[0] = n * m + m;
            } else {
                src.ndim = 2, src.shape[0] = m, src.shape[1] = n;
                src.stride[0] = 1, src.stride[1] = n * m + m;
            }
            dst.ndim = kind;
            dst.shape[0] = m;
            const int id[1] = {0};
            tv_layout(&dst, id, 0, 0, 1, 0, 1);
            tv_fill(&src, 0);
            tv_check_sum(&dst, &src, NULL, 1.0, 0.0, kind ? "iij->j" : "ii->");
        }
}

Test(opencl_ops, reduce_large_paths)
{
    open_backend();
    tv_rng_state = 11;
    const int id[3] = {0, 1, 2}, tr[2] = {1, 0};
    const int64_t full[3] = {64, 100, 150}, wide[2] = {3000, 700}, tall[2] = {3, 200000};
    const int64_t many[2] = {5000, 100}, odd[1] = {1000003};
    for (int s = 0; s < NSCALARS; s += 2)
        for (int t = 0; t < 2; t++) {
            ecl_dtype dt = t ? ECL_F64 : ECL_F32;
            sum_case(0, 3, 0, full, id, NULL, 0, 0, dt, s);   /* ijk-> : chunks + second pass */
            sum_case(0, 1, 0, odd, id, NULL, 0, 0, dt, s);    /* i-> with a ragged last chunk */
            sum_case(0, 2, 1, wide, tr, NULL, 0, 0, dt, s);   /* ji->j, rows */
            sum_case(0, 2, 1, tall, tr, NULL, 0, 0, dt, s);   /* ji->j, few columns: chunks */
            sum_case(0, 2, 1, tall, id, NULL, 0, 0, dt, s);   /* ij->i, few kept: chunks */
            sum_case(0, 2, 1, many, id, NULL, 0, 0, dt, s);   /* ij->i, many kept */
            sum_case(0, 2, 1, many, tr, NULL, 0, 0, dt, s);   /* column-major source */
        }
}

Test(opencl_ops, mul_large_paths)
{
    open_backend();
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
            sum_case(1, 1, 0, dot, id, id, 0, 0, dt, s);         /* i,i-> : chunks */
        }
}

/* float32 sums accumulate in double (or compensated float): 1 + 2^20 * 2^-24 is exact then, but a
 * plain float accumulator loses every small term. Also a and b in the same buffer. */
Test(opencl_ops, reduce_f32_accumulates_exactly)
{
    open_backend();
    const int64_t n = (1 << 20) + 1;
    float *x = malloc((size_t)n * sizeof(float));
    cr_assert_not_null(x);
    x[0] = 1.0f;
    for (int64_t i = 1; i < n; i++)
        x[i] = 0x1p-24f;
    void *xm, *om;
    cr_assert_eq(be->ops->alloc(be, (size_t)n * sizeof(float), &xm), ECL_SUCCESS);
    cr_assert_eq(be->ops->alloc(be, sizeof(float), &om), ECL_SUCCESS);
    cr_assert_eq(be->ops->write(be, xm, 0, x, (size_t)n * sizeof(float)), ECL_SUCCESS);
    const float nan = NAN;
    cr_assert_eq(be->ops->write(be, om, 0, &nan, sizeof nan), ECL_SUCCESS);
    int64_t shape[1] = {n}, stride[1] = {1};
    ecl_strided src = {xm, 0, 1, shape, stride}, dst = {om, 0, 0, NULL, NULL};
    float out = 0;
    cr_assert_eq(be->ops->reduce(be, ECL_F32, &dst, &src, 1.0, 0.0), ECL_SUCCESS, "%s",
                 err.message);
    cr_assert_eq(be->ops->read(be, om, 0, &out, sizeof out), ECL_SUCCESS);
    cr_assert_eq(out, 1.0625f, "sum is %.9g", (double)out);
    cr_assert_eq(be->ops->mul(be, ECL_F32, &dst, &src, &src, 1.0, 0.0), ECL_SUCCESS, "%s",
                 err.message);
    cr_assert_eq(be->ops->read(be, om, 0, &out, sizeof out), ECL_SUCCESS);
    cr_assert_eq(out, 1.0f + (float)(0x1p-48 * (double)(n - 1)), "dot is %.9g", (double)out);
    be->ops->free(be, xm);
    be->ops->free(be, om);
    free(x);
}

/* ---- scale ----------------------------------------------------------------------------------- */

Test(opencl_ops, scale_random_layouts)
{
    open_backend();
    const double factors[] = {0.0, 1.0, -2.5, 0.5};
    for (int iter = 0; iter < 200; iter++) {
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
                expect_set(&e, &dst, tv_address(&dst, idx), 0.0L, 0.0L, 1.0, beta);
            } while (next_index(dst.ndim, dst.shape, idx));
        ecl_strided d = tv_strided(&dst);
        cr_assert_eq(be->ops->scale(be, dst.dtype, &d, beta), ECL_SUCCESS, "%s", err.message);
        char what[64];
        snprintf(what, sizeof what, "scale seed %d", 9000 + iter);
        expect_check(&e, &dst, 0, what);
        tv_release(&dst);
    }
}

/* ---- errors ---------------------------------------------------------------------------------- */

/* Nine dims of size 2 that merge in neither operand (the source walks them in reverse order) are
 * more than the kernels take: a clear error, and the backend stays usable. */
Test(opencl_ops, too_many_dims_and_bad_arguments)
{
    open_backend();
    tv_rng_state = 17;
    tview dst = {.dtype = ECL_F32, .ndim = 9}, src = {.dtype = ECL_F32, .ndim = 9};
    int fwd[9], rev[9];
    for (int d = 0; d < 9; d++) {
        dst.shape[d] = src.shape[d] = 2;
        fwd[d] = d;
        rev[d] = 8 - d;
    }
    tv_layout(&dst, fwd, 0, 0, 1, 0, 0);
    tv_layout(&src, rev, 0, 0, 1, 0, 0);
    ecl_strided d = tv_strided(&dst), s = tv_strided(&src);
    cr_assert_eq(be->ops->copy(be, ECL_F32, &d, ECL_F32, &s, 1.0, 0.0), ECL_ERROR_BACKEND);
    cr_assert(strstr(err.message, "9 dims") && strstr(err.message, "8"), "%s", err.message);

    cr_assert_eq(be->ops->copy(be, (ecl_dtype)7, &d, ECL_F32, &s, 1.0, 0.0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "dtype 7"), "%s", err.message);
    s.ndim = 8;
    cr_assert_eq(be->ops->copy(be, ECL_F32, &d, ECL_F32, &s, 1.0, 0.0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(be->ops->reduce(be, ECL_F32, &d, &s, 1.0, 0.0), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "fewer than dst's 9"), "%s", err.message);
    s.ndim = 9;
    src.shape[3] = 3;
    cr_assert_eq(be->ops->mul(be, ECL_F32, &d, &s, &s, 1.0, 0.0), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "dim 3 is 2 in dst but 3 in a"), "%s", err.message);
    src.shape[3] = 2;
    d.mem = NULL;
    cr_assert_eq(be->ops->scale(be, ECL_F32, &d, 2.0), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "memory is NULL"), "%s", err.message);
    d.mem = dst.mem;

    /* Still usable: the same copy with the source walked in dst's order (merges to one dim). */
    tv_release(&src);
    tv_layout(&src, fwd, 0, 0, 1, 0, 0);
    tv_check_copy(&dst, &src, 1.0, 0.0, "copy after errors");
}
