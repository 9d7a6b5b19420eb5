/*
 * Running the suites on every backend: the list of backends, contexts and raw OpenCL backends for
 * tests, the kernel binary cache directory shared by all test processes, and the skip rule. A test
 * that asks for OpenCL where no OpenCL device can be used is skipped with the reason (Criterion
 * prints it), unless ECL_TEST_REQUIRE_OPENCL=1 (CI sets it), which turns the skip into a failure so
 * that the OpenCL half cannot silently stop running. ECL_TEST_BACKENDS=cpu skips every OpenCL test
 * (the valgrind pass runs only the CPU path).
 */
#ifndef ECL_TEST_BACKEND_SELECT_H
#define ECL_TEST_BACKEND_SELECT_H

#include "backend.h"
#include "einsumcl.h"

#define ECL_TEST_NUM_BACKENDS 2
extern const ecl_backend_kind ecl_test_backends[ECL_TEST_NUM_BACKENDS]; /* CPU, OpenCL */

/* "cpu" or "opencl". */
const char *ecl_test_backend_name(ecl_backend_kind kind);

/* Points ECL_CACHE_DIR at a directory under the build tree (unless already set), so compiled
 * kernels are reused by every test process. Called by the helpers below; idempotent. */
void ecl_test_use_kernel_cache(void);

/* Creates a context on kind (for OpenCL: ECL_DEVICE or any device, CPU devices included). Skips
 * the test when OpenCL is unavailable (see above); any other failure fails the test. */
ecl_context *ecl_test_context(ecl_backend_kind kind);

/* The OpenCL backend object itself, for backend-level tests; same skip rule. err receives the
 * backend's failure messages and must outlive it. */
ecl_backend *ecl_test_opencl_backend(ecl_error *err);

/* Skips (or, under ECL_TEST_REQUIRE_OPENCL=1, fails) the current test: no OpenCL device. */
void ecl_test_skip_no_opencl(const char *why);

#endif /* ECL_TEST_BACKEND_SELECT_H */
