/*
 * GEMM-shaped einsums against a direct cblas loop: for each case, ecl_plan_execute on the CPU
 * backend (plan and tensors created once, host memory wrapped so both sides read the same data) vs
 * cblas_sgemm/cblas_dgemm called once per batch element on the same inputs. Each side is timed in
 * two rounds of blocks, each after a warm-up of at least 0.25 s, so that one side's idle threads
 * do not spin into the other's timed runs; --alternate instead times single runs in turn, which
 * shows that interference. The medians are compared; the target is einsumcl <= 1.15x cblas.
 *
 * usage: bench_gemm_vs_cblas [--repeat N] [--dtype f32|f64] [--alternate] [--describe]
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "einsumcl.h"
#include "bench_timing.h"

#define TARGET_RATIO 1.15

typedef struct gemm_case {
    const char *name;
    const char *equation;
    int64_t batch, m, n, k;
    int b_transposed;          /* B stored as [batch][n][k] instead of [batch][k][n] */
    int ndim;                  /* of each operand */
    int64_t a_shape[4], b_shape[4];
} gemm_case;

static const gemm_case cases[] = {
    {"matmul_2048", "ik,kj->ij", 1, 2048, 2048, 2048, 0, 2, {2048, 2048}, {2048, 2048}},
    {"batched_matmul_64x256", "bij,bjk->bik", 64, 256, 256, 256, 0, 3, {64, 256, 256},
     {64, 256, 256}},
    {"batched_matmul_4096x16", "bij,bjk->bik", 4096, 16, 16, 16, 0, 3, {4096, 16, 16},
     {4096, 16, 16}},
    {"attention_scores", "bhqd,bhkd->bhqk", 128, 512, 512, 64, 1, 4, {8, 16, 512, 64},
     {8, 16, 512, 64}},
};

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_compare_doubles);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void fill_random(void *data, size_t count, ecl_dtype dtype, uint64_t state)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        double u = (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53 * 2.0 - 1.0;
        if (dtype == ECL_F32)
            ((float *)data)[i] = (float)u;
        else
            ((double *)data)[i] = u;
    }
}

/* C[b] = A[b] * op(B[b]) for every batch element, row-major, one cblas call each. */
static void cblas_loop(const gemm_case *c, ecl_dtype dtype, const void *a, const void *b, void *out)
{
    CBLAS_TRANSPOSE tb = c->b_transposed ? CblasTrans : CblasNoTrans;
    int m = (int)c->m, n = (int)c->n, k = (int)c->k, ldb = c->b_transposed ? k : n;
    for (int64_t i = 0; i < c->batch; i++) {
        if (dtype == ECL_F32)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, tb, m, n, k, 1.0f, (const float *)a + i * m * k,
                        k, (const float *)b + i * k * n, ldb, 0.0f, (float *)out + i * m * n, n);
        else
            cblas_dgemm(CblasRowMajor, CblasNoTrans, tb, m, n, k, 1.0, (const double *)a + i * m * k,
                        k, (const double *)b + i * k * n, ldb, 0.0, (double *)out + i * m * n, n);
    }
}

static double max_relative_difference(const void *x, const void *y, size_t count, ecl_dtype dtype)
{
    double worst = 0.0, scale = 0.0;
    for (size_t i = 0; i < count; i++) {
        double u = dtype == ECL_F32 ? ((const float *)x)[i] : ((const double *)x)[i];
        double v = dtype == ECL_F32 ? ((const float *)y)[i] : ((const double *)y)[i];
        worst = fmax(worst, fabs(u - v));
        scale = fmax(scale, fabs(v));
    }
    return scale > 0 ? worst / scale : worst;
}

typedef struct case_buffers {
    void *a, *b, *c_ecl, *c_blas;
    ecl_tensor *ta, *tb, *tc;
    ecl_plan *plan;
} case_buffers;

static void release(case_buffers *cb)
{
    ecl_plan_destroy(cb->plan);
    ecl_tensor_destroy(cb->ta);
    ecl_tensor_destroy(cb->tb);
    ecl_tensor_destroy(cb->tc);
    free(cb->a);
    free(cb->b);
    free(cb->c_ecl);
    free(cb->c_blas);
}

