/*
 * Tests of the OpenCL backend's GEMM step on CLBlast (clblast_gemm.c, clblast_calls.c) against
 * long-double loops (tests/support/gemm_case.c): every transpose combination, matrix-vector shapes (Xgemv), one product, a
 * batch whose dims merge (XgemmStridedBatched), unmergeable dims run as a few strided calls
 * or as one XgemmBatched with offsets (attention on a (B,N,H,D) layout, many dims, negative
 * strides), broadcast (zero) A/B batch strides, k == 0 with beta == 0 over NaN, empty sizes,
 * leading dimensions CLBlast rejects, both dtypes; random cases; and the errors (bad arguments,
 * 32-bit reach, CLBlast's own codes, a device without fp64, CLBlast missing: the own kernel in
 * auto mode, an error with ECL_GEMM=clblast). The suite forces ECL_GEMM=clblast so that every
 * CLBlast path is taken whatever the timings; tests of auto mode say so. Elements C's view
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
#include "gemm_case.h"
#include "opencl_gemm_select.h"

static ecl_error err;
static ecl_backend *be;

static void setup(void)
{
    setenv("ECL_GEMM", "clblast", 1); /* read at the backend's first GEMM */
    be = ecl_test_opencl_backend(&err);
}
static void teardown(void)
{
    if (be)
        be->ops->destroy(be);
}

TestSuite(opencl_gemm, .init = setup, .fini = teardown);

static void check(const gcase *gc, const char *what) { gemm_case_check(be, &err, gc, what); }

Test(opencl_gemm, every_transpose_both_dtypes)
{
    for (int t = 0; t < 2; t++)
        for (int flags = 0; flags < 4; flags++)
            for (int beta0 = 0; beta0 < 2; beta0++) {
                gcase gc = gemm_plain(t ? ECL_F64 : ECL_F32, flags & 1, flags >> 1, 13, 17, 9, 3);
                if (beta0)
                    gc.beta = 0, gc.nan_c = 1;
                gemm_place(&gc);
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
        gcase gc = gemm_plain(flags & 1 ? ECL_F64 : ECL_F32, flags & 1, flags >> 1, 130, 97, 150, 1);
        gemm_place(&gc);
        check(&gc, "large");
    }
}

/* m == 1 or n == 1 take Xgemv; vectors with unit or ld stride. */
Test(opencl_gemm, matrix_vector)
{
    const int64_t shapes[3][2] = {{1, 23}, {31, 1}, {1, 1}};
    for (int s = 0; s < 3; s++)
        for (int flags = 0; flags < 16; flags++) {
            gcase gc = gemm_plain(flags & 4 ? ECL_F64 : ECL_F32, flags & 1, flags >> 1 & 1,
                             shapes[s][0], shapes[s][1], 19, 2);
            if (flags & 8) /* y must not be read: Xgemv alone would turn NaN * 0 into NaN */
                gc.beta = 0, gc.nan_c = 1;
            gemm_place(&gc);
            char what[64];
            snprintf(what, sizeof what, "gemv shape %d flags %d", s, flags);
            check(&gc, what);
        }
}

Test(opencl_gemm, merged_batch_strides)
{
    for (int flags = 0; flags < 8; flags++) {
        gcase gc = gemm_plain(flags & 4 ? ECL_F64 : ECL_F32, flags & 1, flags >> 1 & 1, 7, 5, 6, 1);
        gc.g.nbatch = 2 + (flags & 1);
        for (int d = 0; d < gc.g.nbatch; d++)
            gc.g.batch_shape[d] = 2 + d;
        gemm_contiguous(&gc);
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
        gemm_place(&gc);
        check(&gc, "attention");
    }
}

/* Three unmergeable dims: too many strided calls, so one XgemmBatched with offsets. */
Test(opencl_gemm, offsets_for_many_unmergeable_dims)
{
    for (int flags = 0; flags < 4; flags++) {
        gcase gc = gemm_plain(flags & 2 ? ECL_F64 : ECL_F32, flags & 1, 0, 4, 3, 5, 2);
        gc.g.nbatch = 3;
        for (int d = 0; d < 3; d++) {
            gc.g.batch_shape[d] = 5;
            gc.g.batch_stride_a[d] = 200 - 60 * d;     /* gapped */
            gc.g.batch_stride_b[d] = (d == 1 ? -1 : 1) * (300 - 70 * d);
            gc.g.batch_stride_c[d] = (d == 2 ? -20 : d == 1 ? 100 : 500); /* mixed radix */
        }
        gemm_place(&gc);
        check(&gc, "offsets");
    }
}

/* A negative C stride on the only batch dim: not for StridedBatched. */
Test(opencl_gemm, negative_batch_stride)
{
    gcase gc = gemm_plain(ECL_F32, 0, 1, 6, 7, 8, 0);
    gc.g.nbatch = 1;
    gc.g.batch_shape[0] = 4;
    gc.g.batch_stride_a[0] = 6 * 8;
    gc.g.batch_stride_b[0] = 7 * 8;
    gc.g.batch_stride_c[0] = -6 * 7;
    gemm_place(&gc);
    check(&gc, "negative C stride");
}

