/*
 * Test cases for the in-place tensor operations (ecl_softmax, ecl_scale): a view of a random
 * layout (dims permuted in memory, padded, walked backwards) inside a one-dimensional base
 * tensor, the base's contents on the host as the device stores them, and the base element each
 * view element (row-major) lives at, so a test can compute the expected base and check that
 * elements outside the view are untouched.
 */
#ifndef ECL_TEST_INPLACE_CASE_H
#define ECL_TEST_INPLACE_CASE_H

#include "einsumcl.h"
#include "rng.h"

#define ECL_CASE_MAX_DIMS 6

typedef struct ecl_inplace_case {
    ecl_dtype dtype;
    int ndim;
    int64_t shape[ECL_CASE_MAX_DIMS], stride[ECL_CASE_MAX_DIMS], offset;
    int64_t span;      /* base elements */
    int64_t numel;     /* view elements */
    int64_t *where;    /* numel base indices, the view's elements in row-major order */
    double *base;      /* span values, rounded to dtype */
    ecl_tensor *base_tensor, *view;
} ecl_inplace_case;

/* Value rounded to dtype. */
double ecl_case_round(ecl_dtype dtype, double v);

/* Builds a case on ctx: shape of ndim dims; layout 0 = contiguous, 1 = random (permuted, padded,
 * negative strides); base values uniform in [lo, hi). Asserts on failure. */
void ecl_case_make(ecl_inplace_case *c, ecl_context *ctx, ecl_rng *rng, ecl_dtype dtype, int ndim,
                   const int64_t *shape, int layout, double lo, double hi);
/* Rewrites view element i (row-major) on the host copy and on the device. */
void ecl_case_set(ecl_inplace_case *c, int64_t i, double v);
/* Reads the base back from the device into a new array of span doubles. */
double *ecl_case_read(const ecl_inplace_case *c);
void ecl_case_free(ecl_inplace_case *c);

/* "3x4x5" for messages (static buffer). */
const char *ecl_case_shape_str(int ndim, const int64_t *shape);

#endif /* ECL_TEST_INPLACE_CASE_H */
