/*
 * What `einsumcl bench` runs and how one run is measured: the built-in suite of einsum cases,
 * ad-hoc cases from the command line (shapes written like 8x16x64), and timing one case on a
 * context (plan once, random inputs, warm-up, then the median of timed executions).
 */
#ifndef ECL_CLI_BENCH_CASES_H
#define ECL_CLI_BENCH_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "einsumcl.h"

#define ECL_BENCH_MAX_INPUTS 8
#define ECL_BENCH_NAME_MAX 64
#define ECL_BENCH_EQUATION_MAX 256

typedef struct ecl_bench_case {
    char name[ECL_BENCH_NAME_MAX];
    char equation[ECL_BENCH_EQUATION_MAX];
    int num_inputs;
    int ndim[ECL_BENCH_MAX_INPUTS];
    int64_t shape[ECL_BENCH_MAX_INPUTS][ECL_MAX_DIMS];
} ecl_bench_case;

/* Number of cases in the built-in suite, and case i of it. */
size_t ecl_bench_suite_size(void);
void ecl_bench_suite_case(size_t index, ecl_bench_case *out);

/* Builds an ad-hoc case named "custom" from an equation and one shape argument per input
 * (shape_arg.h syntax without a dtype suffix: the dtype is chosen for the whole run). Returns 0 on
 * success, else writes a one-line reason into err. */
int ecl_bench_case_from_args(const char *equation, int num_shapes, char *const *shapes,
                             ecl_bench_case *out, char *err, size_t err_size);

/* Writes the case's input shapes as "2048x2048,2048x2048" ("scalar" for 0-d) into buf. */
void ecl_bench_format_shapes(const ecl_bench_case *bc, char *buf, size_t size);

typedef struct ecl_bench_result {
    double median_s;
    double min_s;
    double flops;      /* ecl_plan_flops */
    double bytes;      /* sum of input and output bytes */
    int out_ndim;
    int64_t out_shape[ECL_MAX_DIMS];
} ecl_bench_result;

/* Plans and times one case: random inputs in [-1, 1), `warmup` untimed runs (lasting at least
 * 0.25 s in all unless warmup is 0), then `repeat` timed runs (ecl_plan_execute + ecl_finish
 * each). On failure writes a one-line reason into err. */
ecl_status ecl_bench_run_case(ecl_context *ctx, const ecl_bench_case *bc, ecl_dtype dtype,
                              int warmup, int repeat, ecl_bench_result *result, char *err,
                              size_t err_size);

#endif /* ECL_CLI_BENCH_CASES_H */
