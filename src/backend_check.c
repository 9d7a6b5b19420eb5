/*
 * Argument checks shared by the CPU and OpenCL strided primitives (see backend_check.h): one
 * entry point per primitive, built from the checks of single views and of shape agreement.
 */
#include "backend_check.h"
#include "dtype_internal.h"

static const char *backend_name(const ecl_backend *be)
{
    return be->kind == ECL_BACKEND_OPENCL ? "opencl" : "cpu";
}

static ecl_status ecl_check_dtype(ecl_backend *be, const char *op, const char *what, ecl_dtype dtype)
{
    if (dtype == ECL_F32 || dtype == ECL_F64)
        return ECL_SUCCESS;
    return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s %s: unsupported %s dtype %d",
                    backend_name(be), op, what, (int)dtype);
}

/* The copy converts: its source may also be 16-bit, its destination 16-bit or a rounding dtype. */
static ecl_status ecl_check_copy_dtype(ecl_backend *be, const char *what, ecl_dtype dtype, int dst)
{
    if (dtype == ECL_F32 || dtype == ECL_F64 || ecl_dtype_is_16bit(dtype) ||
        (dst && ecl_dtype_is_rounding(dtype)))
        return ECL_SUCCESS;
    return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s copy: unsupported %s dtype %d",
                    backend_name(be), what, (int)dtype);
}

static ecl_status ecl_check_view(ecl_backend *be, const char *op, const char *name, const ecl_strided *v)
{
    const char *bn = backend_name(be);
    if (!v)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s %s: %s view is NULL", bn, op, name);
    if (v->ndim < 0 || v->ndim > ECL_MAX_DIMS)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s %s: %s has %d dims (0 to %d allowed)",
                        bn, op, name, v->ndim, ECL_MAX_DIMS);
    if (v->ndim > 0 && (!v->shape || !v->stride))
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s %s: %s has no shape or strides", bn,
                        op, name);
    int empty = 0;
    for (int d = 0; d < v->ndim; d++) {
        if (v->shape[d] < 0)
            return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                            "%s %s: %s dim %d has negative size %lld", bn, op, name, d,
                            (long long)v->shape[d]);
        empty |= v->shape[d] == 0;
    }
    int64_t count = 1;
    for (int d = 0; d < v->ndim && !empty; d++)
        if (ecl_mul_overflow_i64(count, v->shape[d], &count))
            return ecl_fail(be->err, ECL_ERROR_OVERFLOW, "%s %s: %s element count overflows 64 bits",
                            bn, op, name);
    if (!v->mem && !empty)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s %s: %s memory is NULL", bn, op,
                        name);
    return ECL_SUCCESS;
}

static ecl_status ecl_check_leading(ecl_backend *be, const char *op, const char *xname,
                             const ecl_strided *x, const char *yname, const ecl_strided *y, int ndim)
{
    for (int d = 0; d < ndim; d++)
        if (x->shape[d] != y->shape[d])
            return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                            "%s %s: dim %d is %lld in %s but %lld in %s", backend_name(be), op, d,
                            (long long)x->shape[d], xname, (long long)y->shape[d], yname);
    return ECL_SUCCESS;
}

static ecl_status ecl_check_ndim(ecl_backend *be, const char *op, const char *what, int got, int want)
{
    if (got == want)
        return ECL_SUCCESS;
    return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s %s: %s has %d dims, expected %d",
                    backend_name(be), op, what, got, want);
}

static ecl_status ecl_check_more_dims(ecl_backend *be, const char *op, const char *what,
                               const ecl_strided *v, const ecl_strided *dst)
{
    if (v->ndim >= dst->ndim)
        return ECL_SUCCESS;
    return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s %s: %s has %d dims, fewer than dst's %d",
                    backend_name(be), op, what, v->ndim, dst->ndim);
}

ecl_status ecl_check_scale_args(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst)
{
    ecl_status st = ecl_check_dtype(be, "scale", "dst", dtype);
    return st ? st : ecl_check_view(be, "scale", "dst", dst);
}

ecl_status ecl_check_copy_args(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                               ecl_dtype src_dtype, const ecl_strided *src)
{
    ecl_status st = ecl_check_copy_dtype(be, "dst", dtype, 1);
    if (!st)
        st = ecl_check_copy_dtype(be, "src", src_dtype, 0);
    if (!st)
        st = ecl_check_view(be, "copy", "dst", dst);
    if (!st)
        st = ecl_check_view(be, "copy", "src", src);
    if (!st)
        st = ecl_check_ndim(be, "copy", "src", src->ndim, dst->ndim);
    return st ? st : ecl_check_leading(be, "copy", "dst", dst, "src", src, dst->ndim);
}

ecl_status ecl_check_reduce_args(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                                 const ecl_strided *src)
{
    ecl_status st = ecl_check_dtype(be, "reduce", "dst", dtype);
    if (!st)
        st = ecl_check_view(be, "reduce", "dst", dst);
    if (!st)
        st = ecl_check_view(be, "reduce", "src", src);
    if (!st)
        st = ecl_check_more_dims(be, "reduce", "src", src, dst);
    return st ? st : ecl_check_leading(be, "reduce", "dst", dst, "src", src, dst->ndim);
}

ecl_status ecl_check_mul_args(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                              const ecl_strided *a, const ecl_strided *b)
{
    ecl_status st = ecl_check_dtype(be, "mul", "dst", dtype);
    if (!st)
        st = ecl_check_view(be, "mul", "dst", dst);
    if (!st)
        st = ecl_check_view(be, "mul", "a", a);
    if (!st)
        st = ecl_check_view(be, "mul", "b", b);
    if (!st)
        st = ecl_check_ndim(be, "mul", "b", b->ndim, a->ndim);
    if (!st)
        st = ecl_check_leading(be, "mul", "a", a, "b", b, a->ndim);
    if (!st)
        st = ecl_check_more_dims(be, "mul", "a", a, dst);
    return st ? st : ecl_check_leading(be, "mul", "dst", dst, "a", a, dst->ndim);
}
