/*
 * Property tests: seeded random einsum problems (tests/support/random_einsum.h) run through the
 * public API on the CPU backend and compared with the naive reference. Each case plans and
 * executes with random alpha/beta (out = alpha * einsum + beta * previous), then runs the one-shot
 * ecl_einsum and sometimes ecl_einsum_alloc. Inputs are made in every supported way: created and
 * written, wrapped host memory (contiguous or strided) and views of either. The run is seeded by
 * ECL_TEST_SEED (default below), ECL_TEST_CASES sets the number of small cases (default 2000, plus
 * LARGE_CASES larger ones); a failure prints the seed, the case, its equation, shapes, strides,
 * dtypes and the first bad element.
 * The same cases run on the OpenCL backend too (PoCL in CI; skipped with the reason where no
 * OpenCL device exists), one context per shard; ECL_TEST_OPENCL_CASES overrides the number of
 * small cases there (default: as many as on the CPU).
 * The generator itself is checked here too (determinism, validity, feature coverage).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "compare.h"
#include "random_einsum.h"
#include "reference.h"

#define DEFAULT_SEED 0x5eed2025ULL
#define DEFAULT_CASES 2000
#define LARGE_CASES 150
#define LARGE_LOOP 300000
#define SHARDS 4
#define OPENCL_SHARDS 2
#define MAX_REPORTED 3
#define REPORT_MAX 8192

static uint64_t run_seed(void)
{
    const char *env = getenv("ECL_TEST_SEED");
    return env && *env ? strtoull(env, NULL, 0) : DEFAULT_SEED;
}

static int cases_from_env(const char *name, int fallback)
{
    const char *env = getenv(name);
    int n = env && *env ? atoi(env) : fallback;
    return n > 0 ? n : fallback;
}

static int run_cases(void) { return cases_from_env("ECL_TEST_CASES", DEFAULT_CASES); }

typedef struct report {
    char text[REPORT_MAX];
} report;

static void say(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(report *r, const char *fmt, ...)
{
    size_t len = strlen(r->text);
    va_list args;
    va_start(args, fmt);
    vsnprintf(r->text + len, sizeof r->text - len, fmt, args);
    va_end(args);
}

/* The tensors of one case; every pointer may be NULL. */
typedef struct case_tensors {
    int n;
    ecl_tensor *base[ECL_RAND_MAX_OPERANDS];
    ecl_tensor *input[ECL_RAND_MAX_OPERANDS];
    ecl_tensor_desc desc[ECL_RAND_MAX_OPERANDS];
    const char *how[ECL_RAND_MAX_OPERANDS];
    ecl_tensor *out, *oneshot, *alloc;
    ecl_plan *plan;
} case_tensors;

static void release(case_tensors *t)
{
    ecl_plan_destroy(t->plan);
    ecl_tensor_destroy(t->out);
    ecl_tensor_destroy(t->oneshot);
    ecl_tensor_destroy(t->alloc);
    for (int k = 0; k < t->n; k++) {
        ecl_tensor_destroy(t->input[k]);
        ecl_tensor_destroy(t->base[k]);
    }
}

static size_t elem_size(ecl_dtype dtype) { return dtype == ECL_F32 ? sizeof(float) : sizeof(double); }

