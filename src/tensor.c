/*
 * Tensors: creation (owned, zero-filled storage), host wrapping, views sharing storage, and
 * host<->device transfer for any strides (contiguous views move in one transfer; others move the
 * spanned byte range through a host buffer and gather/scatter there).
 */
#include "tensor.h"

#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "alloc.h"

int ecl_is_contiguous(int ndim, const int64_t *shape, const int64_t *strides)
{
    int64_t expect = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        if (shape[d] == 0)
            return 1;
        if (shape[d] != 1 && strides[d] != expect)
            return 0;
        expect *= shape[d];
    }
    return 1;
}

ecl_status ecl_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides, int64_t *numel,
                                  ecl_error *err)
{
    int64_t n = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        if (shape[d] < 0)
            return ecl_fail(err, ECL_ERROR_SHAPE, "dimension %d has negative size %lld", d,
                            (long long)shape[d]);
        strides[d] = n;
        if (ecl_mul_overflow_i64(n, shape[d] ? shape[d] : 1, &n))
            return ecl_fail(err, ECL_ERROR_OVERFLOW, "element count of the shape overflows 64 bits");
    }
    int64_t total = 1;
    for (int d = 0; d < ndim; d++)
        total *= shape[d];
    if (numel)
        *numel = total;
    return ECL_SUCCESS;
}

void ecl_view_extent(int ndim, const int64_t *shape, const int64_t *strides, int64_t *min_offset,
                     int64_t *max_offset)
{
    int64_t lo = 0, hi = 0;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] == 0) {
            *min_offset = *max_offset = 0;
            return;
        }
        int64_t span = (shape[d] - 1) * strides[d];
        if (span < 0)
            lo += span;
        else
            hi += span;
    }
    *min_offset = lo;
    *max_offset = hi;
}

static ecl_status check_shape(ecl_error *err, ecl_dtype dtype, int ndim, const int64_t *shape)
{
    if (ecl_dtype_size(dtype) == 0)
        return ecl_fail(err, ECL_ERROR_DTYPE, "unsupported dtype %d (expected float32, float64, float16 or bfloat16)",
                        (int)dtype);
    if (ndim < 0 || ndim > ECL_MAX_DIMS)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ndim %d is outside [0, %d]", ndim,
                        ECL_MAX_DIMS);
    if (ndim > 0 && !shape)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "shape is NULL for ndim %d", ndim);
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0)
            return ecl_fail(err, ECL_ERROR_SHAPE, "dimension %d has negative size %lld", d,
                            (long long)shape[d]);
    return ECL_SUCCESS;
}

/* Element count and byte size of a contiguous block, overflow-checked. */
static ecl_status block_bytes(ecl_error *err, ecl_dtype dtype, int ndim, const int64_t *shape,
                              int64_t *strides, int64_t *numel, size_t *bytes)
{
    ecl_status st = ecl_contiguous_strides(ndim, shape, strides, numel, err);
    if (st != ECL_SUCCESS)
        return st;
    int64_t b;
    if (ecl_mul_overflow_i64(*numel, (int64_t)ecl_dtype_size(dtype), &b))
        return ecl_fail(err, ECL_ERROR_OVERFLOW, "tensor of %lld elements overflows the byte count",
                        (long long)*numel);
    *bytes = (size_t)b;
    return ECL_SUCCESS;
}

static ecl_tensor *new_tensor(ecl_context *ctx, ecl_dtype dtype, int ndim, const int64_t *shape)
{
    ecl_tensor *t = ecl_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ctx = ctx;
    t->dtype = dtype;
    t->ndim = ndim;
    if (ndim)
        memcpy(t->shape, shape, sizeof(int64_t) * (size_t)ndim);
    t->numel = 1;
    for (int d = 0; d < ndim; d++)
        t->numel *= shape[d];
    return t;
}

