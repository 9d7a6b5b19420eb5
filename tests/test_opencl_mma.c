/*
 * Tests of the tensor-core GEMM path (kernels/mma/, opencl_mma.c, opencl_gemm_mma.c,
 * opencl_mma_check.c, the mma candidate of opencl_gemm_select.c). On a device that is not NVIDIA
 * (PoCL in CI): the probe says unavailable and why, compute-mode GEMMs fall back to CLBlast or the
 * own kernel with the emulated results, ECL_GEMM=mma fails clearly for them and never touches
 * default-mode GEMMs. With ECL_MMA_EMULATE=1 the real kernels run with a scalar emulation of the
 * mma instruction, so their tiling, ragged edges, float4 paths, batch strides, double buffering
 * and fragment layouts are checked here against long-double loops (tests/support/gemm_case.c) on
 * every transposition, all three modes; and the self-check, its failure (a test hook perturbs its
 * result) and the auto mode's timing of the mma candidate. Skips visibly without OpenCL.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "context.h"
#include "gemm_case.h"
#include "opencl_gemm_select.h"
#include "opencl_mma.h"

static ecl_error err;
static ecl_backend *be;

static void setup(void)
{
    unsetenv("ECL_GEMM");
    unsetenv("ECL_MMA_EMULATE");
    unsetenv("ECL_MMA_SELFCHECK");
    be = ecl_test_opencl_backend(&err);
}
static void teardown(void)
{
    if (be)
        be->ops->destroy(be);
}

TestSuite(opencl_mma, .init = setup, .fini = teardown);

static ecl_ocl_backend *ocl(void) { return (ecl_ocl_backend *)be; }
static const ecl_ocl_gemm_state *state(void) { return ocl()->gemm; }
static void check(const gcase *gc, const char *what) { gemm_case_check(be, &err, gc, what); }

static int is_nvidia(void)
{
    return strstr(ocl()->info.vendor, "NVIDIA") || strstr(ocl()->info.platform_name, "NVIDIA");
}

static void skip_on_nvidia(void)
{
    if (is_nvidia())
        cr_skip_test("the device is NVIDIA's: these tests are about the fallback elsewhere");
}

static const ecl_compute modes[3] = {ECL_COMPUTE_TF32, ECL_COMPUTE_F16, ECL_COMPUTE_BF16};

static gcase mode_case(ecl_compute c, int ta, int tb, int64_t m, int64_t n, int64_t k, int pad)
{
    gcase gc = gemm_plain(ECL_F32, ta, tb, m, n, k, pad);
    gc.g.compute = (int)c;
    return gc;
}

Test(opencl_mma, unavailable_without_nvidia)
{
    skip_on_nvidia();
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(ecl_ocl_mma_ready(ocl(), modes[i]), 0);
        const char *why = ecl_ocl_mma_status_text(ocl(), modes[i]);
        cr_assert(strstr(why, "not NVIDIA"), "%s", why);
        cr_assert(strstr(why, ocl()->info.vendor), "%s", why);
    }
    cr_assert_eq(ecl_ocl_mma_ready(ocl(), ECL_COMPUTE_DEFAULT), 0);
    cr_assert(strstr(ecl_ocl_mma_status_text(ocl(), ECL_COMPUTE_DEFAULT), "never"));
    cr_assert_eq(err.message[0], '\0', "the probe left a message: %s", err.message);
}

/* Compute-mode GEMMs in auto mode run on CLBlast or the own kernel: the emulation's results. */
Test(opencl_mma, auto_falls_back_in_every_mode)
{
    skip_on_nvidia();
    for (int i = 0; i < 3; i++) {
        gcase gc = mode_case(modes[i], i & 1, i == 2, 37, 45, 29, 1);
        gc.g.nbatch = 1, gc.g.batch_shape[0] = 2;
        gemm_contiguous(&gc);
        check(&gc, ecl_compute_name(modes[i]));
    }
    cr_assert_eq(state()->runs[ECL_IMPL_MMA], 0);
    cr_assert_eq(state()->runs[ECL_IMPL_CLBLAST] + state()->runs[ECL_IMPL_OWN], 3);
    cr_assert(!isfinite(state()->last_ms[ECL_IMPL_MMA]), "mma was timed: %g ms",
              state()->last_ms[ECL_IMPL_MMA]);
}

