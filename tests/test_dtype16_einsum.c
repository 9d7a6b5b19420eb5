/*
 * Einsums over float16 and bfloat16 tensors and the compute modes, on both backends, against the
 * long-double reference: result dtypes by the promotion rule, values within the tolerance of each
 * mode, alpha/beta applied in the final rounding (ties to even, overflow to inf, NaN), plans that
 * describe their conversions, the compute modes measurably rounding on a crafted input, the
 * errors (float64 with a compute mode, unknown modes), and the attention core in 16-bit through
 * the public API (einsum, ecl_softmax, einsum).
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "reference.h"
#include "rng.h"

#define BOTH_BACKENDS(name)                                                   \
    static void name(ecl_backend_kind kind);                                  \
    Test(dtype16_einsum, name##_cpu) { name(ECL_BACKEND_CPU); }               \
    Test(dtype16_einsum, name##_opencl) { name(ECL_BACKEND_OPENCL); }         \
    static void name(ecl_backend_kind kind)

/* Host data of one operand: numel elements of dtype, and the value each holds exactly. */
typedef struct operand {
    ecl_dtype dtype;
    int ndim;
    int64_t shape[8];
    int64_t numel;
    void *data;
    ecl_tensor *t;
} operand;

static double load(ecl_dtype dtype, const void *data, int64_t i)
{
    switch (dtype) {
    case ECL_F16: return ecl_f16_to_float(((const uint16_t *)data)[i]);
    case ECL_BF16: return ecl_bf16_to_float(((const uint16_t *)data)[i]);
    case ECL_F32: return ((const float *)data)[i];
    default: return ((const double *)data)[i];
    }
}

static void store(ecl_dtype dtype, void *data, int64_t i, double v)
{
    switch (dtype) {
    case ECL_F16: ((uint16_t *)data)[i] = ecl_f16_from_float((float)v); break;
    case ECL_BF16: ((uint16_t *)data)[i] = ecl_bf16_from_float((float)v); break;
    case ECL_F32: ((float *)data)[i] = (float)v; break;
    default: ((double *)data)[i] = v; break;
    }
}

