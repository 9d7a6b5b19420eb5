/*
 * The `einsumcl bench` cases and their measurement: the built-in suite (GEMM-shaped einsums plus
 * the degenerate primitives: transpose, diagonal, full reduction, outer product, batched dot, and
 * a contraction that needs a permute), ad-hoc cases from the command line, and the timing of one case
 * (plan once, inputs once, warm-up, median of timed ecl_plan_execute + ecl_finish runs).
 */
#include "bench_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shape_arg.h"

typedef struct suite_entry {
    const char *name;
    const char *equation;
    const char *shapes[3];
} suite_entry;

static const suite_entry suite[] = {
    {"matmul_2048", "ik,kj->ij", {"2048x2048", "2048x2048", NULL}},
    {"batched_matmul_64x256", "bij,bjk->bik", {"64x256x256", "64x256x256", NULL}},
    {"batched_matmul_4096x16", "bij,bjk->bik", {"4096x16x16", "4096x16x16", NULL}},
    {"attention_scores", "bhqd,bhkd->bhqk", {"8x16x512x64", "8x16x512x64", NULL}},
    {"transpose_4096", "ij->ji", {"4096x4096", NULL, NULL}},
    {"diagonal_4096", "ii->i", {"4096x4096", NULL, NULL}},
    {"sum_all_256", "ijk->", {"256x256x256", NULL, NULL}},
    {"outer_4096", "i,j->ij", {"4096", "4096", NULL}},
    {"batched_dot_64x512", "bij,bij->bi", {"64x512x512", "64x512x512", NULL}},
    {"contract_abcd_dcbe", "abcd,dcbe->ae", {"64x32x32x32", "32x32x32x64", NULL}},
};

size_t ecl_bench_suite_size(void) { return sizeof suite / sizeof suite[0]; }

void ecl_bench_suite_case(size_t index, ecl_bench_case *out)
{
    const suite_entry *e = &suite[index];
    int n = 0;
    while (n < 3 && e->shapes[n] != NULL)
        n++;
    char err[128];
    /* The table is constant and valid; a failure here is a programming error caught by the tests. */
    if (ecl_bench_case_from_args(e->equation, n, (char *const *)e->shapes, out, err, sizeof err) != 0)
        out->num_inputs = 0;
    snprintf(out->name, sizeof out->name, "%s", e->name);
}

int ecl_bench_case_from_args(const char *equation, int num_shapes, char *const *shapes,
                             ecl_bench_case *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "custom");
    if (strlen(equation) >= sizeof out->equation) {
        snprintf(err, err_size, "equation longer than %zu characters", sizeof out->equation - 1);
        return -1;
    }
    snprintf(out->equation, sizeof out->equation, "%s", equation);
    if (num_shapes < 1 || num_shapes > ECL_BENCH_MAX_INPUTS) {
        snprintf(err, err_size, "need 1 to %d operand shapes, got %d", ECL_BENCH_MAX_INPUTS,
                 num_shapes);
        return -1;
    }
    out->num_inputs = num_shapes;
    for (int i = 0; i < num_shapes; i++) {
        ecl_cli_shape parsed;
        char why[128];
        if (ecl_cli_parse_shape(shapes[i], &parsed, why, sizeof why) != 0 || strchr(shapes[i], ':')) {
            snprintf(err, err_size, "bad shape '%s' of operand %d: %s", shapes[i], i,
                     strchr(shapes[i], ':') ? "no dtype suffix here (use --dtype)" : why);
            return -1;
        }
        out->ndim[i] = parsed.ndim;
        memcpy(out->shape[i], parsed.dims, (size_t)parsed.ndim * sizeof(int64_t));
    }
    return 0;
}

static void format_shape(int ndim, const int64_t *shape, char *buf, size_t size)
{
    if (ndim == 0) {
        snprintf(buf, size, "scalar");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int d = 0; d < ndim && used < size; d++) {
        int n = snprintf(buf + used, size - used, d ? "x%lld" : "%lld", (long long)shape[d]);
        if (n < 0)
            return;
        used += (size_t)n;
    }
}

void ecl_bench_format_shapes(const ecl_bench_case *bc, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < bc->num_inputs && used + 1 < size; i++) {
        if (i)
            buf[used++] = ',', buf[used] = '\0';
        format_shape(bc->ndim[i], bc->shape[i], buf + used, size - used);
        used += strlen(buf + used);
    }
}

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

