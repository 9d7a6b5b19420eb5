/*
 * Failure injection (src/fault.h), after SQLite's malloc tests: for N = 1, 2, ... the Nth host
 * allocation, device buffer allocation or OpenCL enqueue fails during one whole sequence — context
 * create, tensor create and upload, a three-operand plan create and execute, a one-shot einsum
 * through the plan cache, reads and teardown — until N passes the sequence's last event. Each run
 * must end in a clean error (ECL_ERROR_OUT_OF_MEMORY or ECL_ERROR_BACKEND with a message) or, when
 * the failure hit something optional, in correct results; afterwards the same context, disarmed,
 * must run the whole sequence correctly, and once everything is destroyed no host block the
 * library allocated may still be live. On the CPU backend and on OpenCL (PoCL in CI).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "backend_select.h"
#include "fault.h"

#define MAX_SWEEP 20000

/* A (3x4), B (4x5), C (5x2): plan 'ij,jk,kl->li' and one-shot 'ij->j' over A. */
static float a[12], b[20], c[10];
static double want_plan[6], want_sum[4];

static void make_inputs(void)
{
    for (int i = 0; i < 12; i++)
        a[i] = (float)(i % 5) - 1.5f;
    for (int i = 0; i < 20; i++)
        b[i] = (float)(i % 7) * 0.25f;
    for (int i = 0; i < 10; i++)
        c[i] = 1.0f - (float)i * 0.125f;
    memset(want_plan, 0, sizeof want_plan);
    memset(want_sum, 0, sizeof want_sum);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) {
            want_sum[j] += a[i * 4 + j];
            for (int k = 0; k < 5; k++)
                for (int l = 0; l < 2; l++)
                    want_plan[l * 3 + i] += (double)a[i * 4 + j] * b[j * 5 + k] * c[k * 2 + l];
        }
}

typedef struct run {
    ecl_status status;  /* first failure, else ECL_SUCCESS */
    char step[64];
    char message[512];
} run;

static int failed(run *r, ecl_context *ctx, ecl_status st, const char *step)
{
    if (st == ECL_SUCCESS)
        return 0;
    r->status = st;
    snprintf(r->step, sizeof r->step, "%s", step);
    snprintf(r->message, sizeof r->message, "%s", ctx ? ecl_context_last_error(ctx) : ecl_last_create_error());
    return 1;
}

static void expect_close(const float *got, const double *want, int n, const char *what)
{
    for (int i = 0; i < n; i++)
        cr_assert(fabs(got[i] - want[i]) <= 1e-4 * (1 + fabs(want[i])), "%s[%d] is %g, want %g", what,
                  i, got[i], want[i]);
}

/* Everything after context creation; every handle it makes is destroyed before it returns. */
static void work(ecl_context *ctx, run *r)
{
    const int64_t sa[] = {3, 4}, sb[] = {4, 5}, sc[] = {5, 2};
    ecl_tensor *ta = NULL, *tb = NULL, *tc = NULL, *out = NULL, *sum = NULL;
    ecl_plan *plan = NULL;
    float got[6];
    if (failed(r, ctx, ecl_tensor_create(ctx, ECL_F32, 2, sa, &ta), "tensor create") ||
        failed(r, ctx, ecl_tensor_create(ctx, ECL_F32, 2, sb, &tb), "tensor create") ||
        failed(r, ctx, ecl_tensor_create(ctx, ECL_F32, 2, sc, &tc), "tensor create") ||
        failed(r, ctx, ecl_tensor_write(ta, a, sizeof a), "tensor write") ||
        failed(r, ctx, ecl_tensor_write(tb, b, sizeof b), "tensor write") ||
        failed(r, ctx, ecl_tensor_write(tc, c, sizeof c), "tensor write"))
        goto done;
    const ecl_tensor_desc d[] = {{ECL_F32, 2, sa, NULL}, {ECL_F32, 2, sb, NULL}, {ECL_F32, 2, sc, NULL}};
    const ecl_tensor *in[] = {ta, tb, tc};
    if (failed(r, ctx, ecl_plan_create(ctx, "ij,jk,kl->li", 3, d, NULL, &plan), "plan create") ||
        failed(r, ctx, ecl_tensor_create(ctx, ECL_F32, ecl_plan_output_ndim(plan),
                                         ecl_plan_output_shape(plan), &out), "tensor create") ||
        failed(r, ctx, ecl_plan_execute(plan, in, out, 1.0, 0.0), "plan execute") ||
        failed(r, ctx, ecl_tensor_read(out, got, sizeof(float) * 6), "tensor read"))
        goto done;
    expect_close(got, want_plan, 6, "ij,jk,kl->li");
    for (int rep = 0; rep < 2; rep++) {  /* the second call hits the plan cache */
        ecl_tensor_destroy(sum);
        sum = NULL;
        if (failed(r, ctx, ecl_einsum_alloc(ctx, "ij->j", 1, in, &sum), "einsum_alloc") ||
            failed(r, ctx, ecl_tensor_read(sum, got, sizeof(float) * 4), "tensor read"))
            goto done;
        expect_close(got, want_sum, 4, "ij->j");
    }
done:
    ecl_tensor_destroy(sum);
    ecl_tensor_destroy(out);
    ecl_plan_destroy(plan);
    ecl_tensor_destroy(tc);
    ecl_tensor_destroy(tb);
    ecl_tensor_destroy(ta);
}

