/*
 * ecl_measure_ceilings: the two rates a benchmark reads its figures against, measured on the
 * context's own device through its backend rather than taken from a datasheet. The GEMM rate is a
 * square row-major GEMM through the backend's gemm (OpenBLAS on the CPU, the OpenCL GEMM path on a
 * device), grown from 2048 until one run lasts long enough to time; the copy bandwidth is one
 * buffer copied into another by the device's own copy (memcpy over the CPU threads,
 * clEnqueueCopyBuffer), counted as bytes read plus bytes written. Each is the fastest of a few runs
 * after a warm-up: a ceiling is what the device can reach, and on a shared machine the slower runs
 * measure the neighbours.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context.h"

#define CEIL_RUNS 8
#define CEIL_WARMUP_SECONDS 0.25  /* thread pools started and caches settled before timing */
#define CEIL_MIN_RUN_SECONDS 0.05  /* a run this long is long enough to time and to reach peak */
#define CEIL_GEMM_MIN_N 2048
#define CEIL_GEMM_MAX_N 8192
#define CEIL_COPY_MIN_BYTES ((size_t)64 << 20)
#define CEIL_COPY_MAX_BYTES ((size_t)1 << 30)

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct ceil_job {
    ecl_backend *be;
    ecl_dtype dtype;
    int64_t n;       /* GEMM: n x n x n; 0 for the copy */
    size_t bytes;    /* copy: bytes per buffer */
    void *a, *b, *c;
} ceil_job;

static ecl_status run_job(const ceil_job *j)
{
    if (j->n == 0)
        return j->be->ops->copy_bytes(j->be, j->b, j->a, j->bytes);
    ecl_gemm_args g;
    memset(&g, 0, sizeof g);
    g.m = g.n = g.k = j->n;
    g.lda = g.ldb = g.ldc = j->n;
    return j->be->ops->gemm(j->be, j->dtype, &g, j->a, 0, j->b, 0, j->c, 0, 1.0, 0.0);
}

/* Fastest of CEIL_RUNS runs after warm-up runs lasting CEIL_WARMUP_SECONDS, in seconds. */
static ecl_status time_job(const ceil_job *j, double *best)
{
    double t[CEIL_RUNS];
    ecl_status st = ECL_SUCCESS;
    for (const double start = now_seconds();
         st == ECL_SUCCESS && now_seconds() - start < CEIL_WARMUP_SECONDS;) {
        st = run_job(j);
        if (st == ECL_SUCCESS)
            st = j->be->ops->finish(j->be);
    }
    for (int r = 0; r < CEIL_RUNS && st == ECL_SUCCESS; r++) {
        double start = now_seconds();
        st = run_job(j);
        if (st == ECL_SUCCESS)
            st = j->be->ops->finish(j->be);
        t[r] = now_seconds() - start;
    }
    if (st != ECL_SUCCESS)
        return st;
    qsort(t, CEIL_RUNS, sizeof t[0], compare_doubles);
    *best = t[0];
    return ECL_SUCCESS;
}

/* Allocates the job's buffers (zero-filled: a GEMM of zeros runs at full speed, and no garbage
 * can hold NaNs that slow some units), times it, frees them. */
static ecl_status measure(ceil_job *j, size_t bytes_a, size_t bytes_b, size_t bytes_c,
                          double *seconds)
{
    ecl_backend *be = j->be;
    j->a = j->b = j->c = NULL;
    ecl_status st = be->ops->alloc(be, bytes_a, &j->a);
    if (st == ECL_SUCCESS)
        st = be->ops->alloc(be, bytes_b, &j->b);
    if (st == ECL_SUCCESS && bytes_c)
        st = be->ops->alloc(be, bytes_c, &j->c);
    if (st == ECL_SUCCESS)
        st = be->ops->fill_zero(be, j->a, 0, bytes_a);
    if (st == ECL_SUCCESS)
        st = be->ops->fill_zero(be, j->b, 0, bytes_b);
    if (st == ECL_SUCCESS)
        st = time_job(j, seconds);
    if (j->c)
        be->ops->free(be, j->c);
    if (j->b)
        be->ops->free(be, j->b);
    if (j->a)
        be->ops->free(be, j->a);
    return st;
}

static ecl_status measure_gemm(ecl_backend *be, ecl_dtype dtype, ecl_ceilings *out)
{
    ceil_job j = {be, dtype, 0, 0, NULL, NULL, NULL};
    double seconds = 0.0;
    for (int64_t n = CEIL_GEMM_MIN_N; n <= CEIL_GEMM_MAX_N; n *= 2) {
        size_t bytes = (size_t)(n * n) * ecl_dtype_size(dtype);
        j.n = n;
        ecl_status st = measure(&j, bytes, bytes, bytes, &seconds);
        if (st != ECL_SUCCESS)
            return st;
        out->gemm_n = n;
        out->gemm_flops_per_s = seconds > 0 ? 2.0 * (double)n * (double)n * (double)n / seconds : 0;
        if (seconds >= CEIL_MIN_RUN_SECONDS)
            break;
    }
    return ECL_SUCCESS;
}

static ecl_status measure_copy(ecl_backend *be, ecl_dtype dtype, ecl_ceilings *out)
{
    ceil_job j = {be, dtype, 0, 0, NULL, NULL, NULL};
    double seconds = 0.0;
    for (size_t bytes = CEIL_COPY_MIN_BYTES; bytes <= CEIL_COPY_MAX_BYTES; bytes *= 2) {
        j.bytes = bytes;
        ecl_status st = measure(&j, bytes, bytes, 0, &seconds);
        if (st != ECL_SUCCESS)
            return st;
        out->copy_bytes = (int64_t)bytes;
        out->copy_bytes_per_s = seconds > 0 ? 2.0 * (double)bytes / seconds : 0;
        if (seconds >= CEIL_MIN_RUN_SECONDS)
            break;
    }
    return ECL_SUCCESS;
}

ecl_status ecl_measure_ceilings(ecl_context *ctx, ecl_dtype dtype, ecl_ceilings *out)
{
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error *err = ecl_context_error(ctx);
    ecl_error_clear(err);
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_measure_ceilings: out is NULL");
    memset(out, 0, sizeof *out);
    if (dtype != ECL_F32 && dtype != ECL_F64)
        return ecl_fail(err, ECL_ERROR_DTYPE, "ecl_measure_ceilings: unsupported dtype %d",
                        (int)dtype);
    ecl_status st = measure_gemm(ctx->backend, dtype, out);
    if (st == ECL_SUCCESS)
        st = measure_copy(ctx->backend, dtype, out);
    if (st != ECL_SUCCESS)
        memset(out, 0, sizeof *out);
    return st;
}
