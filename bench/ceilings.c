/*
 * Measured ceilings of this machine, to read the other benchmarks against: a large GEMM
 * (cblas_sgemm and cblas_dgemm, 2048^3, OpenBLAS's own threads) for GFLOP/s, and a large copy and
 * a large read (sum) over OpenMP threads for GB/s (bytes read + bytes written over the time).
 * Median of N runs after one warm-up.
 *
 * usage: ceilings [--repeat N]
 */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_timing.h"

#define GEMM_N 2048
#define STREAM_BYTES ((size_t)256 << 20)

typedef enum job { SGEMM, DGEMM, COPY, READ } job;

static volatile double sink;

static void run_job(job j, void *x, void *y, void *z)
{
    const int n = GEMM_N;
    const long count = (long)(STREAM_BYTES / sizeof(double));
    double total = 0.0;
    switch (j) {
    case SGEMM:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, x, n, y, n, 0.0f, z, n);
        break;
    case DGEMM:
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, x, n, y, n, 0.0, z, n);
        break;
    case COPY:
#pragma omp parallel for schedule(static)
        for (long i = 0; i < count; i++)
            ((double *)y)[i] = ((const double *)x)[i];
        break;
    case READ:
#pragma omp parallel for simd schedule(static) reduction(+ : total)
        for (long i = 0; i < count; i++)
            total += ((const double *)x)[i];
        sink = total;
        break;
    }
}

int main(int argc, char **argv)
{
    int repeat = 10;
    if (argc == 3 && strcmp(argv[1], "--repeat") == 0 && atoi(argv[2]) > 0)
        repeat = atoi(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--repeat N]\n", argv[0]);
        return 2;
    }
    size_t gemm_bytes = (size_t)GEMM_N * GEMM_N * sizeof(double);
    size_t size = gemm_bytes > STREAM_BYTES ? gemm_bytes : STREAM_BYTES;
    char *x = malloc(size), *y = malloc(size), *z = malloc(size);
    double *times = malloc((size_t)repeat * sizeof *times);
    if (!x || !y || !z || !times) {
        fprintf(stderr, "ceilings: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < size / sizeof(double); i++)
        ((double *)x)[i] = ((double *)y)[i] = ((double *)z)[i] = (double)(i % 7) - 3.0;
    for (size_t i = 0; i < size / sizeof(float); i += 2) /* valid floats for the sgemm too */
        ((float *)x)[i] = ((float *)y)[i] = 0.5f;
    const double g = (double)GEMM_N;
    static const struct { job j; const char *label, *unit; double amount; } jobs[] = {
        {SGEMM, "cblas_sgemm 2048^3", "GFLOP/s", 0},
        {DGEMM, "cblas_dgemm 2048^3", "GFLOP/s", 0},
        {COPY, "copy 256 MiB (OpenMP)", "GB/s", 2.0 * (double)STREAM_BYTES},
        {READ, "read 256 MiB (OpenMP sum)", "GB/s", (double)STREAM_BYTES},
    };
    printf("%s; %d OpenMP threads; median of %d runs after 1 warm-up\n",
           openblas_get_config(), omp_get_max_threads(), repeat);
    for (size_t k = 0; k < sizeof jobs / sizeof jobs[0]; k++) {
        double amount = jobs[k].j <= DGEMM ? 2.0 * g * g * g : jobs[k].amount;
        run_job(jobs[k].j, x, y, z);
        for (int r = 0; r < repeat; r++) {
            double t0 = bench_now_seconds();
            run_job(jobs[k].j, x, y, z);
            times[r] = bench_now_seconds() - t0;
        }
        qsort(times, (size_t)repeat, sizeof *times, bench_compare_doubles);
        double med = repeat % 2 ? times[repeat / 2] : 0.5 * (times[repeat / 2 - 1] + times[repeat / 2]);
        printf("%-28s %9.3f ms  %8.1f %s\n", jobs[k].label, med * 1e3, amount / med * 1e-9,
               jobs[k].unit);
    }
    free(x);
    free(y);
    free(z);
    free(times);
    return 0;
}
