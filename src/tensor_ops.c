/*
 * The in-place tensor operations beside einsum that attention needs (ecl_scale, ecl_softmax):
 * argument checks (context, dtype, a tensor addressing no element twice, a mask that broadcasts
 * numpy-style and does not overlap the tensor), the mask's broadcast view with stride 0 where it
 * repeats, and the call of the backend op. The work stays on the tensor's device.
 */
#include <stdlib.h>

#include "context.h"
#include "tensor.h"
#include "tensor_ops_narrow.h"

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

static int by_abs_stride(const void *x, const void *y)
{
    const int64_t a = abs64(((const int64_t *)x)[1]), b = abs64(((const int64_t *)y)[1]);
    return (a > b) - (a < b);
}

/* 1 unless the view provably addresses every element once: ordered by |stride|, each dim's
 * stride must step past everything the faster dims reach. (Interleaved layouts that happen to be
 * disjoint are refused too; einsumcl never makes them.) */
static int addresses_twice(const ecl_tensor *t)
{
    int64_t dims[ECL_MAX_DIMS][2]; /* size, stride */
    int n = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] == 0)
            return 0;
        if (t->shape[d] > 1) {
            dims[n][0] = t->shape[d];
            dims[n][1] = t->stride[d];
            n++;
        }
    }
    qsort(dims, (size_t)n, sizeof dims[0], by_abs_stride);
    int64_t reach = 0; /* farthest offset the faster dims reach, view extents never overflow */
    for (int i = 0; i < n; i++) {
        if (abs64(dims[i][1]) <= reach || dims[i][1] == 0)
            return 1;
        reach += (dims[i][0] - 1) * abs64(dims[i][1]);
    }
    return 0;
}

static int overlaps(const ecl_tensor *a, const ecl_tensor *b)
{
    if (a->storage != b->storage || a->numel == 0 || b->numel == 0)
        return 0;
    int64_t alo, ahi, blo, bhi;
    ecl_view_extent(a->ndim, a->shape, a->stride, &alo, &ahi);
    ecl_view_extent(b->ndim, b->shape, b->stride, &blo, &bhi);
    return a->offset + alo <= b->offset + bhi && b->offset + blo <= a->offset + ahi;
}

/* The tensor operand: in ctx, and writable in place. */
static ecl_status check_target(ecl_context *ctx, const char *op, const ecl_tensor *t)
{
    ecl_error *err = ecl_context_error(ctx);
    if (!t)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "%s: tensor is NULL", op);
    if (t->ctx != ctx)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "%s: the tensor belongs to another context",
                        op);
    if (addresses_twice(t))
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "%s: the tensor addresses some elements more than once (a broadcast or "
                        "overlapping view); an in-place operation needs distinct elements",
                        op);
    return ECL_SUCCESS;
}

/* The tensor (0-d as one element of one dim) as the backend sees it. */
static void resolve(const ecl_tensor *t, int64_t *shape, int64_t *stride, ecl_strided *s)
{
    s->mem = t->storage->mem;
    s->offset = t->offset;
    s->ndim = t->ndim > 0 ? t->ndim : 1;
    s->shape = t->ndim > 0 ? t->shape : shape;
    s->stride = t->ndim > 0 ? t->stride : stride;
    shape[0] = 1;
    stride[0] = 1;
}

ecl_status ecl_scale(ecl_context *ctx, ecl_tensor *tensor, double alpha)
{
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error_clear(ecl_context_error(ctx));
    ecl_status st = check_target(ctx, "ecl_scale", tensor);
    if (st)
        return st;
    int64_t shape[1], stride[1];
    ecl_strided x;
    resolve(tensor, shape, stride, &x);
    if (tensor->dtype == ECL_F16 || tensor->dtype == ECL_BF16)
        return ecl_narrow_scale(ctx, tensor->dtype, &x, alpha);
    return ctx->backend->ops->scale(ctx->backend, tensor->dtype, &x, alpha);
}

/* The mask broadcast to the tensor's (resolved) shape: stride 0 where it repeats. */
static ecl_status broadcast_mask(ecl_context *ctx, const ecl_tensor *mask, const ecl_strided *x,
                                 int64_t *stride, ecl_strided *m)
{
    ecl_error *err = ecl_context_error(ctx);
    if (mask->ctx != ctx)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_softmax: the mask belongs to another "
                        "context");
    if (mask->ndim > x->ndim)
        return ecl_fail(err, ECL_ERROR_SHAPE,
                        "ecl_softmax: the mask has %d dims, more than the tensor's %d", mask->ndim,
                        x->ndim);
    const int lead = x->ndim - mask->ndim;
    for (int d = 0; d < x->ndim; d++) {
        const int md = d - lead;
        const int64_t size = md >= 0 ? mask->shape[md] : 1;
        if (size != x->shape[d] && size != 1)
            return ecl_fail(err, ECL_ERROR_SHAPE,
                            "ecl_softmax: mask dim %d (size %lld) does not broadcast against "
                            "tensor dim %d (size %lld)",
                            md, (long long)size, d, (long long)x->shape[d]);
        stride[d] = size == x->shape[d] && md >= 0 ? mask->stride[md] : 0;
    }
    m->mem = mask->storage->mem;
    m->offset = mask->offset;
    m->ndim = x->ndim;
    m->shape = x->shape;
    m->stride = stride;
    return ECL_SUCCESS;
}

ecl_status ecl_softmax(ecl_context *ctx, ecl_tensor *tensor, double scale, const ecl_tensor *mask)
{
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error *err = ecl_context_error(ctx);
    ecl_error_clear(err);
    ecl_status st = check_target(ctx, "ecl_softmax", tensor);
    if (st)
        return st;
    int64_t shape[1], stride[1], mask_stride[ECL_MAX_DIMS];
    ecl_strided x, m;
    resolve(tensor, shape, stride, &x);
    if (mask) {
        if (mask->dtype != tensor->dtype)
            return ecl_fail(err, ECL_ERROR_DTYPE, "ecl_softmax: the mask is %s but the tensor is %s",
                            ecl_dtype_name(mask->dtype), ecl_dtype_name(tensor->dtype));
        if ((st = broadcast_mask(ctx, mask, &x, mask_stride, &m)))
            return st;
        if (overlaps(mask, tensor))
            return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                            "ecl_softmax: the mask overlaps the tensor it is added to");
    }
    if (tensor->dtype == ECL_F16 || tensor->dtype == ECL_BF16)
        return ecl_narrow_softmax(ctx, tensor->dtype, &x, scale, mask);
    return ctx->backend->ops->softmax(ctx->backend, tensor->dtype, &x, scale, mask ? &m : NULL);
}
