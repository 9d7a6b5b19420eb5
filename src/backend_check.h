/*
 * Argument checks shared by every backend's strided primitives: dtypes, view sanity (dims, sizes,
 * memory, element-count overflow) and shape agreement. Messages start with the backend and the
 * primitive ("cpu copy: ...", "opencl reduce: ...") and go to be->err.
 */
#ifndef ECL_BACKEND_CHECK_H
#define ECL_BACKEND_CHECK_H

#include "backend.h"

ecl_status ecl_check_dtype(ecl_backend *be, const char *op, const char *what, ecl_dtype dtype);
ecl_status ecl_check_view(ecl_backend *be, const char *op, const char *name, const ecl_strided *v);
/* The first ndim dims of x and y have equal sizes. */
ecl_status ecl_check_leading(ecl_backend *be, const char *op, const char *xname,
                             const ecl_strided *x, const char *yname, const ecl_strided *y, int ndim);
/* what has exactly want dims. */
ecl_status ecl_check_ndim(ecl_backend *be, const char *op, const char *what, int got, int want);
/* what has at least as many dims as dst. */
ecl_status ecl_check_more_dims(ecl_backend *be, const char *op, const char *what,
                               const ecl_strided *v, const ecl_strided *dst);

#endif /* ECL_BACKEND_CHECK_H */
