/*
 * ecl_scale and ecl_softmax on float16 / bfloat16 tensors: the backends' scale and softmax
 * kernels take float32 and float64 only, so the tensor (and a 16-bit mask, in its own shape) is
 * converted into float32 temporaries on the device, the operation runs there, and the result is
 * rounded back into the tensor (round to nearest even). Costs one read and one write of the tensor
 * more than a native kernel; the work never leaves the device.
 */
#include "tensor_ops_narrow.h"

#include "context.h"
#include "tensor.h"

/* A float32 temporary with x's shape, contiguous, holding x converted (when convert). */
static ecl_status to_f32(ecl_backend *be, ecl_dtype dtype, const ecl_strided *x, int64_t *stride,
                         ecl_strided *tmp)
{
    int64_t n = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        stride[d] = n;
        n *= x->shape[d];
    }
    *tmp = (ecl_strided){NULL, 0, x->ndim, x->shape, stride};
    ecl_status st = be->ops->alloc(be, (size_t)n * sizeof(float), &tmp->mem);
    if (st)
        return st;
    if ((st = be->ops->copy(be, ECL_F32, tmp, dtype, x, 1.0, 0.0))) {
        be->ops->free(be, tmp->mem);
        tmp->mem = NULL;
    }
    return st;
}

ecl_status ecl_narrow_scale(ecl_context *ctx, ecl_dtype dtype, const ecl_strided *x, double alpha)
{
    ecl_backend *be = ctx->backend;
    int64_t stride[ECL_MAX_DIMS];
    ecl_strided tmp;
    ecl_status st = to_f32(be, dtype, x, stride, &tmp);
    if (st)
        return st;
    st = be->ops->scale(be, ECL_F32, &tmp, alpha);
    if (!st)
        st = be->ops->copy(be, dtype, x, ECL_F32, &tmp, 1.0, 0.0);
    be->ops->free(be, tmp.mem);  /* OpenCL defers the release until the queued work is done */
    return st;
}

ecl_status ecl_narrow_softmax(ecl_context *ctx, ecl_dtype dtype, const ecl_strided *x,
                              double scale, const ecl_tensor *mask)
{
    ecl_backend *be = ctx->backend;
    int64_t stride[ECL_MAX_DIMS], mstride[ECL_MAX_DIMS], bstride[ECL_MAX_DIMS];
    ecl_strided tmp, mtmp = {0}, m;
    ecl_status st = to_f32(be, dtype, x, stride, &tmp);
    if (st)
        return st;
    if (mask) {
        const int64_t one = 1, unit = 1;
        const ecl_strided own = {mask->storage->mem, mask->offset, mask->ndim > 0 ? mask->ndim : 1,
                                 mask->ndim > 0 ? mask->shape : &one,
                                 mask->ndim > 0 ? mask->stride : &unit};
        st = to_f32(be, mask->dtype, &own, mstride, &mtmp);
        const int lead = x->ndim - mask->ndim;
        for (int d = 0; d < x->ndim; d++) {
            const int md = d - lead;
            bstride[d] = md >= 0 && mask->shape[md] == x->shape[d] ? mstride[md] : 0;
        }
        m = (ecl_strided){mtmp.mem, 0, x->ndim, x->shape, bstride};
    }
    if (!st)
        st = be->ops->softmax(be, ECL_F32, &tmp, scale, mask ? &m : NULL);
    if (!st)
        st = be->ops->copy(be, dtype, x, ECL_F32, &tmp, 1.0, 0.0);
    if (mtmp.mem)
        be->ops->free(be, mtmp.mem);
    be->ops->free(be, tmp.mem);
    return st;
}