/* A tensor holding the operand, made one of several ways; strides for the plan descriptor. */
static ecl_status make_input(ecl_context *ctx, ecl_rng *rng, const ecl_rand_operand *op,
                             case_tensors *t, int k)
{
    ecl_status st;
    size_t es = elem_size(op->dtype);
    int way = ecl_rng_below(rng, 3);
    int64_t numel = ecl_rand_operand_numel(op), whole = op->buffer_numel;
    if (op->row_major && way == 0) {
        t->how[k] = "ecl_tensor_create + ecl_tensor_write";
        void *packed = malloc((size_t)(numel > 0 ? numel : 1) * es);
        if (!packed)
            return ECL_ERROR_OUT_OF_MEMORY;
        ecl_rand_operand_pack(op, packed);
        st = ecl_tensor_create(ctx, op->dtype, op->ndim, op->shape, &t->input[k]);
        if (st == ECL_SUCCESS)
            st = ecl_tensor_write(t->input[k], packed, (size_t)numel * es);
        free(packed);
    } else if (op->row_major && way == 1) {
        t->how[k] = "ecl_tensor_wrap_host (row-major)";
        st = ecl_tensor_wrap_host(ctx, op->dtype, op->ndim, op->shape, NULL, op->buffer, &t->input[k]);
    } else if (way == 0 || way == 1) {
        t->how[k] = "ecl_tensor_wrap_host (strided)";
        st = ecl_tensor_wrap_host(ctx, op->dtype, op->ndim, op->shape, op->strides,
                                  (char *)op->buffer + (size_t)op->offset * es, &t->input[k]);
    } else {
        int wrap = ecl_rng_chance(rng, 0.5);
        t->how[k] = wrap ? "ecl_tensor_view of wrapped host memory"
                         : "ecl_tensor_view of a created and written tensor";
        st = wrap ? ecl_tensor_wrap_host(ctx, op->dtype, 1, &whole, NULL, op->buffer, &t->base[k])
                  : ecl_tensor_create(ctx, op->dtype, 1, &whole, &t->base[k]);
        if (st == ECL_SUCCESS && !wrap)
            st = ecl_tensor_write(t->base[k], op->buffer, (size_t)whole * es);
        if (st == ECL_SUCCESS)
            st = ecl_tensor_view(t->base[k], op->offset, op->ndim, op->shape, op->strides,
                                 &t->input[k]);
    }
    if (st != ECL_SUCCESS)
        return st;
    t->desc[k].dtype = op->dtype;
    t->desc[k].ndim = op->ndim;
    t->desc[k].shape = op->shape;
    int created_contiguous = t->base[k] == NULL && (op->row_major && way <= 1);
    t->desc[k].strides = created_contiguous && ecl_rng_chance(rng, 0.5)
                             ? NULL : ecl_tensor_strides(t->input[k]);
    return ECL_SUCCESS;
}

static double pick_alpha(ecl_rng *rng)
{
    return ecl_rng_chance(rng, 0.5) ? 1.0 : 4.0 * ecl_rng_uniform(rng) - 2.0;
}

static double pick_beta(ecl_rng *rng)
{
    int r = ecl_rng_below(rng, 10);
    return r < 4 ? 0.0 : r < 6 ? 1.0 : 4.0 * ecl_rng_uniform(rng) - 2.0;
}

static void describe_mismatch(report *r, const char *what, const ecl_ref_result *ref,
                              const ecl_mismatch *m)
{
    say(r, "%s: first mismatch at element %lld [", what, (long long)m->index);
    int64_t rest = m->index, idx[ECL_MAX_DIMS];
    for (int d = ref->ndim - 1; d >= 0; d--) {
        idx[d] = rest % ref->shape[d];
        rest /= ref->shape[d];
    }
    for (int d = 0; d < ref->ndim; d++)
        say(r, "%s%lld", d ? "," : "", (long long)idx[d]);
    say(r, "] of shape (");
    for (int d = 0; d < ref->ndim; d++)
        say(r, "%s%lld", d ? "," : "", (long long)ref->shape[d]);
    say(r, "): got %.17g, want %.17g (tolerance %.3g, %lld terms summed, sum|terms| %.6Lg)\n",
        m->got, m->want, m->tolerance, (long long)ref->terms, ref->abs_sum[m->index]);
}

static int check_output(report *r, const char *what, const ecl_ref_result *ref, int nops,
                        const ecl_tensor *out, const double *prev, double alpha, double beta)
{
    size_t bytes = (size_t)ref->numel * elem_size(ref->dtype);
    void *got = malloc(bytes > 0 ? bytes : 1);
    if (!got) {
        say(r, "%s: out of memory\n", what);
        return 1;
    }
    ecl_status st = ecl_tensor_read(out, got, bytes);
    ecl_mismatch m;
    int bad = st != ECL_SUCCESS;
    if (bad)
        say(r, "%s: ecl_tensor_read failed: %s\n", what, ecl_status_string(st));
    else if ((bad = ecl_test_mismatch(ref, nops, got, prev, alpha, beta, &m)))
        describe_mismatch(r, what, ref, &m);
    free(got);
    return bad;
}

static int check_shape(report *r, const char *what, const ecl_ref_result *ref, ecl_dtype dtype,
                       int ndim, const int64_t *shape)
{
    int bad = dtype != ref->dtype || ndim != ref->ndim;
    for (int d = 0; !bad && d < ndim; d++)
        bad = shape[d] != ref->shape[d];
    if (bad) {
        say(r, "%s: output %s with %d dims (", what, ecl_dtype_name(dtype), ndim);
        for (int d = 0; shape && d < ndim; d++)
            say(r, "%s%lld", d ? "," : "", (long long)shape[d]);
        say(r, "), want %s with %d dims (", ecl_dtype_name(ref->dtype), ref->ndim);
        for (int d = 0; d < ref->ndim; d++)
            say(r, "%s%lld", d ? "," : "", (long long)ref->shape[d]);
        say(r, ")\n");
    }
    return bad;
}

