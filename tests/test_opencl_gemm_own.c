/*
 * Tests of einsumcl's own batched GEMM kernel (kernels/gemm_batched.cl, opencl_gemm_own.c),
 * forced with ECL_GEMM=own, against long-double loops (tests/support/gemm_case.c): sizes that are
 * not multiples of the 64 x 64 x 16 tiles, every transposition pair, both dtypes, offsets and
 * padded leading dimensions, beta == 0 over NaN, the two attention layouts on (B, N, H, D)
 * views (two batch dims in one launch), three or more batch dims (host loop), negative and zero
 * batch strides, a long k; random cases. Skips visibly where no OpenCL device exists.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>

#include "backend_select.h"
#include "gemm_case.h"
#include "opencl_gemm_select.h"

static ecl_error err;
static ecl_backend *be;

static void setup(void)
{
    setenv("ECL_GEMM", "own", 1);
    be = ecl_test_opencl_backend(&err);
}
static void teardown(void)
{
    if (be)
        be->ops->destroy(be);
}

TestSuite(opencl_gemm_own, .init = setup, .fini = teardown);

static void check(const gcase *gc, const char *what) { gemm_case_check(be, &err, gc, what); }

static void assert_only_own(int64_t runs)
{
    const ecl_ocl_gemm_state *state = ((ecl_ocl_backend *)be)->gemm;
    cr_assert(state, "no GEMM ran");
    cr_assert_eq(state->runs[ECL_IMPL_CLBLAST], 0, "CLBlast ran %lld times under ECL_GEMM=own",
                 (long long)state->runs[ECL_IMPL_CLBLAST]);
    cr_assert_eq(state->runs[ECL_IMPL_OWN], runs, "own kernel ran %lld times, want %lld",
                 (long long)state->runs[ECL_IMPL_OWN], (long long)runs);
}

Test(opencl_gemm_own, ragged_sizes_every_transpose_both_dtypes)
{
    const int64_t sizes[][3] = {{1, 1, 1}, {65, 63, 17}, {7, 130, 33}, {64, 64, 16}, {3, 5, 70}};
    const int nsizes = (int)(sizeof sizes / sizeof sizes[0]);
    int64_t runs = 0;
    for (int s = 0; s < nsizes; s++)
        for (int t = 0; t < 2; t++)
            for (int flags = 0; flags < 4; flags++) {
                gcase gc = gemm_plain(t ? ECL_F64 : ECL_F32, flags & 1, flags >> 1, sizes[s][0],
                                      sizes[s][1], sizes[s][2], (s + flags) % 3);
                if ((s + flags) % 2)
                    gc.beta = 0, gc.nan_c = 1;
                gc.off[0] = s, gc.off[1] = 2 * s, gc.off[2] = flags;
                gemm_place(&gc);
                char what[96];
                snprintf(what, sizeof what, "m %lld n %lld k %lld dtype %d trans %d%d",
                         (long long)sizes[s][0], (long long)sizes[s][1], (long long)sizes[s][2],
                         t, flags & 1, flags >> 1);
                check(&gc, what);
                runs++;
            }
    assert_only_own(runs);
}

/* The attention einsums on (B, N, H, D) tensors: S = Q K^T over batch (b, h), O = P V. */
Test(opencl_gemm_own, attention_layouts)
{
    const int64_t B = 2, N = 70, H = 3, D = 20;
    for (int t = 0; t < 2; t++) {
        gcase s = {.dtype = t ? ECL_F64 : ECL_F32, .alpha = 0.125, .beta = 0, .nan_c = 1};
        s.g = (ecl_gemm_args){.trans_b = 1, .m = N, .n = N, .k = D, .lda = H * D, .ldb = H * D,
                              .ldc = N, .nbatch = 2, .batch_shape = {B, H},
                              .batch_stride_a = {N * H * D, D}, .batch_stride_b = {N * H * D, D},
                              .batch_stride_c = {H * N * N, N * N}};
        gemm_place(&s);
        check(&s, "scores bqhd,bkhd->bhqk");
        gcase o = {.dtype = s.dtype, .alpha = 1, .beta = 0, .nan_c = 1};
        o.g = (ecl_gemm_args){.m = N, .n = D, .k = N, .lda = N, .ldb = H * D, .ldc = H * D,
                              .nbatch = 2, .batch_shape = {B, H},
                              .batch_stride_a = {H * N * N, N * N},
                              .batch_stride_b = {N * H * D, D}, .batch_stride_c = {N * H * D, D}};
        gemm_place(&o);
        check(&o, "output bhqk,bkhd->bqhd");
    }
    assert_only_own(4);
}

