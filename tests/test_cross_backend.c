/*
 * Cross-backend tests: the same einsum problems planned and executed on the CPU backend and on
 * OpenCL in one process, each result checked against the naive reference and the two against each
 * other, and the two plans' step descriptions compared (planning does not depend on the backend).
 * Problems: random cases from the seeded generator (other seeds than test_random's; ECL_TEST_SEED
 * varies them too) and the shapes of the benchmark suite at small sizes, plus the attention
 * layouts: 'bqhd,bkhd->bhqk' on (B,N,H,D) tensors through both CLBlast paths for batch labels
 * that do not merge (strided calls per index, one call with offset arrays). Skips with the reason where no OpenCL device
 * exists.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "clblast_gemm.h"
#include "compare.h"
#include "random_einsum.h"
#include "reference.h"

#define RANDOM_CASES 200
#define SEED_SALT 0xc205bacc0ffeeULL

static ecl_context *ctx[2]; /* [0] CPU, [1] OpenCL */

static void open_both(void)
{
    ctx[1] = ecl_test_context(ECL_BACKEND_OPENCL);
    ctx[0] = ecl_test_context(ECL_BACKEND_CPU);
}

static void close_both(void)
{
    for (int b = 0; b < 2; b++) {
        ecl_context_destroy(ctx[b]);
        ctx[b] = NULL;
    }
}

TestSuite(cross_backend, .init = open_both, .fini = close_both);

static size_t esize(ecl_dtype t) { return t == ECL_F32 ? sizeof(float) : sizeof(double); }

/* One backend's run of a problem: the output's contents (malloc'd) and the plan's description. */
typedef struct run_result {
    void *out;
    char describe[4096];
} run_result;

/* Plans and executes the problem on ctx[b] with inputs viewed into their buffers as given and the
 * output starting as prev. */
static void run_on(int b, const char *equation, int n, const ecl_rand_operand *ops,
                   const ecl_ref_result *ref, double alpha, double beta, const void *prev,
                   run_result *res, const char *what)
{
    ecl_context *c = ctx[b];
    ecl_tensor *base[ECL_RAND_MAX_OPERANDS] = {0}, *view[ECL_RAND_MAX_OPERANDS] = {0}, *out = NULL;
    ecl_tensor_desc desc[ECL_RAND_MAX_OPERANDS];
    for (int k = 0; k < n; k++) {
        const ecl_rand_operand *op = &ops[k];
        cr_assert_eq(ecl_tensor_create(c, op->dtype, 1, &op->buffer_numel, &base[k]), ECL_SUCCESS,
                     "%s: %s", what, ecl_context_last_error(c));
        cr_assert_eq(ecl_tensor_write(base[k], op->buffer, (size_t)op->buffer_numel * esize(op->dtype)),
                     ECL_SUCCESS, "%s: %s", what, ecl_context_last_error(c));
        cr_assert_eq(ecl_tensor_view(base[k], op->offset, op->ndim, op->shape, op->strides, &view[k]),
                     ECL_SUCCESS, "%s: %s", what, ecl_context_last_error(c));
        desc[k] = (ecl_tensor_desc){op->dtype, op->ndim, op->shape, op->strides};
    }
    ecl_plan *plan = NULL;
    cr_assert_eq(ecl_plan_create(c, equation, n, desc, NULL, &plan), ECL_SUCCESS, "%s on %s: %s",
                 what, ecl_test_backend_name(ecl_context_backend(c)), ecl_context_last_error(c));
    snprintf(res->describe, sizeof res->describe, "%s", ecl_plan_describe(plan));
    size_t bytes = (size_t)ref->numel * esize(ref->dtype);
    cr_assert_eq(ecl_tensor_create(c, ref->dtype, ref->ndim, ref->shape, &out), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_write(out, prev, bytes), ECL_SUCCESS);
    const ecl_tensor *const *inputs = (const ecl_tensor *const *)view;
    cr_assert_eq(ecl_plan_execute(plan, inputs, out, alpha, beta), ECL_SUCCESS, "%s on %s: %s",
                 what, ecl_test_backend_name(ecl_context_backend(c)), ecl_context_last_error(c));
    res->out = malloc(bytes ? bytes : 1);
    cr_assert_eq(ecl_tensor_read(out, res->out, bytes), ECL_SUCCESS, "%s: %s", what,
                 ecl_context_last_error(c));
    ecl_plan_destroy(plan);
    ecl_tensor_destroy(out);
    for (int k = 0; k < n; k++) {
        ecl_tensor_destroy(view[k]);
        ecl_tensor_destroy(base[k]);
    }
}

