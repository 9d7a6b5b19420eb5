/*
 * The benchmark's cases and machinery (src/cli/bench_*.c, bench/suites.def): the table is valid and
 * plans at full size; every case, shrunk, computes what the independent reference einsum (or, for
 * the attention core, plain loops) computes, on the CPU path and on OpenCL; the minimum-bytes
 * count; and the --check comparison, which must pass correct results and fail wrong ones.
 */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "bench_check.h"
#include "reference.h"

/* The same small size for equal sizes, so labels that must agree still agree; 1 stays 1. */
static int64_t shrink(int64_t size) { return size <= 1 ? size : 2 + size % 5; }

static void shrunk_case(size_t index, ecl_bench_case *c)
{
    ecl_bench_suite_case(index, c);
    for (int i = 0; i < c->num_inputs; i++)
        for (int d = 0; d < c->ndim[i]; d++)
            c->shape[i][d] = shrink(c->shape[i][d]);
}

static ecl_context *cpu_context(void) { return ecl_test_context(ECL_BACKEND_CPU); }

Test(bench_suites, table_is_valid_and_plans_at_full_size)
{
    ecl_context *ctx = cpu_context();
    size_t n = ecl_bench_suite_size();
    cr_assert_gt(n, 20);
    int per_suite[5] = {0};
    const char *suites[5] = {"attention", "gemm", "contraction", "network", "memory"};
    for (size_t i = 0; i < n; i++) {
        ecl_bench_case c;
        ecl_bench_suite_case(i, &c);
        cr_assert_gt(c.num_inputs, 0, "case %zu (%s) has unparsable shapes", i, c.name);
        cr_assert(ecl_bench_is_suite(c.suite), "case %s: unknown suite %s", c.name, c.suite);
        for (int s = 0; s < 5; s++)
            per_suite[s] += strcmp(c.suite, suites[s]) == 0;
        for (size_t j = 0; j < i; j++) {
            ecl_bench_case other;
            ecl_bench_suite_case(j, &other);
            cr_assert_str_neq(c.name, other.name, "two cases are named %s", c.name);
        }
        int ndim[ECL_BENCH_MAX_INPUTS];
        const int64_t *shape[ECL_BENCH_MAX_INPUTS];
        int ops = ecl_bench_operands(&c, ndim, shape);
        ecl_tensor_desc d[ECL_BENCH_MAX_INPUTS];
        for (int k = 0; k < ops; k++)
            d[k] = (ecl_tensor_desc){ECL_F32, ndim[k], shape[k], NULL};
        ecl_plan *plan = NULL;
        const char *eq = c.kind == ECL_BENCH_ATTENTION ? ECL_BENCH_ATTENTION_SCORES : c.equation;
        cr_assert_eq(ecl_plan_create(ctx, eq, c.kind == ECL_BENCH_ATTENTION ? 2 : ops, d, NULL,
                                     &plan),
                     ECL_SUCCESS, "case %s does not plan: %s", c.name, ecl_context_last_error(ctx));
        cr_assert_gt(ecl_plan_peak_bytes(plan), 0);
        ecl_plan_destroy(plan);
    }
    for (int s = 0; s < 5; s++)
        cr_assert_geq(per_suite[s], 4, "suite %s has only %d cases", suites[s], per_suite[s]);
    ecl_context_destroy(ctx);
}

