/*
 * Kernel programs, compiled through the on-disk binary cache: from the cache when it holds a
 * binary for exactly this source, build options, device, driver and library version, else from
 * source (then stored in the cache). The main program of each precision is built once per
 * backend and kept there; other families (the tensor-core kernels) keep their own. A build failure is ECL_ERROR_BACKEND with
 * the compiler's log in the message; float64 on a device without cl_khr_fp64 is ECL_ERROR_DTYPE.
 * With ECL_VERBOSE=1 the full build log is also printed to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "binary_cache.h"
#include "kernel_sources.h"
#include "opencl_backend.h"
#include "alloc.h"

#define LOG_EXCERPT_MAX 640

static int verbose(void)
{
    const char *v = getenv("ECL_VERBOSE");
    return v && *v && strcmp(v, "0") != 0;
}

/* The build log of the device (malloc'ed, "" when there is none). */
static char *build_log(ecl_ocl_backend *be, cl_program program)
{
    size_t size = 0;
    if (clGetProgramBuildInfo(program, be->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) != CL_SUCCESS)
        size = 0;
    char *log = ecl_malloc(size + 1);
    if (!log)
        return NULL;
    if (size == 0 ||
        clGetProgramBuildInfo(program, be->device, CL_PROGRAM_BUILD_LOG, size, log, NULL) != CL_SUCCESS)
        size = 0;
    log[size] = '\0';
    return log;
}

/* The part of the log worth showing: from the line of the first error, when there is one. */
static const char *log_excerpt(const char *log)
{
    for (const char *p = log; *p; p++) {
        if (strncasecmp(p, "error", 5) == 0) {
            while (p > log && p[-1] != '\n')
                p--;
            return p;
        }
    }
    return log;
}

static ecl_status build_failure(ecl_ocl_backend *be, cl_program program, cl_int rc,
                                const char *what, const char *origin)
{
    char *log = build_log(be, program);
    if (log && verbose())
        fprintf(stderr, "einsumcl: build log of the %s kernels (%s):\n%s\n", what, origin, log);
    const char *excerpt = log ? log_excerpt(log) : "(no build log)";
    size_t len = strlen(excerpt);
    ecl_status st = ecl_fail(be->base.err, ECL_ERROR_BACKEND,
                             "clBuildProgram failed for the %s kernels (%s) on %s: %s (%d); build "
                             "log: %.*s%s", what, origin, be->info.name, ecl_ocl_error_name(rc),
                             (int)rc, (int)(len > LOG_EXCERPT_MAX ? LOG_EXCERPT_MAX : len),
                             excerpt, len > LOG_EXCERPT_MAX ? " [...]" : "");
    ecl_free(log);
    return st;
}

static cl_program build_from_binary(ecl_ocl_backend *be, const unsigned char *binary, size_t size,
                                    const char *options)
{
    cl_int rc = CL_SUCCESS, binary_status = CL_SUCCESS;
    cl_program program =
        clCreateProgramWithBinary(be->context, 1, &be->device, &size, &binary, &binary_status, &rc);
    if (rc != CL_SUCCESS || binary_status != CL_SUCCESS || !program ||
        clBuildProgram(program, 1, &be->device, options, NULL, NULL) != CL_SUCCESS) {
        if (program)
            clReleaseProgram(program);
        return NULL;
    }
    return program;
}

/* The device binary of a built program (malloc'ed), or NULL. */
static unsigned char *program_binary(cl_program program, size_t *size)
{
    *size = 0;
    if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof *size, size, NULL) != CL_SUCCESS ||
        *size == 0)
        return NULL;
    unsigned char *binary = ecl_malloc(*size);
    if (binary && clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof binary, &binary, NULL) !=
                      CL_SUCCESS) {
        ecl_free(binary);
        binary = NULL;
    }
    return binary;
}

static ecl_status build_from_source(ecl_ocl_backend *be, const char *source, size_t length,
                                    const char *options, const char *what, const char *origin,
                                    cl_program *out)
{
    cl_int rc = CL_SUCCESS;
    cl_program program = clCreateProgramWithSource(be->context, 1, &source, &length, &rc);
    if (rc != CL_SUCCESS || !program)
        return ecl_ocl_fail(be, rc != CL_SUCCESS ? rc : CL_INVALID_PROGRAM, "clCreateProgramWithSource");
    rc = clBuildProgram(program, 1, &be->device, options, NULL, NULL);
    if (rc != CL_SUCCESS) {
        ecl_status st = build_failure(be, program, rc, what, origin);
        clReleaseProgram(program);
        return st;
    }
    *out = program;
    return ECL_SUCCESS;
}

ecl_status ecl_ocl_program_build(ecl_ocl_backend *be, ecl_kernel_family family,
                                 const char *options, const char *what, cl_program *out)
{
    *out = NULL;
    char *source = NULL, origin[4096];
    size_t length = 0;
    ecl_status st = ecl_kernel_family_source(be->base.err, family, &source, &length, origin,
                                             sizeof origin);
    if (st != ECL_SUCCESS)
        return st;
    const char *key[] = {ECL_VERSION_STRING, options, be->info.name, be->info.vendor,
                         be->info.driver_version, be->info.device_version, be->info.platform_name};
    char path[4096];
    int cached = ecl_binary_cache_path(key, (int)(sizeof key / sizeof key[0]), source, length, path,
                                       sizeof path);
    cl_program program = NULL;
    unsigned char *binary = NULL;
    size_t size = 0;
    /* another process building the same program: wait for it, then load its binary */
    const int lock = cached ? ecl_binary_cache_lock(path) : -1;
    if (cached && ecl_binary_cache_load(path, &binary, &size))
        program = build_from_binary(be, binary, size, options);
    ecl_free(binary);
    if (!program) {
        st = build_from_source(be, source, length, options, what, origin, &program);
        if (st == ECL_SUCCESS && cached && (binary = program_binary(program, &size)) != NULL)
            ecl_binary_cache_store(path, binary, size);
        ecl_free(binary);
    } else if (verbose()) {
        fprintf(stderr, "einsumcl: %s kernels loaded from the binary cache %s\n", what, path);
    }
    ecl_binary_cache_unlock(lock);
    ecl_free(source);
    if (st == ECL_SUCCESS)
        *out = program;
    return st;
}

ecl_status ecl_ocl_program_get(ecl_ocl_backend *be, ecl_dtype dtype, cl_program *out)
{
    *out = NULL;
    if (dtype != ECL_F32 && dtype != ECL_F64)
        return ecl_fail(be->base.err, ECL_ERROR_DTYPE, "no OpenCL kernels for dtype %d", (int)dtype);
    int slot = dtype == ECL_F64;
    if (be->program[slot]) {
        *out = be->program[slot];
        return ECL_SUCCESS;
    }
    if (dtype == ECL_F64 && !be->info.has_fp64)
        return ecl_fail(be->base.err, ECL_ERROR_DTYPE,
                        "float64 needs the cl_khr_fp64 extension, which the OpenCL device %s lacks",
                        be->info.name);
    const char *options = slot ? "-DPRECISION=64 -cl-std=CL1.2" : "-DPRECISION=32 -cl-std=CL1.2";
    cl_program program;
    ecl_status st = ecl_ocl_program_build(be, ECL_KERNELS_MAIN, options, ecl_dtype_name(dtype),
                                          &program);
    if (st != ECL_SUCCESS)
        return st;
    be->program[slot] = program;
    *out = program;
    return ECL_SUCCESS;
}
