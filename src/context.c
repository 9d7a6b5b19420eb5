/*
 * Contexts: backend selection (auto / cpu / opencl, with the ECL_BACKEND environment variable
 * overriding auto), the last-error record, and teardown. The OpenCL backend is not built yet, so
 * auto resolves to the CPU path and an explicit opencl request is ECL_ERROR_UNAVAILABLE.
 */
#include "context.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static _Thread_local ecl_error last_create_error;

void ecl_context_options_init(ecl_context_options *options)
{
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->backend = ECL_BACKEND_AUTO;
}

static ecl_status backend_from_env(ecl_backend_kind *kind, ecl_error *err)
{
    const char *env = getenv("ECL_BACKEND");
    if (!env || !*env || strcasecmp(env, "auto") == 0)
        return ECL_SUCCESS;
    if (strcasecmp(env, "cpu") == 0)
        *kind = ECL_BACKEND_CPU;
    else if (strcasecmp(env, "opencl") == 0)
        *kind = ECL_BACKEND_OPENCL;
    else
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "ECL_BACKEND='%s' is not one of auto, cpu, opencl", env);
    return ECL_SUCCESS;
}

ecl_status ecl_context_create(const ecl_context_options *options, ecl_context **out)
{
    ecl_error *err = &last_create_error;
    ecl_error_clear(err);
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_context_create: out is NULL");
    *out = NULL;
    ecl_context_options opts;
    ecl_context_options_init(&opts);
    if (options)
        opts = *options;
    if (opts.backend < ECL_BACKEND_AUTO || opts.backend > ECL_BACKEND_OPENCL)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "unknown backend kind %d", (int)opts.backend);
    if (opts.num_threads < 0)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "num_threads %d is negative", opts.num_threads);
    ecl_backend_kind kind = opts.backend;
    if (kind == ECL_BACKEND_AUTO) {
        ecl_status st = backend_from_env(&kind, err);
        if (st != ECL_SUCCESS)
            return st;
    }
    if (kind == ECL_BACKEND_OPENCL)
        return ecl_fail(err, ECL_ERROR_UNAVAILABLE,
                        "the OpenCL backend is not available in this build of einsumcl");

    ecl_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate a context");
    ecl_error_clear(&ctx->error);
    ecl_plan_cache_init(&ctx->cache, opts.plan_cache_capacity);
    ctx->num_threads = opts.num_threads;
    ecl_status st = ecl_backend_cpu_create(opts.num_threads, err, &ctx->backend);
    if (st != ECL_SUCCESS) {
        free(ctx);
        return st;
    }
    ctx->backend->err = &ctx->error;
    *out = ctx;
    return ECL_SUCCESS;
}

void ecl_context_destroy(ecl_context *ctx)
{
    if (!ctx)
        return;
    ecl_plan_cache_clear(&ctx->cache);
    if (ctx->backend)
        ctx->backend->ops->destroy(ctx->backend);
    free(ctx);
}

const char *ecl_context_last_error(const ecl_context *ctx)
{
    return ctx ? ctx->error.message : "ecl_context_last_error: context is NULL";
}

long ecl_context_last_error_position(const ecl_context *ctx)
{
    return ctx ? ctx->error.position : -1;
}

const char *ecl_last_create_error(void)
{
    return last_create_error.message;
}

ecl_backend_kind ecl_context_backend(const ecl_context *ctx)
{
    return ctx ? ctx->backend->kind : ECL_BACKEND_AUTO;
}

const char *ecl_context_device_name(const ecl_context *ctx)
{
    return ctx ? ctx->backend->device_name : "";
}

ecl_status ecl_finish(ecl_context *ctx)
{
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error_clear(&ctx->error);
    return ctx->backend->ops->finish(ctx->backend);
}
