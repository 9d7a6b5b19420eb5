/*
 * Tensor-core GEMM on NVIDIA devices (mma.sync through inline PTX, kernels/mma/), per OpenCL
 * backend and compute mode (tf32, f16, bf16), decided at the mode's first use (opencl_mma.c): the
 * device's vendor must be NVIDIA (and its local memory and work-groups large enough), a probe
 * program doing one mma of the mode's type must compile and give the expected values, the mode's
 * program of kernels must build, and a self-check (opencl_mma_check.c) must find them agreeing
 * with a float64 host reference on a few ragged and aligned products; otherwise the path is off
 * for that mode. Nothing here is an error for the caller:
 * an unavailable path just says why (ecl_ocl_mma_status_text, `einsumcl devices`, ECL_VERBOSE=1)
 * and the GEMMs run on CLBlast or the own SIMT kernel with the same (emulated) semantics.
 * ECL_MMA_EMULATE=1 builds the kernels with a scalar emulation of the instruction instead, on any
 * device (how CI tests the tiling and fragment layouts on PoCL; slow).
 */
#ifndef ECL_OPENCL_MMA_H
#define ECL_OPENCL_MMA_H

#include "clblast_gemm.h"

#define ECL_MMA_MODES 3 /* tf32, f16, bf16: ecl_compute - 1 */

/* One mode's program (built with -DECL_MMA_TYPE) and what is known of it. */
typedef struct ecl_ocl_mma_mode {
    int state;           /* 0 not tried, 1 ready (probed, built, self-checked), -1 unusable */
    char text[640];      /* the self-check's result, or why the mode is unusable */
    cl_program program;
    cl_kernel kernel[4]; /* NN, NT, TN, TT */
} ecl_ocl_mma_mode;

typedef struct ecl_ocl_mma {
    int checked;        /* the device checks (vendor, local memory, work-group size) ran */
    int device_ok;      /* they passed */
    int emulated;       /* ECL_MMA_EMULATE: the emulation stands in for the instruction */
    char reason[256];   /* why the device cannot run the kernels */
    ecl_ocl_mma_mode mode[ECL_MMA_MODES];
    int64_t launches;   /* kernel launches (tests) */
} ecl_ocl_mma;

/* Whether GEMMs of compute mode `compute` (TF32, F16 or BF16) may run on the mma kernels: probes
 * at the first call, self-checks the mode at its first call. 0 for the default mode, always. */
int ecl_ocl_mma_ready(ecl_ocl_backend *be, ecl_compute compute);
/* One line for compute, after ecl_ocl_mma_ready: why the mma kernels cannot run it, or the
 * self-check's result. */
const char *ecl_ocl_mma_status_text(const ecl_ocl_backend *be, ecl_compute compute);
/* Releases the state (the backend's destroy). */
void ecl_ocl_mma_free(ecl_ocl_backend *be);

/* The kernel for compute (not the default) and the transposition flags, once the mode's program
 * is built (ecl_ocl_mma_ready builds it before the self-check). */
ecl_status ecl_ocl_mma_kernel(ecl_ocl_backend *be, ecl_compute compute, int trans_a, int trans_b,
                              cl_kernel *out);

/* The self-check of compute's kernels (opencl_mma_check.c): 1 when every product matches the
 * host reference, else 0 (a device or host failure counts as a mismatch); text receives the
 * result in one line. ECL_MMA_SELFCHECK=full adds a battery of random shapes. */
int ecl_ocl_mma_selfcheck(ecl_ocl_backend *be, ecl_compute compute, char *text, size_t cap);

/* Test hook: added to one element of each self-check result before the comparison (0 normally),
 * so tests can watch a failing self-check turn the path off. */
extern double ecl_mma_selfcheck_perturb;

#endif /* ECL_OPENCL_MMA_H */
