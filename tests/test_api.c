/*
 * Public API contract tests: NULL arguments, destroy(NULL), failed creates leaving
 * *out NULL, status and dtype strings, tensor and plan queries, the detailed last error (message
 * and parse position), execute-time checks of inputs and output against the plan, plan reuse with
 * different data, alpha/beta, and the one-shot calls. Expected values come from the naive
 * reference or from hand computation. The tensor, plan and one-shot tests (API_TEST) run twice:
 * on the CPU backend (suite api) and on OpenCL (suite api_opencl; skipped with the reason where no
 * OpenCL device exists).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "backend_select.h"
#include "reference.h"

static ecl_context *ctx;
static int sentinel_object;
#define SENTINEL ((void *)&sentinel_object)

static void open_cpu(void)
{
    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_CPU;
    ecl_status st = ecl_context_create(&options, &ctx);
    cr_assert_eq(st, ECL_SUCCESS, "ecl_context_create: %s", ecl_last_create_error());
}

static void close_cpu(void)
{
    ecl_context_destroy(ctx);
    ctx = NULL;
}

static void open_opencl(void) { ctx = ecl_test_context(ECL_BACKEND_OPENCL); }

TestSuite(api, .init = open_cpu, .fini = close_cpu);
TestSuite(api_opencl, .init = open_opencl, .fini = close_cpu);

/* A test of the api suite, run on the CPU backend and again on OpenCL. */
#define API_TEST(name)                                                                            \
    static void name(void);                                                                       \
    Test(api, name) { name(); }                                                                   \
    Test(api_opencl, name) { name(); }                                                            \
    static void name(void)

static void expect_error(ecl_status got, ecl_status want, const char *what)
{
    cr_expect_eq(got, want, "%s: got \"%s\", want \"%s\"", what, ecl_status_string(got),
                 ecl_status_string(want));
}

static void expect_message(const char *what)
{
    const char *msg = ecl_context_last_error(ctx);
    cr_expect(msg != NULL && msg[0] != '\0', "%s: no message in ecl_context_last_error", what);
}

static ecl_tensor *tensor_f64(int ndim, const int64_t *shape, const double *data, size_t n)
{
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F64, ndim, shape, &t), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    if (data)
        cr_assert_eq(ecl_tensor_write(t, data, n * sizeof(double)), ECL_SUCCESS, "%s",
                     ecl_context_last_error(ctx));
    return t;
}

/* ---- statuses, dtypes, options ---------------------------------------------------------------- */

Test(strings, every_status_has_distinct_text)
{
    const char *seen[ECL_ERROR_MEMORY_LIMIT + 1];
    for (int s = ECL_SUCCESS; s <= ECL_ERROR_MEMORY_LIMIT; s++) {
        seen[s] = ecl_status_string((ecl_status)s);
        cr_assert(seen[s] != NULL && seen[s][0] != '\0', "status %d has no text", s);
        for (int e = 0; e < s; e++)
            cr_expect_str_neq(seen[s], seen[e], "statuses %d and %d share their text", e, s);
    }
    const char *unknown = ecl_status_string((ecl_status)9999);
    cr_expect(unknown != NULL && unknown[0] != '\0');
}

Test(strings, dtype_sizes_and_names)
{
    cr_expect_eq(ecl_dtype_size(ECL_F32), 4);
    cr_expect_eq(ecl_dtype_size(ECL_F64), 8);
    cr_expect_eq(ecl_dtype_size((ecl_dtype)77), 0);
    cr_expect_str_eq(ecl_dtype_name(ECL_F32), "float32");
    cr_expect_str_eq(ecl_dtype_name(ECL_F64), "float64");
    cr_expect_str_eq(ecl_dtype_name((ecl_dtype)77), "unknown");
}

