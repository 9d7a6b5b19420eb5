/*
 * ecl_scale and ecl_softmax on 16-bit tensors, through float32 temporaries on the device
 * (tensor_ops_narrow.c). Called by tensor_ops.c after its argument checks; x is the tensor as the
 * backend sees it, mask (NULL or the tensor's dtype) is already known to broadcast against it.
 */
#ifndef ECL_TENSOR_OPS_NARROW_H
#define ECL_TENSOR_OPS_NARROW_H

#include "backend.h"

ecl_status ecl_narrow_scale(ecl_context *ctx, ecl_dtype dtype, const ecl_strided *x, double alpha);
ecl_status ecl_narrow_softmax(ecl_context *ctx, ecl_dtype dtype, const ecl_strided *x,
                              double scale, const ecl_tensor *mask);

#endif /* ECL_TENSOR_OPS_NARROW_H */
