/*
 * Host side of the tensor-core GEMM kernels (kernels/mma/gemm_mma.cl): enqueues a prepared
 * float32 job of a compute mode with the shared launch geometry (opencl_gemm_geom.c), telling the
 * kernel which operands it may read as aligned float4s. Whether the path may run at all is
 * opencl_mma.c's question; this file only launches.
 */
#include "opencl_gemm_geom.h"
#include "opencl_gemm_select.h"
#include "opencl_mma.h"

#define MMA_WG 256   /* reqd_work_group_size of the kernels */
#define MMA_TILE 128 /* their tile of C is 128 x 128 */
#define MMA_MAX_GROUPS ((size_t)1 << 22)

/* Whether every 4-element group the kernel reads of operand o starts 16-byte aligned: the
 * offset, leading dimension and batch strides are multiples of 4 (tiles start at multiples of 4
 * along both directions; buffers are aligned far beyond 16 bytes). */
static int aligned4(const ocl_gemm_job *job, int o)
{
    if (job->offset[o] % 4 != 0 || job->ld[o] % 4 != 0)
        return 0;
    for (int d = 0; d < job->nd; d++)
        if (job->dim[d].stride[o] % 4 != 0)
            return 0;
    return 1;
}

typedef struct mma_launch {
    ocl_gemm_job *job;
    cl_kernel kernel;
    cl_int vec;
} mma_launch;

static ecl_status launch(void *ctx, const ecl_ocl_gemm_geom *geom)
{
    const mma_launch *l = ctx;
    ecl_ocl_backend *be = l->job->be;
    const cl_float alpha = (cl_float)l->job->alpha, beta = (cl_float)l->job->beta;
    const struct {
        size_t size;
        const void *value;
    } args[] = {{sizeof(cl_mem), &l->job->mem[0]}, {sizeof(cl_mem), &l->job->mem[1]},
                {sizeof(cl_mem), &l->job->mem[2]}, {sizeof *geom, geom},
                {sizeof alpha, &alpha}, {sizeof beta, &beta}, {sizeof l->vec, &l->vec}};
    cl_int rc = CL_SUCCESS;
    for (cl_uint i = 0; i < sizeof args / sizeof args[0] && rc == CL_SUCCESS; i++)
        rc = clSetKernelArg(l->kernel, i, args[i].size, args[i].value);
    if (rc != CL_SUCCESS)
        return ecl_ocl_fail(be, rc, "clSetKernelArg(tensor-core GEMM)");
    const size_t local = MMA_WG;
    const size_t global = ocl_gemm_groups(geom, MMA_TILE, MMA_TILE, MMA_MAX_GROUPS) * local;
    rc = clEnqueueNDRangeKernel(be->queue, l->kernel, 1, NULL, &global, &local, 0, NULL, NULL);
    if (rc != CL_SUCCESS)
        return ecl_ocl_fail(be, rc, "clEnqueueNDRangeKernel(tensor-core GEMM)");
    be->mma->launches++;
    return ECL_SUCCESS;
}

ecl_status ocl_gemm_run_mma(ocl_gemm_job *job)
{
    ecl_ocl_backend *be = job->be;
    if (job->dtype != ECL_F32 || job->compute == ECL_COMPUTE_DEFAULT)
        return ecl_fail(be->base.err, ECL_ERROR_BACKEND,
                        "opencl gemm: the tensor-core kernels take float32 GEMMs of a compute mode "
                        "(tf32, f16, bf16), not %s with compute %s",
                        ecl_dtype_name(job->dtype), ecl_compute_name((ecl_compute)job->compute));
    mma_launch l = {job, NULL, 0};
    ecl_status st = ecl_ocl_mma_kernel(be, (ecl_compute)job->compute, job->trans_a, job->trans_b,
                                       &l.kernel);
    if (st || (st = ocl_gemm_check_fits(job)))
        return st;
    l.vec = (cl_int)(aligned4(job, 0) | aligned4(job, 1) << 1);
    return ocl_gemm_launches(job, launch, &l);
}