/* ECL_GEMM=own / clblast keep running compute-mode GEMMs where they did. */
Test(opencl_mma, forced_simt_in_compute_modes)
{
    setenv("ECL_GEMM", "own", 1);
    for (int i = 0; i < 3; i++) {
        gcase gc = mode_case(modes[i], 1, 0, 20, 70, 33, 2);
        gemm_place(&gc);
        check(&gc, ecl_compute_name(modes[i]));
    }
    cr_assert_eq(state()->runs[ECL_IMPL_OWN], 3);
    cr_assert_null(ocl()->mma, "ECL_GEMM=own probed the tensor cores");
}

/* ECL_GEMM=mma: a clear error for compute-mode GEMMs the device cannot run on tensor cores; the
 * default mode is untouched (auto) and never probes. */
Test(opencl_mma, forced_mma_without_tensor_cores)
{
    skip_on_nvidia();
    setenv("ECL_GEMM", "mma", 1);
    gcase def = gemm_plain(ECL_F32, 0, 1, 9, 12, 10, 0);
    gemm_place(&def);
    check(&def, "default mode under ECL_GEMM=mma");
    cr_assert_null(ocl()->mma, "a default-mode GEMM probed the tensor cores");
    cr_assert_eq(state()->runs[ECL_IMPL_MMA], 0);
    void *x;
    cr_assert_eq(be->ops->alloc(be, 4096, &x), ECL_SUCCESS, "%s", err.message);
    ecl_gemm_args g = {.compute = ECL_COMPUTE_BF16, .m = 4, .n = 4, .k = 4, .lda = 4, .ldb = 4,
                       .ldc = 4};
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 16, x, 512, 1, 0), ECL_ERROR_BACKEND);
    cr_assert(strstr(err.message, "ECL_GEMM=mma") && strstr(err.message, "bf16") &&
                  strstr(err.message, "not NVIDIA"),
              "%s", err.message);
    be->ops->free(be, x);
}

Test(opencl_mma, unknown_gemm_mode_lists_mma)
{
    setenv("ECL_GEMM", "tensor", 1);
    void *x;
    cr_assert_eq(be->ops->alloc(be, 4096, &x), ECL_SUCCESS, "%s", err.message);
    ecl_gemm_args g = {.m = 4, .n = 4, .k = 4, .lda = 4, .ldb = 4, .ldc = 4};
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 16, x, 512, 1, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "expected clblast, own, mma or auto"), "%s", err.message);
    be->ops->free(be, x);
}

/* ---- the kernels themselves, with the emulated instruction ---------------------------------- */

static void emulate(const char *gemm_mode)
{
    setenv("ECL_MMA_EMULATE", "1", 1);
    if (gemm_mode)
        setenv("ECL_GEMM", gemm_mode, 1);
}

static void assert_mma_ran(int64_t runs)
{
    cr_assert(state(), "no GEMM ran");
    cr_assert_eq(state()->runs[ECL_IMPL_MMA], runs, "mma ran %lld times, want %lld (%s)",
                 (long long)state()->runs[ECL_IMPL_MMA], (long long)runs,
                 ecl_ocl_mma_status_text(ocl(), ECL_COMPUTE_TF32));
    cr_assert_eq(state()->runs[ECL_IMPL_CLBLAST] + state()->runs[ECL_IMPL_OWN], 0);
}