static void make_operand(ecl_context *ctx, ecl_rng *rng, ecl_dtype dtype, const char *shape,
                         operand *op)
{
    memset(op, 0, sizeof *op);
    op->dtype = dtype;
    op->numel = 1;
    for (const char *p = shape; *p;) {
        char *end;
        op->shape[op->ndim] = strtoll(p, &end, 10);
        op->numel *= op->shape[op->ndim++];
        p = *end ? end + 1 : end;
    }
    op->data = malloc((size_t)(op->numel ? op->numel : 1) * ecl_dtype_size(dtype));
    cr_assert(op->data);
    for (int64_t i = 0; i < op->numel; i++)
        store(dtype, op->data, i, 2 * ecl_rng_uniform(rng) - 1);
    cr_assert_eq(ecl_tensor_create(ctx, dtype, op->ndim, op->shape, &op->t), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_assert_eq(ecl_tensor_write(op->t, op->data, (size_t)op->numel * ecl_dtype_size(dtype)),
                 ECL_SUCCESS);
}

static void free_operand(operand *op)
{
    ecl_tensor_destroy(op->t);
    free(op->data);
}

/* Relative error allowed per compute mode, applied to the sum of |terms| of each element, plus the
 * rounding of the result into its dtype. The product operands are rounded once each (a relative
 * error u on each of two factors), sums run in float32. */
static double unit_of(ecl_dtype dtype)
{
    return dtype == ECL_F16 ? 0x1p-11 : dtype == ECL_BF16 ? 0x1p-8 : dtype == ECL_F32 ? 0x1p-24 : 0x1p-53;
}

static double compute_unit(ecl_compute c)
{
    return c == ECL_COMPUTE_BF16 ? 0x1p-8 : c == ECL_COMPUTE_DEFAULT ? 0.0 : 0x1p-11;
}

/* Runs equation on the operands with options; checks the result dtype and the values against
 * the reference. */
static void check_einsum(ecl_context *ctx, const char *eq, int n, operand *ops, ecl_compute compute,
                         ecl_dtype want_dtype)
{
    ecl_tensor_desc desc[4];
    ecl_ref_operand ref_ops[4];
    const ecl_tensor *in[4];
    for (int i = 0; i < n; i++) {
        desc[i] = (ecl_tensor_desc){ops[i].dtype, ops[i].ndim, ops[i].shape, NULL};
        ref_ops[i] = (ecl_ref_operand){ops[i].dtype, ops[i].ndim, ops[i].shape, NULL, ops[i].data};
        in[i] = ops[i].t;
    }
    ecl_plan_options opt;
    ecl_plan_options_init(&opt);
    opt.compute = compute;
    ecl_plan *plan;
    cr_assert_eq(ecl_plan_create(ctx, eq, n, desc, &opt, &plan), ECL_SUCCESS, "%s: %s", eq,
                 ecl_context_last_error(ctx));
    cr_assert_eq(ecl_plan_output_dtype(plan), want_dtype, "%s: result dtype %s, expected %s", eq,
                 ecl_dtype_name(ecl_plan_output_dtype(plan)), ecl_dtype_name(want_dtype));
    ecl_ref_result ref;
    cr_assert_eq(ecl_ref_einsum(eq, n, ref_ops, &ref), 0, "%s", ref.error);
    cr_assert_eq(ref.dtype, want_dtype, "the reference's promotion agrees");
    ecl_tensor *out;
    cr_assert_eq(ecl_tensor_create(ctx, want_dtype, ecl_plan_output_ndim(plan),
                                   ecl_plan_output_shape(plan), &out), ECL_SUCCESS);
    cr_assert_eq(ecl_plan_execute(plan, in, out, 1.0, 0.0), ECL_SUCCESS, "%s: %s", eq,
                 ecl_context_last_error(ctx));
    const size_t es = ecl_dtype_size(want_dtype);
    void *got = malloc((size_t)(ref.numel ? ref.numel : 1) * es);
    cr_assert_eq(ecl_tensor_read(out, got, (size_t)ref.numel * es), ECL_SUCCESS);
    const double u = compute_unit(compute);
    for (int64_t i = 0; i < ref.numel; i++) {
        const double g = load(want_dtype, got, i);
        const double w = (double)ref.value[i], s = (double)ref.abs_sum[i];
        const double tol = (2.2 * u + 4 * (double)(ref.terms + 2) * 0x1p-24) * s +
                           unit_of(want_dtype) * fabs(w) * 1.01 + 1e-30;
        cr_assert(fabs(g - w) <= tol, "%s (%s, compute %s) element %lld: got %.9g, expected %.9g "
                  "(tolerance %.3g)", eq, ecl_dtype_name(want_dtype), ecl_compute_name(compute),
                  (long long)i, g, w, tol);
    }
    free(got);
    ecl_ref_result_free(&ref);
    ecl_tensor_destroy(out);
    ecl_plan_destroy(plan);
}

static const struct {
    const char *eq;
    int n;
    const char *shape[3];
} cases[] = {
    {"ij,jk->ik", 2, {"7x33", "33x5"}},
    {"bij,bkj->bik", 2, {"3x4x40", "3x6x40"}},
    {"bqhd,bkhd->bhqk", 2, {"2x5x3x8", "2x6x3x8"}},
    {"ij,jk,kl->il", 3, {"4x9", "9x5", "5x3"}},
    {"ii->i", 1, {"6x6"}},
    {"ijk->kj", 1, {"3x4x5"}},
    {"i,j->ij", 2, {"17", "9"}},
    {"ij,ij->", 2, {"20x30", "20x30"}},
    {"...j,j->...", 2, {"2x3x11", "11"}},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

/* want: the result of all three dtypes; single-operand cases keep the first operand's dtype. */
static void run_cases(ecl_backend_kind kind, const ecl_dtype *dtypes, ecl_compute compute,
                      ecl_dtype want, uint64_t seed)
{
    ecl_context *ctx = ecl_test_context(kind);
    ecl_rng rng;
    ecl_rng_seed(&rng, seed);
    for (int c = 0; c < NCASES; c++) {
        operand ops[3];
        for (int i = 0; i < cases[c].n; i++)
            make_operand(ctx, &rng, dtypes[i], cases[c].shape[i], &ops[i]);
        check_einsum(ctx, cases[c].eq, cases[c].n, ops, compute, cases[c].n == 1 ? dtypes[0] : want);
        for (int i = 0; i < cases[c].n; i++)
            free_operand(&ops[i]);
    }
    ecl_context_destroy(ctx);
}

BOTH_BACKENDS(f16_tensors)
{
    const ecl_dtype d[3] = {ECL_F16, ECL_F16, ECL_F16};
    run_cases(kind, d, ECL_COMPUTE_DEFAULT, ECL_F16, 11);
    run_cases(kind, d, ECL_COMPUTE_F16, ECL_F16, 12);
}

BOTH_BACKENDS(bf16_tensors)
{
    const ecl_dtype d[3] = {ECL_BF16, ECL_BF16, ECL_BF16};
    run_cases(kind, d, ECL_COMPUTE_DEFAULT, ECL_BF16, 21);
    run_cases(kind, d, ECL_COMPUTE_TF32, ECL_BF16, 22);
}

BOTH_BACKENDS(mixed_promotions)
{
    const ecl_dtype f16_f32[3] = {ECL_F16, ECL_F32, ECL_F16};
    const ecl_dtype f16_bf16[3] = {ECL_BF16, ECL_F16, ECL_F16};
    const ecl_dtype bf16_f32[3] = {ECL_BF16, ECL_F32, ECL_F32};
    run_cases(kind, f16_f32, ECL_COMPUTE_DEFAULT, ECL_F32, 31);
    run_cases(kind, f16_bf16, ECL_COMPUTE_DEFAULT, ECL_F32, 32);
    run_cases(kind, bf16_f32, ECL_COMPUTE_BF16, ECL_F32, 33);
    ecl_context *ctx = ecl_test_context(kind);
    ecl_dtype with_f64[3] = {ECL_BF16, ECL_F64, ECL_F16};
    ecl_context_destroy(ctx);
    if (kind == ECL_BACKEND_OPENCL)
        return; /* float64 needs fp64 on the device; the CPU covers the promotion */
    run_cases(kind, with_f64, ECL_COMPUTE_DEFAULT, ECL_F64, 34);
}

BOTH_BACKENDS(compute_modes_on_f32)
{
    const ecl_dtype d[3] = {ECL_F32, ECL_F32, ECL_F32};
    run_cases(kind, d, ECL_COMPUTE_TF32, ECL_F32, 41);
    run_cases(kind, d, ECL_COMPUTE_F16, ECL_F32, 42);
    run_cases(kind, d, ECL_COMPUTE_BF16, ECL_F32, 43);
}

/* x * y with x = 1 + 2^-12 + 2^-13 and y = 1: exact in float32, rounded up to 1 + 2^-10 in TF32
 * and float16 (above the tie) and to 1 in bfloat16. */
BOTH_BACKENDS(compute_modes_round)
{
    ecl_context *ctx = ecl_test_context(kind);
    const float x = 1.0f + 0x1p-11f + 0x1p-13f, y = 1.0f;
    const int64_t one[1] = {1};
    ecl_tensor *a, *b, *out;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 1, one, &a), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 1, one, &b), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 0, NULL, &out), ECL_SUCCESS);
    ecl_tensor_write(a, &x, sizeof x);
    ecl_tensor_write(b, &y, sizeof y);
    const ecl_tensor_desc desc[2] = {{ECL_F32, 1, one, NULL}, {ECL_F32, 1, one, NULL}};
    const ecl_compute modes[4] = {ECL_COMPUTE_DEFAULT, ECL_COMPUTE_TF32, ECL_COMPUTE_F16,
                                  ECL_COMPUTE_BF16};
    const float want[4] = {x, 1.0f + 0x1p-10f, 1.0f + 0x1p-10f, 1.0f};
    for (int m = 0; m < 4; m++) {
        ecl_plan_options opt;
        ecl_plan_options_init(&opt);
        opt.compute = modes[m];
        ecl_plan *plan;
        cr_assert_eq(ecl_plan_create(ctx, "i,i->", 2, desc, &opt, &plan), ECL_SUCCESS);
        const char *text = ecl_plan_describe(plan);
        if (modes[m] != ECL_COMPUTE_DEFAULT) {
            char expect[64];
            snprintf(expect, sizeof expect, "%s (emulated", ecl_compute_name(modes[m]));
            cr_assert(strstr(text, expect), "the plan says %s:\n%s", expect, text);
            cr_assert(strstr(text, "round to"), "the plan shows the rounding copies:\n%s", text);
            cr_assert(strstr(ecl_plan_describe_json(plan), "\"compute\":\""));
        }
        const ecl_tensor *in[2] = {a, b};
        cr_assert_eq(ecl_plan_execute(plan, in, out, 1.0, 0.0), ECL_SUCCESS);
        float got;
        ecl_tensor_read(out, &got, sizeof got);
        cr_assert_eq(got, want[m], "compute %s: got %.9g, expected %.9g", ecl_compute_name(modes[m]),
                     got, want[m]);
        ecl_plan_destroy(plan);
    }
    ecl_tensor_destroy(a);
    ecl_tensor_destroy(b);
    ecl_tensor_destroy(out);
    ecl_context_destroy(ctx);
}