/* The output's previous contents (NaN when beta is 0: they must be ignored), as doubles and in
 * the output dtype. */
static int make_previous(ecl_rng *rng, const ecl_ref_result *ref, double beta, double **prev,
                         void **raw)
{
    size_t n = (size_t)(ref->numel > 0 ? ref->numel : 1);
    *prev = malloc(n * sizeof(double));
    *raw = malloc(n * elem_size(ref->dtype));
    if (!*prev || !*raw)
        return -1;
    for (int64_t i = 0; i < ref->numel; i++) {
        double v = beta == 0.0 ? NAN : 2.0 * ecl_rng_uniform(rng) - 1.0;
        if (ref->dtype == ECL_F32) {
            ((float *)*raw)[i] = (float)v;
            (*prev)[i] = (double)(float)v;
        } else {
            ((double *)*raw)[i] = v;
            (*prev)[i] = v;
        }
    }
    return 0;
}

static int run_plan(ecl_context *ctx, ecl_rng *rng, const ecl_rand_case *c,
                    const ecl_ref_result *ref, case_tensors *t, report *r)
{
    ecl_plan_options options;
    ecl_plan_options_init(&options);
    options.path = ecl_rng_chance(rng, 0.3) ? ECL_PATH_LEFT : ECL_PATH_AUTO;
    ecl_status st = ecl_plan_create(ctx, c->equation, c->nops, t->desc, &options, &t->plan);
    if (st != ECL_SUCCESS) {
        say(r, "ecl_plan_create failed: %s: %s\n", ecl_status_string(st), ecl_context_last_error(ctx));
        return 1;
    }
    if (check_shape(r, "ecl_plan_create", ref, ecl_plan_output_dtype(t->plan),
                    ecl_plan_output_ndim(t->plan), ecl_plan_output_shape(t->plan)))
        return 1;
    double alpha = pick_alpha(rng), beta = pick_beta(rng), *prev = NULL;
    void *raw = NULL, *wrapped = NULL;
    int bad = make_previous(rng, ref, beta, &prev, &raw) != 0;
    size_t bytes = (size_t)ref->numel * elem_size(ref->dtype);
    int wrap = ecl_rng_chance(rng, 0.3);
    if (!bad && wrap) {
        wrapped = raw;
        st = ecl_tensor_wrap_host(ctx, ref->dtype, ref->ndim, ref->shape, NULL, wrapped, &t->out);
    } else if (!bad) {
        st = ecl_tensor_create(ctx, ref->dtype, ref->ndim, ref->shape, &t->out);
        if (st == ECL_SUCCESS)
            st = ecl_tensor_write(t->out, raw, bytes);
    }
    if (!bad && st != ECL_SUCCESS) {
        say(r, "making the output failed: %s: %s\n", ecl_status_string(st), ecl_context_last_error(ctx));
        bad = 1;
    }
    if (!bad) {
        st = ecl_plan_execute(t->plan, (const ecl_tensor *const *)t->input, t->out, alpha, beta);
        if (st != ECL_SUCCESS) {
            say(r, "ecl_plan_execute failed: %s: %s\n", ecl_status_string(st), ecl_context_last_error(ctx));
            bad = 1;
        }
    }
    if (!bad) {
        char what[160];
        snprintf(what, sizeof what, "ecl_plan_execute (path %s, alpha %.17g, beta %.17g, %s output)",
                 options.path == ECL_PATH_LEFT ? "left" : "auto", alpha, beta,
                 wrap ? "wrapped" : "created");
        bad = check_output(r, what, ref, c->nops, t->out, prev, alpha, beta);
    }
    /* A wrapped output aliases raw: destroy it before raw goes away. */
    ecl_tensor_destroy(t->out);
    t->out = NULL;
    free(prev);
    free(raw);
    return bad;
}