/* The attention core by plain loops in long double: O = softmax(q k^T / sqrt(D)) v per (b, h). */
static void attention_reference(const ecl_bench_case *c, const ecl_bench_inputs *in, double *o)
{
    const int64_t B = c->shape[0][0], N = c->shape[0][1], H = c->shape[0][2], D = c->shape[0][3];
    const double *q = in->data[0], *k = in->data[1], *v = in->data[2];
    long double *p = malloc((size_t)N * sizeof *p);
    cr_assert_not_null(p);
#define AT(x, b, n, h, d) (x)[(((b) * N + (n)) * H + (h)) * D + (d)]
    for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < H; h++)
            for (int64_t i = 0; i < N; i++) {
                long double max = -INFINITY, sum = 0;
                for (int64_t j = 0; j < N; j++) {
                    long double s = 0;
                    for (int64_t d = 0; d < D; d++)
                        s += (long double)AT(q, b, i, h, d) * AT(k, b, j, h, d);
                    p[j] = s / sqrtl((long double)D);
                    max = p[j] > max ? p[j] : max;
                }
                for (int64_t j = 0; j < N; j++)
                    sum += p[j] = expl(p[j] - max);
                for (int64_t d = 0; d < D; d++) {
                    long double acc = 0;
                    for (int64_t j = 0; j < N; j++)
                        acc += p[j] / sum * AT(v, b, j, h, d);
                    AT(o, b, i, h, d) = (double)acc;
                }
            }
#undef AT
    free(p);
}

static double *read_output(const ecl_tensor *t)
{
    size_t n = (size_t)ecl_tensor_numel(t);
    double *values = malloc((n ? n : 1) * sizeof(double));
    cr_assert_not_null(values);
    if (ecl_tensor_dtype(t) == ECL_F64) {
        cr_assert_eq(ecl_tensor_read(t, values, n * sizeof(double)), ECL_SUCCESS);
        return values;
    }
    float *f = malloc((n ? n : 1) * sizeof(float));
    cr_assert_not_null(f);
    cr_assert_eq(ecl_tensor_read(t, f, n * sizeof(float)), ECL_SUCCESS);
    for (size_t i = 0; i < n; i++)
        values[i] = f[i];
    free(f);
    return values;
}

/* Runs case c in dtype on ctx and compares with the reference. */
static void check_case(ecl_context *ctx, const ecl_bench_case *c, ecl_dtype dtype)
{
    ecl_bench_inputs in;
    cr_assert_eq(ecl_bench_inputs_make(c, &in), 0);
    ecl_bench_work w;
    char err[1024];
    cr_assert_eq(ecl_bench_work_setup(ctx, c, dtype, ECL_COMPUTE_DEFAULT, &in, &w, err, sizeof err), ECL_SUCCESS,
                 "%s: %s", c->name, err);
    cr_assert_eq(ecl_bench_work_run(&w), ECL_SUCCESS, "%s: %s", c->name,
                 ecl_context_last_error(ctx));
    double *got = read_output(w.output);
    size_t n = (size_t)ecl_tensor_numel(w.output);
    const double eps = dtype == ECL_F32 ? FLT_EPSILON : DBL_EPSILON;
    if (c->kind == ECL_BENCH_ATTENTION) {
        double *want = malloc(n * sizeof(double));
        cr_assert_not_null(want);
        attention_reference(c, &in, want);
        const double tol = 64 * eps * (double)(c->shape[0][1] + c->shape[0][3]);
        for (size_t i = 0; i < n; i++)
            cr_assert(fabs(got[i] - want[i]) <= tol, "%s %s element %zu: %.9g, reference %.9g",
                      c->name, ecl_dtype_name(dtype), i, got[i], want[i]);
        free(want);
    } else {
        ecl_ref_operand ops[ECL_BENCH_MAX_INPUTS];
        for (int i = 0; i < c->num_inputs; i++)
            ops[i] = (ecl_ref_operand){ECL_F64, c->ndim[i], c->shape[i], NULL, in.data[i]};
        ecl_ref_result ref;
        cr_assert_eq(ecl_ref_einsum(c->equation, c->num_inputs, ops, &ref), 0, "%s: %s", c->name,
                     ref.error);
        cr_assert_eq((size_t)ref.numel, n, "%s: %zu elements, reference %lld", c->name, n,
                     (long long)ref.numel);
        for (size_t i = 0; i < n; i++) {
            double tol = 4 * eps * (double)(ref.terms + 2) * (double)ref.abs_sum[i] + 1e-300;
            cr_assert(fabs(got[i] - (double)ref.value[i]) <= tol,
                      "%s %s element %zu: %.9g, reference %.9Lg", c->name, ecl_dtype_name(dtype),
                      i, got[i], ref.value[i]);
        }
        ecl_ref_result_free(&ref);
    }
    free(got);
    ecl_bench_work_free(&w);
    ecl_bench_inputs_free(&in);
}