/* An operand with a label only it has is summed first, then rounded (so every GEMM operand is
 * exact in the mode's format): in 'ij,j->j' under tf32, A = [[1 + 2^-12], [2^-12]] sums to
 * 1 + 2^-11, a tie that rounds to 1 (even); rounding before the sum would give 1 + 2^-12. */
BOTH_BACKENDS(compute_mode_rounds_after_sum)
{
    ecl_context *ctx = ecl_test_context(kind);
    const int64_t sa[2] = {2, 1}, sb[1] = {1};
    const float av[2] = {1.0f + 0x1p-12f, 0x1p-12f}, bv[1] = {1.0f};
    ecl_tensor *a, *b, *out;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 2, sa, &a), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 1, sb, &b), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 1, sb, &out), ECL_SUCCESS);
    ecl_tensor_write(a, av, sizeof av);
    ecl_tensor_write(b, bv, sizeof bv);
    const ecl_tensor_desc desc[2] = {{ECL_F32, 2, sa, NULL}, {ECL_F32, 1, sb, NULL}};
    ecl_plan_options opt;
    ecl_plan_options_init(&opt);
    opt.compute = ECL_COMPUTE_TF32;
    ecl_plan *plan;
    cr_assert_eq(ecl_plan_create(ctx, "ij,j->j", 2, desc, &opt, &plan), ECL_SUCCESS);
    const char *text = ecl_plan_describe(plan);
    const char *sum = strstr(text, "reduce"), *round = sum ? strstr(sum, "round to tf32") : NULL;
    cr_assert(sum && round, "the sum comes before the rounding:\n%s", text);
    const ecl_tensor *in[2] = {a, b};
    cr_assert_eq(ecl_plan_execute(plan, in, out, 1.0, 0.0), ECL_SUCCESS);
    float got;
    ecl_tensor_read(out, &got, sizeof got);
    cr_assert_eq(got, 1.0f, "got %.9g, expected 1", got);
    ecl_plan_destroy(plan);
    ecl_tensor_destroy(a);
    ecl_tensor_destroy(b);
    ecl_tensor_destroy(out);
    ecl_context_destroy(ctx);
}