static int run_oneshot(ecl_context *ctx, ecl_rng *rng, const ecl_rand_case *c,
                       const ecl_ref_result *ref, case_tensors *t, report *r)
{
    const ecl_tensor *const *inputs = (const ecl_tensor *const *)t->input;
    double *prev = NULL;
    void *raw = NULL;
    int bad = make_previous(rng, ref, 0.0, &prev, &raw) != 0;  /* NaN: must be overwritten */
    ecl_status st = ecl_tensor_create(ctx, ref->dtype, ref->ndim, ref->shape, &t->oneshot);
    if (!bad && st == ECL_SUCCESS)
        st = ecl_tensor_write(t->oneshot, raw, (size_t)ref->numel * elem_size(ref->dtype));
    if (!bad && st == ECL_SUCCESS)
        st = ecl_einsum(ctx, c->equation, c->nops, inputs, t->oneshot);
    if (!bad && st != ECL_SUCCESS) {
        say(r, "ecl_einsum failed: %s: %s\n", ecl_status_string(st), ecl_context_last_error(ctx));
        bad = 1;
    }
    if (!bad)
        bad = check_output(r, "ecl_einsum", ref, c->nops, t->oneshot, NULL, 1.0, 0.0);
    free(prev);
    free(raw);
    if (bad || !ecl_rng_chance(rng, 0.25))
        return bad;
    st = ecl_einsum_alloc(ctx, c->equation, c->nops, inputs, &t->alloc);
    if (st != ECL_SUCCESS) {
        say(r, "ecl_einsum_alloc failed: %s: %s\n", ecl_status_string(st), ecl_context_last_error(ctx));
        return 1;
    }
    if (check_shape(r, "ecl_einsum_alloc", ref, ecl_tensor_dtype(t->alloc), ecl_tensor_ndim(t->alloc),
                    ecl_tensor_shape(t->alloc)))
        return 1;
    return check_output(r, "ecl_einsum_alloc", ref, c->nops, t->alloc, NULL, 1.0, 0.0);
}

/* Runs case index of the run; returns 0 when it passed, else 1 with the story in *r. */
static int run_case(ecl_context *ctx, const ecl_rand_limits *limits, uint64_t seed, int index,
                    report *r)
{
    ecl_rand_case c;
    ecl_ref_operand ops[ECL_RAND_MAX_OPERANDS];
    ecl_ref_result ref;
    case_tensors t;
    ecl_rng rng;
    memset(&t, 0, sizeof t);
    r->text[0] = '\0';
    if (ecl_rand_case_generate_limited(ecl_rand_case_seed(seed, index), limits, &c) != 0) {
        say(r, "case %d: out of memory generating the case\n", index);
        return 1;
    }
    say(r, "ECL_TEST_SEED=0x%llx case %d (loop limit %lld, sizes up to %d): ",
        (unsigned long long)seed, index, (long long)limits->max_loop, limits->max_size);
    ecl_rand_case_describe(&c, r->text + strlen(r->text), sizeof r->text - strlen(r->text));
    ecl_rand_case_ref_operands(&c, ops);
    if (ecl_ref_einsum(c.equation, c.nops, ops, &ref) != 0) {
        say(r, "the generator made a case the reference rejects: %s\n", ref.error);
        ecl_rand_case_free(&c);
        return 1;
    }
    ecl_rng_seed(&rng, c.seed ^ 0xa5a5a5a5a5a5a5a5ULL);
    t.n = c.nops;
    int bad = 0;
    for (int k = 0; k < c.nops && !bad; k++) {
        ecl_status st = make_input(ctx, &rng, &c.op[k], &t, k);
        if (st != ECL_SUCCESS) {
            say(r, "making operand %d failed: %s: %s\n", k, ecl_status_string(st),
                ecl_context_last_error(ctx));
            bad = 1;
        }
    }
    if (!bad)
        bad = run_plan(ctx, &rng, &c, &ref, &t, r);
    if (!bad)
        bad = run_oneshot(ctx, &rng, &c, &ref, &t, r);
    if (bad)
        for (int k = 0; k < c.nops; k++)
            say(r, "  operand %d made by %s\n", k, t.how[k] ? t.how[k] : "(not made)");
    release(&t);
    ecl_ref_result_free(&ref);
    ecl_rand_case_free(&c);
    return bad;
}

/* Runs cases first, first + stride, ... below total on ctx. */
static void run_cases_on(ecl_context *ctx, const ecl_rand_limits *limits, int first, int stride,
                         int total, const char *name)
{
    uint64_t seed = run_seed();
    int failures = 0, count = 0;
    static report r;
    for (int i = first; i < total; i += stride, count++) {
        if (run_case(ctx, limits, seed, i, &r) == 0)
            continue;
        if (++failures <= MAX_REPORTED)
            cr_expect_fail("%s on %s", r.text, ecl_context_device_name(ctx));
    }
    cr_expect_eq(failures, 0, "%d of %d cases failed in %s (ECL_TEST_SEED=0x%llx)", failures, count,
                 name, (unsigned long long)seed);
}

