/*
 * Contraction paths end to end: every path algorithm (and random explicit orders) plans and executes
 * the property-test generator's einsums (strided, diagonal, broadcast, mixed-dtype operands) on the
 * CPU backend with the results checked against the naive reference; the plan's descriptions carry
 * the path; and `einsumcl path` takes --optimize and --memory-limit and prints the path in
 * numpy.einsum_path form.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "compare.h"
#include "random_einsum.h"
#include "reference.h"

static const ecl_path_algorithm algorithms[] = {ECL_PATH_LEFT, ECL_PATH_OPTIMAL, ECL_PATH_GREEDY,
                                                ECL_PATH_BRANCH, ECL_PATH_AUTO, ECL_PATH_EXPLICIT};
static const char *const names[] = {"left", "optimal", "greedy", "branch", "auto", "explicit"};

static size_t elem_size(ecl_dtype dtype) { return dtype == ECL_F32 ? sizeof(float) : sizeof(double); }

/* Plans c with one algorithm (explicit: a random valid order), executes and compares; returns 1 on
 * a mismatch (with the reason in why). */
static int run_algorithm(ecl_context *ctx, const ecl_rand_case *c, const ecl_ref_result *ref,
                         ecl_tensor *const *inputs, int a, ecl_rng *rng, char *why, size_t cap)
{
    ecl_tensor_desc desc[ECL_RAND_MAX_OPERANDS];
    for (int i = 0; i < c->nops; i++)
        desc[i] = (ecl_tensor_desc){c->op[i].dtype, c->op[i].ndim, c->op[i].shape, c->op[i].strides};
    int pairs[ECL_RAND_MAX_OPERANDS][2];
    ecl_plan_options o;
    ecl_plan_options_init(&o);
    o.path = algorithms[a];
    if (o.path == ECL_PATH_EXPLICIT) {
        for (int s = 0, count = c->nops; s < c->nops - 1; s++, count--) {
            int i = ecl_rng_below(rng, count), j = ecl_rng_below(rng, count - 1);
            pairs[s][0] = i;
            pairs[s][1] = j >= i ? j + 1 : j;
        }
        o.num_pairs = c->nops - 1;
        o.pairs = (const int(*)[2])pairs;
    }
    ecl_plan *plan = NULL;
    ecl_tensor *out = NULL;
    ecl_status st = ecl_plan_create(ctx, c->equation, c->nops, desc, &o, &plan);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_create(ctx, ref->dtype, ref->ndim, ref->shape, &out);
    if (st == ECL_SUCCESS)
        st = ecl_plan_execute(plan, (const ecl_tensor *const *)inputs, out, 1.0, 0.0);
    int bad = st != ECL_SUCCESS;
    if (bad)
        snprintf(why, cap, "%s: %s: %s", names[a], ecl_status_string(st), ecl_context_last_error(ctx));
    size_t bytes = (size_t)ref->numel * elem_size(ref->dtype);
    void *got = malloc(bytes ? bytes : 1);
    ecl_mismatch m;
    if (!bad && got && ecl_tensor_read(out, got, bytes) == ECL_SUCCESS &&
        ecl_test_mismatch(ref, c->nops, got, NULL, 1.0, 0.0, &m)) {
        snprintf(why, cap, "%s: element %lld is %.17g, want %.17g (tolerance %.3g)\n%s", names[a],
                 (long long)m.index, m.got, m.want, m.tolerance, ecl_plan_describe(plan));
        bad = 1;
    }
    free(got);
    ecl_tensor_destroy(out);
    ecl_plan_destroy(plan);
    return bad;
}