/* The final converting copy applies alpha and beta and rounds: ties to even, overflow, NaN. */
BOTH_BACKENDS(output_rounding_with_alpha_beta)
{
    ecl_context *ctx = ecl_test_context(kind);
    const int64_t shape[1] = {1};
    const uint16_t one = 0x3c00;
    ecl_tensor *a, *out;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F16, 1, shape, &a), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F16, 1, shape, &out), ECL_SUCCESS);
    ecl_tensor_write(a, &one, sizeof one);
    const ecl_tensor_desc desc[1] = {{ECL_F16, 1, shape, NULL}};
    ecl_plan *plan;
    cr_assert_eq(ecl_plan_create(ctx, "i->i", 1, desc, NULL, &plan), ECL_SUCCESS);
    const ecl_tensor *in[1] = {a};
    const struct { double alpha, beta; uint16_t prev, want; } rows[] = {
        {1 + 0x1p-11, 0, 0, 0x3c00},          /* tie: to even (1) */
        {1 + 3 * 0x1p-11, 0, 0, 0x3c02},      /* tie: to even (1 + 2^-9) */
        {65520, 0, 0, 0x7c00},                /* overflow */
        {NAN, 0, 0, 0x7e00},                  /* NaN (checked as any NaN) */
        {1, 0, 0x7e00, 0x3c00},               /* beta 0: the NaN output is not read */
        {1, 2, 0x4000, 0x4500},               /* 1 + 2 * 2 = 5 */
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        ecl_tensor_write(out, &rows[r].prev, sizeof rows[r].prev);
        cr_assert_eq(ecl_plan_execute(plan, in, out, rows[r].alpha, rows[r].beta), ECL_SUCCESS);
        uint16_t got;
        ecl_tensor_read(out, &got, sizeof got);
        if (rows[r].want == 0x7e00)
            cr_assert((got & 0x7c00) == 0x7c00 && (got & 0x3ff), "row %zu: 0x%04x is not NaN", r, got);
        else
            cr_assert_eq(got, rows[r].want, "row %zu: got 0x%04x, expected 0x%04x", r, got,
                         rows[r].want);
    }
    cr_assert(strstr(ecl_plan_describe(plan), "convert"), "%s", ecl_plan_describe(plan));
    ecl_plan_destroy(plan);
    ecl_tensor_destroy(a);
    ecl_tensor_destroy(out);
    ecl_context_destroy(ctx);
}