/* Zero A or B batch strides broadcast one matrix over the batch, in both batch paths. */
Test(opencl_gemm, broadcast_zero_strides)
{
    for (int flags = 0; flags < 8; flags++) {
        gcase gc = gemm_plain(flags & 4 ? ECL_F64 : ECL_F32, flags & 1, 0, 5, 6, 7, 1);
        gc.g.nbatch = flags & 2 ? 3 : 1;
        for (int d = 0; d < gc.g.nbatch; d++)
            gc.g.batch_shape[d] = flags & 2 ? 5 : 9;
        gemm_contiguous(&gc);
        if (gc.g.nbatch == 3) /* C's dims unmergeable: 25 products from offsets */
            for (int d = 0; d < 3; d++)
                gc.g.batch_stride_c[d] = (d == 0 ? 36 : d == 1 ? 6 : 1) * gc.g.m * gc.g.ldc;
        for (int d = 0; d < gc.g.nbatch; d++)
            (flags & 1 ? gc.g.batch_stride_a : gc.g.batch_stride_b)[d] = 0;
        gc.off[0] = gc.off[1] = gc.off[2] = 0;
        gemm_place(&gc);
        check(&gc, "broadcast");
    }
}

Test(opencl_gemm, k_zero_scales_c)
{
    for (int t = 0; t < 2; t++) {
        gcase gc = gemm_plain(t ? ECL_F64 : ECL_F32, 0, 0, 4, 5, 0, 2);
        gc.g.nbatch = 1, gc.g.batch_shape[0] = 3;
        gemm_contiguous(&gc);
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
        gcase gc = gemm_plain(ECL_F32, 0, 0, sizes[s][0], sizes[s][1], sizes[s][2], 1);
        gc.g.nbatch = 1;
        gc.g.batch_shape[0] = s == 3 ? 0 : 2;
        gemm_contiguous(&gc);
        gc.nan_c = 1, gc.beta = 0;
        check(&gc, "empty");
    }
}

/* Row strides below the row length (A's rows all the same): not for CLBlast, still right. */
Test(opencl_gemm, leading_dims_clblast_rejects)
{
    for (int t = 0; t < 2; t++) {
        gcase gc = gemm_plain(t ? ECL_F64 : ECL_F32, 0, 0, 5, 4, 6, 0);
        gc.g.lda = 0;
        gc.g.ldb = 2;
        gemm_place(&gc);
        check(&gc, "lda 0, ldb < n");
    }
}

Test(opencl_gemm, random_cases)
{
    const double threshold = ecl_ocl_gemm_loop_min_flops;
    for (int iter = 0; iter < 60; iter++) {
        gemm_rng_state = 7000 + (uint64_t)iter;
        ecl_ocl_gemm_loop_min_flops = iter % 2 ? 0 : threshold; /* both unmergeable-batch paths */
        gcase gc = gemm_plain(gemm_rnd(0, 1) ? ECL_F64 : ECL_F32, (int)gemm_rnd(0, 1), (int)gemm_rnd(0, 1),
                         gemm_rnd(1, 12), gemm_rnd(1, 12), gemm_rnd(0, 9) ? gemm_rnd(1, 12) : 0, (int)gemm_rnd(0, 2));
        ecl_gemm_args *g = &gc.g;
        g->nbatch = (int)gemm_rnd(0, 3);
        for (int d = 0; d < g->nbatch; d++)
            g->batch_shape[d] = gemm_rnd(1, 4);
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

/* In auto mode such a view goes to the own kernel, which checks the reach against the buffer. */
Test(opencl_gemm, reach_beyond_buffer_on_own_kernel)
{
    setenv("ECL_GEMM", "auto", 1);
    void *x = small_buffer(4096);
    ecl_gemm_args g = {.m = 2, .n = 2, .k = 2, .lda = 2, .ldb = 2, .ldc = 2};
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, (int64_t)1 << 31, x, 0, 1, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "operand B reaches element 2147483651, but its buffer holds "
                                  "1024 elements"),
              "%s", err.message);
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

/* Without CLBlast, auto mode runs every product on the own kernel. */
Test(opencl_gemm, missing_clblast_runs_own_kernel)
{
    setenv("ECL_CLBLAST_LIBRARY", "libclblast-missing.so.9", 1);
    setenv("ECL_GEMM", "auto", 1);
    gcase gc = gemm_plain(ECL_F32, 0, 1, 19, 23, 17, 1);
    gc.g.nbatch = 1, gc.g.batch_shape[0] = 3;
    gemm_contiguous(&gc);
    check(&gc, "no CLBlast");
    const ecl_ocl_gemm_state *state = ((ecl_ocl_backend *)be)->gemm;
    cr_assert(state && state->runs[ECL_IMPL_OWN] == 1 && state->runs[ECL_IMPL_CLBLAST] == 0);
}
