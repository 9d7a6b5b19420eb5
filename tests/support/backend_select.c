/*
 * Backend selection for tests (backend_select.h): contexts and OpenCL backends created inside the
 * test process, the shared kernel cache directory, and the visible skip when no OpenCL device
 * exists.
 */
#include "backend_select.h"

#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "opencl_backend.h"

const ecl_backend_kind ecl_test_backends[ECL_TEST_NUM_BACKENDS] = {ECL_BACKEND_CPU,
                                                                   ECL_BACKEND_OPENCL};

const char *ecl_test_backend_name(ecl_backend_kind kind)
{
    return kind == ECL_BACKEND_OPENCL ? "opencl" : kind == ECL_BACKEND_CPU ? "cpu" : "auto";
}

/* ECL_TEST_BACKENDS=cpu (scripts/valgrind.sh): the OpenCL half is skipped, visibly. */
static void skip_opencl_if_excluded(void)
{
    const char *only = getenv("ECL_TEST_BACKENDS");
    if (only && strcmp(only, "cpu") == 0)
        cr_skip_test("ECL_TEST_BACKENDS=cpu: OpenCL tests are not run in this pass");
}

void ecl_test_use_kernel_cache(void)
{
    const char *set = getenv("ECL_CACHE_DIR");
    if (set && *set)
        return;
    const char *dir = ECL_TEST_TMPDIR "/opencl-cache";
    mkdir(dir, 0777); /* failure is fine: the library then runs without a cache */
    setenv("ECL_CACHE_DIR", dir, 1);
}

void ecl_test_skip_no_opencl(const char *why)
{
    skip_opencl_if_excluded();
    const char *require = getenv("ECL_TEST_REQUIRE_OPENCL");
    if (require && strcmp(require, "1") == 0)
        cr_assert_fail("ECL_TEST_REQUIRE_OPENCL=1 but no OpenCL device is usable: %s", why);
    cr_skip_test("no OpenCL device: %s", why);
}

ecl_context *ecl_test_context(ecl_backend_kind kind)
{
    if (kind == ECL_BACKEND_OPENCL)
        skip_opencl_if_excluded();
    ecl_test_use_kernel_cache();
    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = kind;
    ecl_context *ctx = NULL;
    ecl_status st = ecl_context_create(&options, &ctx);
    if (st == ECL_ERROR_UNAVAILABLE && kind == ECL_BACKEND_OPENCL)
        ecl_test_skip_no_opencl(ecl_last_create_error());
    cr_assert_eq(st, ECL_SUCCESS, "%s context: %s", ecl_test_backend_name(kind),
                 ecl_last_create_error());
    return ctx;
}

ecl_backend *ecl_test_opencl_backend(ecl_error *err)
{
    skip_opencl_if_excluded();
    ecl_test_use_kernel_cache();
    ecl_error_clear(err);
    ecl_backend *be = NULL;
    ecl_status st = ecl_backend_opencl_create(getenv("ECL_DEVICE"), 1, err, &be);
    if (st == ECL_ERROR_UNAVAILABLE)
        ecl_test_skip_no_opencl(err->message);
    cr_assert_eq(st, ECL_SUCCESS, "opencl backend: %s", err->message);
    return be;
}
