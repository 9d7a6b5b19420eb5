/*
 * The fixed cost of one einsum call on tiny data: a 2x2 'ij,jk->ik' executed through a cached plan
 * (ecl_plan_execute in a loop, then with ecl_finish after every call), the one-shot ecl_einsum that
 * finds its plan in the context's cache (target: under 5 us per call), and for reference the cost
 * of creating and destroying a plan. Prints microseconds per call.
 *
 * usage: plan_overhead [--calls N] [--backend auto|cpu|opencl]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "einsumcl.h"
#include "bench_timing.h"

#define ONE_SHOT_TARGET_US 5.0

static const char equation[] = "ij,jk->ik";
static const int64_t shape[2] = {2, 2};

typedef enum call_kind { EXECUTE, EXECUTE_FINISH, ONE_SHOT, PLAN_CREATE } call_kind;

/* Makes `calls` calls of the given kind; returns microseconds per call, or -1 on failure. */
static double time_calls(ecl_context *ctx, call_kind kind, long calls, ecl_plan *plan,
                         const ecl_tensor *const *inputs, ecl_tensor *output)
{
    ecl_tensor_desc descs[2] = {{ECL_F32, 2, shape, NULL}, {ECL_F32, 2, shape, NULL}};
    ecl_status st = ECL_SUCCESS;
    double start = bench_now_seconds();
    for (long i = 0; i < calls && st == ECL_SUCCESS; i++) {
        switch (kind) {
        case EXECUTE:
            st = ecl_plan_execute(plan, inputs, output, 1.0, 0.0);
            break;
        case EXECUTE_FINISH:
            st = ecl_plan_execute(plan, inputs, output, 1.0, 0.0);
            if (st == ECL_SUCCESS)
                st = ecl_finish(ctx);
            break;
        case ONE_SHOT:
            st = ecl_einsum(ctx, equation, 2, inputs, output);
            break;
        case PLAN_CREATE: {
            ecl_plan *p = NULL;
            st = ecl_plan_create(ctx, equation, 2, descs, NULL, &p);
            ecl_plan_destroy(p);
            break;
        }
        }
    }
    if (st == ECL_SUCCESS)
        st = ecl_finish(ctx);
    double elapsed = bench_now_seconds() - start;
    if (st != ECL_SUCCESS) {
        fprintf(stderr, "plan_overhead: %s: %s\n", ecl_status_string(st), ecl_context_last_error(ctx));
        return -1.0;
    }
    return elapsed / (double)calls * 1e6;
}

static int parse_args(int argc, char **argv, long *calls, ecl_backend_kind *backend)
{
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(argv[i], "--calls") == 0 && atol(v) > 0)
            *calls = atol(v);
        else if (strcmp(argv[i], "--backend") == 0 && strcmp(v, "auto") == 0)
            *backend = ECL_BACKEND_AUTO;
        else if (strcmp(argv[i], "--backend") == 0 && strcmp(v, "cpu") == 0)
            *backend = ECL_BACKEND_CPU;
        else if (strcmp(argv[i], "--backend") == 0 && strcmp(v, "opencl") == 0)
            *backend = ECL_BACKEND_OPENCL;
        else {
            fprintf(stderr, "usage: %s [--calls N] [--backend auto|cpu|opencl]\n", argv[0]);
            return -1;
        }
        i++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long calls = 1000000;
    ecl_context_options options;
    ecl_context_options_init(&options);
    if (parse_args(argc, argv, &calls, &options.backend) != 0)
        return 2;
    ecl_context *ctx = NULL;
    if (ecl_context_create(&options, &ctx) != ECL_SUCCESS) {
        fprintf(stderr, "plan_overhead: cannot create a context: %s\n", ecl_last_create_error());
        return 1;
    }
    const float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
    ecl_tensor *ta = NULL, *tb = NULL, *tc = NULL;
    ecl_plan *plan = NULL;
    ecl_tensor_desc descs[2] = {{ECL_F32, 2, shape, NULL}, {ECL_F32, 2, shape, NULL}};
    ecl_status st = ecl_tensor_create(ctx, ECL_F32, 2, shape, &ta);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_create(ctx, ECL_F32, 2, shape, &tb);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_create(ctx, ECL_F32, 2, shape, &tc);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_write(ta, a, sizeof a);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_write(tb, b, sizeof b);
    if (st == ECL_SUCCESS)
        st = ecl_plan_create(ctx, equation, 2, descs, NULL, &plan);
    int rc = 1;
    if (st != ECL_SUCCESS) {
        fprintf(stderr, "plan_overhead: setup: %s: %s\n", ecl_status_string(st),
                ecl_context_last_error(ctx));
        goto done;
    }
    const ecl_tensor *inputs[2] = {ta, tb};
    long warm = calls / 100 > 0 ? calls / 100 : 1;
    printf("device: %s; %s on 2x2 float32, %ld calls each\n", ecl_context_device_name(ctx), equation,
           calls);
    static const struct { call_kind kind; const char *label; int divisor; } rows[] = {
        {EXECUTE, "ecl_plan_execute (cached plan)", 1},
        {EXECUTE_FINISH, "ecl_plan_execute + ecl_finish", 1},
        {ONE_SHOT, "ecl_einsum (plan cache)", 1},
        {PLAN_CREATE, "ecl_plan_create + destroy", 100},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        long n = calls / rows[r].divisor > 0 ? calls / rows[r].divisor : 1;
        if (time_calls(ctx, rows[r].kind, warm, plan, inputs, tc) < 0)
            goto done;
        double us = time_calls(ctx, rows[r].kind, n, plan, inputs, tc);
        if (us < 0)
            goto done;
        printf("%-34s %9.3f us/call", rows[r].label, us);
        if (rows[r].kind == ONE_SHOT)
            printf("   (target < %.0f us: %s)", ONE_SHOT_TARGET_US,
                   us < ONE_SHOT_TARGET_US ? "met" : "MISSED");
        printf("\n");
    }
    float c[4] = {0, 0, 0, 0};
    st = ecl_tensor_read(tc, c, sizeof c);
    if (st != ECL_SUCCESS || c[0] != 19 || c[1] != 22 || c[2] != 43 || c[3] != 50) {
        fprintf(stderr, "plan_overhead: wrong result %g %g %g %g (want 19 22 43 50)\n", c[0], c[1],
                c[2], c[3]);
        goto done;
    }
    rc = 0;
done:
    ecl_plan_destroy(plan);
    ecl_tensor_destroy(ta);
    ecl_tensor_destroy(tb);
    ecl_tensor_destroy(tc);
    ecl_context_destroy(ctx);
    return rc;
}
