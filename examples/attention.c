/*
 * The multi-head attention core on one device, through the public API only:
 *   qkv (B, N, 3, H, D) packed  ->  q, k, v as strided (B, N, H, D) views (no copies)
 *   S = einsum('bqhd,bkhd->bhqk', q, k) / sqrt(D)      (one batched GEMM)
 *   S = softmax(S + mask) along k                       (in place; optional causal mask)
 *   O = einsum('bhqk,bkhd->bqhd', S, v)                 (one batched GEMM)
 * Nothing leaves the device until O is read. O is then checked against a reference computed here
 * in double; the maximum error is printed and a mismatch exits with status 1.
 *
 * The tensors are float32, float64, float16 or bfloat16 (--dtype); --compute picks what the two
 * products compute in (tf32, f16 or bf16 for float32 tensors: tensor cores on NVIDIA GPUs, the
 * same rounding emulated elsewhere). The tolerance grows with the unit roundoff of the storage and
 * compute types.
 *
 * usage: example_attention [--backend cpu|opencl|auto] [--dtype float32|float64|float16|bfloat16]
 *                          [--compute default|tf32|f16|bf16] [--mask none|causal] [--describe]
 *                          [B N H D]
 * Exit status: 0 match, 1 mismatch or failure, 2 bad usage, 77 skipped: OpenCL asked for but
 * unavailable, or float64 on a device without it.
 */
#include <einsumcl.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_MISMATCH 1
#define EXIT_USAGE 2
#define EXIT_SKIP 77
/* Reference rows checked at most (every query row when there are fewer). */
#define MAX_CHECKED_ROWS 4096
/* Largest qkv or S tensor the example makes, in elements (keeps every size product exact). */
#define MAX_ELEMENTS 4e12

typedef struct options {
    ecl_backend_kind backend;
    ecl_dtype dtype;
    ecl_compute compute;
    int causal, describe;
    int64_t b, n, h, d;
} options;

static int usage(const char *why)
{
    fprintf(stderr, "example_attention: %s\nusage: example_attention [--backend cpu|opencl|auto] "
                    "[--dtype float32|float64|float16|bfloat16] [--compute default|tf32|f16|bf16] "
                    "[--mask none|causal] [--describe] [B N H D]\n", why);
    return EXIT_USAGE;
}

static ecl_dtype dtype_named(const char *name)
{
    const ecl_dtype all[] = {ECL_F32, ECL_F64, ECL_F16, ECL_BF16};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(name, ecl_dtype_name(all[i])))
            return all[i];
    return (ecl_dtype)0;
}

static int compute_named(const char *name, ecl_compute *out)
{
    const ecl_compute all[] = {ECL_COMPUTE_DEFAULT, ECL_COMPUTE_TF32, ECL_COMPUTE_F16,
                               ECL_COMPUTE_BF16};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(name, ecl_compute_name(all[i]))) {
            *out = all[i];
            return 1;
        }
    return 0;
}

static int parse(int argc, char **argv, options *o)
{
    *o = (options){ECL_BACKEND_AUTO, ECL_F32, ECL_COMPUTE_DEFAULT, 0, 0, 2, 128, 4, 32};
    int64_t *sizes[4] = {&o->b, &o->n, &o->h, &o->d};
    int nsizes = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--describe")) {
            o->describe = 1;
        } else if (!strcmp(a, "--backend") && v) {
            if (strcmp(v, "cpu") && strcmp(v, "opencl") && strcmp(v, "auto"))
                return usage("--backend takes cpu, opencl or auto");
            o->backend = !strcmp(v, "cpu")      ? ECL_BACKEND_CPU
                         : !strcmp(v, "opencl") ? ECL_BACKEND_OPENCL
                                                : ECL_BACKEND_AUTO;
            i++;
        } else if (!strcmp(a, "--dtype") && v) {
            o->dtype = dtype_named(v);
            if (!o->dtype)
                return usage("--dtype takes float32, float64, float16 or bfloat16");
            i++;
        } else if (!strcmp(a, "--compute") && v) {
            if (!compute_named(v, &o->compute))
                return usage("--compute takes default, tf32, f16 or bf16");
            i++;
        } else if (!strcmp(a, "--mask") && v) {
            if (strcmp(v, "causal") && strcmp(v, "none"))
                return usage("--mask takes none or causal");
            o->causal = !strcmp(v, "causal");
            i++;
        } else if (a[0] != '-' && nsizes < 4) {
            char *end;
            long long x = strtoll(a, &end, 10);
            if (*end || x < 1 || x > 1 << 20)
                return usage("sizes are integers from 1 to 1048576");
            *sizes[nsizes++] = x;
        } else {
            return usage("unknown or incomplete argument");
        }
    }
    if (nsizes != 0 && nsizes != 4)
        return usage("give all four sizes B N H D, or none");
    const double qkv = (double)o->b * (double)o->n * 3.0 * (double)o->h * (double)o->d;
    const double scores = (double)o->b * (double)o->h * (double)o->n * (double)o->n;
    if (qkv > MAX_ELEMENTS || scores > MAX_ELEMENTS)
        return usage("sizes too large for this example");
    return 0;
}