/* Fills a new tensor of the given shape with uniform values in [-1, 1) from a splitmix64 stream. */
static ecl_status create_random_tensor(ecl_context *ctx, ecl_dtype dtype, int ndim,
                                       const int64_t *shape, uint64_t seed, ecl_tensor **out)
{
    ecl_status st = ecl_tensor_create(ctx, dtype, ndim, shape, out);
    if (st != ECL_SUCCESS)
        return st;
    size_t count = (size_t)ecl_tensor_numel(*out), bytes;
    if (__builtin_mul_overflow(count, ecl_dtype_size(dtype), &bytes))
        return ECL_ERROR_OVERFLOW;
    void *host = malloc(bytes ? bytes : 1);
    if (host == NULL)
        return ECL_ERROR_OUT_OF_MEMORY;
    uint64_t state = seed;
    for (size_t i = 0; i < count; i++) {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        double u = (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53 * 2.0 - 1.0;
        if (dtype == ECL_F32)
            ((float *)host)[i] = (float)u;
        else
            ((double *)host)[i] = u;
    }
    st = ecl_tensor_write(*out, host, bytes);
    free(host);
    return st;
}

static ecl_status run_once(ecl_context *ctx, ecl_plan *plan, const ecl_tensor *const *inputs,
                           ecl_tensor *output)
{
    ecl_status st = ecl_plan_execute(plan, inputs, output, 1.0, 0.0);
    return st == ECL_SUCCESS ? ecl_finish(ctx) : st;
}

/* Warm-up lasts at least `warmup` runs and, when there is one, this long: thread pools (OpenBLAS's
 * workers spin for a while after a threaded call) and caches settle into the state that repeated
 * calls see, so a fast case timed right after a slow one is not measured against its leftovers. */
#define MIN_WARMUP_SECONDS 0.25
#define MAX_WARMUP_RUNS 10000

/* Times `repeat` runs after the warm-up; fills median_s and min_s. */
static ecl_status time_runs(ecl_context *ctx, ecl_plan *plan, const ecl_tensor *const *inputs,
                            ecl_tensor *output, int warmup, int repeat, ecl_bench_result *result)
{
    double *times = malloc((size_t)repeat * sizeof *times);
    if (times == NULL)
        return ECL_ERROR_OUT_OF_MEMORY;
    ecl_status st = ECL_SUCCESS;
    const double warm_start = now_seconds();
    for (int i = 0; st == ECL_SUCCESS && (i < warmup || (warmup > 0 && i < MAX_WARMUP_RUNS &&
                                                          now_seconds() - warm_start <
                                                              MIN_WARMUP_SECONDS));
         i++)
        st = run_once(ctx, plan, inputs, output);
    for (int i = 0; i < repeat && st == ECL_SUCCESS; i++) {
        double start = now_seconds();
        st = run_once(ctx, plan, inputs, output);
        times[i] = now_seconds() - start;
    }
    if (st == ECL_SUCCESS) {
        qsort(times, (size_t)repeat, sizeof *times, compare_doubles);
        result->min_s = times[0];
        result->median_s = repeat % 2 ? times[repeat / 2]
                                      : 0.5 * (times[repeat / 2 - 1] + times[repeat / 2]);
    }
    free(times);
    return st;
}

ecl_status ecl_bench_run_case(ecl_context *ctx, const ecl_bench_case *bc, ecl_dtype dtype,
                              int warmup, int repeat, ecl_bench_result *result, char *err,
                              size_t err_size)
{
    memset(result, 0, sizeof *result);
    ecl_tensor_desc descs[ECL_BENCH_MAX_INPUTS];
    ecl_tensor *inputs[ECL_BENCH_MAX_INPUTS] = {NULL};
    ecl_tensor *output = NULL;
    ecl_plan *plan = NULL;
    const char *stage = "planning";
    for (int i = 0; i < bc->num_inputs; i++)
        descs[i] = (ecl_tensor_desc){dtype, bc->ndim[i], bc->shape[i], NULL};

    ecl_status st = ecl_plan_create(ctx, bc->equation, bc->num_inputs, descs, NULL, &plan);
    double elem = (double)ecl_dtype_size(dtype);
    for (int i = 0; i < bc->num_inputs && st == ECL_SUCCESS; i++) {
        stage = "creating inputs";
        st = create_random_tensor(ctx, dtype, bc->ndim[i], bc->shape[i], 0x5EEDull + (uint64_t)i,
                                  &inputs[i]);
        if (st == ECL_SUCCESS)
            result->bytes += elem * (double)ecl_tensor_numel(inputs[i]);
    }
    if (st == ECL_SUCCESS) {
        stage = "creating the output";
        result->out_ndim = ecl_plan_output_ndim(plan);
        memcpy(result->out_shape, ecl_plan_output_shape(plan),
               (size_t)result->out_ndim * sizeof(int64_t));
        result->flops = ecl_plan_flops(plan);
        st = ecl_tensor_create(ctx, ecl_plan_output_dtype(plan), result->out_ndim,
                               result->out_shape, &output);
    }
    if (st == ECL_SUCCESS) {
        stage = "executing";
        result->bytes += (double)ecl_dtype_size(ecl_plan_output_dtype(plan)) *
                         (double)ecl_tensor_numel(output);
        st = time_runs(ctx, plan, (const ecl_tensor *const *)inputs, output, warmup, repeat,
                       result);
    }
    if (st != ECL_SUCCESS) {
        const char *detail = ecl_context_last_error(ctx);
        snprintf(err, err_size, "%s '%s' failed: %s%s%s", stage, bc->equation,
                 ecl_status_string(st), detail[0] ? ": " : "", detail);
    }
    ecl_tensor_destroy(output);
    for (int i = 0; i < bc->num_inputs; i++)
        ecl_tensor_destroy(inputs[i]);
    ecl_plan_destroy(plan);
    return st;
}
