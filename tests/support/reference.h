/*
 * The test oracle: a naive einsum that loops over every assignment of every label and accumulates
 * in long double. It parses numpy subscripts on its own (implicit output, "...", whitespace,
 * diagonals, size-1 broadcasting) and shares no code with the library's parser, binder or planner,
 * so the library is checked against an independent reading of numpy's rules. Besides the values it
 * returns, per output element, the sum of |terms| so callers can scale their tolerance.
 */
#ifndef ECL_TEST_REFERENCE_H
#define ECL_TEST_REFERENCE_H

#include <stdint.h>

#include "einsumcl.h"

/* One input: dtype, shape, element strides (NULL = row-major) and a pointer to element [0, ..., 0]. */
typedef struct ecl_ref_operand {
    ecl_dtype dtype;
    int ndim;
    const int64_t *shape;
    const int64_t *strides;
    const void *data;  /* float, double, or uint16_t bits (ECL_F16, ECL_BF16) */
} ecl_ref_operand;

typedef struct ecl_ref_result {
    ecl_dtype dtype;               /* the result dtype by numpy's promotion (bfloat16: torch's) */
    int ndim;
    int64_t shape[ECL_MAX_DIMS];
    int64_t numel;
    long double *value;            /* numel entries, row-major */
    long double *abs_sum;          /* per element: sum over its terms of |product| */
    int64_t terms;                 /* terms summed per output element (product of summed sizes) */
    char error[256];               /* why ecl_ref_einsum returned nonzero */
} ecl_ref_result;

/* Evaluates equation on n operands into *out (which must be released with ecl_ref_result_free).
 * Returns 0, or -1 with out->error set when the equation or shapes are not valid einsum input
 * (the checks are meant to catch broken test cases, not to mirror every library message). */
int ecl_ref_einsum(const char *equation, int n, const ecl_ref_operand *ops, ecl_ref_result *out);
void ecl_ref_result_free(ecl_ref_result *result);

#endif /* ECL_TEST_REFERENCE_H */
