/*
 * Running one `einsumcl bench` case on a context: its tensors and plans (set up once from host
 * data), one execution of its work (an einsum, or the attention core: two einsums and a softmax,
 * all on the device), and the timing (warm-up, then the median of timed runs, each ending in
 * ecl_finish so asynchronous devices are timed to completion).
 */
#ifndef ECL_CLI_BENCH_RUN_H
#define ECL_CLI_BENCH_RUN_H

#include "bench_cases.h"

/* The case's inputs on the host, as float64 values that float32 represents exactly (uniform in
 * [-1, 1) from a fixed seed), so float32 and float64 runs see the same numbers. */
typedef struct ecl_bench_inputs {
    int count;
    double *data[ECL_BENCH_MAX_INPUTS];
    size_t numel[ECL_BENCH_MAX_INPUTS];
} ecl_bench_inputs;

int ecl_bench_inputs_make(const ecl_bench_case *bc, ecl_bench_inputs *in);
void ecl_bench_inputs_free(ecl_bench_inputs *in);

/* A case set up on one context: plans, input tensors, the output (and the attention scores). */
typedef struct ecl_bench_work {
    ecl_context *ctx;
    ecl_bench_kind kind;
    ecl_plan *plan[2];
    ecl_tensor *input[ECL_BENCH_MAX_INPUTS];
    int num_inputs;
    ecl_tensor *scores;  /* ATTENTION: S */
    ecl_tensor *output;
    double scale;        /* ATTENTION: 1 / sqrt(D) */
    double flops;        /* the plans' FLOPs (a multiply-add = 2) */
    ecl_compute compute; /* the plans' compute mode */
} ecl_bench_work;

/* Plans the case in dtype with the compute mode (ignored for float64, which plans exact) on ctx
 * and uploads the inputs. On failure frees what it made and
 * writes "<stage> failed: <reason>" into err. */
ecl_status ecl_bench_work_setup(ecl_context *ctx, const ecl_bench_case *bc, ecl_dtype dtype,
                                ecl_compute compute, const ecl_bench_inputs *in, ecl_bench_work *w, char *err,
                                size_t err_size);
ecl_status ecl_bench_work_run(ecl_bench_work *w);
void ecl_bench_work_free(ecl_bench_work *w);

typedef struct ecl_bench_timing {
    int runs;          /* timed runs taken */
    double median_s, min_s;
} ecl_bench_timing;

/* Times the work: at least `warmup` untimed runs lasting at least 0.25 s in all (unless warmup
 * is 0), then up to `repeat` timed runs, stopping early (after at least 3) once the timed runs
 * have taken max_seconds. */
ecl_status ecl_bench_time(ecl_bench_work *w, int warmup, int repeat, double max_seconds,
                          ecl_bench_timing *t);


#endif /* ECL_CLI_BENCH_RUN_H */