static void every_case_shrunk(ecl_backend_kind kind)
{
    ecl_context *ctx = ecl_test_context(kind);
    for (size_t i = 0; i < ecl_bench_suite_size(); i++) {
        ecl_bench_case c;
        shrunk_case(i, &c);
        check_case(ctx, &c, ECL_F32);
        check_case(ctx, &c, ECL_F64);
    }
    ecl_context_destroy(ctx);
}

Test(bench_suites, every_case_shrunk_matches_reference_cpu) { every_case_shrunk(ECL_BACKEND_CPU); }
Test(bench_suites, every_case_shrunk_matches_reference_opencl)
{
    every_case_shrunk(ECL_BACKEND_OPENCL);
}

static double min_elements(const char *equation, int n, char *const *shapes)
{
    ecl_bench_case c;
    char err[256];
    cr_assert_eq(ecl_bench_case_from_args(equation, n, shapes, &c, err, sizeof err), 0, "%s", err);
    ecl_context *ctx = cpu_context();
    ecl_bench_inputs in;
    ecl_bench_work w;
    cr_assert_eq(ecl_bench_inputs_make(&c, &in), 0);
    cr_assert_eq(ecl_bench_work_setup(ctx, &c, ECL_F32, ECL_COMPUTE_DEFAULT, &in, &w, err, sizeof err), ECL_SUCCESS,
                 "%s", err);
    double out = (double)ecl_tensor_numel(w.output);
    ecl_bench_work_free(&w);
    ecl_bench_inputs_free(&in);
    ecl_context_destroy(ctx);
    return ecl_bench_min_elements(&c, out);
}

Test(bench_suites, minimum_bytes_count_each_distinct_element_once)
{
    cr_assert_float_eq(min_elements("ij,jk->ik", 2, (char *[]){"2x3", "3x4"}), 6 + 12 + 8, 0);
    cr_assert_float_eq(min_elements("ii->i", 1, (char *[]){"40x40"}), 40 + 40, 0);
    cr_assert_float_eq(min_elements("bii->bi", 1, (char *[]){"5x6x6"}), 30 + 30, 0);
    cr_assert_float_eq(min_elements("...ii->...i", 1, (char *[]){"2x5x3x3"}), 30 + 30, 0);
    cr_assert_float_eq(min_elements("i,j", 2, (char *[]){"3", "4"}), 3 + 4 + 12, 0);
    cr_assert_float_eq(min_elements("a...,a->...", 2, (char *[]){"3x2x2", "3"}), 12 + 3 + 4, 0);
    ecl_bench_case att;
    ecl_bench_suite_case(0, &att);
    for (size_t i = 0; i < ecl_bench_suite_size() && att.kind != ECL_BENCH_ATTENTION; i++)
        ecl_bench_suite_case(i, &att);
    cr_assert_eq(att.kind, ECL_BENCH_ATTENTION);
    double qkv = (double)(att.shape[0][0] * att.shape[0][1] * att.shape[0][2] * att.shape[0][3]);
    cr_assert_float_eq(ecl_bench_min_elements(&att, qkv), 4 * qkv, 0);
}

/* --check passes a correct result, fails one with a single wrong element, and names itself the
 * reference for a CPU float64 run. */
