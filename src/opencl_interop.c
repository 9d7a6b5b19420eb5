/*
 * Tensor interop with OpenCL (einsumcl_opencl.h): wrapping a caller's cl_mem as a tensor (checked
 * against the buffer's context and size, retained for the tensor's life) and the getters for the
 * buffer and element offset behind a tensor. The context-side interop lives in context.c.
 */
#include "opencl_backend.h" /* before einsumcl_opencl.h: it fixes the OpenCL target version */

#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "einsumcl_opencl.h"
#include "tensor.h"
#include "alloc.h"

static int on_opencl(const ecl_context *ctx)
{
    return ctx && ctx->backend && ctx->backend->kind == ECL_BACKEND_OPENCL;
}

static ecl_status check_desc(ecl_error *err, ecl_dtype dtype, int ndim, const int64_t *shape)
{
    if (ecl_dtype_size(dtype) == 0)
        return ecl_fail(err, ECL_ERROR_DTYPE, "unsupported dtype %d (expected float32 or float64)",
                        (int)dtype);
    if (ndim < 0 || ndim > ECL_MAX_DIMS)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ndim %d is outside [0, %d]", ndim,
                        ECL_MAX_DIMS);
    if (ndim > 0 && !shape)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "shape is NULL for ndim %d", ndim);
    return ECL_SUCCESS;
}

/* Checks that the view [offset + lo, offset + hi] lies inside a buffer of `bytes` bytes. */
static ecl_status check_extent(ecl_error *err, ecl_dtype dtype, int ndim, const int64_t *shape,
                               const int64_t *strides, int64_t numel, int64_t offset, size_t bytes)
{
    if (offset < 0)
        return ecl_fail(err, ECL_ERROR_SHAPE, "element offset %lld is negative", (long long)offset);
    if (numel == 0)
        return ECL_SUCCESS;
    int64_t lo = 0, hi = 0;
    for (int d = 0; d < ndim; d++) {
        int64_t span;
        if (ecl_mul_overflow_i64(shape[d] - 1, strides[d], &span) ||
            ecl_add_overflow_i64(span < 0 ? lo : hi, span, span < 0 ? &lo : &hi))
            return ecl_fail(err, ECL_ERROR_OVERFLOW, "view extent overflows in dimension %d", d);
    }
    int64_t first, last;
    int64_t elems = (int64_t)(bytes / ecl_dtype_size(dtype));
    if (ecl_add_overflow_i64(offset, lo, &first) || ecl_add_overflow_i64(offset, hi, &last) ||
        first < 0 || last >= elems)
        return ecl_fail(err, ECL_ERROR_SHAPE,
                        "the view addresses elements [%lld, %lld] but the cl_mem holds %lld %s "
                        "elements (%zu bytes)",
                        (long long)offset + (long long)lo, (long long)offset + (long long)hi,
                        (long long)elems, ecl_dtype_name(dtype), bytes);
    return ECL_SUCCESS;
}

static ecl_status check_buffer(ecl_ocl_backend *be, ecl_error *err, cl_mem buffer, size_t *bytes)
{
    cl_context owner = NULL;
    cl_int rc = clGetMemObjectInfo(buffer, CL_MEM_CONTEXT, sizeof owner, &owner, NULL);
    if (rc == CL_SUCCESS)
        rc = clGetMemObjectInfo(buffer, CL_MEM_SIZE, sizeof *bytes, bytes, NULL);
    if (rc != CL_SUCCESS)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "the cl_mem cannot be queried: clGetMemObjectInfo failed: %s (%d)",
                        ecl_ocl_error_name(rc), (int)rc);
    if (owner != be->context)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "the cl_mem belongs to another OpenCL context than the einsumcl context's");
    return ECL_SUCCESS;
}

ecl_status ecl_tensor_wrap_cl_mem(ecl_context *ctx, cl_mem buffer, ecl_dtype dtype, int ndim,
                                  const int64_t *shape, const int64_t *strides, int64_t offset,
                                  ecl_tensor **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error *err = &ctx->error;
    ecl_error_clear(err);
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_tensor_wrap_cl_mem: out is NULL");
    if (!on_opencl(ctx))
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "ecl_tensor_wrap_cl_mem: the context does not run on OpenCL");
    if (!buffer)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_tensor_wrap_cl_mem: buffer is NULL");
    ecl_status st = check_desc(err, dtype, ndim, shape);
    int64_t contiguous[ECL_MAX_DIMS], numel = 0;
    if (st == ECL_SUCCESS)
        st = ecl_contiguous_strides(ndim, shape, contiguous, &numel, err);
    if (st != ECL_SUCCESS)
        return st;
    const int64_t *use = strides ? strides : contiguous;
    size_t bytes = 0;
    ecl_ocl_backend *be = (ecl_ocl_backend *)ctx->backend;
    if ((st = check_buffer(be, err, buffer, &bytes)) != ECL_SUCCESS ||
        (st = check_extent(err, dtype, ndim, shape, use, numel, offset, bytes)) != ECL_SUCCESS)
        return st;
    ecl_tensor *t = ecl_calloc(1, sizeof *t);
    ecl_storage *s = ecl_calloc(1, sizeof *s);
    if (!t || !s) {
        ecl_free(t);
        ecl_free(s);
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate a tensor record");
    }
    clRetainMemObject(buffer);
    *s = (ecl_storage){.backend = ctx->backend, .mem = buffer, .bytes = bytes, .refcount = 1};
    t->ctx = ctx;
    t->storage = s;
    t->dtype = dtype;
    t->ndim = ndim;
    if (ndim) {
        memcpy(t->shape, shape, sizeof(int64_t) * (size_t)ndim);
        memcpy(t->stride, use, sizeof(int64_t) * (size_t)ndim);
    }
    t->offset = offset;
    t->numel = numel;
    *out = t;
    return ECL_SUCCESS;
}

cl_mem ecl_tensor_cl_mem(const ecl_tensor *tensor)
{
    if (!tensor || !on_opencl(tensor->ctx))
        return NULL;
    return (cl_mem)tensor->storage->mem;
}

int64_t ecl_tensor_cl_offset(const ecl_tensor *tensor)
{
    if (!tensor || !on_opencl(tensor->ctx))
        return -1;
    return tensor->offset;
}