Test(opencl_mma, emulated_probe_and_self_check)
{
    emulate(NULL);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(ecl_ocl_mma_ready(ocl(), modes[i]), 1, "%s: %s", ecl_compute_name(modes[i]),
                     ecl_ocl_mma_status_text(ocl(), modes[i]));
        const char *text = ecl_ocl_mma_status_text(ocl(), modes[i]);
        cr_assert(strstr(text, "self-check passed (emulated instruction): 8 products"), "%s", text);
    }
    cr_assert_eq(err.message[0], '\0', "the self-check left a message: %s", err.message);
}

/* Sizes around the 128 x 128 tile and the 16-word stage (16 tf32 or 32 f16/bf16 values of k),
 * every transposition pair, aligned (float4) and ragged layouts, beta == 0 over NaN and not.
 * Aligned cases include edges 3 past a multiple of 4 along k and along rows, where a float4 would
 * read one element too many. */
Test(opencl_mma, emulated_ragged_sizes_every_transpose_every_mode)
{
    emulate("mma");
    const int64_t sizes[][3] = {{1, 1, 1},    {16, 8, 8},    {129, 5, 33},  {7, 131, 17},
                                {40, 36, 64}, {131, 67, 75}, {35, 130, 47}};
    const int nsizes = (int)(sizeof sizes / sizeof sizes[0]);
    int64_t runs = 0;
    for (int s = 0; s < nsizes; s++)
        for (int flags = 0; flags < 4; flags++) {
            const ecl_compute c = modes[(s + flags) % 3];
            const int pad = (s + flags) % 2 ? 4 - (int)(sizes[s][2] % 4) % 4 : 1 + flags % 3;
            gcase gc = mode_case(c, flags & 1, flags >> 1, sizes[s][0], sizes[s][1], sizes[s][2],
                                 pad);
            if ((s + flags) % 2) { /* leading dims and offsets multiples of 4: float4 loads */
                gc.g.lda += (4 - gc.g.lda % 4) % 4;
                gc.g.ldb += (4 - gc.g.ldb % 4) % 4;
                gc.off[0] = 4, gc.off[1] = 8, gc.off[2] = 4;
            } else {
                gc.off[0] = s, gc.off[1] = 2 * s + 1, gc.off[2] = flags;
                gc.beta = 0, gc.nan_c = 1;
            }
            gc.raw = s % 2;
            gemm_place(&gc);
            if ((s + flags) % 2) /* gemm_place moved the views by 1 - lo: back to multiples of 4 */
                for (int o = 0; o < 3; o++)
                    gc.off[o] += (4 - gc.off[o] % 4) % 4;
            char what[128];
            snprintf(what, sizeof what, "m %lld n %lld k %lld %s trans %d%d %s",
                     (long long)sizes[s][0], (long long)sizes[s][1], (long long)sizes[s][2],
                     ecl_compute_name(c), flags & 1, flags >> 1,
                     (s + flags) % 2 ? "aligned" : "ragged");
            check(&gc, what);
            runs++;
        }
    assert_mma_ran(runs);
}

/* The attention einsums on (B, N, H, D) views: two batch dims in one launch. */
Test(opencl_mma, emulated_attention_layouts)
{
    emulate("mma");
    const int64_t B = 2, N = 70, H = 3, D = 20;
    for (int i = 0; i < 3; i++) {
        gcase s = {.dtype = ECL_F32, .alpha = 0.125, .beta = 0, .nan_c = 1};
        s.g = (ecl_gemm_args){.trans_b = 1, .compute = (int)modes[i], .m = N, .n = N, .k = D,
                              .lda = H * D, .ldb = H * D, .ldc = N, .nbatch = 2,
                              .batch_shape = {B, H}, .batch_stride_a = {N * H * D, D},
                              .batch_stride_b = {N * H * D, D},
                              .batch_stride_c = {H * N * N, N * N}};
        gemm_place(&s);
        check(&s, "scores bqhd,bkhd->bhqk");
        gcase o = {.dtype = ECL_F32, .alpha = 1, .beta = 0, .nan_c = 1};
        o.g = (ecl_gemm_args){.compute = (int)modes[i], .m = N, .n = D, .k = N, .lda = N,
                              .ldb = H * D, .ldc = H * D, .nbatch = 2, .batch_shape = {B, H},
                              .batch_stride_a = {H * N * N, N * N},
                              .batch_stride_b = {N * H * D, D}, .batch_stride_c = {N * H * D, D}};
        gemm_place(&o);
        check(&o, "output bhqk,bkhd->bqhd");
    }
    assert_mma_ran(6);
}

