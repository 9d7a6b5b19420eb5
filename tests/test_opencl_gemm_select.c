/*
 * Tests of the OpenCL GEMM implementation choice (opencl_gemm_select.c): ECL_GEMM forces CLBlast
 * or the own kernel; in auto mode each new (dtype, transposition, m, n, k, batch) is timed once on
 * both and the winner is reused, and the timing runs never disturb the result (beta != 0, and C
 * sharing a buffer with A, take the scratch path). Results are checked against long-double loops
 * (tests/support/gemm_case.c). Skips visibly where no OpenCL device exists.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "gemm_case.h"
#include "opencl_gemm_select.h"

static ecl_error err;
static ecl_backend *be;

static void setup(void)
{
    unsetenv("ECL_GEMM");
    be = ecl_test_opencl_backend(&err);
}
static void teardown(void)
{
    if (be)
        be->ops->destroy(be);
}

TestSuite(opencl_gemm_select, .init = setup, .fini = teardown);

static void check(const gcase *gc, const char *what) { gemm_case_check(be, &err, gc, what); }
static const ecl_ocl_gemm_state *state(void) { return ((ecl_ocl_backend *)be)->gemm; }

static gcase batched(ecl_dtype t, int64_t m, int64_t n, int64_t k, double beta)
{
    gcase gc = gemm_plain(t, 0, 1, m, n, k, 1);
    gc.g.nbatch = 1, gc.g.batch_shape[0] = 4;
    gemm_contiguous(&gc);
    gc.beta = beta;
    gc.nan_c = beta == 0;
    return gc;
}

Test(opencl_gemm_select, auto_measures_each_shape_once)
{
    gcase a = batched(ECL_F32, 33, 20, 16, 0);
    check(&a, "first run of shape a");
    cr_assert_eq(state()->measurements, 1);
    cr_assert(state()->last_ms[0] > 0 && state()->last_ms[1] > 0, "clblast %g ms, own %g ms",
              state()->last_ms[0], state()->last_ms[1]);
    check(&a, "second run of shape a");
    cr_assert_eq(state()->measurements, 1, "shape a was timed again");
    gcase b = batched(ECL_F64, 33, 20, 16, 0);
    check(&b, "shape a in float64");
    cr_assert_eq(state()->measurements, 2);
    cr_assert_eq(state()->runs[0] + state()->runs[1], 3, "clblast %lld + own %lld runs",
                 (long long)state()->runs[0], (long long)state()->runs[1]);
}

/* beta != 0: the timing runs go to a scratch C, then the winner runs once on the real C. */
Test(opencl_gemm_select, measuring_keeps_beta_exact)
{
    for (int t = 0; t < 2; t++) {
        gcase gc = batched(t ? ECL_F64 : ECL_F32, 17, 70, 9, -0.5);
        gc.off[2] += 5; /* C not at the start of its buffer */
        check(&gc, "beta -0.5 while measuring");
    }
    cr_assert_eq(state()->measurements, 2);
}

/* C in A's buffer (disjoint elements), beta == 0: measured on scratch too. */
Test(opencl_gemm_select, measuring_with_c_in_a_buffer)
{
    const int64_t m = 6, n = 5, k = 7;
    void *buf, *bm;
    cr_assert_eq(be->ops->alloc(be, 4 * 200, &buf), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(be->ops->alloc(be, 4 * 64, &bm), ECL_SUCCESS, "%s", err.message);
    float host[200], hb[64], out[200];
    for (int i = 0; i < 200; i++)
        host[i] = (float)(i % 7) - 3;
    for (int i = 0; i < 64; i++)
        hb[i] = (float)(i % 5) - 2;
    host[100] = NAN;
    cr_assert_eq(be->ops->write(be, buf, 0, host, sizeof host), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(be->ops->write(be, bm, 0, hb, sizeof hb), ECL_SUCCESS, "%s", err.message);
    ecl_gemm_args g = {.m = m, .n = n, .k = k, .lda = k, .ldb = n, .ldc = n};
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, buf, 0, bm, 0, buf, 100, 2.0, 0.0), ECL_SUCCESS,
                 "%s", err.message);
    cr_assert_eq(be->ops->read(be, buf, 0, out, sizeof out), ECL_SUCCESS, "%s", err.message);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double want = 0;
            for (int64_t p = 0; p < k; p++)
                want += (double)host[i * k + p] * hb[p * n + j];
            cr_assert_float_eq(out[100 + i * n + j], 2 * want, 1e-4, "C[%lld][%lld]",
                               (long long)i, (long long)j);
        }
    cr_assert_eq(memcmp(out, host, 100 * sizeof(float)), 0, "A changed");
    cr_assert_eq(state()->measurements, 1);
    be->ops->free(be, buf);
    be->ops->free(be, bm);
}

static void forced(const char *mode, ecl_gemm_impl impl)
{
    setenv("ECL_GEMM", mode, 1);
    for (int i = 0; i < 3; i++) {
        gcase gc = batched(ECL_F32, 9 + i, 12, 10, i == 1 ? 0.25 : 0);
        check(&gc, mode);
    }
    cr_assert_eq(state()->measurements, 0, "ECL_GEMM=%s measured", mode);
    cr_assert_eq(state()->runs[impl], 3, "ECL_GEMM=%s", mode);
    cr_assert_eq(state()->runs[1 - impl], 0, "ECL_GEMM=%s ran the other implementation", mode);
}

Test(opencl_gemm_select, forced_clblast) { forced("clblast", ECL_IMPL_CLBLAST); }
Test(opencl_gemm_select, forced_own) { forced("own", ECL_IMPL_OWN); }

Test(opencl_gemm_select, unknown_mode_is_an_error)
{
    setenv("ECL_GEMM", "fastest", 1);
    gcase gc = batched(ECL_F32, 4, 4, 4, 0);
    void *x;
    cr_assert_eq(be->ops->alloc(be, 4096, &x), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &gc.g, x, 0, x, 0, x, 512, 1, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "ECL_GEMM=fastest: expected clblast, own, mma or auto"), "%s",
              err.message);
    be->ops->free(be, x);
}
