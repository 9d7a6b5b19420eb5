/*
 * One `einsumcl bench` case on a context: host inputs, setup (plans, tensors, uploads), one
 * execution of the work, and its timing.
 */
#include "bench_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_timing.h"

static size_t numel_of(int ndim, const int64_t *shape)
{
    size_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= (size_t)shape[d];
    return n;
}

int ecl_bench_inputs_make(const ecl_bench_case *bc, ecl_bench_inputs *in)
{
    int ndim[ECL_BENCH_MAX_INPUTS];
    const int64_t *shape[ECL_BENCH_MAX_INPUTS];
    memset(in, 0, sizeof *in);
    in->count = ecl_bench_operands(bc, ndim, shape);
    for (int i = 0; i < in->count; i++) {
        in->numel[i] = numel_of(ndim[i], shape[i]);
        in->data[i] = malloc((in->numel[i] ? in->numel[i] : 1) * sizeof(double));
        if (in->data[i] == NULL) {
            ecl_bench_inputs_free(in);
            return -1;
        }
        uint64_t state = 0x5EEDull + (uint64_t)i; /* splitmix64 */
        for (size_t e = 0; e < in->numel[i]; e++) {
            uint64_t z = (state += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            /* 24 random bits: exactly representable in float32 */
            in->data[i][e] = (double)((z ^ (z >> 31)) >> 40) * 0x1.0p-23 - 1.0;
        }
    }
    return 0;
}

void ecl_bench_inputs_free(ecl_bench_inputs *in)
{
    for (int i = 0; i < ECL_BENCH_MAX_INPUTS; i++)
        free(in->data[i]);
    memset(in, 0, sizeof *in);
}

/* A new tensor of the given shape holding values (converted to dtype). */
static ecl_status upload(ecl_context *ctx, ecl_dtype dtype, int ndim, const int64_t *shape,
                         const double *values, size_t count, ecl_tensor **out)
{
    ecl_status st = ecl_tensor_create(ctx, dtype, ndim, shape, out);
    if (st != ECL_SUCCESS || dtype == ECL_F64)
        return st != ECL_SUCCESS ? st : ecl_tensor_write(*out, values, count * sizeof(double));
    if (dtype == ECL_F16 || dtype == ECL_BF16) {
        uint16_t *bits = malloc((count ? count : 1) * sizeof(uint16_t));
        if (bits == NULL)
            return ECL_ERROR_OUT_OF_MEMORY;
        for (size_t e = 0; e < count; e++)
            bits[e] = dtype == ECL_F16 ? ecl_f16_from_float((float)values[e])
                                       : ecl_bf16_from_float((float)values[e]);
        st = ecl_tensor_write(*out, bits, count * sizeof(uint16_t));
        free(bits);
        return st;
    }
    float *host = malloc((count ? count : 1) * sizeof(float));
    if (host == NULL)
        return ECL_ERROR_OUT_OF_MEMORY;
    for (size_t e = 0; e < count; e++)
        host[e] = (float)values[e];
    st = ecl_tensor_write(*out, host, count * sizeof(float));
    free(host);
    return st;
}

static ecl_status plan_and_output(ecl_context *ctx, const char *equation, int n,
                                  const ecl_tensor *const *inputs, ecl_compute compute,
                                  ecl_plan **plan, ecl_tensor **output)
{
    ecl_tensor_desc descs[ECL_BENCH_MAX_INPUTS];
    for (int i = 0; i < n; i++)
        descs[i] = (ecl_tensor_desc){ecl_tensor_dtype(inputs[i]), ecl_tensor_ndim(inputs[i]),
                                     ecl_tensor_shape(inputs[i]), ecl_tensor_strides(inputs[i])};
    ecl_plan_options options;
    ecl_plan_options_init(&options);
    options.compute = compute;
    ecl_status st = ecl_plan_create(ctx, equation, n, descs, &options, plan);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_create(ctx, ecl_plan_output_dtype(*plan), ecl_plan_output_ndim(*plan),
                               ecl_plan_output_shape(*plan), output);
    return st;
}

ecl_status ecl_bench_work_setup(ecl_context *ctx, const ecl_bench_case *bc, ecl_dtype dtype,
                                ecl_compute compute, const ecl_bench_inputs *in, ecl_bench_work *w, char *err,
                                size_t err_size)
{
    memset(w, 0, sizeof *w);
    w->ctx = ctx;
    w->kind = bc->kind;
    w->compute = dtype == ECL_F64 ? ECL_COMPUTE_DEFAULT : compute;
    int ndim[ECL_BENCH_MAX_INPUTS];
    const int64_t *shape[ECL_BENCH_MAX_INPUTS];
    w->num_inputs = ecl_bench_operands(bc, ndim, shape);
    const char *stage = "creating inputs";
    ecl_status st = ECL_SUCCESS;
    for (int i = 0; i < w->num_inputs && st == ECL_SUCCESS; i++)
        st = upload(ctx, dtype, ndim[i], shape[i], in->data[i], in->numel[i], &w->input[i]);
    const ecl_tensor *const *inputs = (const ecl_tensor *const *)w->input;
    if (st == ECL_SUCCESS && bc->kind == ECL_BENCH_EINSUM) {
        stage = "planning";
        st = plan_and_output(ctx, bc->equation, w->num_inputs, inputs, w->compute, &w->plan[0],
                             &w->output);
    } else if (st == ECL_SUCCESS) {
        stage = "planning the attention scores";
        w->scale = 1.0 / sqrt((double)shape[0][3]);
        st = plan_and_output(ctx, ECL_BENCH_ATTENTION_SCORES, 2, inputs, w->compute, &w->plan[0],
                             &w->scores);
        if (st == ECL_SUCCESS) {
            stage = "planning the attention values";
            const ecl_tensor *sv[2] = {w->scores, w->input[2]};
            st = plan_and_output(ctx, ECL_BENCH_ATTENTION_VALUES, 2, sv, w->compute, &w->plan[1],
                                 &w->output);
        }
    }
    for (int p = 0; p < 2 && st == ECL_SUCCESS; p++)
        w->flops += w->plan[p] ? ecl_plan_flops(w->plan[p]) : 0.0;
    if (st != ECL_SUCCESS) {
        const char *detail = ecl_context_last_error(ctx);
        snprintf(err, err_size, "%s '%s' failed: %s%s%s", stage, bc->equation,
                 ecl_status_string(st), detail[0] ? ": " : "", detail);
        ecl_bench_work_free(w);
    }
    return st;
}

ecl_status ecl_bench_work_run(ecl_bench_work *w)
{
    const ecl_tensor *const *inputs = (const ecl_tensor *const *)w->input;
    if (w->kind == ECL_BENCH_EINSUM)
        return ecl_plan_execute(w->plan[0], inputs, w->output, 1.0, 0.0);
    ecl_status st = ecl_plan_execute(w->plan[0], inputs, w->scores, w->scale, 0.0);
    if (st == ECL_SUCCESS)
        st = ecl_softmax(w->ctx, w->scores, 1.0, NULL);
    const ecl_tensor *sv[2] = {w->scores, w->input[2]};
    return st == ECL_SUCCESS ? ecl_plan_execute(w->plan[1], sv, w->output, 1.0, 0.0) : st;
}

void ecl_bench_work_free(ecl_bench_work *w)
{
    ecl_tensor_destroy(w->output);
    ecl_tensor_destroy(w->scores);
    for (int i = 0; i < ECL_BENCH_MAX_INPUTS; i++)
        ecl_tensor_destroy(w->input[i]);
    ecl_plan_destroy(w->plan[0]);
    ecl_plan_destroy(w->plan[1]);
    memset(w, 0, sizeof *w);
}

static ecl_status run_once(ecl_bench_work *w)
{
    ecl_status st = ecl_bench_work_run(w);
    return st == ECL_SUCCESS ? ecl_finish(w->ctx) : st;
}

/* Warm-up lasts at least `warmup` runs and, when there is one, this long: thread pools (OpenBLAS's
 * workers spin for a while after a threaded call) and caches settle into the state that repeated
 * calls see, so a fast case timed right after a slow one is not measured against its leftovers. */
#define MIN_WARMUP_SECONDS 0.25
#define MAX_WARMUP_RUNS 10000
#define MIN_TIMED_RUNS 3

ecl_status ecl_bench_time(ecl_bench_work *w, int warmup, int repeat, double max_seconds,
                          ecl_bench_timing *t)
{
    memset(t, 0, sizeof *t);
    double *times = malloc((size_t)repeat * sizeof *times);
    if (times == NULL)
        return ECL_ERROR_OUT_OF_MEMORY;
    ecl_status st = ECL_SUCCESS;
    const double warm_start = bench_now_seconds();
    for (int i = 0; st == ECL_SUCCESS && (i < warmup || (warmup > 0 && i < MAX_WARMUP_RUNS &&
                                                          bench_now_seconds() - warm_start <
                                                              MIN_WARMUP_SECONDS));
         i++)
        st = run_once(w);
    double spent = 0.0;
    int runs = 0;
    while (runs < repeat && st == ECL_SUCCESS &&
           (runs < MIN_TIMED_RUNS || max_seconds <= 0 || spent < max_seconds)) {
        double start = bench_now_seconds();
        st = run_once(w);
        times[runs] = bench_now_seconds() - start;
        spent += times[runs++];
    }
    if (st == ECL_SUCCESS) {
        qsort(times, (size_t)runs, sizeof *times, bench_compare_doubles);
        t->runs = runs;
        t->min_s = times[0];
        t->median_s = runs % 2 ? times[runs / 2] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
    }
    free(times);
    return st;
}
