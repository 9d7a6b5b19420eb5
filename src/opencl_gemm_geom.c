/*
 * Launch geometry of the own GEMM kernels (see opencl_gemm_geom.h): the two innermost batch dims
 * go to the kernel, the others are looped over here, one launch per index.
 */
#include "opencl_gemm_geom.h"

ecl_status ocl_gemm_check_fits(const ocl_gemm_job *job)
{
    const size_t esize = job->dtype == ECL_F32 ? 4 : 8;
    for (int o = 0; o < 3; o++) {
        size_t bytes = 0;
        cl_int rc = clGetMemObjectInfo((cl_mem)job->mem[o], CL_MEM_SIZE, sizeof bytes, &bytes, NULL);
        if (rc != CL_SUCCESS)
            return ecl_ocl_fail(job->be, rc, "clGetMemObjectInfo(CL_MEM_SIZE) of a GEMM operand");
        if ((uint64_t)job->last[o] >= bytes / esize)
            return ecl_fail(job->be->base.err, ECL_ERROR_INVALID_ARGUMENT,
                            "opencl gemm: operand %c reaches element %lld, but its buffer holds "
                            "%llu elements",
                            "ABC"[o], (long long)job->last[o], (unsigned long long)(bytes / esize));
    }
    return ECL_SUCCESS;
}

ecl_status ocl_gemm_launches(const ocl_gemm_job *job, ocl_gemm_launch_fn launch, void *ctx)
{
    ecl_ocl_gemm_geom geom = {.m = job->m, .n = job->n, .k = job->k, .count = 1, .inner = 1};
    const int nd = job->nd, outer = nd > 2 ? nd - 2 : 0; /* dims looped over here */
    for (int o = 0; o < 3; o++) {
        geom.ld[o] = job->ld[o];
        for (int d = outer; d < nd; d++)
            geom.stride[o][nd - d == 1 ? 1 : 0] = job->dim[d].stride[o];
    }
    for (int d = outer; d < nd; d++)
        geom.count *= job->dim[d].size;
    if (nd > 0)
        geom.inner = job->dim[nd - 1].size;
    int64_t idx[ECL_MAX_DIMS] = {0};
    for (;;) {
        for (int o = 0; o < 3; o++) {
            geom.offset[o] = job->offset[o];
            for (int d = 0; d < outer; d++)
                geom.offset[o] += idx[d] * job->dim[d].stride[o];
        }
        ecl_status st = launch(ctx, &geom);
        if (st)
            return st;
        int d = outer - 1;
        while (d >= 0 && ++idx[d] == job->dim[d].size)
            idx[d--] = 0;
        if (d < 0)
            return ECL_SUCCESS;
    }
}

size_t ocl_gemm_groups(const ecl_ocl_gemm_geom *geom, int64_t tile_m, int64_t tile_n,
                       size_t max_groups)
{
    const uint64_t tiles = (uint64_t)((geom->m + tile_m - 1) / tile_m) *
                           (uint64_t)((geom->n + tile_n - 1) / tile_n) * (uint64_t)geom->count;
    return tiles < max_groups ? (size_t)tiles : max_groups;
}
