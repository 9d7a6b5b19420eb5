/*
 * Host side of einsumcl's own batched GEMM kernels (kernels/gemm_batched.cl): enqueues a prepared
 * GEMM job with the shared launch geometry (opencl_gemm_geom.c: two batch dims per launch; more
 * run as one launch per index of the outer ones). Unlike CLBlast the kernels index with 64 bits,
 * so any view goes; since nothing else checks it on this path, every operand's reach is checked
 * against its buffer's size first.
 */
#include "opencl_gemm_geom.h"
#include "opencl_gemm_select.h"
#include "opencl_launch.h"

#include <stdio.h>

/* Must match ECL_GEMM_WG and the tile sizes of kernels/gemm_batched.cl (checked at launch
 * against the kernels' reqd_work_group_size). */
#define OWN_WG 64
#define OWN_TM 64
#define OWN_TN 64

static ecl_status check_group_size(ecl_ocl_backend *be, cl_kernel kernel)
{
    size_t reqd[3] = {0, 0, 0};
    cl_int rc = clGetKernelWorkGroupInfo(kernel, be->device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE,
                                         sizeof reqd, reqd, NULL);
    if (rc != CL_SUCCESS)
        return ecl_ocl_fail(be, rc, "clGetKernelWorkGroupInfo(CL_KERNEL_COMPILE_WORK_GROUP_SIZE)");
    if (reqd[0] != OWN_WG)
        return ecl_fail(be->base.err, ECL_ERROR_BACKEND,
                        "opencl gemm: the own GEMM kernel was built for work-groups of %zu items, "
                        "the host launches %d (kernels/gemm_batched.cl and opencl_gemm_own.c "
                        "disagree)",
                        reqd[0], OWN_WG);
    return ECL_SUCCESS;
}

typedef struct own_launch {
    const ocl_gemm_job *job;
    struct ecl_ocl_kernels *k;
    ecl_ocl_kernel_id id;
} own_launch;

static ecl_status launch(void *ctx, const ecl_ocl_gemm_geom *geom)
{
    const own_launch *l = ctx;
    const ocl_gemm_job *job = l->job;
    const ecl_ocl_scalar alpha = ecl_ocl_scalar_of(job->dtype, job->alpha);
    const ecl_ocl_scalar beta = ecl_ocl_scalar_of(job->dtype, job->beta);
    const ecl_ocl_arg args[] = {{sizeof(cl_mem), &job->mem[0]}, {sizeof(cl_mem), &job->mem[1]},
                                {sizeof(cl_mem), &job->mem[2]}, {sizeof *geom, geom},
                                {alpha.size, &alpha.v}, {beta.size, &beta.v}};
    const size_t groups = ocl_gemm_groups(geom, OWN_TM, OWN_TN, l->k->max_groups);
    const size_t wg = OWN_WG;
    return ecl_ocl_enqueue(job->be, l->k, l->id, args, 6, 1, &groups, &wg);
}

ecl_status ocl_gemm_run_own(ocl_gemm_job *job)
{
    ecl_ocl_backend *be = job->be;
    struct ecl_ocl_kernels *k;
    ecl_status st = ecl_ocl_kernels_get(be, job->dtype, &k);
    if (st || (st = ocl_gemm_check_fits(job)))
        return st;
    const ecl_ocl_kernel_id id = (ecl_ocl_kernel_id)(ECL_K_GEMM_NN + 2 * job->trans_a + job->trans_b);
    if ((st = check_group_size(be, k->kernel[id])))
        return st;
    own_launch l = {job, k, id};
    return ocl_gemm_launches(job, launch, &l);
}