static ecl_status new_storage(ecl_context *ctx, void *host, size_t bytes, ecl_storage **out)
{
    ecl_backend *be = ctx->backend;
    ecl_storage *s = ecl_calloc(1, sizeof *s);
    if (!s)
        return ecl_fail(&ctx->error, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate tensor storage record");
    s->backend = be;
    s->bytes = bytes;
    s->refcount = 1;
    s->wrapped = host != NULL;
    ecl_status st = host ? be->ops->wrap_host(be, host, bytes, &s->mem)
                         : be->ops->alloc(be, bytes, &s->mem);
    if (st == ECL_SUCCESS && !host && bytes)
        st = be->ops->fill_zero(be, s->mem, 0, bytes);
    if (st != ECL_SUCCESS) {
        if (s->mem)
            host ? be->ops->unwrap(be, s->mem) : be->ops->free(be, s->mem);
        ecl_free(s);
        return st;
    }
    *out = s;
    return ECL_SUCCESS;
}

static void release_storage(ecl_storage *s)
{
    if (!s || --s->refcount > 0)
        return;
    if (s->wrapped)
        s->backend->ops->unwrap(s->backend, s->mem);
    else
        s->backend->ops->free(s->backend, s->mem);
    ecl_free(s);
}

ecl_status ecl_tensor_create(ecl_context *ctx, ecl_dtype dtype, int ndim, const int64_t *shape,
                             ecl_tensor **out)
{
    if (!out)
        return ctx ? ecl_fail(&ctx->error, ECL_ERROR_INVALID_ARGUMENT, "ecl_tensor_create: out is NULL")
                   : ECL_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error_clear(&ctx->error);
    ecl_status st = check_shape(&ctx->error, dtype, ndim, shape);
    if (st != ECL_SUCCESS)
        return st;
    int64_t strides[ECL_MAX_DIMS], numel;
    size_t bytes = 0;
    if ((st = block_bytes(&ctx->error, dtype, ndim, shape, strides, &numel, &bytes)) != ECL_SUCCESS)
        return st;
    ecl_tensor *t = new_tensor(ctx, dtype, ndim, shape);
    if (!t)
        return ecl_fail(&ctx->error, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate a tensor record");
    memcpy(t->stride, strides, sizeof(int64_t) * (size_t)ndim);
    if ((st = new_storage(ctx, NULL, bytes, &t->storage)) != ECL_SUCCESS) {
        ecl_free(t);
        return st;
    }
    *out = t;
    return ECL_SUCCESS;
}

ecl_status ecl_tensor_wrap_host(ecl_context *ctx, ecl_dtype dtype, int ndim, const int64_t *shape,
                                const int64_t *strides, void *data, ecl_tensor **out)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return ctx ? ecl_fail(&ctx->error, ECL_ERROR_INVALID_ARGUMENT, "ecl_tensor_wrap_host: out is NULL")
                   : ECL_ERROR_INVALID_ARGUMENT;
    ecl_error_clear(&ctx->error);
    ecl_status st = check_shape(&ctx->error, dtype, ndim, shape);
    if (st != ECL_SUCCESS)
        return st;
    if (!data)
        return ecl_fail(&ctx->error, ECL_ERROR_INVALID_ARGUMENT, "ecl_tensor_wrap_host: data is NULL");
    int64_t cstrides[ECL_MAX_DIMS], numel;
    size_t bytes = 0;
    if ((st = block_bytes(&ctx->error, dtype, ndim, shape, cstrides, &numel, &bytes)) != ECL_SUCCESS)
        return st;
    const int64_t *use = strides ? strides : cstrides;
    int64_t lo, hi, offset = 0;
    ecl_view_extent(ndim, shape, use, &lo, &hi);
    if (numel > 0) {
        int64_t span;
        if (ecl_add_overflow_i64(hi - lo, 1, &span) ||
            ecl_mul_overflow_i64(span, (int64_t)ecl_dtype_size(dtype), &span))
            return ecl_fail(&ctx->error, ECL_ERROR_OVERFLOW, "strided view spans more than 2^63 bytes");
        bytes = (size_t)span;
        offset = -lo;  /* negative strides: the wrapped block starts at the lowest address */
    }
    ecl_tensor *t = new_tensor(ctx, dtype, ndim, shape);
    if (!t)
        return ecl_fail(&ctx->error, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate a tensor record");
    memcpy(t->stride, use, sizeof(int64_t) * (size_t)ndim);
    t->offset = offset;
    char *base = (char *)data + lo * (int64_t)ecl_dtype_size(dtype);
    if ((st = new_storage(ctx, base, bytes, &t->storage)) != ECL_SUCCESS) {
        ecl_free(t);
        return st;
    }
    *out = t;
    return ECL_SUCCESS;
}

ecl_status ecl_tensor_view(const ecl_tensor *base, int64_t offset, int ndim, const int64_t *shape,
                           const int64_t *strides, ecl_tensor **out)
{
    if (out)
        *out = NULL;
    if (!out || !base)
        return base ? ecl_fail(&base->ctx->error, ECL_ERROR_INVALID_ARGUMENT, "ecl_tensor_view: out is NULL")
                    : ECL_ERROR_INVALID_ARGUMENT;
    ecl_error *err = &base->ctx->error;
    ecl_error_clear(err);
    ecl_status st = check_shape(err, base->dtype, ndim, shape);
    if (st != ECL_SUCCESS)
        return st;
    int64_t cstrides[ECL_MAX_DIMS], numel;
    size_t bytes = 0;
    if ((st = block_bytes(err, base->dtype, ndim, shape, cstrides, &numel, &bytes)) != ECL_SUCCESS)
        return st;
    const int64_t *use = strides ? strides : cstrides;
    int64_t start, lo = 0, hi = 0;
    if (ecl_add_overflow_i64(base->offset, offset, &start))
        return ecl_fail(err, ECL_ERROR_OVERFLOW, "view offset %lld overflows", (long long)offset);
    if (numel > 0) {
        for (int d = 0; d < ndim; d++) {
            int64_t span;
            if (ecl_mul_overflow_i64(shape[d] - 1, use[d], &span) ||
                ecl_add_overflow_i64(span < 0 ? lo : hi, span, span < 0 ? &lo : &hi))
                return ecl_fail(err, ECL_ERROR_OVERFLOW, "view extent overflows in dimension %d", d);
        }
        int64_t elems = (int64_t)(base->storage->bytes / ecl_dtype_size(base->dtype));
        if (start + lo < 0 || start + hi >= elems)
            return ecl_fail(err, ECL_ERROR_SHAPE,
                            "view addresses elements [%lld, %lld] outside the storage of %lld elements",
                            (long long)(start + lo), (long long)(start + hi), (long long)elems);
    }
    ecl_tensor *t = new_tensor(base->ctx, base->dtype, ndim, shape);
    if (!t)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate a tensor record");
    memcpy(t->stride, use, sizeof(int64_t) * (size_t)ndim);
    t->offset = start;
    t->storage = base->storage;
    t->storage->refcount++;
    *out = t;
    return ECL_SUCCESS;
}

void ecl_tensor_destroy(ecl_tensor *tensor)
{
    if (!tensor)
        return;
    release_storage(tensor->storage);
    ecl_free(tensor);
}

/* Gathers (to_host) or scatters the view's elements between a span buffer and packed host data. */
static void pack(const ecl_tensor *t, char *span, int64_t span_origin, char *packed, int to_host)
{
    size_t es = ecl_dtype_size(t->dtype);
    int64_t idx[ECL_MAX_DIMS] = {0};
    int64_t off = span_origin;
    for (int64_t i = 0; i < t->numel; i++) {
        if (to_host)
            memcpy(packed + (size_t)i * es, span + off * (int64_t)es, es);
        else
            memcpy(span + off * (int64_t)es, packed + (size_t)i * es, es);
        for (int d = t->ndim - 1; d >= 0; d--) {
            off += t->stride[d];
            if (++idx[d] < t->shape[d])
                break;
            off -= t->stride[d] * t->shape[d];
            idx[d] = 0;
        }
    }
}

static ecl_status transfer(ecl_tensor *t, void *host, size_t bytes, int to_host)
{
    ecl_error *err = &t->ctx->error;
    ecl_backend *be = t->ctx->backend;
    size_t es = ecl_dtype_size(t->dtype);
    if ((uint64_t)t->numel * es != bytes)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "%s of %zu bytes, but the tensor holds %lld %s elements (%llu bytes)",
                        to_host ? "read" : "write", bytes, (long long)t->numel,
                        ecl_dtype_name(t->dtype), (unsigned long long)((uint64_t)t->numel * es));
    if (t->numel == 0)
        return ECL_SUCCESS;
    if (!host)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "host pointer is NULL");
    if (ecl_is_contiguous(t->ndim, t->shape, t->stride)) {
        size_t at = (size_t)t->offset * es;
        return to_host ? be->ops->read(be, t->storage->mem, at, host, bytes)
                       : be->ops->write(be, t->storage->mem, at, host, bytes);
    }
    if (!to_host)
        for (int d = 0; d < t->ndim; d++)
            if (t->stride[d] == 0 && t->shape[d] > 1)
                return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                                "cannot write into a view whose dimension %d has stride 0", d);
    int64_t lo, hi;
    ecl_view_extent(t->ndim, t->shape, t->stride, &lo, &hi);
    size_t span_bytes = (size_t)(hi - lo + 1) * es, at = (size_t)(t->offset + lo) * es;
    char *span = ecl_malloc(span_bytes);
    if (!span)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate %zu bytes for a strided transfer",
                        span_bytes);
    ecl_status st = be->ops->read(be, t->storage->mem, at, span, span_bytes);
    if (st == ECL_SUCCESS) {
        pack(t, span, -lo, host, to_host);
        if (!to_host)
            st = be->ops->write(be, t->storage->mem, at, span, span_bytes);
    }
    ecl_free(span);
    return st;
}

ecl_status ecl_tensor_write(ecl_tensor *tensor, const void *src, size_t bytes)
{
    if (!tensor)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error_clear(&tensor->ctx->error);
    return transfer(tensor, (void *)src, bytes, 0);
}

ecl_status ecl_tensor_read(const ecl_tensor *tensor, void *dst, size_t bytes)
{
    if (!tensor)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error_clear(&tensor->ctx->error);
    return transfer((ecl_tensor *)tensor, dst, bytes, 1);
}

ecl_dtype ecl_tensor_dtype(const ecl_tensor *tensor) { return tensor ? tensor->dtype : (ecl_dtype)0; }
int ecl_tensor_ndim(const ecl_tensor *tensor) { return tensor ? tensor->ndim : -1; }
const int64_t *ecl_tensor_shape(const ecl_tensor *tensor) { return tensor ? tensor->shape : NULL; }
const int64_t *ecl_tensor_strides(const ecl_tensor *tensor) { return tensor ? tensor->stride : NULL; }
int64_t ecl_tensor_numel(const ecl_tensor *tensor) { return tensor ? tensor->numel : -1; }