/* Allocates and fills the host data, plans the einsum and wraps the host buffers as tensors. */
static int prepare(ecl_context *ctx, const gemm_case *c, ecl_dtype dtype, case_buffers *cb)
{
    size_t es = ecl_dtype_size(dtype);
    size_t na = (size_t)(c->batch * c->m * c->k), nb = (size_t)(c->batch * c->k * c->n),
           nc = (size_t)(c->batch * c->m * c->n);
    cb->a = malloc(na * es), cb->b = malloc(nb * es);
    cb->c_ecl = malloc(nc * es), cb->c_blas = malloc(nc * es);
    if (!cb->a || !cb->b || !cb->c_ecl || !cb->c_blas) {
        fprintf(stderr, "%s: out of memory\n", c->name);
        return -1;
    }
    fill_random(cb->a, na, dtype, 1);
    fill_random(cb->b, nb, dtype, 2);
    ecl_tensor_desc descs[2] = {{dtype, c->ndim, c->a_shape, NULL}, {dtype, c->ndim, c->b_shape, NULL}};
    ecl_status st = ecl_plan_create(ctx, c->equation, 2, descs, NULL, &cb->plan);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_wrap_host(ctx, dtype, c->ndim, c->a_shape, NULL, cb->a, &cb->ta);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_wrap_host(ctx, dtype, c->ndim, c->b_shape, NULL, cb->b, &cb->tb);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_wrap_host(ctx, dtype, ecl_plan_output_ndim(cb->plan),
                                  ecl_plan_output_shape(cb->plan), NULL, cb->c_ecl, &cb->tc);
    if (st == ECL_SUCCESS && ecl_tensor_numel(cb->tc) != (int64_t)nc)
        st = ECL_ERROR_SHAPE;
    if (st != ECL_SUCCESS) {
        fprintf(stderr, "%s: %s: %s\n", c->name, ecl_status_string(st), ecl_context_last_error(ctx));
        return -1;
    }
    return 0;
}

static ecl_status run_ecl(ecl_context *ctx, const case_buffers *cb)
{
    const ecl_tensor *inputs[2] = {cb->ta, cb->tb};
    ecl_status st = ecl_plan_execute(cb->plan, inputs, cb->tc, 1.0, 0.0);
    return st == ECL_SUCCESS ? ecl_finish(ctx) : st;
}

/* A warm-up also lasts at least this long: idle threads of the other side's pool (OpenBLAS workers
 * spin for a while after a threaded call, OpenMP workers after a parallel region) stop competing. */
#define MIN_WARMUP_SECONDS 0.25

/* Times `count` runs of one side (einsumcl when blas == 0) after `warmup` untimed ones. */
static ecl_status time_block(ecl_context *ctx, const gemm_case *c, ecl_dtype dtype,
                             const case_buffers *cb, int blas, int warmup, int count, double *times)
{
    ecl_status st = ECL_SUCCESS;
    const double warm_start = bench_now_seconds();
    while (warmup > 0 && bench_now_seconds() - warm_start < MIN_WARMUP_SECONDS && st == ECL_SUCCESS) {
        if (blas)
            cblas_loop(c, dtype, cb->a, cb->b, cb->c_blas);
        else
            st = run_ecl(ctx, cb);
    }
    for (int i = -warmup; i < count && st == ECL_SUCCESS; i++) {
        double t0 = bench_now_seconds();
        if (blas)
            cblas_loop(c, dtype, cb->a, cb->b, cb->c_blas);
        else
            st = run_ecl(ctx, cb);
        if (i >= 0)
            times[i] = bench_now_seconds() - t0;
    }
    return st;
}

/* Times both sides (see timing_mode) and checks that their outputs agree. */
static int measure(ecl_context *ctx, const gemm_case *c, ecl_dtype dtype, const case_buffers *cb,
                   int repeat, int alternate, double *t_ecl, double *t_blas)
{
    ecl_status st = ECL_SUCCESS;
    if (alternate) { /* one run of each in turn */
        st = time_block(ctx, c, dtype, cb, 0, 2, 0, NULL);
        st = st ? st : time_block(ctx, c, dtype, cb, 1, 2, 0, NULL);
        for (int i = 0; i < repeat && st == ECL_SUCCESS; i++) {
            st = time_block(ctx, c, dtype, cb, 0, 0, 1, t_ecl + i);
            st = st ? st : time_block(ctx, c, dtype, cb, 1, 0, 1, t_blas + i);
        }
    } else { /* two rounds of blocks, each after 2 warm-up runs of its own */
        for (int round = 0, done = 0; round < 2 && st == ECL_SUCCESS; round++) {
            int count = round == 0 ? repeat / 2 : repeat - done;
            st = time_block(ctx, c, dtype, cb, 0, 2, count, t_ecl + done);
            st = st ? st : time_block(ctx, c, dtype, cb, 1, 2, count, t_blas + done);
            done += count;
        }
    }
    if (st != ECL_SUCCESS) {
        fprintf(stderr, "%s: execute: %s: %s\n", c->name, ecl_status_string(st),
                ecl_context_last_error(ctx));
        return -1;
    }
    double diff = max_relative_difference(cb->c_ecl, cb->c_blas,
                                          (size_t)(c->batch * c->m * c->n), dtype);
    if (diff > (dtype == ECL_F32 ? 1e-4 : 1e-12)) {
        fprintf(stderr, "%s: results differ from cblas (max relative difference %.3g)\n", c->name,
                diff);
        return -1;
    }
    return 0;
}

