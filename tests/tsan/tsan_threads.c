/*
 * The thread tests (support/thread_work.c) as a plain program for ThreadSanitizer, which Criterion's
 * runner cannot start under (Snaipe/Criterion#274). Runs the CPU workload, then the OpenCL one
 * where an OpenCL device exists (a visible skip otherwise, a failure under
 * ECL_TEST_REQUIRE_OPENCL=1). Exit status 0 when every check passed; TSan itself exits non-zero on
 * a report (scripts/tsan.sh sets halt_on_error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "einsumcl.h"
#include "thread_work.h"

static int opencl_present(void)
{
    ecl_context_options o;
    ecl_context_options_init(&o);
    o.backend = ECL_BACKEND_OPENCL;
    ecl_context *ctx = NULL;
    if (ecl_context_create(&o, &ctx) == ECL_SUCCESS) {
        ecl_context_destroy(ctx);
        return 1;
    }
    const char *require = getenv("ECL_TEST_REQUIRE_OPENCL");
    printf("tsan_threads: OpenCL %s: %s\n", require && strcmp(require, "1") == 0 ? "required but absent" : "skipped",
           ecl_last_create_error());
    return require && strcmp(require, "1") == 0 ? -1 : 0;
}

int main(void)
{
    char failure[4096];
    if (ecl_threads_run_cpu(failure, sizeof failure) != 0) {
        fprintf(stderr, "tsan_threads: CPU contexts: %s\n", failure);
        return 1;
    }
    printf("tsan_threads: CPU contexts in 4 threads: ok\n");
    int cl = opencl_present();
    if (cl < 0)
        return 1;
    if (cl && ecl_threads_run_opencl(failure, sizeof failure) != 0) {
        fprintf(stderr, "tsan_threads: OpenCL contexts: %s\n", failure);
        return 1;
    }
    if (cl)
        printf("tsan_threads: OpenCL contexts in 3 threads: ok\n");
    return 0;
}
