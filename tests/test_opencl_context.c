/*
 * OpenCL contexts: device discovery (checked against the OpenCL API queried directly), the
 * automatic choice and its CPU fallback, device specs ("P:D", name substrings, ECL_DEVICE and the
 * option that overrides it, malformed and missing devices) and a missing ICD loader. Tests that
 * need a device skip visibly without one.
 */
#include <criterion/criterion.h>

#include "opencl_raw.h" /* first: it fixes the OpenCL target version */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "einsumcl.h"

/* Each test starts from a known environment: no backend or device chosen by the caller's shell. */
static void clean_env(void)
{
    unsetenv("ECL_BACKEND");
    unsetenv("ECL_DEVICE");
    ecl_test_use_kernel_cache();
}

TestSuite(opencl_context, .init = clean_env);

static ecl_status create(ecl_backend_kind kind, const char *device, ecl_context **ctx)
{
    ecl_context_options o;
    ecl_context_options_init(&o);
    o.backend = kind;
    o.device = device;
    *ctx = (ecl_context *)&o; /* a failed create must reset it */
    return ecl_context_create(&o, ctx);
}

Test(opencl_context, device_list_matches_the_opencl_api)
{
    raw_device raw[64];
    int n = raw_devices(raw, 64);
    ecl_device_info *list = NULL;
    int count = 0, auto_index = 7;
    cr_assert_eq(ecl_device_list(&list, &count, &auto_index), ECL_SUCCESS, "%s",
                 ecl_last_create_error());
    int k = 0;
    for (int i = 0; i < count; i++) {
        const ecl_device_info *d = &list[i];
        cr_assert_str_neq(d->platform_name, "");
        if (d->device < 0)
            continue;
        cr_assert_lt(k, n, "more devices listed than OpenCL reports");
        cr_expect_eq(d->platform, raw[k].p);
        cr_expect_eq(d->device, raw[k].d);
        cr_expect_str_eq(d->name, raw[k].name);
        cr_expect_eq(d->type == ECL_DEVICE_GPU, (raw[k].type & CL_DEVICE_TYPE_GPU) != 0);
        cr_expect_gt(d->compute_units, 0);
        cr_expect_gt(d->global_mem_bytes, 0);
        cr_expect_gt(d->local_mem_bytes, 0);
        cr_expect(d->max_alloc_bytes > 0 && d->max_alloc_bytes <= d->global_mem_bytes);
        cr_expect_eq(strncmp(d->version, "OpenCL ", 7), 0, "version '%s'", d->version);
        cr_expect_str_neq(d->driver_version, "");
        k++;
    }
    cr_expect_eq(k, n, "listed %d devices, OpenCL reports %d", k, n);
    int gpu = 0;
    for (int i = 0; i < n; i++)
        gpu |= raw_is_gpu_like(raw[i].type);
    if (!gpu)
        cr_expect_eq(auto_index, -1, "no GPU: auto must use the CPU path");
    else
        cr_expect(auto_index >= 0 && raw_is_gpu_like(raw[auto_index].type));
    ecl_device_list_free(list);

    setenv("ECL_BACKEND", "opencl", 1);
    cr_assert_eq(ecl_device_list(&list, &count, &auto_index), ECL_SUCCESS);
    cr_expect_geq(auto_index, 0, "ECL_BACKEND=opencl: auto must pick a device");
    ecl_device_list_free(list);
    setenv("ECL_BACKEND", "cpu", 1);
    cr_assert_eq(ecl_device_list(&list, &count, &auto_index), ECL_SUCCESS);
    cr_expect_eq(auto_index, -1);
    ecl_device_list_free(list);
    cr_expect_eq(ecl_device_list(NULL, &count, NULL), ECL_ERROR_INVALID_ARGUMENT);
}

