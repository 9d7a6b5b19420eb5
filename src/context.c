/*
 * Contexts: backend selection, the last-error record, and teardown. AUTO (unless ECL_BACKEND says
 * otherwise) opens the best OpenCL GPU or accelerator and falls back to the CPU path when OpenCL
 * is missing or broken (no ICD loader, no platform, no such device, a device that fails to
 * initialise); an explicit OpenCL request fails instead, naming the reason. A device spec that
 * names no existing device is an error either way. Also the interop constructor over a caller's
 * cl_command_queue (einsumcl_opencl.h).
 */
#include "context.h"
#include "opencl_backend.h" /* before einsumcl_opencl.h: it fixes the OpenCL target version */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend_env.h"
#include "einsumcl_opencl.h"
#include "alloc.h"

static _Thread_local ecl_error last_create_error;

void ecl_context_options_init(ecl_context_options *options)
{
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->backend = ECL_BACKEND_AUTO;
}

ecl_status ecl_env_backend(ecl_backend_kind *kind, ecl_error *err)
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

ecl_error *ecl_create_error(void)
{
    return &last_create_error;
}

const char *ecl_env_device(const char *option)
{
    if (option && *option)
        return option;
    const char *env = getenv("ECL_DEVICE");
    return env && *env ? env : NULL;
}

static int verbose(void)
{
    const char *v = getenv("ECL_VERBOSE");
    return v && *v && strcmp(v, "0") != 0;
}

/* The backend for kind: OpenCL (AUTO tries it first) or the CPU path. */
static ecl_status open_backend(ecl_backend_kind kind, const char *spec, int num_threads,
                               ecl_error *err, ecl_backend **out)
{
    if (kind == ECL_BACKEND_OPENCL)
        return ecl_backend_opencl_create(spec, 1, err, out);
    if (kind == ECL_BACKEND_AUTO) {
        ecl_status st = ecl_backend_opencl_create(spec, 0, err, out);
        if (st == ECL_SUCCESS || st == ECL_ERROR_INVALID_ARGUMENT)
            return st;
        if (verbose())
            fprintf(stderr, "einsumcl: auto backend: using the CPU path: %s\n", err->message);
        ecl_error_clear(err);
    }
    return ecl_backend_cpu_create(num_threads, err, out);
}

/* Wraps a backend into a new context (the backend is destroyed on failure). */
static ecl_status new_context(ecl_backend *backend, const ecl_context_options *opts, ecl_error *err,
                              ecl_context **out)
{
    ecl_context *ctx = ecl_calloc(1, sizeof *ctx);
    if (!ctx) {
        backend->ops->destroy(backend);
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate a context");
    }
    ecl_error_clear(&ctx->error);
    ecl_plan_cache_init(&ctx->cache, opts->plan_cache_capacity);
    ctx->num_threads = opts->num_threads;
    ctx->backend = backend;
    backend->err = &ctx->error;
    *out = ctx;
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
        ecl_status st = ecl_env_backend(&kind, err);
        if (st != ECL_SUCCESS)
            return st;
    }
    ecl_backend *backend = NULL;
    ecl_status st = open_backend(kind, ecl_env_device(opts.device), opts.num_threads, err, &backend);
    if (st != ECL_SUCCESS)
        return st;
    return new_context(backend, &opts, err, out);
}

ecl_status ecl_context_create_from_queue(cl_command_queue queue, ecl_context **out)
{
    ecl_error *err = &last_create_error;
    ecl_error_clear(err);
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_context_create_from_queue: out is NULL");
    *out = NULL;
    ecl_context_options opts;
    ecl_context_options_init(&opts);
    opts.backend = ECL_BACKEND_OPENCL;
    ecl_backend *backend = NULL;
    ecl_status st = ecl_backend_opencl_from_queue(queue, err, &backend);
    if (st != ECL_SUCCESS)
        return st;
    return new_context(backend, &opts, err, out);
}

cl_command_queue ecl_context_cl_queue(const ecl_context *ctx)
{
    if (!ctx || ctx->backend->kind != ECL_BACKEND_OPENCL)
        return NULL;
    return ((const ecl_ocl_backend *)ctx->backend)->queue;
}

void ecl_context_destroy(ecl_context *ctx)
{
    if (!ctx)
        return;
    ecl_plan_cache_clear(&ctx->cache);
    if (ctx->backend)
        ctx->backend->ops->destroy(ctx->backend);
    ecl_free(ctx);
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
