/*
 * The OpenCL backend's choice between its GEMM implementations: CLBlast, einsumcl's own batched
 * SIMT kernel (kernels/gemm_batched.cl) and, for GEMMs of a compute mode (tf32, f16, bf16) on
 * NVIDIA devices, the tensor-core kernels (kernels/mma/, opencl_mma.h; never for the default
 * mode, which stays exact). ECL_GEMM=clblast|own|mma|auto (default auto) sets the mode per backend
 * at its first GEMM. In auto, the first GEMM of each (dtype, compute mode, transposition flags,
 * m, n, k, batch count) times every candidate and the fastest is remembered in the backend; where
 * CLBlast cannot run the product (library missing, a view beyond 32-bit indices) it is no
 * candidate. ECL_GEMM=mma runs compute-mode GEMMs on the tensor-core kernels, failing with
 * ECL_ERROR_BACKEND (and the reason) where they are unavailable or failed their self-check, and
 * default-mode GEMMs as auto does. Also holds the backend's CLBlast tuning state
 * (clblast_tuning.c).
 */
#ifndef ECL_OPENCL_GEMM_SELECT_H
#define ECL_OPENCL_GEMM_SELECT_H

#include "clblast_gemm.h"

typedef enum ecl_gemm_mode { ECL_GEMM_AUTO, ECL_GEMM_CLBLAST, ECL_GEMM_OWN, ECL_GEMM_MMA } ecl_gemm_mode;
typedef enum ecl_gemm_impl { ECL_IMPL_CLBLAST, ECL_IMPL_OWN, ECL_IMPL_MMA, ECL_IMPL_COUNT } ecl_gemm_impl;

#define ECL_GEMM_CHOICES 64 /* remembered shapes per backend; the oldest is replaced */

typedef struct ecl_gemm_choice {
    int dtype, compute, trans_a, trans_b;
    int64_t m, n, k, count;
    ecl_gemm_impl impl;
} ecl_gemm_choice;

typedef struct ecl_ocl_gemm_state {
    int mode_read;
    ecl_gemm_mode mode;
    ecl_gemm_choice choice[ECL_GEMM_CHOICES];
    int nchoices, next_slot;
    /* counters for tests and verbose output */
    int64_t runs[ECL_IMPL_COUNT];   /* GEMM steps run per implementation (measurements excluded) */
    int64_t measurements;           /* shapes timed in auto mode */
    double last_ms[ECL_IMPL_COUNT]; /* the latest measurement's time per run (HUGE_VAL: not a
                                     * candidate or failed), per implementation */
    /* CLBlast tuning (clblast_tuning.c) */
    int tuning_done;
    int tuning_applied; /* successful CLBlastOverrideParameters calls */
} ecl_ocl_gemm_state;

/* The backend's state, allocated on first use (freed by ecl_ocl_gemm_state_free at destroy). */
ecl_status ecl_ocl_gemm_state_get(ecl_ocl_backend *be, ecl_ocl_gemm_state **out);
void ecl_ocl_gemm_state_free(ecl_ocl_backend *be);

/* Runs a prepared job (batch simplified, operands placed, negative C strides flipped, k > 0) on
 * the implementation the mode and the remembered choices give, measuring first where needed. */
ecl_status ocl_gemm_dispatch(ocl_gemm_job *job);

/* The CLBlast path of a prepared job (clblast_gemm.c). */
ecl_status ocl_gemm_run_clblast(ocl_gemm_job *job);
/* The own kernel's path of a prepared job (opencl_gemm_own.c); any offsets and strides, 64-bit
 * indices; checks that every operand fits its buffer. */
ecl_status ocl_gemm_run_own(ocl_gemm_job *job);
/* The tensor-core path of a prepared float32 job of a compute mode (opencl_gemm_mma.c); callers
 * ask ecl_ocl_mma_ready first. */
ecl_status ocl_gemm_run_mma(ocl_gemm_job *job);

#endif /* ECL_OPENCL_GEMM_SELECT_H */