/* Three unmergeable batch dims (one launch per index of the outermost), mixed-sign strides. */
Test(opencl_gemm_own, many_batch_dims_and_negative_strides)
{
    for (int flags = 0; flags < 4; flags++) {
        gcase gc = gemm_plain(flags & 2 ? ECL_F64 : ECL_F32, flags & 1, !(flags & 1), 4, 3, 5, 2);
        gc.g.nbatch = 3;
        for (int d = 0; d < 3; d++) {
            gc.g.batch_shape[d] = 3 + d;
            gc.g.batch_stride_a[d] = (d == 0 ? -1 : 1) * (200 - 60 * d);
            gc.g.batch_stride_b[d] = d == 1 ? 0 : 300 - 70 * d; /* broadcast over dim 1 */
            gc.g.batch_stride_c[d] = d == 2 ? -20 : d == 1 ? 100 : 500;
        }
        gemm_place(&gc);
        check(&gc, "three batch dims");
    }
    assert_only_own(4);
}

/* A long k: the tolerance grows with it, and many K tiles accumulate. */
Test(opencl_gemm_own, long_k)
{
    for (int t = 0; t < 2; t++) {
        gcase gc = gemm_plain(t ? ECL_F64 : ECL_F32, t, 1 - t, 9, 11, 1000, 1);
        gemm_place(&gc);
        check(&gc, "k 1000");
    }
}

Test(opencl_gemm_own, random_cases)
{
    for (int iter = 0; iter < 40; iter++) {
        gemm_rng_state = 9100 + (uint64_t)iter;
        const int64_t top = gemm_rnd(0, 3) ? 12 : 80;
        gcase gc = gemm_plain(gemm_rnd(0, 1) ? ECL_F64 : ECL_F32, (int)gemm_rnd(0, 1),
                              (int)gemm_rnd(0, 1), gemm_rnd(1, top), gemm_rnd(1, top),
                              gemm_rnd(1, top), (int)gemm_rnd(0, 2));
        ecl_gemm_args *g = &gc.g;
        g->nbatch = (int)gemm_rnd(0, 3);
        for (int d = 0; d < g->nbatch; d++)
            g->batch_shape[d] = gemm_rnd(1, 3);
        gemm_contiguous(&gc);
        for (int d = 0; d < g->nbatch; d++) {
            int64_t *s[3] = {g->batch_stride_a, g->batch_stride_b, g->batch_stride_c};
            for (int o = 0; o < 3; o++) {
                if (gemm_rnd(0, 3) == 0)
                    s[o][d] = -s[o][d];
                if (o < 2 && gemm_rnd(0, 4) == 0)
                    s[o][d] = 0;
                if ((o < 2 || d == 0) && gemm_rnd(0, 3) == 0)
                    s[o][d] *= 2; /* C: only the outermost, so its products never overlap */
            }
        }
        gc.off[0] = gemm_rnd(0, 3), gc.off[1] = gemm_rnd(0, 3), gc.off[2] = gemm_rnd(0, 3);
        gemm_place(&gc);
        gc.alpha = gemm_unit();
        gc.beta = gemm_rnd(0, 2) ? gemm_unit() : 0;
        gc.nan_c = gc.beta == 0;
        char what[96];
        snprintf(what, sizeof what, "random case %d (m %lld n %lld k %lld, %d batch dims)", iter,
                 (long long)g->m, (long long)g->n, (long long)g->k, g->nbatch);
        check(&gc, what);
    }
}
