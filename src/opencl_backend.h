/*
 * The OpenCL backend's internals, shared by its files: the device, context and in-order queue the
 * backend runs on, the compiled kernel programs (one per precision), and device facts the
 * primitives need (fp64 support, work-group limits, max allocation). Buffers are cl_mem handles;
 * element offsets are passed to kernels and CLBlast, never as sub-buffers.
 */
#ifndef ECL_OPENCL_BACKEND_H
#define ECL_OPENCL_BACKEND_H

#include "backend.h"
#include "kernel_sources.h"
#include "opencl_loader.h"

typedef struct ecl_ocl_device_info {
    char name[256], vendor[256], driver_version[128], platform_name[256], device_version[128];
    cl_device_type type;
    cl_uint compute_units, clock_mhz;
    cl_ulong global_mem, local_mem, max_alloc;
    size_t max_work_group;
    int has_fp64;
} ecl_ocl_device_info;

typedef struct ecl_ocl_backend {
    ecl_backend base;          /* first: the generic backend view */
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    int owns_context;          /* 0 when built from a caller's queue (interop) */
    ecl_ocl_device_info info;
    cl_program program[2];     /* [0] f32, [1] f64 (built lazily; f64 only with cl_khr_fp64) */
    /* kernel objects per precision, created with the program (opencl_kernels.c) */
    struct ecl_ocl_kernels *kernels[2];
    /* GEMM implementation choices and CLBlast tuning state (opencl_gemm_select.c), lazily made */
    struct ecl_ocl_gemm_state *gemm;
    /* the tensor-core GEMM path: probe, kernels, self-checks (opencl_mma.c), lazily made */
    struct ecl_ocl_mma *mma;
} ecl_ocl_backend;

/* "clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES (-5)"-style message into be->err; maps the
 * OpenCL error to an ecl_status (allocation failures -> ECL_ERROR_OUT_OF_MEMORY, else BACKEND). */
ecl_status ecl_ocl_fail(ecl_ocl_backend *be, cl_int code, const char *call);
const char *ecl_ocl_error_name(cl_int code);

/* Creates the OpenCL backend for the device chosen by spec (NULL/"" = best GPU or accelerator;
 * "P:D" platform/device indices; else a case-insensitive name substring). allow_cpu_devices: a
 * CPU OpenCL device (PoCL) may be chosen without being named. */
ecl_status ecl_backend_opencl_create(const char *spec, int allow_cpu_devices, ecl_error *err,
                                     ecl_backend **out);
/* A backend over a caller's queue (its context and device); the caller keeps ownership. */
ecl_status ecl_backend_opencl_from_queue(cl_command_queue queue, ecl_error *err, ecl_backend **out);

/* The program of every .cl file in kernels/ for dtype (sources concatenated in file-name order,
 * built with -DPRECISION=32 or 64): compiled once per backend and kept in be->program, through the
 * on-disk binary cache (program_cache.c). f64 fails clearly without cl_khr_fp64. */
ecl_status ecl_ocl_program_get(ecl_ocl_backend *be, ecl_dtype dtype, cl_program *out);
/* Builds the program of a kernel family with options, through the binary cache (a new program
 * the caller releases). what names it in messages; a failure carries the build log. */
ecl_status ecl_ocl_program_build(ecl_ocl_backend *be, ecl_kernel_family family,
                                 const char *options, const char *what, cl_program *out);
/* Kernel objects for dtype, created from that program once per backend (opencl_kernels.c). */
ecl_status ecl_ocl_kernels_get(ecl_ocl_backend *be, ecl_dtype dtype, struct ecl_ocl_kernels **out);

/* Batched GEMM on CLBlast or the own kernel (clblast_gemm.c), the backend's gemm op. */
ecl_status ecl_ocl_gemm(ecl_backend *be, ecl_dtype dtype, const ecl_gemm_args *g, void *a,
                        int64_t a_offset, void *b, int64_t b_offset, void *c, int64_t c_offset,
                        double alpha, double beta);

#endif /* ECL_OPENCL_BACKEND_H */
