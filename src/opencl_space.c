/*
 * Packing a simplified iteration space (cpu_space) into the fixed-size struct the kernels take by
 * value: at most ECL_OCL_SPACE_DIMS dims (at least one), with a flag telling the kernels when
 * 32-bit index arithmetic is exact.
 */
#include "opencl_launch.h"

#include <string.h>

/* Linear indices below this use 32-bit division in the kernels (31 bits leave room to step past
 * the end without wrapping). */
#define SMALL_LIMIT ((int64_t)1 << 31)

ecl_status ecl_ocl_space_pack(ecl_ocl_backend *be, const char *op, const cpu_space *sp,
                              ecl_ocl_space *out)
{
    const int nd = sp->nd;
    if (nd > ECL_OCL_SPACE_DIMS)
        return ecl_fail(be->base.err, ECL_ERROR_BACKEND,
                        "opencl %s: %d dims remain after merging contiguous ones, more than the "
                        "%d the kernels take",
                        op, nd, ECL_OCL_SPACE_DIMS);
    memset(out, 0, sizeof *out);
    int64_t count = 1;
    for (int d = 0; d < nd; d++) {
        out->shape[d] = sp->shape[d];
        if (ecl_mul_overflow_i64(count, sp->shape[d], &count))
            count = INT64_MAX;
        for (int o = 0; o < sp->nops; o++)
            out->stride[o][d] = sp->stride[o][d];
    }
    for (int o = 0; o < sp->nops; o++)
        out->offset[o] = sp->offset[o];
    out->nd = nd;
    out->nkeep = sp->nkeep;
    out->small = count < SMALL_LIMIT;
    out->nrows = nd > 0 && sp->shape[nd - 1] > 0 ? count / sp->shape[nd - 1] : 1;
    if (nd == 0) {
        out->nd = out->nkeep = 1;
        out->shape[0] = 1;
    }
    return ECL_SUCCESS;
}