/* Three unmergeable batch dims (one launch per index of the outermost), mixed-sign and zero
 * strides; a long k (many double-buffered stages). */
Test(opencl_mma, emulated_batch_dims_and_long_k)
{
    emulate("mma");
    for (int flags = 0; flags < 4; flags++) {
        gcase gc = mode_case(modes[flags % 3], flags & 1, !(flags & 1), 4, 3, 5, 2);
        gc.g.nbatch = 3;
        for (int d = 0; d < 3; d++) {
            gc.g.batch_shape[d] = 3 + d;
            gc.g.batch_stride_a[d] = (d == 0 ? -1 : 1) * (200 - 60 * d);
            gc.g.batch_stride_b[d] = d == 1 ? 0 : 300 - 70 * d;
            gc.g.batch_stride_c[d] = d == 2 ? -20 : d == 1 ? 100 : 500;
        }
        gemm_place(&gc);
        check(&gc, "three batch dims");
    }
    for (int i = 0; i < 3; i++) {
        gcase gc = mode_case(modes[i], i == 1, i != 1, 9, 11, 300, 1);
        gc.raw = 1;
        gemm_place(&gc);
        check(&gc, "k 300");
    }
    assert_mma_ran(7);
}

/* Auto mode times the mma candidate beside the others for compute-mode GEMMs, keyed by mode. */
Test(opencl_mma, emulated_auto_times_mma)
{
    emulate(NULL);
    gcase gc = mode_case(ECL_COMPUTE_TF32, 0, 1, 33, 20, 16, 1);
    gc.g.nbatch = 1, gc.g.batch_shape[0] = 4;
    gemm_contiguous(&gc);
    gc.beta = 0, gc.nan_c = 1;
    check(&gc, "auto tf32");
    cr_assert_eq(state()->measurements, 1);
    cr_assert(state()->last_ms[ECL_IMPL_MMA] > 0 && isfinite(state()->last_ms[ECL_IMPL_MMA]),
              "mma %g ms", state()->last_ms[ECL_IMPL_MMA]);
    check(&gc, "auto tf32 again");
    cr_assert_eq(state()->measurements, 1, "the shape was timed again");
    gc.g.compute = ECL_COMPUTE_F16;
    check(&gc, "same shape in f16");
    cr_assert_eq(state()->measurements, 2, "f16 must be a shape of its own");
    gcase def = gc;
    def.g.compute = ECL_COMPUTE_DEFAULT;
    check(&def, "same shape, default mode");
    cr_assert_eq(state()->measurements, 3);
    cr_assert(!isfinite(state()->last_ms[ECL_IMPL_MMA]), "mma timed for the default mode");
}

/* The default mode never runs on the mma kernels, whatever ECL_GEMM says. */
Test(opencl_mma, emulated_default_mode_never_uses_mma)
{
    emulate("mma");
    for (int t = 0; t < 2; t++) {
        gcase gc = gemm_plain(ECL_F32, t, 1 - t, 40, 30, 20, 1);
        gemm_place(&gc);
        check(&gc, "default mode");
    }
    cr_assert_eq(state()->runs[ECL_IMPL_MMA], 0);
    cr_assert(!ocl()->mma || ocl()->mma->launches == 0);
}