Test(path_exec, every_algorithm_agrees_with_the_reference, .timeout = 600)
{
    ecl_context_options co;
    ecl_context_options_init(&co);
    co.backend = ECL_BACKEND_CPU;
    ecl_context *ctx;
    cr_assert_eq(ecl_context_create(&co, &ctx), ECL_SUCCESS);
    ecl_rng rng;
    ecl_rng_seed(&rng, 4242);
    int failures = 0;
    for (int k = 0; k < 300 && failures < 3; k++) {
        ecl_rand_case c;
        cr_assert_eq(ecl_rand_case_generate(ecl_rand_case_seed(0xa19, k), &c), 0);
        ecl_ref_operand ops[ECL_RAND_MAX_OPERANDS];
        ecl_rand_case_ref_operands(&c, ops);
        ecl_ref_result ref;
        cr_assert_eq(ecl_ref_einsum(c.equation, c.nops, ops, &ref), 0, "%s", ref.error);
        ecl_tensor *inputs[ECL_RAND_MAX_OPERANDS] = {0};
        for (int i = 0; i < c.nops; i++) {
            size_t es = elem_size(c.op[i].dtype);
            cr_assert_eq(ecl_tensor_wrap_host(ctx, c.op[i].dtype, c.op[i].ndim, c.op[i].shape,
                                              c.op[i].strides, (char *)c.op[i].buffer + (size_t)c.op[i].offset * es,
                                              &inputs[i]),
                         ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
        }
        for (int a = 0; a < 6; a++) {
            char why[8192];
            if (run_algorithm(ctx, &c, &ref, inputs, a, &rng, why, sizeof why)) {
                char d[2048];
                ecl_rand_case_describe(&c, d, sizeof d);
                cr_expect_fail("%s\n%s", d, why);
                failures++;
            }
        }
        for (int i = 0; i < c.nops; i++)
            ecl_tensor_destroy(inputs[i]);
        ecl_ref_result_free(&ref);
        ecl_rand_case_free(&c);
    }
    ecl_context_destroy(ctx);
}

/* ---- descriptions and the command line --------------------------------------------------------- */

static const int64_t chain[4][2] = {{8, 16}, {16, 32}, {32, 4}, {4, 64}};

/* "[[1,2],[0,1]]" for a plan's path. */
static void path_json(const ecl_plan *plan, char *out, size_t cap)
{
    int pairs[ECL_MAX_OPERANDS][2];
    int n = ecl_plan_path(plan, pairs, ECL_MAX_OPERANDS);
    size_t len = (size_t)snprintf(out, cap, "\"path\":[");
    for (int s = 0; s < n; s++)
        len += (size_t)snprintf(out + len, cap - len, "%s[%d,%d]", s ? "," : "", pairs[s][0], pairs[s][1]);
    snprintf(out + len, cap - len, "]");
}

Test(path_exec, descriptions_carry_the_path)
{
    ecl_context *ctx;
    cr_assert_eq(ecl_context_create(NULL, &ctx), ECL_SUCCESS);
    ecl_tensor_desc d[4];
    for (int i = 0; i < 4; i++)
        d[i] = (ecl_tensor_desc){ECL_F32, 2, chain[i], NULL};
    for (int a = 0; a < 5; a++) {
        ecl_plan_options o;
        ecl_plan_options_init(&o);
        o.path = algorithms[a];
        ecl_plan *plan;
        cr_assert_eq(ecl_plan_create(ctx, "ij,jk,kl,lm->im", 4, d, &o, &plan), ECL_SUCCESS);
        char want[256];
        path_json(plan, want, sizeof want);
        cr_expect_not_null(strstr(ecl_plan_describe_json(plan), want), "%s not in %s", want,
                           ecl_plan_describe_json(plan));
        cr_expect_not_null(strstr(ecl_plan_describe(plan), "Path algorithm:  "), "%s", ecl_plan_describe(plan));
        cr_expect_not_null(strstr(ecl_plan_describe(plan), a == 4 ? "(chosen by auto)" : names[a]));
        ecl_plan_destroy(plan);
    }
    ecl_context_destroy(ctx);
}

typedef struct cli_out {
    int status;
    char text[65536];
} cli_out;

/* Runs `einsumcl ARGS` through the shell, capturing stdout (stderr with 2>&1 in args). */
static void run_cli(const char *args, cli_out *out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s", ECL_CLI_PATH, args);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out->text, 1, sizeof out->text - 1, f);
    out->text[n] = '\0';
    int st = pclose(f);
    out->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(path_exec, cli_optimize_and_memory_limit)
{
    ecl_context *ctx;
    cr_assert_eq(ecl_context_create(NULL, &ctx), ECL_SUCCESS);
    ecl_tensor_desc d[4];
    for (int i = 0; i < 4; i++)
        d[i] = (ecl_tensor_desc){ECL_F32, 2, chain[i], NULL};
    static cli_out out;
    for (int a = 0; a < 5; a++) {
        char args[256];
        snprintf(args, sizeof args, "path --json --optimize %s 'ij,jk,kl,lm->im' 8x16 16x32 32x4 4x64", names[a]);
        run_cli(args, &out);
        cr_assert_eq(out.status, 0, "%s: %s", args, out.text);
        ecl_plan_options o;
        ecl_plan_options_init(&o);
        o.path = algorithms[a];
        ecl_plan *plan;
        cr_assert_eq(ecl_plan_create(ctx, "ij,jk,kl,lm->im", 4, d, &o, &plan), ECL_SUCCESS);
        cr_expect_str_eq(strtok(out.text, "\n"), ecl_plan_describe_json(plan), "%s", args);
        ecl_plan_destroy(plan);
    }
    run_cli("path --memory-limit 100 'ij,jk,kl,lm->im' 8x16 16x32 32x4 4x64 2>&1", &out);
    cr_expect_eq(out.status, 1, "%s", out.text);
    cr_expect_not_null(strstr(out.text, "smallest peak the planner finds is 256 bytes"), "%s", out.text);
    run_cli("path --memory-limit 256 --optimize greedy 'ij,jk,kl,lm->im' 8x16 16x32 32x4 4x64 2>&1", &out);
    cr_expect_eq(out.status, 0, "%s", out.text);
    run_cli("path --memory-limit 1k 'ij,jk->ik' 2x3 3x4 2>&1", &out);
    cr_expect_eq(out.status, 0, "%s", out.text);
    const char *bad[] = {"--optimize fastest", "--optimize", "--memory-limit -5", "--memory-limit 0",
                         "--memory-limit 12Q", "--memory-limit 99999999999999999999"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        char args[256];
        snprintf(args, sizeof args, "path 'ij,jk->ik' 2x3 3x4 %s 2>&1", bad[k]);
        run_cli(args, &out);
        cr_expect_eq(out.status, 2, "%s: %s", bad[k], out.text);
        cr_expect_eq(strncmp(out.text, "einsumcl: ", 10), 0, "%s: %s", bad[k], out.text);
    }
    ecl_context_destroy(ctx);
}
