/*
 * Timing helpers shared by the benchmark drivers in bench/ and `einsumcl bench` (src/cli/): a
 * monotonic clock in seconds and the comparison qsort needs to take medians of run times.
 */
#ifndef ECL_BENCH_TIMING_H
#define ECL_BENCH_TIMING_H

#include <time.h>

static inline double bench_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int bench_compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif /* ECL_BENCH_TIMING_H */
