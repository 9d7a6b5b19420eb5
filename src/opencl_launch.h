/*
 * Internals of the OpenCL strided operations: the iteration space packed for the kernels (the
 * host twin of ecl_space in kernels/00_common.cl; opencl_space.c) and the enqueue helper of each
 * kernel family (opencl_launch.c, opencl_sum.c). Spaces are the CPU backend's cpu_space, built
 * and simplified by cpu_space.c (dims of size 1 dropped, negative strides flipped, contiguous
 * dims merged).
 */
#ifndef ECL_OPENCL_LAUNCH_H
#define ECL_OPENCL_LAUNCH_H

#include "cpu_internal.h"
#include "opencl_kernels.h"

/* Dims the kernels take after the space is simplified (ECL_SPACE_DIMS in the kernels). */
#define ECL_OCL_SPACE_DIMS 8

/* The iteration space as the kernels receive it (layout of ecl_space in kernels/00_common.cl). */
typedef struct ecl_ocl_space {
    cl_long shape[ECL_OCL_SPACE_DIMS];
    cl_long stride[CPU_MAX_OPS][ECL_OCL_SPACE_DIMS];
    cl_long offset[CPU_MAX_OPS];
    cl_long nd, nkeep, small;
    cl_long nrows;  /* elements over all dims but the innermost */
} ecl_ocl_space;

/* Packs sp (a 0-d space becomes one dim of size 1). Fails with ECL_ERROR_BACKEND naming op when
 * it has more than ECL_OCL_SPACE_DIMS dims (after merging, einsum views rarely have more than 4). */
ecl_status ecl_ocl_space_pack(ecl_ocl_backend *be, const char *op, const cpu_space *sp,
                              ecl_ocl_space *out);

/* A kernel argument: clSetKernelArg's size and value (NULL value: local memory of that size). */
typedef struct ecl_ocl_arg {
    size_t size;
    const void *value;
} ecl_ocl_arg;

/* alpha / beta as a kernel takes them: float in the f32 program, double in the f64 one. */
typedef struct ecl_ocl_scalar {
    union {
        cl_float f;
        cl_double d;
    } v;
    size_t size;
} ecl_ocl_scalar;

static inline ecl_ocl_scalar ecl_ocl_scalar_of(ecl_dtype dtype, double x)
{
    ecl_ocl_scalar s;
    if (dtype == ECL_F32) {
        s.v.f = (cl_float)x;
        s.size = sizeof s.v.f;
    } else {
        s.v.d = x;
        s.size = sizeof s.v.d;
    }
    return s;
}

/* Sets the arguments of kernel `id` of k and enqueues it over groups[d] work-groups of wg[d]
 * items in each of dims dimensions (no wait, no flush). */
ecl_status ecl_ocl_enqueue(ecl_ocl_backend *be, const struct ecl_ocl_kernels *k,
                           ecl_ocl_kernel_id id, const ecl_ocl_arg *args, int nargs, int dims,
                           const size_t *groups, const size_t *wg);

/* Enqueue helpers (opencl_launch.c) on a simplified space: copy (dst = alpha * src + beta * dst,
 * src of src_dtype), product (dst = alpha * a * b + beta * dst, nothing summed), sum over the
 * summed dims of sp (of a, or of a * b when sp has 3 operands), scale (dst = beta * dst). */
ecl_status ecl_ocl_launch_copy(ecl_ocl_backend *be, const cpu_space *sp, ecl_dtype dtype,
                               ecl_dtype src_dtype, cl_mem dst, cl_mem src, double alpha,
                               double beta);
ecl_status ecl_ocl_launch_mul(ecl_ocl_backend *be, const cpu_space *sp, ecl_dtype dtype,
                              cl_mem dst, cl_mem a, cl_mem b, double alpha, double beta);
/* opencl_sum.c */
ecl_status ecl_ocl_launch_sum(ecl_ocl_backend *be, const cpu_space *sp, ecl_dtype dtype,
                              cl_mem dst, cl_mem a, cl_mem b, double alpha, double beta);
ecl_status ecl_ocl_launch_scale(ecl_ocl_backend *be, const cpu_space *sp, ecl_dtype dtype,
                                cl_mem dst, double beta);

#endif /* ECL_OPENCL_LAUNCH_H */
