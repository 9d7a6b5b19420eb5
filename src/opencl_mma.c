/*
 * Whether the tensor-core kernels can run on a backend's device, per compute mode (see
 * opencl_mma.h): the device checks (once), then at the mode's first use the probe (kernels/mma/
 * built with -DECL_MMA_PROBE and the mode's type: one warp does one mma on constant operands and
 * the values are checked), the mode's program of kernels, and the self-check. Failures on the way
 * are kept as the mode's text, never returned: the backend's error is pointed at a scratch sink
 * meanwhile, so a failed probe leaves no message behind in the context.
 */
#include "opencl_mma.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define PROBE_FLOATS 128
/* Local memory of one work-group of gemm_mma.cl: two stages of A and B tiles (128 x 20 words
 * each), plus the emulation's scratch (8 warps x 384 floats). */
#define KERNEL_LOCAL_BYTES (4 * 2 * 2 * 128 * 20)
#define EMULATION_LOCAL_BYTES (4 * 8 * 384)
#define KERNEL_WG 256

double ecl_mma_selfcheck_perturb = 0.0;

static int env_flag(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

static int contains_nocase(const char *text, const char *word)
{
    const size_t n = strlen(word);
    for (; *text; text++) {
        size_t i = 0;
        while (i < n && text[i] && tolower((unsigned char)text[i]) == tolower((unsigned char)word[i]))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static void verbose_line(const ecl_ocl_backend *be, const char *what)
{
    if (env_flag("ECL_VERBOSE"))
        fprintf(stderr, "einsumcl: tensor cores on %s: %s\n", be->info.name, what);
}

/* -DECL_MMA_TYPE=<mode> [-DECL_MMA_PROBE=1] [-DECL_MMA_EMULATE=1]; ecl_compute's TF32, F16, BF16
 * (1, 2, 3) are the kernels' ECL_MMA_TF32, ECL_MMA_F16, ECL_MMA_BF16. */
static void options(const ecl_ocl_mma *m, ecl_compute compute, int probe, char *buf, size_t cap)
{
    snprintf(buf, cap, "-DECL_MMA_TYPE=%d%s%s", (int)compute, probe ? " -DECL_MMA_PROBE=1" : "",
             m->emulated ? " -DECL_MMA_EMULATE=1" : "");
}

/* Runs the probe kernel and checks its values; failures are messages in be->base.err. */
static ecl_status run_probe(ecl_ocl_backend *be, cl_program program, ecl_compute compute)
{
    cl_int rc;
    cl_kernel kernel = clCreateKernel(program, "ecl_mma_probe", &rc);
    if (rc != CL_SUCCESS)
        return ecl_ocl_fail(be, rc, "clCreateKernel(ecl_mma_probe)");
    cl_mem out = clCreateBuffer(be->context, CL_MEM_READ_WRITE, PROBE_FLOATS * sizeof(float), NULL, &rc);
    ecl_status st = ECL_SUCCESS;
    if (rc != CL_SUCCESS) {
        out = NULL;
        st = ecl_ocl_fail(be, rc, "clCreateBuffer(mma probe)");
    }
    const size_t global = 32, local = 32;
    float got[PROBE_FLOATS];
    if (!st && (rc = clSetKernelArg(kernel, 0, sizeof out, &out)) != CL_SUCCESS)
        st = ecl_ocl_fail(be, rc, "clSetKernelArg(ecl_mma_probe)");
    if (!st && (rc = clEnqueueNDRangeKernel(be->queue, kernel, 1, NULL, &global, &local, 0, NULL,
                                            NULL)) != CL_SUCCESS)
        st = ecl_ocl_fail(be, rc, "clEnqueueNDRangeKernel(ecl_mma_probe)");
    if (!st && (rc = clEnqueueReadBuffer(be->queue, out, CL_TRUE, 0, sizeof got, got, 0, NULL,
                                         NULL)) != CL_SUCCESS)
        st = ecl_ocl_fail(be, rc, "clEnqueueReadBuffer(mma probe)");
    const float want = compute == ECL_COMPUTE_TF32 ? 4.25f : 8.25f; /* 0.25 + 0.5 * depth */
    for (int i = 0; !st && i < PROBE_FLOATS; i++)
        if (got[i] != want)
            st = ecl_fail(be->base.err, ECL_ERROR_BACKEND,
                          "the probe's mma gave %g at lane %d, element %d (expected %g)",
                          (double)got[i], i / 4, i % 4, (double)want);
    if (out)
        clReleaseMemObject(out);
    clReleaseKernel(kernel);
    return st;
}

/* Whether the device can run the kernels at all (once per backend). */
static void check_device(ecl_ocl_backend *be, ecl_ocl_mma *m)
{
    m->checked = 1;
    m->emulated = env_flag("ECL_MMA_EMULATE");
    if (!m->emulated && !contains_nocase(be->info.vendor, "nvidia") &&
        !contains_nocase(be->info.platform_name, "nvidia")) {
        snprintf(m->reason, sizeof m->reason,
                 "the device's vendor is %.100s, not NVIDIA (the kernels use NVIDIA's mma.sync "
                 "instruction)", be->info.vendor);
        return;
    }
    const cl_ulong need = KERNEL_LOCAL_BYTES + (m->emulated ? EMULATION_LOCAL_BYTES : 0);
    if (be->info.local_mem < need) {
        snprintf(m->reason, sizeof m->reason,
                 "the kernels need %llu bytes of local memory per work-group, the device has %llu",
                 (unsigned long long)need, (unsigned long long)be->info.local_mem);
        return;
    }
    if (be->info.max_work_group < KERNEL_WG) {
        snprintf(m->reason, sizeof m->reason,
                 "the kernels need work-groups of %d items, the device allows %zu", KERNEL_WG,
                 be->info.max_work_group);
        return;
    }
    m->device_ok = 1;
}

static const char *const kernel_names[ECL_MMA_MODES][4] = {
    {"ecl_mma_tf32_nn", "ecl_mma_tf32_nt", "ecl_mma_tf32_tn", "ecl_mma_tf32_tt"},
    {"ecl_mma_f16_nn", "ecl_mma_f16_nt", "ecl_mma_f16_tn", "ecl_mma_f16_tt"},
    {"ecl_mma_bf16_nn", "ecl_mma_bf16_nt", "ecl_mma_bf16_tn", "ecl_mma_bf16_tt"},
};

/* The mode's program and kernels; each must run work-groups of KERNEL_WG items. */
static ecl_status build_kernels(ecl_ocl_backend *be, ecl_ocl_mma *m, ecl_compute compute)
{
    ecl_ocl_mma_mode *mm = &m->mode[compute - 1];
    char opts[128], what[64];
    options(m, compute, 0, opts, sizeof opts);
    snprintf(what, sizeof what, "%s tensor-core GEMM", ecl_compute_name(compute));
    ecl_status st = ecl_ocl_program_build(be, ECL_KERNELS_MMA, opts, what, &mm->program);
    for (int t = 0; !st && t < 4; t++) {
        const char *name = kernel_names[compute - 1][t];
        cl_int rc;
        char call[80];
        snprintf(call, sizeof call, "clCreateKernel(%s)", name);
        mm->kernel[t] = clCreateKernel(mm->program, name, &rc);
        if (rc != CL_SUCCESS) {
            mm->kernel[t] = NULL;
            st = ecl_ocl_fail(be, rc, call);
            break;
        }
        size_t wg = 0;
        rc = clGetKernelWorkGroupInfo(mm->kernel[t], be->device, CL_KERNEL_WORK_GROUP_SIZE,
                                      sizeof wg, &wg, NULL);
        if (rc != CL_SUCCESS)
            st = ecl_ocl_fail(be, rc, "clGetKernelWorkGroupInfo(CL_KERNEL_WORK_GROUP_SIZE)");
        else if (wg < KERNEL_WG)
            st = ecl_fail(be->base.err, ECL_ERROR_BACKEND,
                          "%s runs work-groups of at most %zu items, it needs %d", name, wg,
                          KERNEL_WG);
    }
    return st;
}

ecl_status ecl_ocl_mma_kernel(ecl_ocl_backend *be, ecl_compute compute, int trans_a, int trans_b,
                              cl_kernel *out)
{
    *out = NULL;
    const ecl_ocl_mma *m = be->mma;
    if (m && compute >= ECL_COMPUTE_TF32 && compute <= ECL_COMPUTE_BF16)
        *out = m->mode[compute - 1].kernel[2 * (trans_a != 0) + (trans_b != 0)];
    if (!*out)
        return ecl_fail(be->base.err, ECL_ERROR_BACKEND,
                        "opencl gemm: no tensor-core kernel for compute mode %s on %s",
                        ecl_compute_name(compute), be->info.name);
    return ECL_SUCCESS;
}

/* Releases a mode's kernels and program. */
static void release_mode(ecl_ocl_mma_mode *mm)
{
    for (int t = 0; t < 4; t++) {
        if (mm->kernel[t])
            clReleaseKernel(mm->kernel[t]);
        mm->kernel[t] = NULL;
    }
    if (mm->program)
        clReleaseProgram(mm->program);
    mm->program = NULL;
}

/* Probes, builds and self-checks one mode; the mode's state and text say how it went. Failures
 * are messages in be->base.err (a scratch sink, see below). */
static void try_mode(ecl_ocl_backend *be, ecl_ocl_mma *m, ecl_compute compute)
{
    ecl_ocl_mma_mode *mm = &m->mode[compute - 1];
    mm->state = -1;
    if (!m->device_ok) {
        snprintf(mm->text, sizeof mm->text, "%s", m->reason);
        return;
    }
    char opts[128];
    options(m, compute, 1, opts, sizeof opts);
    cl_program probe = NULL;
    ecl_status st = ecl_ocl_program_build(be, ECL_KERNELS_MMA, opts, "mma probe", &probe);
    if (st == ECL_SUCCESS)
        st = run_probe(be, probe, compute);
    if (probe)
        clReleaseProgram(probe);
    if (st != ECL_SUCCESS) {
        snprintf(mm->text, sizeof mm->text, "the mma.sync probe failed: %.560s", be->base.err->message);
        return;
    }
    if ((st = build_kernels(be, m, compute)) != ECL_SUCCESS) {
        snprintf(mm->text, sizeof mm->text, "the kernels did not build: %.560s", be->base.err->message);
        release_mode(mm);
        return;
    }
    char result[560];
    const int ok = ecl_ocl_mma_selfcheck(be, compute, result, sizeof result);
    snprintf(mm->text, sizeof mm->text, "self-check %s", result);
    mm->state = ok ? 1 : -1;
}

int ecl_ocl_mma_ready(ecl_ocl_backend *be, ecl_compute compute)
{
    if (compute < ECL_COMPUTE_TF32 || compute > ECL_COMPUTE_BF16)
        return 0;
    if (!be->mma && !(be->mma = ecl_calloc(1, sizeof *be->mma)))
        return 0;
    ecl_ocl_mma *m = be->mma;
    ecl_ocl_mma_mode *mm = &m->mode[compute - 1];
    if (mm->state == 0) {
        /* what goes wrong is kept in mm->text, not left in the context's error */
        ecl_error scratch, *saved = be->base.err;
        ecl_error_clear(&scratch);
        be->base.err = &scratch;
        if (!m->checked)
            check_device(be, m);
        try_mode(be, m, compute);
        be->base.err = saved;
        char line[800];
        snprintf(line, sizeof line, "%s: %s%s%s", ecl_compute_name(compute),
                 mm->state > 0 ? (m->emulated ? "emulated kernels, " : "mma.sync kernels, ") : "",
                 mm->text, mm->state > 0 ? "" : " (its GEMMs run on CLBlast or the own kernel)");
        verbose_line(be, line);
    }
    return mm->state > 0;
}

const char *ecl_ocl_mma_status_text(const ecl_ocl_backend *be, ecl_compute compute)
{
    const ecl_ocl_mma *m = be->mma;
    if (compute == ECL_COMPUTE_DEFAULT)
        return "the default compute mode is exact float32/float64 and never runs on tensor cores";
    if (compute < ECL_COMPUTE_TF32 || compute > ECL_COMPUTE_BF16)
        return "unknown compute mode";
    if (!m || m->mode[compute - 1].state == 0)
        return "not tried yet";
    return m->mode[compute - 1].text;
}

void ecl_ocl_mma_free(ecl_ocl_backend *be)
{
    ecl_ocl_mma *m = be->mma;
    if (!m)
        return;
    for (int mode = 0; mode < ECL_MMA_MODES; mode++)
        release_mode(&m->mode[mode]);
    ecl_free(m);
    be->mma = NULL;
}