Test(options, defaults)
{
    ecl_context_options c;
    memset(&c, 0x5a, sizeof c);
    ecl_context_options_init(&c);
    cr_expect_eq(c.backend, ECL_BACKEND_AUTO);
    cr_expect_null(c.device);
    cr_expect_eq(c.num_threads, 0);
    ecl_plan_options p;
    memset(&p, 0x5a, sizeof p);
    ecl_plan_options_init(&p);
    cr_expect_eq(p.path, ECL_PATH_AUTO);
    cr_expect_eq(p.memory_limit, 0);
}

/* ---- contexts --------------------------------------------------------------------------------- */

Test(context, destroy_null_is_a_no_op)
{
    ecl_context_destroy(NULL);
    ecl_tensor_destroy(NULL);
    ecl_plan_destroy(NULL);
}

Test(context, create_with_null_out)
{
    expect_error(ecl_context_create(NULL, NULL), ECL_ERROR_INVALID_ARGUMENT, "out NULL");
}

Test(context, bad_options_leave_out_null)
{
    ecl_context_options options;
    ecl_context *c = SENTINEL;
    ecl_context_options_init(&options);
    options.backend = (ecl_backend_kind)42;
    expect_error(ecl_context_create(&options, &c), ECL_ERROR_INVALID_ARGUMENT, "backend 42");
    cr_expect_null(c, "backend 42: a failed call must leave *out NULL");
    cr_expect_neq(ecl_last_create_error()[0], '\0', "no create error message");
    c = SENTINEL;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_CPU;
    options.num_threads = -3;
    expect_error(ecl_context_create(&options, &c), ECL_ERROR_INVALID_ARGUMENT, "num_threads -3");
    cr_expect_null(c, "num_threads -3: a failed call must leave *out NULL");
}

Test(context, cpu_backend_queries)
{
    open_cpu();
    cr_expect_eq(ecl_context_backend(ctx), ECL_BACKEND_CPU);
    const char *name = ecl_context_device_name(ctx);
    cr_expect(name != NULL && name[0] != '\0');
    cr_expect_str_eq(ecl_context_last_error(ctx), "");
    cr_expect_eq(ecl_context_last_error_position(ctx), -1);
    cr_expect_eq(ecl_finish(ctx), ECL_SUCCESS);
    expect_error(ecl_finish(NULL), ECL_ERROR_INVALID_ARGUMENT, "finish(NULL)");
    close_cpu();
}

Test(context, opencl_request_succeeds_or_is_unavailable)
{
    ecl_context_options options;
    ecl_context *c = SENTINEL;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_OPENCL;
    ecl_status st = ecl_context_create(&options, &c);
    cr_expect(st == ECL_SUCCESS || st == ECL_ERROR_UNAVAILABLE, "got %s", ecl_status_string(st));
    if (st == ECL_SUCCESS) {
        cr_expect_eq(ecl_context_backend(c), ECL_BACKEND_OPENCL);
        ecl_context_destroy(c);
    } else {
        cr_expect_null(c, "opencl unavailable: a failed call must leave *out NULL");
        cr_expect_neq(ecl_last_create_error()[0], '\0', "no create error message");
    }
}

/* ---- tensors ---------------------------------------------------------------------------------- */

API_TEST(tensor_create_queries_and_zero_fill)
{
    ecl_tensor *t = NULL;
    int64_t shape[3] = {2, 3, 4};
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 3, shape, &t), ECL_SUCCESS);
    cr_expect_eq(ecl_tensor_dtype(t), ECL_F32);
    cr_expect_eq(ecl_tensor_ndim(t), 3);
    cr_expect_eq(ecl_tensor_numel(t), 24);
    const int64_t *s = ecl_tensor_shape(t), *st = ecl_tensor_strides(t);
    cr_expect(s[0] == 2 && s[1] == 3 && s[2] == 4);
    cr_expect(st[0] == 12 && st[1] == 4 && st[2] == 1, "strides %lld %lld %lld", (long long)st[0],
              (long long)st[1], (long long)st[2]);
    float got[24];
    memset(got, 0xff, sizeof got);
    cr_assert_eq(ecl_tensor_read(t, got, sizeof got), ECL_SUCCESS);
    for (int i = 0; i < 24; i++)
        cr_expect(got[i] == 0.0f, "element %d is %g, not 0", i, got[i]);
    ecl_tensor_destroy(t);

    cr_assert_eq(ecl_tensor_create(ctx, ECL_F64, 0, NULL, &t), ECL_SUCCESS, "0-d tensor");
    cr_expect_eq(ecl_tensor_numel(t), 1);
    ecl_tensor_destroy(t);
    int64_t empty[2] = {3, 0};
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F64, 2, empty, &t), ECL_SUCCESS, "size-0 tensor");
    cr_expect_eq(ecl_tensor_numel(t), 0);
    cr_expect_eq(ecl_tensor_read(t, NULL, 0), ECL_SUCCESS);
    ecl_tensor_destroy(t);
}