Test(dtype16_einsum, compute_mode_errors)
{
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_CPU);
    const int64_t shape[1] = {3};
    ecl_tensor_desc desc[2] = {{ECL_F32, 1, shape, NULL}, {ECL_F64, 1, shape, NULL}};
    ecl_plan_options opt;
    ecl_plan_options_init(&opt);
    opt.compute = ECL_COMPUTE_TF32;
    ecl_plan *plan = (ecl_plan *)1;
    cr_assert_eq(ecl_plan_create(ctx, "i,i->", 2, desc, &opt, &plan), ECL_ERROR_DTYPE);
    cr_assert_null(plan);
    cr_assert(strstr(ecl_context_last_error(ctx), "operand 1 is float64"), "%s",
              ecl_context_last_error(ctx));
    cr_assert(strstr(ecl_context_last_error(ctx), "tf32"));
    opt.compute = (ecl_compute)42;
    desc[1].dtype = ECL_F32;
    cr_assert_eq(ecl_plan_create(ctx, "i,i->", 2, desc, &opt, &plan), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(ecl_context_last_error(ctx), "compute mode 42"));
    desc[1].dtype = (ecl_dtype)9;
    opt.compute = ECL_COMPUTE_DEFAULT;
    cr_assert_eq(ecl_plan_create(ctx, "i,i->", 2, desc, &opt, &plan), ECL_ERROR_DTYPE);
    cr_assert(strstr(ecl_context_last_error(ctx), "operand 1 has unsupported dtype 9"));
    ecl_context_destroy(ctx);
}

