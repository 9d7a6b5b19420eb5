/*
 * Comparing a library result with the reference: the tolerance for one element grows with the
 * number of summed terms and with the sum of |terms| (so cancellation is allowed for), in units of
 * the result dtype's epsilon; and a scan for the first element outside it.
 */
#ifndef ECL_TEST_COMPARE_H
#define ECL_TEST_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "einsumcl.h"
#include "reference.h"

/* Allowed |got - want| for out = alpha * einsum + beta * prev computed in dtype. */
double ecl_test_tolerance(ecl_dtype dtype, long double abs_sum, int64_t terms, int nops,
                          double alpha, double beta, double prev);

typedef struct ecl_mismatch {
    int64_t index;  /* row-major element index, -1 when everything matched */
    double got, want, tolerance;
} ecl_mismatch;

/* Checks got (ref->numel elements of ref->dtype) against alpha * ref + beta * prev, where prev
 * (doubles, may be NULL when beta == 0) holds the output's previous contents. NaN never matches.
 * Returns 1 and fills *first with the first bad element on mismatch, else 0. */
int ecl_test_mismatch(const ecl_ref_result *ref, int nops, const void *got, const double *prev,
                      double alpha, double beta, ecl_mismatch *first);

/* Element i of a float or double array, as double. */
double ecl_test_load(ecl_dtype dtype, const void *data, int64_t i);

#endif /* ECL_TEST_COMPARE_H */
