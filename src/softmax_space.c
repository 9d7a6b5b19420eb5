/*
 * The row softmax's argument checks and iteration space (softmax_space.h). The space is the one
 * cpu_space.c builds for reductions: a destination of the row dims (the tensor without its last
 * axis) and sources with the full shape (the tensor, the mask); the last axis is the single
 * "summed" dim, so simplifying merges and reorders only the row dims and never mixes the row
 * axis into them. The row-dims operand, a copy of the tensor's strides, is then dropped.
 */
#include "softmax_space.h"

ecl_status ecl_softmax_check(ecl_backend *be, const char *who, ecl_dtype dtype,
                             const ecl_strided *dst, const ecl_strided *mask)
{
    if (dtype != ECL_F32 && dtype != ECL_F64)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s: unsupported dtype %d", who,
                        (int)dtype);
    if (!dst)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s: tensor view is NULL", who);
    if (dst->ndim < 1 || dst->ndim > ECL_MAX_DIMS || !dst->shape || !dst->stride)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                        "%s: the tensor needs 1 to %d dims with shape and strides (has %d)", who,
                        ECL_MAX_DIMS, dst->ndim);
    int empty = 0;
    for (int d = 0; d < dst->ndim; d++) {
        if (dst->shape[d] < 0)
            return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                            "%s: tensor dim %d has negative size %lld", who, d,
                            (long long)dst->shape[d]);
        empty |= dst->shape[d] == 0;
    }
    if (!dst->mem && !empty)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s: tensor memory is NULL", who);
    if (!mask)
        return ECL_SUCCESS;
    if (mask->ndim != dst->ndim || !mask->shape || !mask->stride)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                        "%s: the mask has %d dims, expected the tensor's %d", who, mask->ndim,
                        dst->ndim);
    for (int d = 0; d < dst->ndim; d++)
        if (mask->shape[d] != dst->shape[d])
            return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                            "%s: mask dim %d is %lld but the tensor's is %lld", who, d,
                            (long long)mask->shape[d], (long long)dst->shape[d]);
    if (!mask->mem && !empty)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "%s: mask memory is NULL", who);
    return ECL_SUCCESS;
}

int ecl_softmax_space(cpu_space *sp, const ecl_strided *dst, const ecl_strided *mask)
{
    const ecl_strided rows = {dst->mem, dst->offset, dst->ndim - 1, dst->shape, dst->stride};
    const ecl_strided *views[3] = {&rows, dst, mask};
    int empty_row;
    if (!cpu_space_build(sp, mask ? 3 : 2, views, &empty_row) || empty_row)
        return 0;
    cpu_space_simplify(sp);
    if (sp->nd == sp->nkeep) { /* rows of length 1: their dim was dropped as size 1 */
        sp->shape[sp->nd] = 1;
        for (int o = 0; o < sp->nops; o++)
            sp->stride[o][sp->nd] = 0;
        sp->nd++;
    }
    for (int o = 1; o < sp->nops; o++) {
        sp->offset[o - 1] = sp->offset[o];
        for (int d = 0; d < sp->nd; d++)
            sp->stride[o - 1][d] = sp->stride[o][d];
    }
    sp->nops--;
    return 1;
}
