/*
 * `einsumcl bench --check`: the CPU path's float64 result of a case, and its comparison with the
 * benchmarked output.
 */
#include "bench_check.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A safety factor over the sqrt(K) growth of a sum's rounding error (blocked and tree sums on
 * devices, and softmax's exponentials, add small constant factors). */
#define CHECK_FACTOR 32.0

const char *ecl_bench_check_name(ecl_bench_check_state state)
{
    switch (state) {
    case ECL_BENCH_CHECK_PASS:
        return "pass";
    case ECL_BENCH_CHECK_FAIL:
        return "FAIL";
    case ECL_BENCH_CHECK_SELF:
        return "reference";
    default:
        return "-";
    }
}

/* The output as float64 values (a new array), or NULL when out of memory or unreadable. */
static double *read_as_f64(const ecl_tensor *t, size_t *count)
{
    *count = (size_t)ecl_tensor_numel(t);
    size_t n = *count ? *count : 1;
    double *values = malloc(n * sizeof(double));
    if (values == NULL)
        return NULL;
    ecl_status st;
    const ecl_dtype dtype = ecl_tensor_dtype(t);
    if (dtype == ECL_F64) {
        st = ecl_tensor_read(t, values, *count * sizeof(double));
    } else if (dtype == ECL_F16 || dtype == ECL_BF16) {
        uint16_t *h = malloc(n * sizeof(uint16_t));
        st = h ? ecl_tensor_read(t, h, *count * sizeof(uint16_t)) : ECL_ERROR_OUT_OF_MEMORY;
        for (size_t i = 0; st == ECL_SUCCESS && i < *count; i++)
            values[i] = dtype == ECL_F16 ? ecl_f16_to_float(h[i]) : ecl_bf16_to_float(h[i]);
        free(h);
    } else {
        float *f = malloc(n * sizeof(float));
        st = f ? ecl_tensor_read(t, f, *count * sizeof(float)) : ECL_ERROR_OUT_OF_MEMORY;
        for (size_t i = 0; st == ECL_SUCCESS && i < *count; i++)
            values[i] = f[i];
        free(f);
    }
    if (st != ECL_SUCCESS) {
        free(values);
        return NULL;
    }
    return values;
}

static void compare(const double *out, const double *ref, size_t count, ecl_dtype dtype,
                    ecl_compute compute, double terms, ecl_bench_check *c)
{
    double max_ref = 0.0, max_diff = 0.0;
    int nan_mismatch = 0;
    for (size_t i = 0; i < count; i++) {
        if (isnan(out[i]) || isnan(ref[i])) {
            nan_mismatch |= isnan(out[i]) != isnan(ref[i]);
            continue;
        }
        max_ref = fmax(max_ref, fabs(ref[i]));
        max_diff = fmax(max_diff, fabs(out[i] - ref[i]));
    }
    /* Machine epsilon of the output, or of the compute mode's rounding when that is coarser. */
    const ecl_compute mode = compute;
    double eps = dtype == ECL_F32 ? FLT_EPSILON : dtype == ECL_F16 ? 0x1p-10 : dtype == ECL_BF16 ? 0x1p-7
                                                                                              : DBL_EPSILON;
    const double mode_eps = mode == ECL_COMPUTE_BF16 ? 0x1p-7 : mode != ECL_COMPUTE_DEFAULT ? 0x1p-10 : 0.0;
    if (dtype != ECL_F64 && mode_eps > eps)
        eps = mode_eps;
    c->tolerance = CHECK_FACTOR * eps * sqrt(terms > 1.0 ? terms : 1.0);
    c->error = nan_mismatch ? INFINITY : max_diff / (max_ref > DBL_MIN ? max_ref : 1.0);
    c->state = c->error <= c->tolerance ? ECL_BENCH_CHECK_PASS : ECL_BENCH_CHECK_FAIL;
}

ecl_status ecl_bench_check_output(ecl_context **cpu, const ecl_bench_case *bc,
                                  const ecl_bench_inputs *in, ecl_bench_work *w,
                                  ecl_bench_check *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    const ecl_dtype dtype = ecl_tensor_dtype(w->output);
    if (ecl_context_backend(w->ctx) == ECL_BACKEND_CPU && dtype == ECL_F64) {
        out->state = ECL_BENCH_CHECK_SELF;
        return ECL_SUCCESS;
    }
    ecl_status st = ECL_SUCCESS;
    if (*cpu == NULL) {
        ecl_context_options opts;
        ecl_context_options_init(&opts);
        opts.backend = ECL_BACKEND_CPU;
        if ((st = ecl_context_create(&opts, cpu)) != ECL_SUCCESS) {
            snprintf(err, err_size, "check: cannot create a CPU context: %s",
                     ecl_last_create_error());
            return st;
        }
    }
    ecl_bench_work ref;
    char why[512];
    if ((st = ecl_bench_work_setup(*cpu, bc, ECL_F64, ECL_COMPUTE_DEFAULT, in, &ref, why, sizeof why)) != ECL_SUCCESS) {
        snprintf(err, err_size, "check: %s", why);
        return st;
    }
    st = ecl_bench_work_run(&ref);
    size_t n_out = 0, n_ref = 0;
    double *got = st == ECL_SUCCESS ? read_as_f64(w->output, &n_out) : NULL;
    double *want = st == ECL_SUCCESS ? read_as_f64(ref.output, &n_ref) : NULL;
    if (st == ECL_SUCCESS && (got == NULL || want == NULL || n_out != n_ref))
        st = ECL_ERROR_OUT_OF_MEMORY;
    if (st == ECL_SUCCESS) {
        double terms = w->flops / (2.0 * (double)(n_out ? n_out : 1));
        compare(got, want, n_out, dtype, w->compute, terms, out);
    } else {
        const char *detail = ecl_context_last_error(*cpu);
        snprintf(err, err_size, "check: the CPU reference failed: %s%s%s", ecl_status_string(st),
                 detail[0] ? ": " : "", detail);
    }
    free(got);
    free(want);
    ecl_bench_work_free(&ref);
    return st;
}