/* Runs the problem on both backends and checks both against the reference and each other. */
static void check_problem(const char *equation, int n, const ecl_rand_operand *ops, ecl_rng *rng,
                          const char *what)
{
    ecl_ref_operand refops[ECL_RAND_MAX_OPERANDS];
    for (int k = 0; k < n; k++)
        refops[k] = (ecl_ref_operand){ops[k].dtype, ops[k].ndim, ops[k].shape, ops[k].strides,
                                      (const char *)ops[k].buffer + ops[k].offset * (int64_t)esize(ops[k].dtype)};
    ecl_ref_result ref;
    cr_assert_eq(ecl_ref_einsum(equation, n, refops, &ref), 0, "%s: reference: %s", what, ref.error);
    double alpha = ecl_rng_chance(rng, 0.5) ? 1.0 : 2.0 * ecl_rng_uniform(rng) - 1.0;
    double beta = ecl_rng_chance(rng, 0.5) ? 0.0 : 2.0 * ecl_rng_uniform(rng) - 1.0;
    size_t count = (size_t)(ref.numel > 0 ? ref.numel : 1);
    double *prev = malloc(count * sizeof(double));
    void *prev_raw = malloc(count * esize(ref.dtype));
    for (int64_t i = 0; i < ref.numel; i++) {
        double v = beta == 0 ? NAN : 2.0 * ecl_rng_uniform(rng) - 1.0;
        if (ref.dtype == ECL_F32)
            ((float *)prev_raw)[i] = (float)v, prev[i] = (double)(float)v;
        else
            ((double *)prev_raw)[i] = v, prev[i] = v;
    }
    run_result res[2];
    for (int b = 0; b < 2; b++)
        run_on(b, equation, n, ops, &ref, alpha, beta, prev_raw, &res[b], what);
    cr_expect_str_eq(res[0].describe, res[1].describe, "%s: the plans differ by backend", what);
    for (int b = 0; b < 2; b++) {
        ecl_mismatch m;
        cr_assert_not(ecl_test_mismatch(&ref, n, res[b].out, prev, alpha, beta, &m),
                      "%s on %s (alpha %g, beta %g): element %lld is %.17g, want %.17g (tol %.3g)",
                      what, b ? "opencl" : "cpu", alpha, beta, (long long)m.index, m.got, m.want,
                      m.tolerance);
    }
    for (int64_t i = 0; i < ref.numel; i++) {
        double old = beta != 0 ? prev[i] : 0.0;
        double tol = ecl_test_tolerance(ref.dtype, ref.abs_sum[i], ref.terms, n, alpha, beta, old);
        double x = ecl_test_load(ref.dtype, res[0].out, i), y = ecl_test_load(ref.dtype, res[1].out, i);
        cr_assert(fabs(x - y) <= 2 * tol, "%s: cpu %.17g and opencl %.17g differ at element %lld",
                  what, x, y, (long long)i);
    }
    for (int b = 0; b < 2; b++)
        free(res[b].out);
    free(prev);
    free(prev_raw);
    ecl_ref_result_free(&ref);
}

static uint64_t run_seed(void)
{
    const char *env = getenv("ECL_TEST_SEED");
    return (env && *env ? strtoull(env, NULL, 0) : 0x5eed2025ULL) ^ SEED_SALT;
}

Test(cross_backend, random_cases)
{
    const ecl_rand_limits small = {ECL_RAND_MAX_LOOP, 7}, large = {200000, 40};
    uint64_t seed = run_seed();
    for (int i = 0; i < RANDOM_CASES; i++) {
        ecl_rand_case c;
        cr_assert_eq(ecl_rand_case_generate_limited(ecl_rand_case_seed(seed, i),
                                                    i % 4 == 3 ? &large : &small, &c), 0);
        char what[2048];
        snprintf(what, sizeof what, "seed 0x%llx case %d: ", (unsigned long long)seed, i);
        ecl_rand_case_describe(&c, what + strlen(what), sizeof what - strlen(what));
        ecl_rng rng;
        ecl_rng_seed(&rng, c.seed ^ 0x1234);
        check_problem(c.equation, c.nops, c.op, &rng, what);
        ecl_rand_case_free(&c);
    }
}

/* ---- benchmark shapes at small sizes --------------------------------------------------------- */

/* Row-major operand with values in [-1, 1]. */
static void make_operand(ecl_rng *rng, ecl_dtype t, int ndim, const int64_t *shape,
                         ecl_rand_operand *op)
{
    memset(op, 0, sizeof *op);
    op->dtype = t;
    op->ndim = ndim;
    op->row_major = 1;
    int64_t numel = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        op->shape[d] = shape[d];
        op->strides[d] = numel;
        numel *= shape[d];
    }
    op->buffer_numel = numel > 0 ? numel : 1;
    op->buffer = malloc((size_t)op->buffer_numel * esize(t));
    cr_assert_not_null(op->buffer);
    for (int64_t i = 0; i < op->buffer_numel; i++) {
        double v = 2.0 * ecl_rng_uniform(rng) - 1.0;
        if (t == ECL_F32)
            ((float *)op->buffer)[i] = (float)v;
        else
            ((double *)op->buffer)[i] = v;
    }
}

