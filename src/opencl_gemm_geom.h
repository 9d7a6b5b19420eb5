/*
 * What the OpenCL backend's own GEMM kernels share on the host (the SIMT kernels of
 * kernels/gemm_batched.cl and the tensor-core ones of kernels/mma/gemm_mma.cl): the launch
 * geometry they receive (two batch dims per launch, 64-bit indices), the check that every operand
 * fits its buffer (nothing else checks it on these paths), and the loop that launches a prepared
 * job as one launch per index of the batch dims beyond the innermost two.
 */
#ifndef ECL_OPENCL_GEMM_GEOM_H
#define ECL_OPENCL_GEMM_GEOM_H

#include "clblast_gemm.h"

/* Layout of ecl_gemm_geom (gemm_batched.cl) and ecl_mma_geom (gemm_mma.cl). */
typedef struct ecl_ocl_gemm_geom {
    cl_long m, n, k;
    cl_long ld[3];
    cl_long offset[3];
    cl_long count;
    cl_long inner;
    cl_long stride[3][2];
} ecl_ocl_gemm_geom;

/* ECL_ERROR_INVALID_ARGUMENT when an operand reaches beyond its buffer (float32/float64). */
ecl_status ocl_gemm_check_fits(const ocl_gemm_job *job);

/* One launch over geom (offsets set for this launch); ctx is the caller's. */
typedef ecl_status (*ocl_gemm_launch_fn)(void *ctx, const ecl_ocl_gemm_geom *geom);

/* Packs job into the geometry and calls launch once per index of the outer batch dims. */
ecl_status ocl_gemm_launches(const ocl_gemm_job *job, ocl_gemm_launch_fn launch, void *ctx);

/* The work-groups of a launch of tile_m x tile_n tiles over geom, capped at max_groups (the
 * kernels loop over the rest). */
size_t ocl_gemm_groups(const ecl_ocl_gemm_geom *geom, int64_t tile_m, int64_t tile_n,
                       size_t max_groups);

#endif /* ECL_OPENCL_GEMM_GEOM_H */
