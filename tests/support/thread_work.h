/*
 * Thread-safety workloads shared by tests/test_threads.c (Criterion) and tests/tsan/tsan_threads.c
 * (ThreadSanitizer): separate contexts used from several threads at once, as einsumcl.h promises.
 */
#ifndef ECL_TEST_THREAD_WORK_H
#define ECL_TEST_THREAD_WORK_H

#include <stddef.h>

/* Four threads, each with its own CPU context (some single-threaded, some with the default
 * OpenMP/OpenBLAS threads) and a two-entry plan cache, run seeded random einsums (strided,
 * diagonal, broadcast, mixed dtypes) through ecl_einsum (cache hits and evictions),
 * ecl_einsum_alloc and plans of every path algorithm executed with alpha and beta, checking each
 * result against the naive reference. Returns 0, or 1 with the first failure in failure. */
int ecl_threads_run_cpu(char *failure, size_t cap);

/* Three threads, each with its own OpenCL context (ECL_BACKEND_OPENCL), run a GEMM (CLBlast), a
 * transpose and a reduction through the plan cache and check them: the ICD loader, CLBlast and the
 * compiled-kernel disk cache are shared process-wide. The caller checks first that OpenCL exists. */
int ecl_threads_run_opencl(char *failure, size_t cap);

#endif /* ECL_TEST_THREAD_WORK_H */
