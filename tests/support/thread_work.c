/*
 * The workloads of the thread tests (thread_work.h), kept free of Criterion so that the same code
 * runs in tests/test_threads.c and, under ThreadSanitizer, in tests/tsan/tsan_threads.c (Criterion's
 * runner cannot start under TSan). Several pthreads each create their own context and run a
 * rotation of einsums; every result is checked against a reference inside the thread, and failures
 * come back as text.
 */
#include "thread_work.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "context.h"
#include "random_einsum.h"
#include "reference.h"

#define THREADS 4
#define CASES 7
#define ITERATIONS 80
#define CACHE_CAPACITY 2

typedef struct shared_case {
    ecl_rand_case c;
    ecl_ref_result ref;
} shared_case;

static shared_case cases[CASES];

typedef struct worker {
    int id;
    int checks;
    char failure[4096];  /* empty when everything matched */
} worker;

static size_t elem_size(ecl_dtype dtype) { return dtype == ECL_F32 ? sizeof(float) : sizeof(double); }

static void fail(worker *w, const char *what, const shared_case *s, const char *detail)
{
    if (!w->failure[0])
        snprintf(w->failure, sizeof w->failure, "thread %d, %s, %s: %s", w->id, what, s->c.equation, detail);
}

/* Compares out with alpha * reference + beta * prev. */
static void check(worker *w, const char *what, const shared_case *s, const ecl_tensor *out,
                  const double *prev, double alpha, double beta)
{
    size_t bytes = (size_t)s->ref.numel * elem_size(s->ref.dtype);
    void *got = malloc(bytes ? bytes : 1);
    ecl_mismatch m;
    if (!got || ecl_tensor_read(out, got, bytes) != ECL_SUCCESS) {
        fail(w, what, s, "cannot read the output");
    } else if (ecl_test_mismatch(&s->ref, s->c.nops, got, prev, alpha, beta, &m)) {
        char d[256];
        snprintf(d, sizeof d, "element %lld is %.17g, want %.17g", (long long)m.index, m.got, m.want);
        fail(w, what, s, d);
    }
    w->checks++;
    free(got);
}

static void run_plan(worker *w, ecl_context *ctx, const shared_case *s, ecl_tensor *const *in, int iter)
{
    static const ecl_path_algorithm algos[] = {ECL_PATH_AUTO, ECL_PATH_LEFT, ECL_PATH_OPTIMAL,
                                               ECL_PATH_GREEDY, ECL_PATH_BRANCH};
    ecl_tensor_desc d[ECL_RAND_MAX_OPERANDS];
    for (int i = 0; i < s->c.nops; i++)
        d[i] = (ecl_tensor_desc){s->c.op[i].dtype, s->c.op[i].ndim, s->c.op[i].shape, s->c.op[i].strides};
    ecl_plan_options o;
    ecl_plan_options_init(&o);
    o.path = algos[iter % 5];
    ecl_plan *plan = NULL;
    ecl_tensor *out = NULL;
    int64_t n = s->ref.numel;
    double *prev = malloc(sizeof *prev * (size_t)(n ? n : 1));
    void *raw = malloc(elem_size(s->ref.dtype) * (size_t)(n ? n : 1));
    for (int64_t i = 0; prev && raw && i < n; i++) {
        prev[i] = (double)((i * 37 + iter) % 11) / 8.0 - 0.5;
        if (s->ref.dtype == ECL_F32)
            ((float *)raw)[i] = (float)prev[i];
        else
            ((double *)raw)[i] = prev[i];
    }
    ecl_status st = prev && raw ? ecl_plan_create(ctx, s->c.equation, s->c.nops, d, &o, &plan)
                                : ECL_ERROR_OUT_OF_MEMORY;
    if (st == ECL_SUCCESS)
        st = ecl_tensor_create(ctx, s->ref.dtype, s->ref.ndim, s->ref.shape, &out);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_write(out, raw, elem_size(s->ref.dtype) * (size_t)n);
    for (int rep = 0; rep < 2 && st == ECL_SUCCESS; rep++) {  /* a plan executes many times */
        st = ecl_plan_execute(plan, (const ecl_tensor *const *)in, out, 2.0, rep == 0 ? 0.5 : 0.0);
        if (st == ECL_SUCCESS)
            check(w, rep == 0 ? "ecl_plan_execute (beta 0.5)" : "ecl_plan_execute again", s, out, prev,
                  2.0, rep == 0 ? 0.5 : 0.0);
    }
    if (st != ECL_SUCCESS)
        fail(w, "plan", s, ecl_context_last_error(ctx));
    ecl_tensor_destroy(out);
    ecl_plan_destroy(plan);
    free(prev);
    free(raw);
}

