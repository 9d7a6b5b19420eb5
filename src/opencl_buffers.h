/*
 * The OpenCL backend's memory operations (opencl_buffers.c), wired into its ops table by
 * backend_opencl.c: buffers are cl_mem objects (CL_MEM_READ_WRITE) created in the backend's
 * context; transfers and fills are enqueued on its in-order queue.
 */
#ifndef ECL_OPENCL_BUFFERS_H
#define ECL_OPENCL_BUFFERS_H

#include "opencl_backend.h"

ecl_status ecl_ocl_alloc(ecl_backend *be, size_t bytes, void **mem);
void ecl_ocl_free(ecl_backend *be, void *mem);
ecl_status ecl_ocl_wrap_host(ecl_backend *be, void *host, size_t bytes, void **mem);
void ecl_ocl_unwrap(ecl_backend *be, void *mem);
ecl_status ecl_ocl_write(ecl_backend *be, void *mem, size_t byte_offset, const void *src, size_t bytes);
ecl_status ecl_ocl_read(ecl_backend *be, void *mem, size_t byte_offset, void *dst, size_t bytes);
ecl_status ecl_ocl_fill_zero(ecl_backend *be, void *mem, size_t byte_offset, size_t bytes);
ecl_status ecl_ocl_copy_bytes(ecl_backend *be, void *dst, const void *src, size_t bytes);
ecl_status ecl_ocl_finish(ecl_backend *be);

#endif /* ECL_OPENCL_BUFFERS_H */