/* A self-check that fails turns the path off for that mode: auto falls back (correct results),
 * ECL_GEMM=mma fails naming the self-check. */
Test(opencl_mma, failed_self_check_disables_the_mode)
{
    emulate(NULL);
    ecl_mma_selfcheck_perturb = 1.0;
    cr_assert_eq(ecl_ocl_mma_ready(ocl(), ECL_COMPUTE_F16), 0);
    const char *text = ecl_ocl_mma_status_text(ocl(), ECL_COMPUTE_F16);
    cr_assert(strstr(text, "self-check failed: 37x45x29") && strstr(text, "expected"), "%s", text);
    gcase gc = mode_case(ECL_COMPUTE_F16, 0, 0, 50, 60, 70, 1);
    gemm_place(&gc);
    check(&gc, "f16 after a failed self-check");
    cr_assert_eq(state()->runs[ECL_IMPL_MMA], 0);
    setenv("ECL_GEMM", "mma", 1);
    ocl()->gemm->mode_read = 0;
    void *x;
    cr_assert_eq(be->ops->alloc(be, 4096, &x), ECL_SUCCESS, "%s", err.message);
    ecl_gemm_args g = {.compute = ECL_COMPUTE_F16, .m = 4, .n = 4, .k = 4, .lda = 4, .ldb = 4,
                       .ldc = 4};
    cr_assert_eq(be->ops->gemm(be, ECL_F32, &g, x, 0, x, 16, x, 512, 1, 0), ECL_ERROR_BACKEND);
    cr_assert(strstr(err.message, "ECL_GEMM=mma") &&
                  strstr(err.message, "self-check failed: 37x45x29"),
              "%s", err.message);
    be->ops->free(be, x);
}

/* ---- through the public API ------------------------------------------------------------------ */

static void setup_api(void)
{
    unsetenv("ECL_GEMM");
    unsetenv("ECL_MMA_EMULATE");
    unsetenv("ECL_MMA_SELFCHECK");
}

TestSuite(opencl_mma_api, .init = setup_api);