/* Timed runs per side: at least `repeat`, more for fast cases so that each side is timed for about
 * MIN_TIMED_SECONDS in all (a few-millisecond case is otherwise at the mercy of one noisy moment). */
#define MIN_TIMED_SECONDS 0.3
#define MAX_RUNS 2000

static int choose_runs(ecl_context *ctx, const case_buffers *cb, int repeat)
{
    double t0 = bench_now_seconds();
    if (run_ecl(ctx, cb) != ECL_SUCCESS)
        return repeat;
    double once = bench_now_seconds() - t0;
    if (once * repeat >= MIN_TIMED_SECONDS)
        return repeat;
    return once * MAX_RUNS <= MIN_TIMED_SECONDS ? MAX_RUNS : (int)(MIN_TIMED_SECONDS / once) + 1;
}

/* Runs one case; returns 0 with the medians in *ecl_s and *blas_s and the run count in *runs. */
static int run_case(ecl_context *ctx, const gemm_case *c, ecl_dtype dtype, int repeat,
                    int alternate, int describe, double *ecl_s, double *blas_s, int *runs)
{
    case_buffers cb = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    double *t_ecl = NULL, *t_blas = NULL;
    int rc = prepare(ctx, c, dtype, &cb);
    if (rc == 0 && describe)
        printf("%s plan:\n%s\n", c->name, ecl_plan_describe(cb.plan));
    if (rc == 0) {
        *runs = choose_runs(ctx, &cb, repeat);
        t_ecl = calloc((size_t)*runs, sizeof(double));
        t_blas = calloc((size_t)*runs, sizeof(double));
        rc = t_ecl && t_blas ? measure(ctx, c, dtype, &cb, *runs, alternate, t_ecl, t_blas) : -1;
    }
    if (rc == 0) {
        *ecl_s = median(t_ecl, *runs);
        *blas_s = median(t_blas, *runs);
    }
    free(t_ecl);
    free(t_blas);
    release(&cb);
    return rc;
}

int main(int argc, char **argv)
{
    int repeat = 10, describe = 0, alternate = 0;
    ecl_dtype dtype = ECL_F32;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0)
            repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--dtype") == 0 && i + 1 < argc && strcmp(argv[i + 1], "f64") == 0)
            dtype = ECL_F64, i++;
        else if (strcmp(argv[i], "--dtype") == 0 && i + 1 < argc && strcmp(argv[i + 1], "f32") == 0)
            dtype = ECL_F32, i++;
        else if (strcmp(argv[i], "--describe") == 0)
            describe = 1;
        else if (strcmp(argv[i], "--alternate") == 0)
            alternate = 1;
        else {
            fprintf(stderr, "usage: %s [--repeat N] [--dtype f32|f64] [--alternate] [--describe]\n",
                    argv[0]);
            return 2;
        }
    }
    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_CPU;
    ecl_context *ctx = NULL;
    if (ecl_context_create(&options, &ctx) != ECL_SUCCESS) {
        fprintf(stderr, "cannot create a CPU context: %s\n", ecl_last_create_error());
        return 1;
    }
    printf("device: %s, dtype %s, median of >= %d runs (%s)\n", ecl_context_device_name(ctx),
           ecl_dtype_name(dtype), repeat,
           alternate ? "one einsumcl run and one cblas run in turn, after a warm-up"
                     : "in two rounds of blocks, each after a warm-up of >= 0.25 s");
    printf("%-24s %-16s %5s %10s %10s %9s %10s %7s  %s\n", "case", "equation", "runs", "ecl ms",
           "cblas ms", "ecl GF/s", "cblas GF/s", "ratio", "target <= 1.15");
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const gemm_case *c = &cases[i];
        double ecl_s = 0, blas_s = 0, flops = 2.0 * (double)(c->batch * c->m * c->n * c->k);
        int runs = repeat;
        if (run_case(ctx, c, dtype, repeat, alternate, describe, &ecl_s, &blas_s, &runs) != 0) {
            failures++;
            continue;
        }
        double ratio = ecl_s / blas_s;
        printf("%-24s %-16s %5d %10.3f %10.3f %9.1f %10.1f %7.3f  %s\n", c->name, c->equation,
               runs, ecl_s * 1e3, blas_s * 1e3, flops / ecl_s * 1e-9, flops / blas_s * 1e-9, ratio,
               ratio <= TARGET_RATIO ? "met" : "MISSED");
        fflush(stdout);
    }
    ecl_context_destroy(ctx);
    return failures ? 1 : 0;
}