static void check_detects(ecl_backend_kind kind)
{
    ecl_context *ctx = ecl_test_context(kind), *cpu = NULL;
    ecl_bench_case c;
    char err[1024];
    cr_assert_eq(ecl_bench_case_from_args("ik,kj->ij", 2, (char *[]){"33x70", "70x21"}, &c, err,
                                          sizeof err), 0);
    ecl_bench_inputs in;
    cr_assert_eq(ecl_bench_inputs_make(&c, &in), 0);
    ecl_bench_work w;
    cr_assert_eq(ecl_bench_work_setup(ctx, &c, ECL_F32, ECL_COMPUTE_DEFAULT, &in, &w, err, sizeof err), ECL_SUCCESS);
    cr_assert_eq(ecl_bench_work_run(&w), ECL_SUCCESS);
    ecl_bench_check check;
    cr_assert_eq(ecl_bench_check_output(&cpu, &c, &in, &w, &check, err, sizeof err), ECL_SUCCESS,
                 "%s", err);
    cr_assert_eq(check.state, ECL_BENCH_CHECK_PASS, "error %g, tolerance %g", check.error,
                 check.tolerance);
    cr_assert_gt(check.tolerance, 0);

    float out[33 * 21];
    cr_assert_eq(ecl_tensor_read(w.output, out, sizeof out), ECL_SUCCESS);
    out[17] += 1e-2f * (1.0f + fabsf(out[17]));
    cr_assert_eq(ecl_tensor_write(w.output, out, sizeof out), ECL_SUCCESS);
    cr_assert_eq(ecl_bench_check_output(&cpu, &c, &in, &w, &check, err, sizeof err), ECL_SUCCESS);
    cr_assert_eq(check.state, ECL_BENCH_CHECK_FAIL, "a wrong element passed: error %g, tol %g",
                 check.error, check.tolerance);
    out[17] = NAN;
    cr_assert_eq(ecl_tensor_write(w.output, out, sizeof out), ECL_SUCCESS);
    cr_assert_eq(ecl_bench_check_output(&cpu, &c, &in, &w, &check, err, sizeof err), ECL_SUCCESS);
    cr_assert_eq(check.state, ECL_BENCH_CHECK_FAIL, "a NaN passed");
    ecl_bench_work_free(&w);

    cr_assert_eq(ecl_bench_work_setup(ctx, &c, ECL_F64, ECL_COMPUTE_DEFAULT, &in, &w, err, sizeof err), ECL_SUCCESS);
    cr_assert_eq(ecl_bench_work_run(&w), ECL_SUCCESS);
    cr_assert_eq(ecl_bench_check_output(&cpu, &c, &in, &w, &check, err, sizeof err), ECL_SUCCESS);
    cr_assert_eq(check.state,
                 kind == ECL_BACKEND_CPU ? ECL_BENCH_CHECK_SELF : ECL_BENCH_CHECK_PASS);
    ecl_bench_work_free(&w);
    ecl_bench_inputs_free(&in);
    ecl_context_destroy(cpu);
    ecl_context_destroy(ctx);
}

Test(bench_suites, check_passes_right_and_fails_wrong_cpu) { check_detects(ECL_BACKEND_CPU); }
Test(bench_suites, check_passes_right_and_fails_wrong_opencl) { check_detects(ECL_BACKEND_OPENCL); }

Test(bench_suites, ceilings_are_measured)
{
    /* A 2048^3 GEMM timed nine times takes minutes under valgrind; the plain and ASan runs cover it. */
    if (getenv("ECL_UNDER_VALGRIND") != NULL)
        cr_skip_test("ecl_measure_ceilings is not run under valgrind (ECL_UNDER_VALGRIND is set)");
    ecl_context *ctx = cpu_context();
    ecl_ceilings c;
    cr_assert_eq(ecl_measure_ceilings(ctx, ECL_F64, &c), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_assert_gt(c.gemm_flops_per_s, 1e8);
    cr_assert_geq(c.gemm_n, 2048);
    cr_assert_gt(c.copy_bytes_per_s, 1e8);
    cr_assert_geq(c.copy_bytes, (int64_t)64 << 20);
    cr_assert_eq(ecl_measure_ceilings(ctx, (ecl_dtype)99, &c), ECL_ERROR_DTYPE);
    cr_assert_eq(c.gemm_flops_per_s, 0);
    cr_assert_eq(ecl_measure_ceilings(ctx, ECL_F32, NULL), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(ecl_measure_ceilings(NULL, ECL_F32, &c), ECL_ERROR_INVALID_ARGUMENT);
    ecl_context_destroy(ctx);
}