static void *work(void *arg)
{
    worker *w = arg;
    ecl_context_options co;
    ecl_context_options_init(&co);
    co.backend = ECL_BACKEND_CPU;
    co.num_threads = w->id % 2 ? 0 : 1;
    co.plan_cache_capacity = CACHE_CAPACITY;
    ecl_context *ctx;
    if (ecl_context_create(&co, &ctx) != ECL_SUCCESS) {
        snprintf(w->failure, sizeof w->failure, "thread %d: %s", w->id, ecl_last_create_error());
        return NULL;
    }
    for (int iter = 0; iter < ITERATIONS && !w->failure[0]; iter++) {
        const shared_case *s = &cases[(iter * 3 + w->id) % CASES];
        ecl_tensor *in[ECL_RAND_MAX_OPERANDS] = {0}, *out = NULL;
        ecl_status st = ECL_SUCCESS;
        for (int i = 0; i < s->c.nops && st == ECL_SUCCESS; i++) {
            const ecl_rand_operand *op = &s->c.op[i];
            st = ecl_tensor_wrap_host(ctx, op->dtype, op->ndim, op->shape, op->strides,
                                      (char *)op->buffer + (size_t)op->offset * elem_size(op->dtype), &in[i]);
        }
        const ecl_tensor *const *cin = (const ecl_tensor *const *)in;
        if (st == ECL_SUCCESS && iter % 4 == 3) {
            st = ecl_einsum_alloc(ctx, s->c.equation, s->c.nops, cin, &out);
            if (st == ECL_SUCCESS)
                check(w, "ecl_einsum_alloc", s, out, NULL, 1.0, 0.0);
        } else if (st == ECL_SUCCESS) {
            st = ecl_tensor_create(ctx, s->ref.dtype, s->ref.ndim, s->ref.shape, &out);
            if (st == ECL_SUCCESS)
                st = ecl_einsum(ctx, s->c.equation, s->c.nops, cin, out);
            if (st == ECL_SUCCESS)
                check(w, "ecl_einsum", s, out, NULL, 1.0, 0.0);
        }
        if (st != ECL_SUCCESS)
            fail(w, "one-shot", s, ecl_context_last_error(ctx));
        if (iter % 3 == 0)
            run_plan(w, ctx, s, in, iter);
        if (ctx->cache.count > CACHE_CAPACITY)
            fail(w, "plan cache", s, "holds more plans than its capacity");
        ecl_tensor_destroy(out);
        for (int i = 0; i < s->c.nops; i++)
            ecl_tensor_destroy(in[i]);
    }
    ecl_context_destroy(ctx);
    return NULL;
}


static int collect(worker *w, int n, int want_checks, char *failure, size_t cap)
{
    for (int t = 0; t < n; t++) {
        if (w[t].failure[0]) {
            snprintf(failure, cap, "%s", w[t].failure);
            return 1;
        }
        if (w[t].checks < want_checks) {
            snprintf(failure, cap, "thread %d made %d checks, want %d", t, w[t].checks, want_checks);
            return 1;
        }
    }
    return 0;
}

int ecl_threads_run_cpu(char *failure, size_t cap)
{
    failure[0] = '\0';
    for (int k = 0, found = 0; found < CASES; k++) {
        shared_case *s = &cases[found];
        const ecl_rand_limits larger = {300000, 16};  /* big enough for threaded GEMMs and loops */
        if (ecl_rand_case_generate_limited(ecl_rand_case_seed(0x7ead5, k), &larger, &s->c) != 0)
            return snprintf(failure, cap, "cannot generate case %d", k), 1;
        if (s->c.nops < 2) {
            ecl_rand_case_free(&s->c);
            continue;
        }
        ecl_ref_operand ops[ECL_RAND_MAX_OPERANDS];
        ecl_rand_case_ref_operands(&s->c, ops);
        if (ecl_ref_einsum(s->c.equation, s->c.nops, ops, &s->ref) != 0)
            return snprintf(failure, cap, "reference: %s", s->ref.error), 1;
        found++;
    }
    pthread_t tid[THREADS];
    static worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (worker){.id = t};
        if (pthread_create(&tid[t], NULL, work, &workers[t]) != 0)
            return snprintf(failure, cap, "pthread_create failed"), 1;
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);
    int bad = collect(workers, THREADS, ITERATIONS, failure, cap);
    for (int k = 0; k < CASES; k++) {
        ecl_ref_result_free(&cases[k].ref);
        ecl_rand_case_free(&cases[k].c);
    }
    return bad;
}

