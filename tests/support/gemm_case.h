/*
 * One GEMM request for the OpenCL backend's gemm op and its check against long-double loops
 * (shared by the GEMM tests: test_opencl_gemm.c for the dispatch and CLBlast, and
 * test_opencl_gemm_own.c for the own kernel): operands are filled with random values around guard
 * elements, and every element of C's buffer is compared (outside C's view: unchanged bits;
 * inside: a tolerance growing with k and with the sum of |terms|). With g.compute set (a compute
 * mode), A and B hold values rounded to the mode's format, as the planner hands them over, unless
 * raw asks for unrounded ones (only the tensor-core kernels round by themselves); the reference
 * multiplies the rounded values either way.
 */
#ifndef ECL_TEST_GEMM_CASE_H
#define ECL_TEST_GEMM_CASE_H

#include <stdint.h>

#include "backend.h"

/* One GEMM request: the arguments, each operand's element offset, the scalars. */
typedef struct gcase {
    ecl_dtype dtype;
    ecl_gemm_args g;
    int64_t off[3];
    double alpha, beta;
    int nan_c; /* C starts as NaN: with beta == 0 it must not be read */
    int raw;   /* with g.compute: A and B not rounded to the mode's format beforehand */
} gcase;

/* splitmix64 stream the cases and their data come from; tests seed it for reproducible cases. */
extern uint64_t gemm_rng_state;
int64_t gemm_rnd(int64_t lo, int64_t hi); /* uniform in [lo, hi] */
double gemm_unit(void);                   /* uniform in [-1, 1) */

/* A single product with alpha 0.75, beta -0.5 and leading dims padded by pad (not yet placed). */
gcase gemm_plain(ecl_dtype t, int ta, int tb, int64_t m, int64_t n, int64_t k, int pad);
/* Moves each operand's offset so its view starts at or after element 1 (0 and the end are
 * guard elements). */
void gemm_place(gcase *gc);
/* A contiguous batch: dims row-major over the matrices (they merge into one stride); places. */
void gemm_contiguous(gcase *gc);
/* Runs gc through be's gemm op and checks every element of C's buffer (Criterion asserts naming
 * what). */
void gemm_case_check(ecl_backend *be, ecl_error *err, const gcase *gc, const char *what);

#endif /* ECL_TEST_GEMM_CASE_H */