API_TEST(tensor_create_errors_leave_out_null)
{
    int64_t shape[2] = {2, 3}, negative[2] = {2, -1};
    ecl_tensor *t = SENTINEL;
    expect_error(ecl_tensor_create(NULL, ECL_F32, 2, shape, &t), ECL_ERROR_INVALID_ARGUMENT, "ctx NULL");
    cr_expect_null(t, "ctx NULL: a failed call must leave *out NULL");
    expect_error(ecl_tensor_create(ctx, ECL_F32, 2, shape, NULL), ECL_ERROR_INVALID_ARGUMENT, "out NULL");
    t = SENTINEL;
    expect_error(ecl_tensor_create(ctx, (ecl_dtype)9, 2, shape, &t), ECL_ERROR_DTYPE, "dtype 9");
    cr_expect_null(t, "dtype 9: a failed call must leave *out NULL");
    expect_message("dtype 9");
    t = SENTINEL;
    expect_error(ecl_tensor_create(ctx, ECL_F32, 2, negative, &t), ECL_ERROR_SHAPE, "negative size");
    cr_expect_null(t, "negative size: a failed call must leave *out NULL");
    expect_message("negative size");
    t = SENTINEL;
    expect_error(ecl_tensor_create(ctx, ECL_F32, ECL_MAX_DIMS + 1, shape, &t),
                 ECL_ERROR_INVALID_ARGUMENT, "too many dims");
    cr_expect_null(t, "too many dims: a failed call must leave *out NULL");
    t = SENTINEL;
    expect_error(ecl_tensor_create(ctx, ECL_F32, 2, NULL, &t), ECL_ERROR_INVALID_ARGUMENT, "shape NULL");
    cr_expect_null(t, "shape NULL: a failed call must leave *out NULL");
    int64_t huge[2] = {INT64_C(1) << 40, INT64_C(1) << 40};
    t = SENTINEL;
    expect_error(ecl_tensor_create(ctx, ECL_F64, 2, huge, &t), ECL_ERROR_OVERFLOW, "2^80 elements");
    cr_expect_null(t, "2^80 elements: a failed call must leave *out NULL");
    double host[6] = {0};
    t = SENTINEL;
    expect_error(ecl_tensor_wrap_host(NULL, ECL_F64, 2, shape, NULL, host, &t),
                 ECL_ERROR_INVALID_ARGUMENT, "wrap with ctx NULL");
    cr_expect_null(t, "wrap with ctx NULL: a failed call must leave *out NULL");
    t = SENTINEL;
    expect_error(ecl_tensor_wrap_host(ctx, ECL_F64, 2, shape, NULL, NULL, &t),
                 ECL_ERROR_INVALID_ARGUMENT, "wrap NULL data");
    cr_expect_null(t, "wrap NULL data: a failed call must leave *out NULL");
}

