/*
 * Internals of the OpenCL backend's GEMM step, shared by the batching strategy (clblast_gemm.c)
 * and the typed CLBlast calls with their error mapping (clblast_calls.c): one GEMM request with
 * its batch dims simplified and every operand's placement resolved.
 */
#ifndef ECL_CLBLAST_GEMM_H
#define ECL_CLBLAST_GEMM_H

#include "clblast_loader.h"
#include "opencl_backend.h"

/* A batch dim: its size and element strides in A, B and C. */
typedef struct ocl_batch_dim {
    int64_t size;
    int64_t stride[3];
} ocl_batch_dim;

typedef struct ocl_gemm_job {
    ecl_ocl_backend *be;
    const ecl_clblast_api *api; /* set by ocl_clblast_prepare */
    ecl_dtype dtype;
    int trans_a, trans_b;
    int compute;       /* ecl_compute of the step (ecl_gemm_args.compute) */
    int64_t m, n, k;
    void *mem[3];      /* A, B, C buffers (cl_mem) */
    int64_t offset[3]; /* element offset of each operand's first product */
    int64_t ld[3];     /* leading dimensions CLBlast accepts */
    int64_t last[3];   /* highest element any product reaches */
    double alpha, beta;
    int nd;            /* simplified batch dims, outermost first */
    ocl_batch_dim dim[ECL_MAX_DIMS];
    int64_t count;     /* products in the batch */
} ocl_gemm_job;

/* Least work (flops) per XgemmStridedBatched call for unmergeable batch dims to run as a loop of
 * such calls rather than as one XgemmBatched (clblast_gemm.c; tests lower it to cover both). */
extern double ecl_ocl_gemm_loop_min_flops;

/* Whether CLBlast can run the job: it loads, and every operand stays within 32-bit indices. */
int ocl_clblast_usable(const ocl_gemm_job *job);
/* Loads CLBlast (applying tuned parameters before the backend's first CLBlast GEMM,
 * clblast_tuning.c) and checks that the device can run the job's dtype. */
ecl_status ocl_clblast_prepare(ocl_gemm_job *job);
/* One product at the given A, B, C element offsets (Xgemm, or Xgemv for a vector side). */
ecl_status ocl_clblast_single(const ocl_gemm_job *job, const int64_t *offset);
/* dim->size products from the given offsets, stepping by dim's strides (XgemmStridedBatched). */
ecl_status ocl_clblast_strided(const ocl_gemm_job *job, const int64_t *offset,
                               const ocl_batch_dim *dim);
/* job->count products; offsets holds A's, then B's, then C's offsets (XgemmBatched). */
ecl_status ocl_clblast_batched(const ocl_gemm_job *job, const size_t *offsets);

#endif /* ECL_CLBLAST_GEMM_H */
