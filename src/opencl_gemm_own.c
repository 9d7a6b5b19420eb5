/*
 * Host side of einsumcl's own batched GEMM kernels (kernels/gemm_batched.cl): packs a prepared
 * GEMM job into the kernel's geometry (two batch dims per launch; more run as one launch per
 * index of the outer ones) and enqueues it. Unlike CLBlast the kernels index with 64 bits, so
 * any view goes; since nothing else checks it on this path, every operand's reach is checked
 * against its buffer's size first.
 */
#include "opencl_gemm_select.h"
#include "opencl_launch.h"

#include <stdio.h>

/* Must match ECL_GEMM_WG and the tile sizes of kernels/gemm_batched.cl (checked at launch
 * against the kernels' reqd_work_group_size). */
#define OWN_WG 64
#define OWN_TM 64
#define OWN_TN 64

/* Layout of ecl_gemm_geom in kernels/gemm_batched.cl. */
typedef struct ecl_ocl_gemm_geom {
    cl_long m, n, k;
    cl_long ld[3];
    cl_long offset[3];
    cl_long count;
    cl_long inner;
    cl_long stride[3][2];
} ecl_ocl_gemm_geom;

static ecl_status check_fits(const ocl_gemm_job *job)
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

ecl_status ocl_gemm_run_own(ocl_gemm_job *job)
{
    ecl_ocl_backend *be = job->be;
    struct ecl_ocl_kernels *k;
    ecl_status st = ecl_ocl_kernels_get(be, job->dtype, &k);
    if (st || (st = check_fits(job)))
        return st;
    const ecl_ocl_kernel_id id = (ecl_ocl_kernel_id)(ECL_K_GEMM_NN + 2 * job->trans_a + job->trans_b);
    if ((st = check_group_size(be, k->kernel[id])))
        return st;
    ecl_ocl_gemm_geom geom = {.m = job->m, .n = job->n, .k = job->k, .count = 1, .inner = 1};
    const int nd = job->nd, outer = nd > 2 ? nd - 2 : 0; /* dims looped over on the host */
    for (int o = 0; o < 3; o++) {
        geom.ld[o] = job->ld[o];
        for (int d = outer; d < nd; d++)
            geom.stride[o][nd - d == 1 ? 1 : 0] = job->dim[d].stride[o];
    }
    for (int d = outer; d < nd; d++)
        geom.count *= job->dim[d].size;
    if (nd > 0)
        geom.inner = job->dim[nd - 1].size;
    const ecl_ocl_scalar alpha = ecl_ocl_scalar_of(job->dtype, job->alpha);
    const ecl_ocl_scalar beta = ecl_ocl_scalar_of(job->dtype, job->beta);
    const ecl_ocl_arg args[] = {{sizeof(cl_mem), &job->mem[0]}, {sizeof(cl_mem), &job->mem[1]},
                                {sizeof(cl_mem), &job->mem[2]}, {sizeof geom, &geom},
                                {alpha.size, &alpha.v}, {beta.size, &beta.v}};
    const uint64_t tiles = (uint64_t)((job->m + OWN_TM - 1) / OWN_TM) *
                           (uint64_t)((job->n + OWN_TN - 1) / OWN_TN) * (uint64_t)geom.count;
    const size_t groups = tiles < k->max_groups ? (size_t)tiles : k->max_groups;
    const size_t wg = OWN_WG;
    int64_t idx[ECL_MAX_DIMS] = {0};
    for (;;) {
        for (int o = 0; o < 3; o++) {
            geom.offset[o] = job->offset[o];
            for (int d = 0; d < outer; d++)
                geom.offset[o] += idx[d] * job->dim[d].stride[o];
        }
        if ((st = ecl_ocl_enqueue(be, k, id, args, 6, 1, &groups, &wg)))
            return st;
        int d = outer - 1;
        while (d >= 0 && ++idx[d] == job->dim[d].size)
            idx[d--] = 0;
        if (d < 0)
            return ECL_SUCCESS;
    }
}
