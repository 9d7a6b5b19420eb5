/*
 * The OpenCL backend's strided primitives: copy, reduce, mul and scale. Each checks its
 * arguments, builds and simplifies the iteration space (cpu_space.c, shared with the CPU
 * backend), handles the empty cases (nothing to do; an empty sum leaves beta * dst) and enqueues
 * the kernels (opencl_launch.c, opencl_sum.c). Nothing here waits for the device.
 */
#include "backend_check.h"
#include "opencl_launch.h"

static ecl_ocl_backend *ocl(ecl_backend *be) { return (ecl_ocl_backend *)be; }

ecl_status ecl_ocl_scale(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double beta)
{
    ecl_status st = ecl_check_scale_args(be, dtype, dst);
    if (st || beta == 1.0)
        return st;
    const ecl_strided *views[1] = {dst};
    cpu_space sp;
    int empty_sum;
    if (!cpu_space_build(&sp, 1, views, &empty_sum))
        return ECL_SUCCESS;
    cpu_space_simplify(&sp);
    return ecl_ocl_launch_scale(ocl(be), &sp, dtype, (cl_mem)dst->mem, beta);
}

ecl_status ecl_ocl_copy(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                        ecl_dtype src_dtype, const ecl_strided *src, double alpha, double beta)
{
    ecl_status st = ecl_check_copy_args(be, dtype, dst, src_dtype, src);
    if (st)
        return st;
    const ecl_strided *views[2] = {dst, src};
    cpu_space sp;
    int empty_sum;
    if (!cpu_space_build(&sp, 2, views, &empty_sum))
        return ECL_SUCCESS;
    cpu_space_simplify(&sp);
    return ecl_ocl_launch_copy(ocl(be), &sp, dtype, src_dtype, (cl_mem)dst->mem,
                               (cl_mem)src->mem, alpha, beta);
}

ecl_status ecl_ocl_reduce(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                          const ecl_strided *src, double alpha, double beta)
{
    ecl_status st = ecl_check_reduce_args(be, dtype, dst, src);
    if (st)
        return st;
    const ecl_strided *views[2] = {dst, src};
    cpu_space sp;
    int empty_sum;
    if (!cpu_space_build(&sp, 2, views, &empty_sum))
        return ECL_SUCCESS;
    if (empty_sum)
        return ecl_ocl_scale(be, dtype, dst, beta);
    cpu_space_simplify(&sp);
    cl_mem d = (cl_mem)dst->mem, s = (cl_mem)src->mem;
    if (sp.nd == sp.nkeep)
        return ecl_ocl_launch_copy(ocl(be), &sp, dtype, dtype, d, s, alpha, beta);
    return ecl_ocl_launch_sum(ocl(be), &sp, dtype, d, s, NULL, alpha, beta);
}

ecl_status ecl_ocl_mul(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                       const ecl_strided *a, const ecl_strided *b, double alpha, double beta)
{
    ecl_status st = ecl_check_mul_args(be, dtype, dst, a, b);
    if (st)
        return st;
    const ecl_strided *views[3] = {dst, a, b};
    cpu_space sp;
    int empty_sum;
    if (!cpu_space_build(&sp, 3, views, &empty_sum))
        return ECL_SUCCESS;
    if (empty_sum)
        return ecl_ocl_scale(be, dtype, dst, beta);
    cpu_space_simplify(&sp);
    cl_mem d = (cl_mem)dst->mem, ma = (cl_mem)a->mem, mb = (cl_mem)b->mem;
    if (sp.nd == sp.nkeep)
        return ecl_ocl_launch_mul(ocl(be), &sp, dtype, d, ma, mb, alpha, beta);
    return ecl_ocl_launch_sum(ocl(be), &sp, dtype, d, ma, mb, alpha, beta);
}
