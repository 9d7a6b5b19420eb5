/*
 * Thread safety as documented in einsumcl.h: separate contexts may be used from different threads
 * at once. The workloads live in support/thread_work.c (shared with the ThreadSanitizer driver
 * tests/tsan/tsan_threads.c): CPU contexts running seeded random einsums through plans and the plan
 * cache, and OpenCL contexts sharing the ICD loader, CLBlast and the kernel disk cache.
 */
#include <criterion/criterion.h>

#include "backend_select.h"
#include "thread_work.h"

Test(threads, separate_contexts_run_concurrently, .timeout = 600)
{
    char failure[4096];
    cr_assert_eq(ecl_threads_run_cpu(failure, sizeof failure), 0, "%s", failure);
}

Test(threads, separate_opencl_contexts_run_concurrently, .timeout = 600)
{
    ecl_context_destroy(ecl_test_context(ECL_BACKEND_OPENCL));  /* skips visibly without a device */
    char failure[4096];
    cr_assert_eq(ecl_threads_run_opencl(failure, sizeof failure), 0, "%s", failure);
}