/* Runs cases first, first + stride, ... below total on one CPU context. */
static void run_cases_on_cpu(const ecl_rand_limits *limits, int first, int stride, int total,
                             int num_threads, const char *name)
{
    ecl_context_options options;
    ecl_context *ctx = NULL;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_CPU;
    options.num_threads = num_threads;
    ecl_status st = ecl_context_create(&options, &ctx);
    cr_assert_eq(st, ECL_SUCCESS, "ecl_context_create: %s: %s", ecl_status_string(st),
                 ecl_last_create_error());
    run_cases_on(ctx, limits, first, stride, total, name);
    ecl_context_destroy(ctx);
}

/* The same, on one OpenCL context (skips when there is no OpenCL device). */
static void run_cases_on_opencl(const ecl_rand_limits *limits, int first, int stride, int total,
                                const char *name)
{
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_OPENCL);
    run_cases_on(ctx, limits, first, stride, total, name);
    ecl_context_destroy(ctx);
}

static const ecl_rand_limits small_limits = {ECL_RAND_MAX_LOOP, 7};

/* The cases are split over shards so that criterion's --jobs runs them in parallel; odd shards
 * use two threads so the threaded paths are compared too. */
Test(random, shard0) { run_cases_on_cpu(&small_limits, 0, SHARDS, run_cases(), 1, "shard 0"); }
Test(random, shard1) { run_cases_on_cpu(&small_limits, 1, SHARDS, run_cases(), 2, "shard 1"); }
Test(random, shard2) { run_cases_on_cpu(&small_limits, 2, SHARDS, run_cases(), 1, "shard 2"); }
Test(random, shard3) { run_cases_on_cpu(&small_limits, 3, SHARDS, run_cases(), 2, "shard 3"); }

/* Fewer, larger problems (up to LARGE_LOOP loop points, labels up to 48): blocked GEMM and
 * threaded paths. Case numbers continue after the small ones so the seeds differ. */
Test(random, larger_sizes)
{
    const ecl_rand_limits large = {LARGE_LOOP, 48};
    int first = run_cases();
    run_cases_on_cpu(&large, first, 1, first + LARGE_CASES, 2, "larger_sizes");
}

/* The OpenCL backend on the first of the same cases (the seeds match the CPU run's). */
static int opencl_cases(void) { return cases_from_env("ECL_TEST_OPENCL_CASES", run_cases()); }

Test(random, opencl_shard0)
{
    run_cases_on_opencl(&small_limits, 0, OPENCL_SHARDS, opencl_cases(), "opencl shard 0");
}

Test(random, opencl_shard1)
{
    run_cases_on_opencl(&small_limits, 1, OPENCL_SHARDS, opencl_cases(), "opencl shard 1");
}

Test(random, opencl_larger_sizes)
{
    const ecl_rand_limits large = {LARGE_LOOP, 48};
    int first = run_cases();
    run_cases_on_opencl(&large, first, 1, first + LARGE_CASES, "opencl larger_sizes");
}

/* ---- the generator ---------------------------------------------------------------------------- */

Test(generator, deterministic_for_a_seed)
{
    for (int i = 0; i < 50; i++) {
        ecl_rand_case a, b;
        uint64_t seed = ecl_rand_case_seed(run_seed(), i);
        cr_assert_eq(ecl_rand_case_generate(seed, &a), 0);
        cr_assert_eq(ecl_rand_case_generate(seed, &b), 0);
        cr_expect_str_eq(a.equation, b.equation);
        cr_assert_eq(a.nops, b.nops);
        for (int k = 0; k < a.nops; k++) {
            cr_assert_eq(a.op[k].ndim, b.op[k].ndim);
            cr_assert_eq(a.op[k].buffer_numel, b.op[k].buffer_numel);
            size_t n = (size_t)a.op[k].ndim * sizeof(int64_t);
            cr_expect(memcmp(a.op[k].shape, b.op[k].shape, n) == 0);
            cr_expect(memcmp(a.op[k].strides, b.op[k].strides, n) == 0);
            cr_expect(memcmp(a.op[k].buffer, b.op[k].buffer,
                             (size_t)a.op[k].buffer_numel * elem_size(a.op[k].dtype)) == 0);
        }
        ecl_rand_case_free(&a);
        ecl_rand_case_free(&b);
    }
}