/* The same promise on OpenCL: each thread opens its own OpenCL context (PoCL in CI), so the
 * process-wide pieces — the ICD loader and CLBlast loaded once, the compiled-kernel disk cache that
 * all contexts read and write — are shared under concurrent use. Each thread runs a GEMM (CLBlast),
 * a transpose and a reduction through the one-shot plan cache and checks the results. */
#define CL_THREADS 3
#define CL_ITERATIONS 6

static void *opencl_work(void *arg)
{
    worker *w = arg;
    ecl_context_options co;
    ecl_context_options_init(&co);
    co.backend = ECL_BACKEND_OPENCL;
    ecl_context *ctx;
    if (ecl_context_create(&co, &ctx) != ECL_SUCCESS) {
        snprintf(w->failure, sizeof w->failure, "thread %d: %s", w->id, ecl_last_create_error());
        return NULL;
    }
    enum { N = 24 };
    static const char *const eqs[] = {"ij,jk->ik", "ij->ji", "ij->i"};
    const int64_t shape[] = {N, N};
    float a[N * N], got[N * N];
    for (int i = 0; i < N * N; i++)
        a[i] = (float)((i * 7 + w->id) % 13) - 6.0f;
    ecl_tensor *t = NULL;
    ecl_status st = ecl_tensor_create(ctx, ECL_F32, 2, shape, &t);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_write(t, a, sizeof a);
    for (int iter = 0; iter < CL_ITERATIONS * 3 && st == ECL_SUCCESS && !w->failure[0]; iter++) {
        int e = iter % 3;
        const ecl_tensor *in[] = {t, t};
        ecl_tensor *r = NULL;
        st = ecl_einsum_alloc(ctx, eqs[e], e == 0 ? 2 : 1, in, &r);
        if (st == ECL_SUCCESS)
            st = ecl_tensor_read(r, got, sizeof(float) * (size_t)ecl_tensor_numel(r));
        for (int i = 0; i < N && st == ECL_SUCCESS; i++)
            for (int j = 0; j < (e == 2 ? 1 : N); j++) {
                double want = 0;
                if (e == 0)
                    for (int k = 0; k < N; k++)
                        want += (double)a[i * N + k] * a[k * N + j];
                else if (e == 1)
                    want = a[j * N + i];
                else
                    for (int k = 0; k < N; k++)
                        want += a[i * N + k];
                double g = e == 2 ? got[i] : got[i * N + j];
                if (g != want && !w->failure[0])  /* small integers: exact in float32 */
                    snprintf(w->failure, sizeof w->failure, "thread %d, %s: [%d,%d] is %g, want %g",
                             w->id, eqs[e], i, j, g, want);
            }
        ecl_tensor_destroy(r);
        w->checks++;
    }
    if (st != ECL_SUCCESS && !w->failure[0])
        snprintf(w->failure, sizeof w->failure, "thread %d: %s", w->id, ecl_context_last_error(ctx));
    ecl_tensor_destroy(t);
    ecl_context_destroy(ctx);
    return NULL;
}

int ecl_threads_run_opencl(char *failure, size_t cap)
{
    failure[0] = '\0';
    pthread_t tid[CL_THREADS];
    static worker workers[CL_THREADS];
    for (int t = 0; t < CL_THREADS; t++) {
        workers[t] = (worker){.id = t};
        if (pthread_create(&tid[t], NULL, opencl_work, &workers[t]) != 0)
            return snprintf(failure, cap, "pthread_create failed"), 1;
    }
    for (int t = 0; t < CL_THREADS; t++)
        pthread_join(tid[t], NULL);
    return collect(workers, CL_THREADS, CL_ITERATIONS * 3, failure, cap);
}
