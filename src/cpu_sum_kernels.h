/*
 * Inner loops of the CPU sum-of-products engine (cpu_sum_kernels.c), accumulating in double for
 * both float32 and float64: a dot over one strided run (b == NULL sums a alone) and the
 * accumulation of runs into a row of double accumulators.
 */
#ifndef ECL_CPU_SUM_KERNELS_H
#define ECL_CPU_SUM_KERNELS_H

#include "cpu_internal.h"

/* Sum over i < n of a[i * as] * b[i * bs] (or of a[i * as] when bp is NULL). */
typedef double (*cpu_dot_fn)(const char *ap, int64_t as, const char *bp, int64_t bs, int64_t n);
/* For each of `rows` rows r (row strides ars, brs) and i < n:
 * acc[i] += a[r * ars + i * as] * b[r * brs + i * bs] (a alone when bp is NULL). */
typedef void (*cpu_acc_fn)(double *restrict acc, const char *ap, int64_t as, int64_t ars,
                           const char *bp, int64_t bs, int64_t brs, int64_t n, int64_t rows);

cpu_dot_fn cpu_pick_dot(ecl_dtype dtype, int with_b);
cpu_acc_fn cpu_pick_acc(ecl_dtype dtype);

#endif /* ECL_CPU_SUM_KERNELS_H */
