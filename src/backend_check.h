/*
 * Argument checks shared by every backend's strided primitives: dtypes, view sanity (dims, sizes,
 * memory, element-count overflow) and shape agreement. Messages start with the backend and the
 * primitive ("cpu copy: ...", "opencl reduce: ...") and go to be->err.
 */
#ifndef ECL_BACKEND_CHECK_H
#define ECL_BACKEND_CHECK_H

#include "backend.h"

/* The arguments of each primitive of ecl_backend_ops (see backend.h for their meaning). */
ecl_status ecl_check_scale_args(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst);
ecl_status ecl_check_copy_args(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                               ecl_dtype src_dtype, const ecl_strided *src);
ecl_status ecl_check_reduce_args(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                                 const ecl_strided *src);
ecl_status ecl_check_mul_args(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                              const ecl_strided *a, const ecl_strided *b);

#endif /* ECL_BACKEND_CHECK_H */