static ecl_context *create(ecl_backend_kind kind, run *r)
{
    ecl_context_options o;
    ecl_context_options_init(&o);
    o.backend = kind;
    o.plan_cache_capacity = 4;
    ecl_context *ctx = (ecl_context *)0x1;
    ecl_status st = ecl_context_create(&o, &ctx);
    if (failed(r, NULL, st, "context create")) {
        cr_assert_null(ctx, "a failed ecl_context_create left *out set");
        return NULL;
    }
    return ctx;
}

/* One whole sequence with no fault armed: must succeed. */
static void clean_sequence(ecl_backend_kind kind, ecl_context *ctx)
{
    run r = {0};
    ecl_context *own = ctx ? NULL : create(kind, &r);
    cr_assert_eq(r.status, ECL_SUCCESS, "%s: %s", r.step, r.message);
    work(ctx ? ctx : own, &r);
    cr_assert_eq(r.status, ECL_SUCCESS, "without faults, %s failed: %s", r.step, r.message);
    ecl_context_destroy(own);
}

static void sweep(ecl_backend_kind kind, ecl_fault_kind fault, const char *name)
{
    ecl_test_use_kernel_cache();
    make_inputs();
    if (kind == ECL_BACKEND_OPENCL) {  /* skips visibly (or fails under REQUIRE) without a device */
        ecl_context_destroy(ecl_test_context(kind));
    }
    clean_sequence(kind, NULL);  /* warm-up: one-time process state (loaders, CLBlast) */
    long baseline = ecl_alloc_live();
    long n = 1, errors = 0;
    for (; n <= MAX_SWEEP; n++) {
        run r = {0};
        ecl_fault_arm(fault, n);
        ecl_context *ctx = create(kind, &r);
        if (ctx)
            work(ctx, &r);
        int fired = ecl_fault_fired(fault);
        ecl_fault_arm(fault, 0);
        if (r.status != ECL_SUCCESS) {
            cr_assert(fired, "%s %ld: %s failed with no fault injected: %s", name, n, r.step, r.message);
            cr_assert(r.status == ECL_ERROR_OUT_OF_MEMORY || r.status == ECL_ERROR_BACKEND,
                      "%s %ld: %s returned '%s': %s", name, n, r.step, ecl_status_string(r.status),
                      r.message);
            cr_assert(r.message[0], "%s %ld: %s failed without a message", name, n, r.step);
            errors++;
        }
        if (ctx)
            clean_sequence(kind, ctx);  /* the context still works */
        ecl_context_destroy(ctx);
        cr_assert_eq(ecl_alloc_live(), baseline, "%s %ld (%s): %ld host blocks leaked", name, n,
                     r.status ? r.step : "no error", ecl_alloc_live() - baseline);
        if (!fired)
            break;  /* n is past the last event: the whole sequence ran */
    }
    cr_assert_leq(n, MAX_SWEEP, "%s: the sweep did not finish", name);
    cr_assert_gt(errors, 0, "%s: no injected failure surfaced as an error", name);
    cr_log_info("%s on %s: %ld events, %ld clean errors", name, ecl_test_backend_name(kind), n - 1,
                errors);
}

Test(fault, cpu_host_alloc, .timeout = 300) { sweep(ECL_BACKEND_CPU, ECL_FAULT_HOST_ALLOC, "host alloc"); }
Test(fault, cpu_device_alloc, .timeout = 300) { sweep(ECL_BACKEND_CPU, ECL_FAULT_DEVICE_ALLOC, "device alloc"); }
Test(fault, opencl_host_alloc, .timeout = 600) { sweep(ECL_BACKEND_OPENCL, ECL_FAULT_HOST_ALLOC, "host alloc"); }
Test(fault, opencl_device_alloc, .timeout = 300) { sweep(ECL_BACKEND_OPENCL, ECL_FAULT_DEVICE_ALLOC, "device alloc"); }
Test(fault, opencl_enqueue, .timeout = 300) { sweep(ECL_BACKEND_OPENCL, ECL_FAULT_ENQUEUE, "enqueue"); }

/* The hook itself: exactly the Nth event fails, once. */
Test(fault, countdown_fails_exactly_the_nth)
{
    ecl_fault_arm(ECL_FAULT_HOST_ALLOC, 3);
    void *p[5];
    for (int i = 0; i < 5; i++)
        p[i] = ecl_malloc(8);
    ecl_fault_arm(ECL_FAULT_HOST_ALLOC, 0);
    for (int i = 0; i < 5; i++) {
        if (i == 2)
            cr_expect_null(p[i]);
        else
            cr_expect_not_null(p[i]);
        ecl_free(p[i]);
    }
}
