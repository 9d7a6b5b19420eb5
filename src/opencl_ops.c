/*
 * The OpenCL backend's strided primitives: copy, reduce, mul and scale. Each checks its
 * arguments, builds and simplifies the iteration space (cpu_space.c, shared with the CPU
 * backend), handles the empty cases (nothing to do; an empty sum leaves beta * dst) and enqueues
 * the kernels (opencl_launch.c, opencl_sum.c). Nothing here waits for the device.
 */
#include "opencl_launch.h"

static ecl_ocl_backend *ocl(ecl_backend *be) { return (ecl_ocl_backend *)be; }

static ecl_status check_dtype(ecl_backend *be, const char *op, const char *what, ecl_dtype dtype)
{
    if (dtype == ECL_F32 || dtype == ECL_F64)
        return ECL_SUCCESS;
    return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "opencl %s: unsupported %s dtype %d", op,
                    what, (int)dtype);
}

static ecl_status check_view(ecl_backend *be, const char *op, const char *name,
                             const ecl_strided *v)
{
    if (!v)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "opencl %s: %s view is NULL", op,
                        name);
    if (v->ndim < 0 || v->ndim > ECL_MAX_DIMS)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                        "opencl %s: %s has %d dims (0 to %d allowed)", op, name, v->ndim,
                        ECL_MAX_DIMS);
    if (v->ndim > 0 && (!v->shape || !v->stride))
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                        "opencl %s: %s has no shape or strides", op, name);
    int empty = 0;
    for (int d = 0; d < v->ndim; d++) {
        if (v->shape[d] < 0)
            return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                            "opencl %s: %s dim %d has negative size %lld", op, name, d,
                            (long long)v->shape[d]);
        empty |= v->shape[d] == 0;
    }
    int64_t count = 1;
    for (int d = 0; d < v->ndim && !empty; d++)
        if (ecl_mul_overflow_i64(count, v->shape[d], &count))
            return ecl_fail(be->err, ECL_ERROR_OVERFLOW,
                            "opencl %s: %s element count overflows 64 bits", op, name);
    if (!v->mem && !empty)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "opencl %s: %s memory is NULL", op,
                        name);
    return ECL_SUCCESS;
}

/* The first `ndim` dims of x and y have equal sizes. */
static ecl_status check_leading(ecl_backend *be, const char *op, const char *xname,
                                const ecl_strided *x, const char *yname, const ecl_strided *y,
                                int ndim)
{
    for (int d = 0; d < ndim; d++)
        if (x->shape[d] != y->shape[d])
            return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                            "opencl %s: dim %d is %lld in %s but %lld in %s", op, d,
                            (long long)x->shape[d], xname, (long long)y->shape[d], yname);
    return ECL_SUCCESS;
}

static ecl_status check_more_dims(ecl_backend *be, const char *op, const char *what,
                                  const ecl_strided *v, const ecl_strided *dst)
{
    if (v->ndim >= dst->ndim)
        return ECL_SUCCESS;
    return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                    "opencl %s: %s has %d dims, fewer than dst's %d", op, what, v->ndim,
                    dst->ndim);
}

ecl_status ecl_ocl_scale(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double beta)
{
    ecl_status st = check_dtype(be, "scale", "dst", dtype);
    if (!st)
        st = check_view(be, "scale", "dst", dst);
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
    ecl_status st = check_dtype(be, "copy", "dst", dtype);
    if (!st)
        st = check_dtype(be, "copy", "src", src_dtype);
    if (!st)
        st = check_view(be, "copy", "dst", dst);
    if (!st)
        st = check_view(be, "copy", "src", src);
    if (!st && src->ndim != dst->ndim)
        st = ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                      "opencl copy: src has %d dims, expected %d", src->ndim, dst->ndim);
    if (!st)
        st = check_leading(be, "copy", "dst", dst, "src", src, dst->ndim);
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
    ecl_status st = check_dtype(be, "reduce", "dst", dtype);
    if (!st)
        st = check_view(be, "reduce", "dst", dst);
    if (!st)
        st = check_view(be, "reduce", "src", src);
    if (!st)
        st = check_more_dims(be, "reduce", "src", src, dst);
    if (!st)
        st = check_leading(be, "reduce", "dst", dst, "src", src, dst->ndim);
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
    ecl_status st = check_dtype(be, "mul", "dst", dtype);
    if (!st)
        st = check_view(be, "mul", "dst", dst);
    if (!st)
        st = check_view(be, "mul", "a", a);
    if (!st)
        st = check_view(be, "mul", "b", b);
    if (!st && b->ndim != a->ndim)
        st = ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                      "opencl mul: b has %d dims, expected %d", b->ndim, a->ndim);
    if (!st)
        st = check_leading(be, "mul", "a", a, "b", b, a->ndim);
    if (!st)
        st = check_more_dims(be, "mul", "a", a, dst);
    if (!st)
        st = check_leading(be, "mul", "dst", dst, "a", a, dst->ndim);
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
