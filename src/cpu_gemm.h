/*
 * One product of the CPU backend's batched GEMM (cpu_gemm.c), and the plain-loop kernel
 * (cpu_gemm_loops.c) used for products too small for OpenBLAS's call and packing overhead and for
 * layouts cblas cannot express.
 */
#ifndef ECL_CPU_GEMM_H
#define ECL_CPU_GEMM_H

#include "cpu_internal.h"

/* C = alpha * op(A) op(B) + beta * C with row-major leading dims (any value, even 0 or < 0). */
typedef struct cpu_gemm_one {
    ecl_dtype dtype;
    int trans_a, trans_b;
    int64_t m, n, k, lda, ldb, ldc;
    double alpha, beta;
    int use_blas;
    int small; /* run by cpu_gemm_small */
} cpu_gemm_one;

/* Plain loops accumulating in double; beta == 0 does not read C. */
void cpu_gemm_loops(const cpu_gemm_one *g, const char *a, const char *b, char *c);

/* Small float32 products in register blocks, float32 accumulation (cpu_gemm_small.c): fits says
 * whether a product qualifies (any leading dims; trans_b only when op(B) can be packed). */
int cpu_gemm_small_fits(const cpu_gemm_one *g);
void cpu_gemm_small(const cpu_gemm_one *g, const char *a, const char *b, char *c);

#endif /* ECL_CPU_GEMM_H */