/* The attention core on 16-bit tensors through the public API, with a causal mask of the same
 * dtype: S = einsum(q, k) * alpha, softmax(S + mask), O = einsum(S, v); against double math on the
 * 16-bit inputs. S and the probabilities are rounded to the dtype between the steps, so the
 * tolerance is a few units of the dtype on |O| <= 1. */
static void attention16(ecl_backend_kind kind, ecl_dtype dtype, double tol)
{
    enum { B = 2, N = 12, H = 2, D = 8 };
    ecl_context *ctx = ecl_test_context(kind);
    ecl_rng rng;
    ecl_rng_seed(&rng, 77);
    operand q, k, v;
    make_operand(ctx, &rng, dtype, "2x12x2x8", &q);
    make_operand(ctx, &rng, dtype, "2x12x2x8", &k);
    make_operand(ctx, &rng, dtype, "2x12x2x8", &v);
    const int64_t mshape[2] = {N, N};
    uint16_t mask_bits[N * N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            const float m = j <= i ? 0.0f : -INFINITY;
            mask_bits[i * N + j] = dtype == ECL_F16 ? ecl_f16_from_float(m) : ecl_bf16_from_float(m);
        }
    ecl_tensor *mask, *s, *o;
    cr_assert_eq(ecl_tensor_create(ctx, dtype, 2, mshape, &mask), ECL_SUCCESS);
    ecl_tensor_write(mask, mask_bits, sizeof mask_bits);
    const ecl_tensor *qk[2] = {q.t, k.t};
    cr_assert_eq(ecl_einsum_alloc(ctx, "bqhd,bkhd->bhqk", 2, qk, &s), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_assert_eq(ecl_tensor_dtype(s), dtype);
    const double alpha = 1 / sqrt((double)D);
    cr_assert_eq(ecl_scale(ctx, s, alpha), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    cr_assert_eq(ecl_softmax(ctx, s, 1.0, mask), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    const ecl_tensor *sv[2] = {s, v.t};
    cr_assert_eq(ecl_einsum_alloc(ctx, "bhqk,bkhd->bqhd", 2, sv, &o), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    uint16_t got[B * N * H * D];
    cr_assert_eq(ecl_tensor_read(o, got, sizeof got), ECL_SUCCESS);
    double worst = 0;
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++)
            for (int i = 0; i < N; i++) {
                double p[N], mx = -INFINITY, sum = 0;
                for (int j = 0; j <= i; j++) {
                    double dot = 0;
                    for (int d = 0; d < D; d++)
                        dot += load(dtype, q.data, ((b * N + i) * H + h) * D + d) *
                               load(dtype, k.data, ((b * N + j) * H + h) * D + d);
                    p[j] = alpha * dot;
                    mx = p[j] > mx ? p[j] : mx;
                }
                for (int j = 0; j <= i; j++)
                    sum += p[j] = exp(p[j] - mx);
                for (int d = 0; d < D; d++) {
                    double want = 0;
                    for (int j = 0; j <= i; j++)
                        want += p[j] / sum * load(dtype, v.data, ((b * N + j) * H + h) * D + d);
                    const int64_t at = ((b * N + i) * H + h) * D + d;
                    const double g = dtype == ECL_F16 ? ecl_f16_to_float(got[at]) : ecl_bf16_to_float(got[at]);
                    const double e = fabs(g - want);
                    worst = e > worst ? e : worst;
                    cr_assert(e <= tol, "%s O[%d,%d,%d,%d] = %.6g, expected %.6g", ecl_dtype_name(dtype),
                              b, i, h, d, g, want);
                }
            }
    cr_assert(worst > 0, "a 16-bit result that is exact everywhere means no rounding happened");
    ecl_tensor_destroy(o);
    ecl_tensor_destroy(s);
    ecl_tensor_destroy(mask);
    free_operand(&q);
    free_operand(&k);
    free_operand(&v);
    ecl_context_destroy(ctx);
}

BOTH_BACKENDS(attention_f16) { attention16(kind, ECL_F16, 4e-3); }
BOTH_BACKENDS(attention_bf16) { attention16(kind, ECL_BF16, 3e-2); }