typedef struct coverage {
    int implicit, explicit_out, ellipsis, diagonal, zero_d, size_zero, letter_broadcast, strided,
        zero_stride, mixed, five_ops, spaces;
} coverage;

/* Diagonals, and size-1 letters broadcast against larger sizes, read from the equation text. */
static void scan_terms(const ecl_rand_case *c, coverage *cov)
{
    int64_t smallest[128], largest[128];
    for (int i = 0; i < 128; i++) {
        smallest[i] = INT64_MAX;
        largest[i] = -1;
    }
    const char *p = c->equation;
    for (int k = 0; k < c->nops; k++) {
        char letters[ECL_MAX_DIMS];
        int n = 0, before_ellipsis = -1, seen[128] = {0};
        for (; *p && *p != ',' && *p != '-'; p++) {
            if (*p == '.') {
                before_ellipsis = n;
                p += 2;
            } else if (*p != ' ') {
                letters[n++] = *p;
            }
        }
        if (*p == ',')
            p++;
        for (int i = 0; i < n; i++) {
            int ch = (unsigned char)letters[i];
            int d = before_ellipsis < 0 || i < before_ellipsis ? i : c->op[k].ndim - (n - i);
            int64_t size = c->op[k].shape[d];
            cov->diagonal += seen[ch]++ == 1;
            smallest[ch] = size < smallest[ch] ? size : smallest[ch];
            largest[ch] = size > largest[ch] ? size : largest[ch];
        }
    }
    for (int ch = 0; ch < 128; ch++)
        cov->letter_broadcast += smallest[ch] == 1 && largest[ch] > 1;
}

Test(generator, valid_cases_covering_every_feature)
{
    coverage cov = {0};
    for (int i = 0; i < 3000; i++) {
        ecl_rand_case c;
        ecl_ref_operand ops[ECL_RAND_MAX_OPERANDS];
        ecl_ref_result ref;
        cr_assert_eq(ecl_rand_case_generate(ecl_rand_case_seed(run_seed(), i), &c), 0);
        ecl_rand_case_ref_operands(&c, ops);
        cr_assert_eq(ecl_ref_einsum(c.equation, c.nops, ops, &ref), 0, "case %d \"%s\": %s", i,
                     c.equation, ref.error);
        int64_t loop = ref.terms;
        for (int d = 0; d < ref.ndim; d++)
            loop *= ref.shape[d];
        cr_expect_leq(loop, ECL_RAND_MAX_LOOP, "case %d \"%s\": loop nest %lld", i, c.equation,
                      (long long)loop);
        int has_arrow = strstr(c.equation, "->") != NULL, f32 = 0, f64 = 0;
        cov.implicit += !has_arrow;
        cov.explicit_out += has_arrow;
        cov.ellipsis += strstr(c.equation, "...") != NULL;
        cov.spaces += strchr(c.equation, ' ') != NULL;
        cov.five_ops += c.nops == 5;
        for (int k = 0; k < c.nops; k++) {
            const ecl_rand_operand *op = &c.op[k];
            cov.zero_d += op->ndim == 0;
            cov.strided += !op->row_major;
            f32 |= op->dtype == ECL_F32;
            f64 |= op->dtype == ECL_F64;
            for (int d = 0; d < op->ndim; d++) {
                cov.size_zero += op->shape[d] == 0;
                cov.zero_stride += op->shape[d] == 1 && op->strides[d] == 0;
            }
        }
        cov.mixed += f32 && f64;
        scan_terms(&c, &cov);
        ecl_ref_result_free(&ref);
        ecl_rand_case_free(&c);
    }
    cr_expect_gt(cov.implicit, 0);
    cr_expect_gt(cov.explicit_out, 0);
    cr_expect_gt(cov.ellipsis, 0);
    cr_expect_gt(cov.diagonal, 0);
    cr_expect_gt(cov.zero_d, 0);
    cr_expect_gt(cov.size_zero, 0);
    cr_expect_gt(cov.letter_broadcast, 0);
    cr_expect_gt(cov.strided, 0);
    cr_expect_gt(cov.zero_stride, 0);
    cr_expect_gt(cov.mixed, 0);
    cr_expect_gt(cov.five_ops, 0);
    cr_expect_gt(cov.spaces, 0);
}