Test(opencl_mma_api, tensor_cores_query)
{
    char detail[1024];
    int available = -1;
    ecl_context *cpu = ecl_test_context(ECL_BACKEND_CPU);
    cr_assert_eq(ecl_context_tensor_cores(cpu, ECL_COMPUTE_TF32, &available, detail, sizeof detail),
                 ECL_SUCCESS);
    cr_assert_eq(available, 0);
    cr_assert(strstr(detail, "CPU path"), "%s", detail);
    cr_assert_eq(ecl_context_tensor_cores(cpu, (ecl_compute)7, &available, NULL, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(ecl_context_last_error(cpu), "compute mode 7"));
    cr_assert_eq(ecl_context_tensor_cores(cpu, ECL_COMPUTE_TF32, NULL, NULL, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(ecl_context_tensor_cores(NULL, ECL_COMPUTE_TF32, &available, NULL, 0),
                 ECL_ERROR_INVALID_ARGUMENT);
    ecl_context_destroy(cpu);

    ecl_context *ctx = ecl_test_context(ECL_BACKEND_OPENCL);
    cr_assert_eq(ecl_context_tensor_cores(ctx, ECL_COMPUTE_DEFAULT, &available, detail,
                                          sizeof detail), ECL_SUCCESS);
    cr_assert_eq(available, 0);
    cr_assert(strstr(detail, "never"), "%s", detail);
    const ecl_ocl_backend *be_ = (const ecl_ocl_backend *)ctx->backend;
    if (!strstr(be_->info.vendor, "NVIDIA")) {
        cr_assert_eq(ecl_context_tensor_cores(ctx, ECL_COMPUTE_BF16, &available, detail, 16),
                     ECL_SUCCESS);
        cr_assert_eq(available, 0);
        cr_assert_eq(strlen(detail), 15, "the detail is cut to the buffer: '%s'", detail);
    }
    ecl_context_destroy(ctx);

    setenv("ECL_MMA_EMULATE", "1", 1);
    ctx = ecl_test_context(ECL_BACKEND_OPENCL);
    cr_assert_eq(ecl_context_tensor_cores(ctx, ECL_COMPUTE_TF32, &available, detail,
                                          sizeof detail), ECL_SUCCESS);
    cr_assert_eq(available, 1, "%s", detail);
    cr_assert(strstr(detail, "self-check passed"), "%s", detail);
    cr_assert_str_empty(ecl_context_last_error(ctx));
    ecl_context_destroy(ctx);
}

/* Host data of one operand in dtype (random in [-1, 1)), and its values as the tensor holds them. */
static ecl_tensor *random_tensor(ecl_context *ctx, ecl_dtype dtype, int ndim, const int64_t *shape,
                                 uint64_t seed, int absolute)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= shape[d];
    float *f = malloc(sizeof(float) * (size_t)n);
    uint16_t *h = malloc(sizeof(uint16_t) * (size_t)n);
    gemm_rng_state = seed;
    for (int64_t i = 0; i < n; i++) {
        f[i] = (float)(absolute ? fabs(gemm_unit()) : gemm_unit());
        h[i] = dtype == ECL_F16 ? ecl_f16_from_float(f[i]) : ecl_bf16_from_float(f[i]);
    }
    ecl_tensor *t;
    cr_assert_eq(ecl_tensor_create(ctx, dtype, ndim, shape, &t), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_assert_eq(ecl_tensor_write(t, dtype == ECL_F32 ? (void *)f : (void *)h,
                                  (size_t)n * (dtype == ECL_F32 ? 4 : 2)),
                 ECL_SUCCESS);
    free(f);
    free(h);
    return t;
}

/* The result as float32 values (n of them). */
static float *read_floats(ecl_tensor *t, int64_t *n)
{
    *n = ecl_tensor_numel(t);
    float *f = malloc(sizeof(float) * (size_t)(*n ? *n : 1));
    if (ecl_tensor_dtype(t) == ECL_F32) {
        cr_assert_eq(ecl_tensor_read(t, f, (size_t)*n * 4), ECL_SUCCESS);
        return f;
    }
    uint16_t *h = malloc(sizeof(uint16_t) * (size_t)(*n ? *n : 1));
    cr_assert_eq(ecl_tensor_read(t, h, (size_t)*n * 2), ECL_SUCCESS);
    for (int64_t i = 0; i < *n; i++)
        f[i] = ecl_tensor_dtype(t) == ECL_F16 ? ecl_f16_to_float(h[i]) : ecl_bf16_to_float(h[i]);
    free(h);
    return f;
}

typedef struct api_case {
    const char *eq;
    int64_t k; /* the contracted length */
    int nops, ndim[3];
    int64_t shape[3][4];
} api_case;

/* Runs c on ctx with compute mode; inputs by seed; returns the result's floats. With abs, the
 * inputs are |x| (for the sum of |terms|). */
static float *run_einsum(ecl_context *ctx, const api_case *c, ecl_dtype dtype, ecl_compute compute,
                         int absolute, int64_t *n)
{
    ecl_tensor *in[3];
    ecl_tensor_desc desc[3];
    for (int i = 0; i < c->nops; i++) {
        in[i] = random_tensor(ctx, dtype, c->ndim[i], c->shape[i], 1000 + (uint64_t)i, absolute);
        desc[i] = (ecl_tensor_desc){dtype, c->ndim[i], c->shape[i], NULL};
    }
    ecl_plan_options opt;
    ecl_plan_options_init(&opt);
    opt.compute = compute;
    ecl_plan *plan;
    cr_assert_eq(ecl_plan_create(ctx, c->eq, c->nops, desc, &opt, &plan), ECL_SUCCESS, "%s: %s",
                 c->eq, ecl_context_last_error(ctx));
    ecl_tensor *out;
    cr_assert_eq(ecl_tensor_create(ctx, ecl_plan_output_dtype(plan), ecl_plan_output_ndim(plan),
                                   ecl_plan_output_shape(plan), &out), ECL_SUCCESS);
    cr_assert_eq(ecl_plan_execute(plan, (const ecl_tensor *const *)in, out, 1.0, 0.0), ECL_SUCCESS,
                 "%s (%s): %s", c->eq, ecl_compute_name(compute), ecl_context_last_error(ctx));
    float *f = read_floats(out, n);
    ecl_tensor_destroy(out);
    ecl_plan_destroy(plan);
    for (int i = 0; i < c->nops; i++)
        ecl_tensor_destroy(in[i]);
    return f;
}

/* Einsums in every compute mode on the emulated tensor-core kernels (ECL_GEMM=mma) against the
 * CPU path's emulation: the same rounded operands, so they differ only in the order of float32
 * sums (and, for 16-bit results, where that moves the final rounding by one unit). */
Test(opencl_mma_api, einsums_match_the_cpu_emulation)
{
    setenv("ECL_MMA_EMULATE", "1", 1);
    setenv("ECL_GEMM", "mma", 1);
    const api_case cases[] = {
        {"bqhd,bkhd->bhqk", 20, 2, {4, 4}, {{2, 37, 3, 20}, {2, 41, 3, 20}}},
        {"bhqk,bkhd->bqhd", 41, 2, {4, 4}, {{2, 3, 37, 41}, {2, 41, 3, 20}}},
        {"ik,kj->ij", 70, 2, {2, 2}, {{130, 70}, {70, 45}}},
        {"ki,jk->ij", 33, 2, {2, 2}, {{33, 50}, {140, 33}}},
    };
    const struct { ecl_dtype dtype; ecl_compute compute; double out_ulp; } runs[] = {
        {ECL_F32, ECL_COMPUTE_TF32, 0}, {ECL_F32, ECL_COMPUTE_BF16, 0},
        {ECL_F16, ECL_COMPUTE_F16, 0x1p-10}, {ECL_BF16, ECL_COMPUTE_BF16, 0x1p-7},
        {ECL_BF16, ECL_COMPUTE_TF32, 0x1p-7}};
    ecl_context *cpu = ecl_test_context(ECL_BACKEND_CPU);
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_OPENCL);
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            int64_t n, n2, n3;
            float *want = run_einsum(cpu, &cases[c], runs[r].dtype, runs[r].compute, 0, &n);
            float *sabs = run_einsum(cpu, &cases[c], runs[r].dtype, runs[r].compute, 1, &n3);
            float *got = run_einsum(ctx, &cases[c], runs[r].dtype, runs[r].compute, 0, &n2);
            cr_assert(n == n2 && n == n3);
            for (int64_t i = 0; i < n; i++) {
                const double tol = (double)(cases[c].k + 16) * 0x1p-20 * 1.01 * (double)sabs[i] +
                                   runs[r].out_ulp * fabs((double)want[i]) + 1e-30;
                cr_assert(fabs((double)got[i] - want[i]) <= tol,
                          "%s %s compute %s element %lld: opencl %.9g, cpu %.9g (tol %.3g)",
                          cases[c].eq, ecl_dtype_name(runs[r].dtype),
                          ecl_compute_name(runs[r].compute), (long long)i, (double)got[i],
                          (double)want[i], tol);
            }
            free(sabs);
            free(want);
            free(got);
        }
    const ecl_ocl_backend *be_ = (const ecl_ocl_backend *)ctx->backend;
    cr_assert(be_->mma && be_->mma->launches >= 20, "the mma kernels ran %lld times",
              be_->mma ? (long long)be_->mma->launches : 0LL);
    ecl_context_destroy(ctx);
    ecl_context_destroy(cpu);
}