Test(opencl_context, auto_uses_a_gpu_or_the_cpu_path)
{
    raw_device raw[64];
    int n = raw_devices(raw, 64), gpu = 0;
    for (int i = 0; i < n; i++)
        gpu |= raw_is_gpu_like(raw[i].type);
    ecl_context *ctx;
    cr_assert_eq(create(ECL_BACKEND_AUTO, NULL, &ctx), ECL_SUCCESS, "%s", ecl_last_create_error());
    cr_expect_eq(ecl_context_backend(ctx), gpu ? ECL_BACKEND_OPENCL : ECL_BACKEND_CPU,
                 "auto chose %s", ecl_context_device_name(ctx));
    ecl_context_destroy(ctx);

    setenv("ECL_BACKEND", "opencl", 1); /* asks for OpenCL: CPU devices qualify */
    cr_assert_eq(create(ECL_BACKEND_AUTO, NULL, &ctx), ECL_SUCCESS, "%s", ecl_last_create_error());
    cr_expect_eq(ecl_context_backend(ctx), ECL_BACKEND_OPENCL);
    ecl_context_destroy(ctx);
    setenv("ECL_BACKEND", "cpu", 1);
    cr_assert_eq(create(ECL_BACKEND_AUTO, NULL, &ctx), ECL_SUCCESS);
    cr_expect_eq(ecl_context_backend(ctx), ECL_BACKEND_CPU);
    ecl_context_destroy(ctx);
    setenv("ECL_BACKEND", "quantum", 1);
    cr_expect_eq(create(ECL_BACKEND_AUTO, NULL, &ctx), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_null(ctx);
}

Test(opencl_context, every_device_by_indices_and_by_name)
{
    raw_device raw[64];
    int n = raw_devices(raw, 64);
    for (int i = 0; i < n; i++) {
        char spec[32], where[48];
        snprintf(spec, sizeof spec, "%d:%d", raw[i].p, raw[i].d);
        snprintf(where, sizeof where, "OpenCL %s", spec);
        ecl_context *ctx;
        cr_assert_eq(create(ECL_BACKEND_OPENCL, spec, &ctx), ECL_SUCCESS, "%s: %s", spec,
                     ecl_last_create_error());
        cr_expect_eq(ecl_context_backend(ctx), ECL_BACKEND_OPENCL);
        cr_expect_not_null(strstr(ecl_context_device_name(ctx), raw[i].name));
        cr_expect_not_null(strstr(ecl_context_device_name(ctx), where), "%s",
                           ecl_context_device_name(ctx));
        cr_expect_eq(ecl_finish(ctx), ECL_SUCCESS);
        ecl_context_destroy(ctx);
    }
    /* A name substring in another case; naming a device selects it even under auto. */
    char upper[256];
    size_t len = strlen(raw[0].name);
    cr_assert_gt(len, 0);
    size_t start = len / 3, take = len - start > 6 ? 6 : len - start;
    for (size_t c = 0; c < take; c++)
        upper[c] = (char)toupper((unsigned char)raw[0].name[start + c]);
    upper[take] = '\0';
    ecl_context *ctx;
    cr_assert_eq(create(ECL_BACKEND_AUTO, upper, &ctx), ECL_SUCCESS, "'%s': %s", upper,
                 ecl_last_create_error());
    cr_expect_eq(ecl_context_backend(ctx), ECL_BACKEND_OPENCL);
    ecl_context_destroy(ctx);
}

Test(opencl_context, env_device_and_the_option_that_overrides_it)
{
    raw_device raw[64];
    raw_devices(raw, 64);
    char spec[32];
    snprintf(spec, sizeof spec, "%d:%d", raw[0].p, raw[0].d);
    ecl_context *ctx;
    setenv("ECL_DEVICE", spec, 1); /* named: chosen under auto, whatever its type */
    cr_assert_eq(create(ECL_BACKEND_AUTO, NULL, &ctx), ECL_SUCCESS, "%s", ecl_last_create_error());
    cr_expect_eq(ecl_context_backend(ctx), ECL_BACKEND_OPENCL);
    cr_expect_not_null(strstr(ecl_context_device_name(ctx), raw[0].name));
    ecl_context_destroy(ctx);

    setenv("ECL_DEVICE", "no-such-device-einsumcl", 1);
    cr_assert_eq(create(ECL_BACKEND_OPENCL, spec, &ctx), ECL_SUCCESS, "the option must win: %s",
                 ecl_last_create_error());
    ecl_context_destroy(ctx);
    cr_expect_eq(create(ECL_BACKEND_OPENCL, NULL, &ctx), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_null(ctx);
    cr_expect_not_null(strstr(ecl_last_create_error(), "no-such-device-einsumcl"), "%s",
                       ecl_last_create_error());
    /* The CPU backend ignores the device spec. */
    cr_assert_eq(create(ECL_BACKEND_CPU, NULL, &ctx), ECL_SUCCESS);
    ecl_context_destroy(ctx);
}

Test(opencl_context, bad_device_specs_are_rejected_with_the_spec_named)
{
    raw_device raw[64];
    raw_devices(raw, 64);
    const char *bad[] = {"99:0", "0:99", "no-such-device-einsumcl", "-1:0", "0:", ":0", "0:0:0", "x:y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int kind = ECL_BACKEND_AUTO; kind <= ECL_BACKEND_OPENCL; kind += 2) {
            ecl_context *ctx;
            cr_expect_eq(create((ecl_backend_kind)kind, bad[i], &ctx), ECL_ERROR_INVALID_ARGUMENT,
                         "spec '%s'", bad[i]);
            cr_expect_null(ctx);
            cr_expect_not_null(strstr(ecl_last_create_error(), bad[i]), "spec '%s': %s", bad[i],
                               ecl_last_create_error());
            cr_expect_not_null(strstr(ecl_last_create_error(), raw[0].name),
                               "the message should list the devices: %s", ecl_last_create_error());
        }
    }
}

Test(opencl_context, missing_icd_loader_falls_back_or_fails_clearly)
{
    setenv("ECL_OPENCL_LIBRARY", "libnonexistent-einsumcl-opencl.so", 1);
    ecl_context *ctx;
    cr_assert_eq(create(ECL_BACKEND_AUTO, NULL, &ctx), ECL_SUCCESS, "%s", ecl_last_create_error());
    cr_expect_eq(ecl_context_backend(ctx), ECL_BACKEND_CPU);
    ecl_context_destroy(ctx);
    cr_expect_eq(create(ECL_BACKEND_OPENCL, NULL, &ctx), ECL_ERROR_UNAVAILABLE);
    cr_expect_null(ctx);
    cr_expect_not_null(strstr(ecl_last_create_error(), "libnonexistent-einsumcl-opencl.so"), "%s",
                       ecl_last_create_error());
    ecl_device_info *list = (ecl_device_info *)&ctx;
    int count = 5, auto_index = 5;
    cr_expect_eq(ecl_device_list(&list, &count, &auto_index), ECL_ERROR_UNAVAILABLE);
    cr_expect_null(list);
    cr_expect_eq(count, 0);
    cr_expect_eq(auto_index, -1);
    cr_expect_not_null(strstr(ecl_last_create_error(), "libnonexistent-einsumcl-opencl.so"));
    /* A named device does not change that: without OpenCL, auto still runs on the CPU. */
    setenv("ECL_DEVICE", "0:0", 1);
    cr_assert_eq(create(ECL_BACKEND_AUTO, NULL, &ctx), ECL_SUCCESS, "%s", ecl_last_create_error());
    cr_expect_eq(ecl_context_backend(ctx), ECL_BACKEND_CPU);
    ecl_context_destroy(ctx);
}
