/*
 * The CPU backend's strided primitives: copy, reduce, mul and scale. Each checks its arguments,
 * builds and simplifies the iteration space, handles the empty cases (nothing to do; an empty sum
 * leaves beta * dst) and hands the work to the elementwise, transpose or sum engine.
 */
#include "backend_check.h"
#include "cpu_internal.h"

static ecl_cpu_backend *cpu(ecl_backend *be) { return (ecl_cpu_backend *)be; }

ecl_status ecl_cpu_scale(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double beta)
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
    void *mem[CPU_MAX_OPS] = {dst->mem, NULL, NULL};
    cpu_elementwise(cpu(be), &sp, dtype, dtype, mem, 0.0, beta);
    return ECL_SUCCESS;
}

ecl_status ecl_cpu_copy(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
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
    void *mem[CPU_MAX_OPS] = {dst->mem, src->mem, NULL};
    if (!cpu_transpose(cpu(be), &sp, dtype, src_dtype, mem, alpha, beta))
        cpu_elementwise(cpu(be), &sp, dtype, src_dtype, mem, alpha, beta);
    return ECL_SUCCESS;
}

ecl_status ecl_cpu_reduce(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
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
        return ecl_cpu_scale(be, dtype, dst, beta);
    cpu_space_simplify(&sp);
    void *mem[CPU_MAX_OPS] = {dst->mem, src->mem, NULL};
    if (sp.nd == sp.nkeep)
        cpu_elementwise(cpu(be), &sp, dtype, dtype, mem, alpha, beta);
    else
        cpu_sum(cpu(be), &sp, dtype, mem, alpha, beta);
    return ECL_SUCCESS;
}

ecl_status ecl_cpu_mul(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
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
        return ecl_cpu_scale(be, dtype, dst, beta);
    cpu_space_simplify(&sp);
    void *mem[CPU_MAX_OPS] = {dst->mem, a->mem, b->mem};
    if (sp.nd == sp.nkeep)
        cpu_elementwise(cpu(be), &sp, dtype, dtype, mem, alpha, beta);
    else
        cpu_sum(cpu(be), &sp, dtype, mem, alpha, beta);
    return ECL_SUCCESS;
}