static void check_shapes(const char *equation, int n, const int *ndim, const int64_t (*shape)[4],
                         uint64_t seed)
{
    for (int t = 0; t < 2; t++) {
        ecl_rng rng;
        ecl_rng_seed(&rng, seed + (uint64_t)t);
        ecl_rand_operand ops[2];
        for (int k = 0; k < n; k++)
            make_operand(&rng, t ? ECL_F64 : ECL_F32, ndim[k], shape[k], &ops[k]);
        char what[256];
        snprintf(what, sizeof what, "'%s' %s", equation, t ? "float64" : "float32");
        check_problem(equation, n, ops, &rng, what);
        for (int k = 0; k < n; k++)
            free(ops[k].buffer);
    }
}

#define SHAPES(...) ((const int64_t[][4]){__VA_ARGS__})

Test(cross_backend, benchmark_shapes)
{
    check_shapes("ik,kj->ij", 2, (int[]){2, 2}, SHAPES({67, 45}, {45, 53}), 1);
    check_shapes("bij,bjk->bik", 2, (int[]){3, 3}, SHAPES({6, 17, 19}, {6, 19, 13}), 2);
    check_shapes("bij,bjk->bik", 2, (int[]){3, 3}, SHAPES({96, 4, 4}, {96, 4, 4}), 3);
    check_shapes("bhqd,bhkd->bhqk", 2, (int[]){4, 4}, SHAPES({2, 3, 33, 16}, {2, 3, 33, 16}), 4);
    check_shapes("bhqk,bhkd->bhqd", 2, (int[]){4, 4}, SHAPES({2, 3, 33, 33}, {2, 3, 33, 16}), 5);
    check_shapes("ij->ji", 1, (int[]){2}, SHAPES({37, 61}), 6);
    check_shapes("ii->i", 1, (int[]){2}, SHAPES({45, 45}), 7);
    check_shapes("ijk->", 1, (int[]){3}, SHAPES({17, 19, 23}), 8);
    check_shapes("i,j->ij", 2, (int[]){1, 1}, SHAPES({71}, {53}), 9);
    check_shapes("bij,bij->bi", 2, (int[]){3, 3}, SHAPES({5, 17, 29}, {5, 17, 29}), 10);
    check_shapes("abcd,dcbe->ae", 2, (int[]){4, 4}, SHAPES({8, 6, 5, 4}, {4, 5, 6, 7}), 11);
    check_shapes("ij,j->i", 2, (int[]){2, 1}, SHAPES({300, 200}, {200}), 12);
    check_shapes("i,ij->j", 2, (int[]){1, 2}, SHAPES({200}, {200, 150}), 13);
    check_shapes("i,i->", 2, (int[]){1, 1}, SHAPES({1000}, {1000}), 14);
    /* output labels of one operand that do not nest (a, b, c) run as batch dims of the GEMM */
    check_shapes("dega,gfbc->abcdef", 2, (int[]){4, 4}, SHAPES({3, 4, 5, 2}, {5, 9, 2, 3}), 15);
}

/* Attention on (B,N,H,D) tensors: the batch labels b, h do not merge into one stride. */
Test(cross_backend, attention_strided_layouts)
{
    /* small products: one CLBlast call with offset arrays, also when there are many */
    check_shapes("bqhd,bkhd->bhqk", 2, (int[]){4, 4}, SHAPES({2, 33, 3, 16}, {2, 29, 3, 16}), 21);
    check_shapes("bqhd,bkhd->bhqk", 2, (int[]){4, 4}, SHAPES({20, 3, 20, 4}, {20, 5, 20, 4}), 22);
    /* as if the products were large: strided CLBlast calls, one per b */
    const double threshold = ecl_ocl_gemm_loop_min_flops;
    ecl_ocl_gemm_loop_min_flops = 0;
    check_shapes("bqhd,bkhd->bhqk", 2, (int[]){4, 4}, SHAPES({2, 33, 3, 16}, {2, 29, 3, 16}), 24);
    ecl_ocl_gemm_loop_min_flops = threshold;
    /* the scores times V back into the (B,N,H,D) layout */
    check_shapes("bhqk,bkhd->bqhd", 2, (int[]){4, 4}, SHAPES({2, 3, 9, 11}, {2, 11, 3, 8}), 23);
}
