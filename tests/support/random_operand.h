/*
 * One operand of a random test case: dtype, shape, a strided layout inside a host buffer and its
 * data. The layout is row-major, or a random memory order with some gaps (positive strides), zero
 * strides on some size-1 dims and a small offset; buffer elements outside the view are NaN so a
 * library that reads them gives itself away.
 */
#ifndef ECL_TEST_RANDOM_OPERAND_H
#define ECL_TEST_RANDOM_OPERAND_H

#include <stdint.h>

#include "einsumcl.h"
#include "rng.h"

typedef struct ecl_rand_operand {
    ecl_dtype dtype;
    int ndim;
    int64_t shape[ECL_MAX_DIMS];
    int64_t strides[ECL_MAX_DIMS];  /* element strides of the view, all >= 0 */
    int row_major;                  /* strides equal the row-major strides and offset is 0 */
    int64_t offset;                 /* element offset of element [0, ..., 0] in buffer */
    int64_t buffer_numel;           /* >= 1 */
    void *buffer;                   /* float or double; elements outside the view are NaN */
} ecl_rand_operand;

int64_t ecl_rand_operand_numel(const ecl_rand_operand *op);
/* Picks strides, offset and buffer size for op's dtype and shape. */
void ecl_rand_operand_layout(ecl_rng *rng, ecl_rand_operand *op);
/* Allocates the buffer and fills the view with values in [-1, 1] (some small integers), the rest
 * with NaN. Returns 0, or -1 when out of memory. */
int ecl_rand_operand_fill(ecl_rng *rng, ecl_rand_operand *op);
/* Copies the operand's view elements, row-major, into dst (numel elements of its dtype). */
void ecl_rand_operand_pack(const ecl_rand_operand *op, void *dst);
/* Appends "float32 shape (..) strides (..) offset N" to buf. */
void ecl_rand_operand_describe(const ecl_rand_operand *op, char *buf, size_t size);

#endif /* ECL_TEST_RANDOM_OPERAND_H */