/* Element i of host data in the dtype, as a double. */
static double element(const void *data, int64_t i, ecl_dtype dtype)
{
    switch (dtype) {
    case ECL_F32: return ((const float *)data)[i];
    case ECL_F16: return ecl_f16_to_float(((const uint16_t *)data)[i]);
    case ECL_BF16: return ecl_bf16_to_float(((const uint16_t *)data)[i]);
    default: return ((const double *)data)[i];
    }
}

static void set_element(void *data, int64_t i, ecl_dtype dtype, double v)
{
    switch (dtype) {
    case ECL_F32: ((float *)data)[i] = (float)v; break;
    case ECL_F16: ((uint16_t *)data)[i] = ecl_f16_from_float((float)v); break;
    case ECL_BF16: ((uint16_t *)data)[i] = ecl_bf16_from_float((float)v); break;
    default: ((double *)data)[i] = v;
    }
}

/* Uniform values in [-1, 1) from a fixed-seed xorshift, rounded to the dtype. */
static double *random_values(int64_t count, ecl_dtype dtype)
{
    double *x = malloc(sizeof(double) * (size_t)count);
    uint64_t s = 0x9e3779b97f4a7c15ull, rounded = 0;
    for (int64_t i = 0; x && i < count; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        set_element(&rounded, 0, dtype, (double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
        x[i] = element(&rounded, 0, dtype);
    }
    return x;
}

/* Host data in the tensor's dtype (malloc'd) from doubles. */
static void *as_dtype(const double *x, int64_t count, ecl_dtype dtype)
{
    void *out = malloc(ecl_dtype_size(dtype) * (size_t)count);
    for (int64_t i = 0; out && i < count; i++)
        set_element(out, i, dtype, x[i]);
    return out;
}

static ecl_status upload(ecl_context *ctx, ecl_dtype dtype, int ndim, const int64_t *shape,
                         const double *x, int64_t count, ecl_tensor **out)
{
    void *raw = as_dtype(x, count, dtype);
    ecl_status st = raw ? ecl_tensor_create(ctx, dtype, ndim, shape, out) : ECL_ERROR_OUT_OF_MEMORY;
    if (st == ECL_SUCCESS)
        st = ecl_tensor_write(*out, raw, ecl_dtype_size(dtype) * (size_t)count);
    free(raw);
    return st;
}

/* The reference for query row (b, h, q) in double: O[b, q, h, :]. */
static void reference_row(const options *o, const double *qkv, int64_t b, int64_t h, int64_t q,
                          double *p, double *out)
{
    const int64_t row = 3 * o->h * o->d; /* elements between consecutive n in qkv */
    const double *qv = qkv + (b * o->n + q) * row + h * o->d;
    double mx = -INFINITY, sum = 0;
    for (int64_t k = 0; k < o->n; k++) {
        const double *kv = qkv + (b * o->n + k) * row + o->h * o->d + h * o->d;
        double s = 0;
        for (int64_t d = 0; d < o->d; d++)
            s += qv[d] * kv[d];
        p[k] = o->causal && k > q ? -INFINITY : s / sqrt((double)o->d);
        mx = p[k] > mx ? p[k] : mx;
    }
    for (int64_t k = 0; k < o->n; k++)
        sum += (p[k] = exp(p[k] - mx));
    for (int64_t d = 0; d < o->d; d++)
        out[d] = 0;
    for (int64_t k = 0; k < o->n; k++) {
        const double *vv = qkv + (b * o->n + k) * row + 2 * o->h * o->d + h * o->d;
        for (int64_t d = 0; d < o->d; d++)
            out[d] += p[k] / sum * vv[d];
    }
}

/* Largest |O - reference| over (at most MAX_CHECKED_ROWS evenly spread) query rows. */
static double max_error(const options *o, const double *qkv, const void *got, int64_t *checked)
{
    const int64_t rows = o->b * o->h * o->n;
    const int64_t step = rows > MAX_CHECKED_ROWS ? rows / MAX_CHECKED_ROWS : 1;
    double *p = malloc(sizeof(double) * (size_t)(o->n + o->d)), err = 0;
    if (!p)
        return INFINITY;
    *checked = 0;
    for (int64_t r = 0; r < rows; r += step, ++*checked) {
        const int64_t b = r / (o->h * o->n), h = r / o->n % o->h, q = r % o->n;
        double *want = p + o->n;
        reference_row(o, qkv, b, h, q, p, want);
        for (int64_t d = 0; d < o->d; d++) {
            const int64_t i = ((b * o->n + q) * o->h + h) * o->d + d; /* O is (B, N, H, D) */
            const double e = fabs(element(got, i, o->dtype) - want[d]);
            err = e > err || isnan(e) ? e : err;
        }
    }
    free(p);
    return err;
}

typedef struct attention {
    ecl_tensor *qkv, *q, *k, *v, *s, *o, *mask;
    ecl_plan *scores, *mix;
} attention;

static void release(attention *a)
{
    ecl_plan_destroy(a->scores);
    ecl_plan_destroy(a->mix);
    ecl_tensor_destroy(a->mask);
    ecl_tensor_destroy(a->o);
    ecl_tensor_destroy(a->s);
    ecl_tensor_destroy(a->v);
    ecl_tensor_destroy(a->k);
    ecl_tensor_destroy(a->q);
    ecl_tensor_destroy(a->qkv);
}

/* Uploads qkv (and the mask), makes the views, plans both einsums and allocates S and O. */
static ecl_status prepare(ecl_context *ctx, const options *o, const double *qkv, attention *a)
{
    const int64_t B = o->b, N = o->n, H = o->h, D = o->d;
    const int64_t packed[5] = {B, N, 3, H, D}, bnhd[4] = {B, N, H, D};
    const int64_t strides[4] = {N * 3 * H * D, 3 * H * D, D, 1}; /* of q, k, v inside qkv */
    ecl_status st = upload(ctx, o->dtype, 5, packed, qkv, B * N * 3 * H * D, &a->qkv);
    ecl_tensor **views[3] = {&a->q, &a->k, &a->v};
    for (int i = 0; i < 3 && st == ECL_SUCCESS; i++)
        st = ecl_tensor_view(a->qkv, i * H * D, 4, bnhd, strides, views[i]);
    ecl_plan_options popts;
    ecl_plan_options_init(&popts);
    popts.compute = o->compute;
    const ecl_tensor_desc qk[2] = {{o->dtype, 4, bnhd, strides}, {o->dtype, 4, bnhd, strides}};
    if (st == ECL_SUCCESS)
        st = ecl_plan_create(ctx, "bqhd,bkhd->bhqk", 2, qk, &popts, &a->scores);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_create(ctx, o->dtype, ecl_plan_output_ndim(a->scores),
                               ecl_plan_output_shape(a->scores), &a->s);
    const ecl_tensor_desc sv[2] = {{o->dtype, 4, ecl_tensor_shape(a->s), NULL},
                                   {o->dtype, 4, bnhd, strides}};
    if (st == ECL_SUCCESS)
        st = ecl_plan_create(ctx, "bhqk,bkhd->bqhd", 2, sv, &popts, &a->mix);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_create(ctx, o->dtype, 4, bnhd, &a->o);
    if (st == ECL_SUCCESS && o->causal) {
        double *mask = malloc(sizeof(double) * (size_t)(N * N));
        for (int64_t i = 0; mask && i < N * N; i++)
            mask[i] = i % N > i / N ? -INFINITY : 0.0; /* key after query: excluded */
        const int64_t nn[2] = {N, N};
        st = mask ? upload(ctx, o->dtype, 2, nn, mask, N * N, &a->mask) : ECL_ERROR_OUT_OF_MEMORY;
        free(mask);
    }
    return st;
}

/* The attention core, all on the device. */
static ecl_status run_core(ecl_context *ctx, const options *o, attention *a)
{
    const ecl_tensor *qk[2] = {a->q, a->k}, *sv[2] = {a->s, a->v};
    ecl_status st = ecl_plan_execute(a->scores, qk, a->s, 1.0 / sqrt((double)o->d), 0.0);
    if (st == ECL_SUCCESS)
        st = ecl_softmax(ctx, a->s, 1.0, a->mask);
    if (st == ECL_SUCCESS)
        st = ecl_plan_execute(a->mix, sv, a->o, 1.0, 0.0);
    return st;
}

/* Unit roundoff of a type with this many mantissa bits (the implicit one included). */
static double roundoff(int bits) { return ldexp(1.0, -bits); }

/* Bound on |O - reference|. Accumulation: 2 eps (D + N) in the working precision (float64 for
 * float64 tensors, else float32). Rounding, with u the unit roundoff of the coarsest of the
 * storage and compute types (0 when both are exact): q, k, S, P, v and O are each rounded once.
 * The worst case grows like u sqrt(D), but with random inputs the rounding errors mostly cancel:
 * across D = 32..128, N = 512, with and without the causal mask, every mode stayed within 1u
 * (the causal mask's first rows, which average few values, are the worst). 4u leaves a margin. */
static double tolerance(const options *o)
{
    const double eps = o->dtype == ECL_F64 ? roundoff(53) : roundoff(24);
    double u = 0;
    if (o->dtype == ECL_F16 || o->compute == ECL_COMPUTE_TF32 || o->compute == ECL_COMPUTE_F16)
        u = roundoff(11);
    if (o->dtype == ECL_BF16 || o->compute == ECL_COMPUTE_BF16)
        u = roundoff(8);
    return 2 * eps * (double)(o->d + o->n) + 4 * u + (o->dtype == ECL_F64 ? 1e-14 : 1e-6);
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(ecl_context *ctx, const char *what, ecl_status st)
{
    fprintf(stderr, "example_attention: %s: %s: %s\n", what, ecl_status_string(st),
            ecl_context_last_error(ctx));
    return EXIT_MISMATCH;
}

static int run(ecl_context *ctx, const options *o, const double *qkv)
{
    attention a = {0};
    ecl_status st = prepare(ctx, o, qkv, &a);
    if (st != ECL_SUCCESS) {
        release(&a);
        return fail(ctx, "setting up", st);
    }
    if (o->describe)
        printf("S plan:\n%s\nO plan:\n%s\n", ecl_plan_describe(a.scores), ecl_plan_describe(a.mix));
    st = run_core(ctx, o, &a); /* a first run compiles kernels and warms caches */
    const double t0 = seconds();
    if (st == ECL_SUCCESS)
        st = run_core(ctx, o, &a);
    if (st == ECL_SUCCESS)
        st = ecl_finish(ctx);
    const double elapsed = seconds() - t0;
    const size_t bytes = ecl_dtype_size(o->dtype) * (size_t)(o->b * o->n * o->h * o->d);
    void *out = malloc(bytes);
    if (st == ECL_SUCCESS)
        st = out ? ecl_tensor_read(a.o, out, bytes) : ECL_ERROR_OUT_OF_MEMORY;
    release(&a);
    if (st != ECL_SUCCESS) {
        free(out);
        if (st == ECL_ERROR_DTYPE && o->dtype == ECL_F64) { /* an OpenCL device without fp64 */
            printf("example_attention: skipped: %s\n", ecl_context_last_error(ctx));
            return EXIT_SKIP;
        }
        return fail(ctx, "running the attention core", st);
    }
    int64_t checked = 0;
    const double err = max_error(o, qkv, out, &checked);
    free(out);
    const double tol = tolerance(o);
    const double flops = 4.0 * (double)(o->b * o->h) * (double)(o->n * o->n) * (double)o->d;
    printf("attention B=%lld N=%lld H=%lld D=%lld %s, compute %s%s on %s\n", (long long)o->b,
           (long long)o->n, (long long)o->h, (long long)o->d, ecl_dtype_name(o->dtype),
           ecl_compute_name(o->compute), o->causal ? ", causal mask" : "",
           ecl_context_device_name(ctx));
    printf("core: %.3f ms (%.1f GFLOP/s over the two einsums)\n", elapsed * 1e3,
           flops / elapsed * 1e-9);
    printf("max |O - reference| = %.3g over %lld query rows (tolerance %.3g): %s\n", err,
           (long long)checked, tol, err <= tol ? "ok" : "MISMATCH");
    return err <= tol ? 0 : EXIT_MISMATCH;
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc;
    ecl_context_options copts;
    ecl_context_options_init(&copts);
    copts.backend = o.backend;
    ecl_context *ctx = NULL;
    ecl_status st = ecl_context_create(&copts, &ctx);
    if (st == ECL_ERROR_UNAVAILABLE && o.backend == ECL_BACKEND_OPENCL) {
        printf("example_attention: skipped, no OpenCL device: %s\n", ecl_last_create_error());
        return EXIT_SKIP;
    }
    if (st != ECL_SUCCESS) {
        fprintf(stderr, "example_attention: %s\n", ecl_last_create_error());
        return EXIT_MISMATCH;
    }
    const int64_t count = o.b * o.n * 3 * o.h * o.d;
    double *qkv = random_values(count, o.dtype);
    rc = qkv ? run(ctx, &o, qkv) : fail(ctx, "host memory", ECL_ERROR_OUT_OF_MEMORY);
    free(qkv);
    ecl_context_destroy(ctx);
    return rc;
}
