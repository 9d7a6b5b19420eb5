/*
 * einsumcl OpenCL interop: a context over the caller's cl_command_queue, tensors over the
 * caller's cl_mem buffers, and access to the OpenCL objects behind a context or tensor. Include
 * after (or instead of) <CL/cl.h>; define CL_TARGET_OPENCL_VERSION as your application needs
 * (einsumcl itself uses OpenCL 1.2 entry points only). The library loads the OpenCL ICD loader at
 * run time, so the handles passed in must come from the same ICD loader (libOpenCL.so.1).
 */
#ifndef EINSUMCL_OPENCL_H
#define EINSUMCL_OPENCL_H

#include <CL/cl.h>

#include "einsumcl.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* Creates a context that enqueues all its work on queue, which must be an in-order queue
 * (ECL_ERROR_INVALID_ARGUMENT otherwise). The context retains the queue and its cl_context and
 * releases them when destroyed; the caller keeps its own references and may release them at any
 * time. Work einsumcl enqueues is ordered with the caller's work on the same queue, so no extra
 * synchronisation is needed between them. Failure messages: ecl_last_create_error(). */
ecl_status ecl_context_create_from_queue(cl_command_queue queue, ecl_context **out);

/* Wraps the caller's buffer as a tensor without copying: element [0, ..., 0] is at element offset
 * `offset` (in elements of dtype) from the start of buffer, and strides (NULL = row-major) are in
 * elements and may be 0 or negative. Every addressed element must lie inside the buffer
 * (ECL_ERROR_SHAPE otherwise), and the buffer must belong to the context's cl_context
 * (ECL_ERROR_INVALID_ARGUMENT otherwise; also for a context that is not on OpenCL). The tensor
 * retains buffer until it (and every view of it) is destroyed. */
ecl_status ecl_tensor_wrap_cl_mem(ecl_context *ctx, cl_mem buffer, ecl_dtype dtype, int ndim,
                                  const int64_t *shape, const int64_t *strides, int64_t offset,
                                  ecl_tensor **out);

/* The buffer holding a tensor of an OpenCL context (not retained for the caller), and the element
 * offset of the tensor's element [0, ..., 0] in it. NULL and -1 for tensors of other contexts. */
cl_mem ecl_tensor_cl_mem(const ecl_tensor *tensor);
int64_t ecl_tensor_cl_offset(const ecl_tensor *tensor);

/* The in-order queue an OpenCL context enqueues its work on (not retained for the caller), or
 * NULL when the context is not on OpenCL. */
cl_command_queue ecl_context_cl_queue(const ecl_context *ctx);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* EINSUMCL_OPENCL_H */