API_TEST(tensor_transfers_check_sizes)
{
    int64_t shape[2] = {2, 3};
    double data[6] = {1, 2, 3, 4, 5, 6}, back[6] = {0};
    ecl_tensor *t = tensor_f64(2, shape, data, 6);
    expect_error(ecl_tensor_write(t, data, 5 * sizeof(double)), ECL_ERROR_INVALID_ARGUMENT, "write 5 of 6");
    expect_message("short write");
    expect_error(ecl_tensor_read(t, back, 7 * sizeof(double)), ECL_ERROR_INVALID_ARGUMENT, "read 7 of 6");
    expect_error(ecl_tensor_write(NULL, data, sizeof data), ECL_ERROR_INVALID_ARGUMENT, "write NULL");
    expect_error(ecl_tensor_read(NULL, back, sizeof back), ECL_ERROR_INVALID_ARGUMENT, "read NULL");
    cr_assert_eq(ecl_tensor_read(t, back, sizeof back), ECL_SUCCESS);
    cr_expect(memcmp(back, data, sizeof data) == 0);
    ecl_tensor_destroy(t);
}

API_TEST(views_share_storage_and_are_bounded)
{
    int64_t shape[2] = {2, 3};
    double data[6] = {1, 2, 3, 4, 5, 6}, back[6];
    ecl_tensor *base = tensor_f64(2, shape, data, 6), *view = NULL;
    int64_t vshape[2] = {3, 2}, vstrides[2] = {1, 3};  /* the transpose */
    cr_assert_eq(ecl_tensor_view(base, 0, 2, vshape, vstrides, &view), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    ecl_tensor_destroy(base);  /* the storage lives on in the view */
    cr_assert_eq(ecl_tensor_read(view, back, sizeof back), ECL_SUCCESS);
    const double want[6] = {1, 4, 2, 5, 3, 6};
    cr_expect(memcmp(back, want, sizeof want) == 0, "transposed view read back wrong");
    ecl_tensor *bad = SENTINEL;
    int64_t too_far[2] = {3, 3};
    cr_expect_neq(ecl_tensor_view(view, 0, 2, too_far, NULL, &bad), ECL_SUCCESS,
                  "a view past the storage was accepted");
    cr_expect_null(bad, "view past the storage: a failed call must leave *out NULL");
    expect_message("view out of bounds");
    bad = SENTINEL;
    expect_error(ecl_tensor_view(NULL, 0, 2, vshape, NULL, &bad), ECL_ERROR_INVALID_ARGUMENT, "base NULL");
    cr_expect_null(bad, "base NULL: a failed call must leave *out NULL");
    ecl_tensor_destroy(view);
}

/* ---- plans: creation errors ------------------------------------------------------------------- */

static const int64_t shape23[2] = {2, 3}, shape34[2] = {3, 4}, shape44[2] = {4, 4};

static ecl_status plan2(const char *eq, ecl_dtype a, const int64_t *sa, ecl_dtype b,
                        const int64_t *sb, ecl_plan **out)
{
    ecl_tensor_desc d[2] = {{a, 2, sa, NULL}, {b, 2, sb, NULL}};
    return ecl_plan_create(ctx, eq, 2, d, NULL, out);
}

API_TEST(plan_create_null_arguments)
{
    ecl_tensor_desc d[2] = {{ECL_F64, 2, shape23, NULL}, {ECL_F64, 2, shape34, NULL}};
    ecl_plan *p = SENTINEL;
    expect_error(ecl_plan_create(NULL, "ij,jk", 2, d, NULL, &p), ECL_ERROR_INVALID_ARGUMENT, "ctx NULL");
    cr_expect_null(p, "ctx NULL: a failed call must leave *out NULL");
    p = SENTINEL;
    expect_error(ecl_plan_create(ctx, NULL, 2, d, NULL, &p), ECL_ERROR_INVALID_ARGUMENT, "equation NULL");
    cr_expect_null(p, "equation NULL: a failed call must leave *out NULL");
    p = SENTINEL;
    expect_error(ecl_plan_create(ctx, "ij,jk", 2, NULL, NULL, &p), ECL_ERROR_INVALID_ARGUMENT, "inputs NULL");
    cr_expect_null(p, "inputs NULL: a failed call must leave *out NULL");
    expect_error(ecl_plan_create(ctx, "ij,jk", 2, d, NULL, NULL), ECL_ERROR_INVALID_ARGUMENT, "out NULL");
    p = SENTINEL;
    expect_error(ecl_plan_create(ctx, "ij,jk", 1, d, NULL, &p), ECL_ERROR_INVALID_ARGUMENT,
                 "1 input for 2 terms");
    cr_expect_null(p, "1 input for 2 terms: a failed call must leave *out NULL");
    expect_message("operand count");
}

API_TEST(parse_errors_report_the_position)
{
    ecl_plan *p = SENTINEL;
    expect_error(plan2("ij,j%->ik", ECL_F64, shape23, ECL_F64, shape34, &p), ECL_ERROR_PARSE, "'%'");
    cr_expect_null(p, "bad character: a failed call must leave *out NULL");
    expect_message("bad character");
    cr_expect_eq(ecl_context_last_error_position(ctx), 4, "position %ld, want 4",
                 ecl_context_last_error_position(ctx));
    p = SENTINEL;
    expect_error(plan2("ij,jk->iz", ECL_F64, shape23, ECL_F64, shape34, &p), ECL_ERROR_PARSE,
                 "output label z not in the inputs");
    cr_expect_null(p, "output label z not in the inputs: a failed call must leave *out NULL");
    cr_expect_eq(ecl_context_last_error_position(ctx), 8, "position %ld, want 8",
                 ecl_context_last_error_position(ctx));
    cr_expect(strchr(ecl_context_last_error(ctx), 'z') != NULL, "message does not name z: %s",
              ecl_context_last_error(ctx));
}

API_TEST(shape_and_dtype_errors_name_the_problem)
{
    ecl_plan *p = SENTINEL;
    expect_error(plan2("ij,jk->ik", ECL_F64, shape23, ECL_F64, shape44, &p), ECL_ERROR_SHAPE, "j: 3 vs 4");
    cr_expect_null(p, "j: 3 vs 4: a failed call must leave *out NULL");
    const char *msg = ecl_context_last_error(ctx);
    cr_expect(strchr(msg, 'j') && strchr(msg, '3') && strchr(msg, '4'),
              "message should name label j and sizes 3 and 4: %s", msg);
    p = SENTINEL;
    expect_error(plan2("ijk,jk->i", ECL_F64, shape23, ECL_F64, shape34, &p), ECL_ERROR_SHAPE,
                 "3 labels for 2 dims");
    cr_expect_null(p, "3 labels for 2 dims: a failed call must leave *out NULL");
    expect_message("3 labels for 2 dims");
    p = SENTINEL;
    expect_error(plan2("ij,jk->ik", (ecl_dtype)5, shape23, ECL_F64, shape34, &p), ECL_ERROR_DTYPE, "dtype 5");
    cr_expect_null(p, "dtype 5: a failed call must leave *out NULL");
    expect_message("dtype 5");
    p = SENTINEL;
    expect_error(plan2("ii,jk->ik", ECL_F64, shape23, ECL_F64, shape34, &p), ECL_ERROR_SHAPE,
                 "diagonal of a 2x3 operand");
    cr_expect_null(p, "diagonal of a 2x3 operand: a failed call must leave *out NULL");
    expect_message("diagonal of a 2x3 operand");
}

API_TEST(plan_queries)
{
    ecl_plan *p = NULL;
    cr_assert_eq(plan2("ij,jk->ik", ECL_F32, shape23, ECL_F64, shape34, &p), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_expect_eq(ecl_plan_output_dtype(p), ECL_F64, "f32 x f64 must promote to f64");
    cr_assert_eq(ecl_plan_output_ndim(p), 2);
    const int64_t *s = ecl_plan_output_shape(p);
    cr_expect(s[0] == 2 && s[1] == 4);
    /* numpy.einsum_path: 2*3*4 loop points, factor (2 terms - 1) + 1 for the inner sum. */
    cr_expect_float_eq(ecl_plan_naive_flops(p), 48.0, 1e-9);
    cr_expect_geq(ecl_plan_flops(p), 0.0);
    const char *text = ecl_plan_describe(p), *json = ecl_plan_describe_json(p);
    cr_expect(text != NULL && text[0] != '\0');
    cr_expect(json != NULL && json[0] == '{', "JSON description: %s", json ? json : "(null)");
    ecl_plan_destroy(p);

    ecl_tensor_desc d[3] = {{ECL_F32, 2, shape23, NULL}, {ECL_F32, 2, shape34, NULL},
                            {ECL_F32, 1, (int64_t[]){4}, NULL}};
    cr_assert_eq(ecl_plan_create(ctx, "ij,jk,k", 3, d, NULL, &p), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_expect_eq(ecl_plan_output_dtype(p), ECL_F32);
    cr_expect_eq(ecl_plan_output_ndim(p), 1, "implicit output of ij,jk,k is i");
    /* 2*3*4 points, (3 terms - 1) + 1. */
    cr_expect_float_eq(ecl_plan_naive_flops(p), 72.0, 1e-9);
    ecl_plan_destroy(p);
}

/* ---- execution -------------------------------------------------------------------------------- */

static void fill(double *x, int n, double start, double step)
{
    for (int i = 0; i < n; i++)
        x[i] = start + step * i;
}

/* Expected values for "ij,jk->ik" from the reference. */
static void reference_matmul(const double *a, const double *b, double *want)
{
    ecl_ref_operand ops[2] = {{ECL_F64, 2, shape23, NULL, a}, {ECL_F64, 2, shape34, NULL, b}};
    ecl_ref_result r;
    cr_assert_eq(ecl_ref_einsum("ij,jk->ik", 2, ops, &r), 0, "%s", r.error);
    for (int i = 0; i < 8; i++)
        want[i] = (double)r.value[i];
    ecl_ref_result_free(&r);
}

static void expect_close(const double *got, const double *want, int n, const char *what)
{
    for (int i = 0; i < n; i++)
        cr_expect(fabs(got[i] - want[i]) <= 1e-12 * (1 + fabs(want[i])), "%s: element %d is %.17g, want %.17g",
                  what, i, got[i], want[i]);
}

API_TEST(plan_reuse_with_new_data_and_alpha_beta)
{
    ecl_plan *p = NULL;
    cr_assert_eq(plan2("ij,jk->ik", ECL_F64, shape23, ECL_F64, shape34, &p), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    double a[6], b[12], want[8], got[8];
    ecl_tensor *ta = tensor_f64(2, shape23, NULL, 0), *tb = tensor_f64(2, shape34, NULL, 0);
    ecl_tensor *out = tensor_f64(2, (int64_t[]){2, 4}, NULL, 0);
    const ecl_tensor *inputs[2] = {ta, tb};
    for (int round = 0; round < 3; round++) {
        fill(a, 6, 1.0 + round, 0.5);
        fill(b, 12, -2.0 * round, 0.25 + round);
        cr_assert_eq(ecl_tensor_write(ta, a, sizeof a), ECL_SUCCESS);
        cr_assert_eq(ecl_tensor_write(tb, b, sizeof b), ECL_SUCCESS);
        cr_assert_eq(ecl_plan_execute(p, inputs, out, 1.0, 0.0), ECL_SUCCESS, "%s",
                     ecl_context_last_error(ctx));
        cr_assert_eq(ecl_tensor_read(out, got, sizeof got), ECL_SUCCESS);
        reference_matmul(a, b, want);
        expect_close(got, want, 8, "reuse");
    }
    /* out = 2 * einsum + 0.5 * out, with out holding the last product. */
    double before[8];
    memcpy(before, got, sizeof got);
    cr_assert_eq(ecl_plan_execute(p, inputs, out, 2.0, 0.5), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    cr_assert_eq(ecl_tensor_read(out, got, sizeof got), ECL_SUCCESS);
    for (int i = 0; i < 8; i++)
        want[i] = 2.0 * want[i] + 0.5 * before[i];
    expect_close(got, want, 8, "alpha 2, beta 0.5");
    /* beta == 0 ignores NaN in the output. */
    double nan8[8];
    for (int i = 0; i < 8; i++)
        nan8[i] = NAN;
    cr_assert_eq(ecl_tensor_write(out, nan8, sizeof nan8), ECL_SUCCESS);
    cr_assert_eq(ecl_plan_execute(p, inputs, out, -1.0, 0.0), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_read(out, got, sizeof got), ECL_SUCCESS);
    for (int i = 0; i < 8; i++)
        want[i] = -before[i];
    expect_close(got, want, 8, "alpha -1, beta 0 over NaN");
    ecl_tensor_destroy(ta);
    ecl_tensor_destroy(tb);
    ecl_tensor_destroy(out);
    ecl_plan_destroy(p);
}

API_TEST(execute_rejects_mismatched_tensors)
{
    ecl_plan *p = NULL;
    cr_assert_eq(plan2("ij,jk->ik", ECL_F64, shape23, ECL_F64, shape34, &p), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    ecl_tensor *a = tensor_f64(2, shape23, NULL, 0), *b = tensor_f64(2, shape34, NULL, 0);
    ecl_tensor *out = tensor_f64(2, (int64_t[]){2, 4}, NULL, 0);
    ecl_tensor *b44 = tensor_f64(2, shape44, NULL, 0), *out24f = NULL, *out42 = NULL, *b32 = NULL;
    ecl_tensor *bview = NULL, *outview = NULL, *wide = tensor_f64(2, (int64_t[]){2, 8}, NULL, 0);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 2, (int64_t[]){2, 4}, &out24f), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 2, shape34, &b32), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F64, 2, (int64_t[]){4, 2}, &out42), ECL_SUCCESS);
    /* b's shape with transposed strides over a 4x3 block; the output as a strided 2x4 view. */
    cr_assert_eq(ecl_tensor_view(b44, 0, 2, shape34, (int64_t[]){1, 4}, &bview), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_view(wide, 0, 2, (int64_t[]){2, 4}, (int64_t[]){8, 2}, &outview), ECL_SUCCESS);

    const ecl_tensor *good[2] = {a, b}, *wrong_shape[2] = {a, b44}, *wrong_dtype[2] = {a, b32},
                     *wrong_strides[2] = {a, bview}, *with_null[2] = {a, NULL};
    expect_error(ecl_plan_execute(NULL, good, out, 1, 0), ECL_ERROR_INVALID_ARGUMENT, "plan NULL");
    expect_error(ecl_plan_execute(p, NULL, out, 1, 0), ECL_ERROR_INVALID_ARGUMENT, "inputs NULL");
    expect_error(ecl_plan_execute(p, good, NULL, 1, 0), ECL_ERROR_INVALID_ARGUMENT, "output NULL");
    expect_error(ecl_plan_execute(p, with_null, out, 1, 0), ECL_ERROR_INVALID_ARGUMENT, "input 1 NULL");
    expect_error(ecl_plan_execute(p, wrong_shape, out, 1, 0), ECL_ERROR_SHAPE, "input 1 is 4x4");
    expect_message("input 1 is 4x4");
    expect_error(ecl_plan_execute(p, wrong_dtype, out, 1, 0), ECL_ERROR_DTYPE, "input 1 is f32");
    expect_message("input 1 is f32");
    cr_expect_neq(ecl_plan_execute(p, wrong_strides, out, 1, 0), ECL_SUCCESS,
                  "input strides differ from the descriptor but execute succeeded");
    expect_message("input strides differ");
    expect_error(ecl_plan_execute(p, good, out42, 1, 0), ECL_ERROR_SHAPE, "output 4x2");
    expect_message("output 4x2");
    expect_error(ecl_plan_execute(p, good, out24f, 1, 0), ECL_ERROR_DTYPE, "output f32");
    expect_message("output f32");
    cr_expect_neq(ecl_plan_execute(p, good, outview, 1, 0), ECL_SUCCESS,
                  "a non-contiguous output was accepted");
    expect_message("non-contiguous output");
    cr_expect_eq(ecl_plan_execute(p, good, out, 1, 0), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    cr_expect_str_eq(ecl_context_last_error(ctx), "", "a successful call clears the last error");
    cr_expect_eq(ecl_context_last_error_position(ctx), -1);
    ecl_tensor *all[] = {a, b, out, b44, out24f, out42, b32, bview, outview, wide};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        ecl_tensor_destroy(all[i]);
    ecl_plan_destroy(p);
}

/* ---- one-shot --------------------------------------------------------------------------------- */

API_TEST(einsum_and_einsum_alloc)
{
    double a[6], b[12], want[8], got[8];
    fill(a, 6, -1.0, 0.75);
    fill(b, 12, 2.0, -0.5);
    reference_matmul(a, b, want);
    ecl_tensor *ta = tensor_f64(2, shape23, a, 6), *tb = tensor_f64(2, shape34, b, 12);
    ecl_tensor *out = tensor_f64(2, (int64_t[]){2, 4}, NULL, 0), *res = SENTINEL;
    const ecl_tensor *inputs[2] = {ta, tb};
    for (int i = 0; i < 2; i++) {  /* the second call reuses the cached plan */
        cr_assert_eq(ecl_einsum(ctx, "ij,jk->ik", 2, inputs, out), ECL_SUCCESS, "%s",
                     ecl_context_last_error(ctx));
        cr_assert_eq(ecl_tensor_read(out, got, sizeof got), ECL_SUCCESS);
        expect_close(got, want, 8, "ecl_einsum");
    }
    cr_assert_eq(ecl_einsum_alloc(ctx, "ij,jk", 2, inputs, &res), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_assert_not_null(res);
    cr_expect_eq(ecl_tensor_dtype(res), ECL_F64);
    cr_assert_eq(ecl_tensor_ndim(res), 2);
    cr_expect(ecl_tensor_shape(res)[0] == 2 && ecl_tensor_shape(res)[1] == 4);
    cr_assert_eq(ecl_tensor_read(res, got, sizeof got), ECL_SUCCESS);
    expect_close(got, want, 8, "ecl_einsum_alloc");
    ecl_tensor_destroy(res);

    res = SENTINEL;
    expect_error(ecl_einsum_alloc(ctx, "ij,jk->q", 2, inputs, &res), ECL_ERROR_PARSE, "alloc, bad output");
    cr_expect_null(res, "alloc, bad output: a failed call must leave *out NULL");
    cr_expect_eq(ecl_context_last_error_position(ctx), 7);
    expect_error(ecl_einsum_alloc(ctx, "ij,jk", 2, inputs, NULL), ECL_ERROR_INVALID_ARGUMENT, "alloc, out NULL");
    res = SENTINEL;
    expect_error(ecl_einsum_alloc(NULL, "ij,jk", 2, inputs, &res), ECL_ERROR_INVALID_ARGUMENT, "alloc, ctx NULL");
    cr_expect_null(res, "alloc, ctx NULL: a failed call must leave *out NULL");
    expect_error(ecl_einsum(ctx, "ij,jk->ki", 2, inputs, out), ECL_ERROR_SHAPE, "einsum into 2x4 for 4x2");
    expect_message("einsum into 2x4 for 4x2");
    cr_expect_eq(ecl_context_last_error_position(ctx), -1, "a shape error has no position");
    expect_error(ecl_einsum(ctx, NULL, 2, inputs, out), ECL_ERROR_INVALID_ARGUMENT, "einsum, equation NULL");
    expect_error(ecl_einsum(ctx, "ij,jk->ik", 2, NULL, out), ECL_ERROR_INVALID_ARGUMENT, "einsum, inputs NULL");
    expect_error(ecl_einsum(ctx, "ij,jk->ik", 2, inputs, NULL), ECL_ERROR_INVALID_ARGUMENT, "einsum, out NULL");
    ecl_tensor_destroy(ta);
    ecl_tensor_destroy(tb);
    ecl_tensor_destroy(out);
}
