/*
 * OpenCL backend memory: device buffers (a minimal buffer for 0 bytes, since OpenCL rejects empty
 * ones; sizes above CL_DEVICE_MAX_MEM_ALLOC_SIZE refused before OpenCL is asked), host memory
 * wrapped with CL_MEM_USE_HOST_PTR (synchronised back into the caller's memory when unwrapped),
 * blocking reads and writes, zero fills and finish. Every OpenCL failure goes through ecl_ocl_fail.
 */
#include "opencl_buffers.h"

#include <stdio.h>

#define MIN_BUFFER_BYTES 64

static ecl_ocl_backend *ocl(ecl_backend *be) { return (ecl_ocl_backend *)be; }

static ecl_status check_max_alloc(ecl_ocl_backend *be, size_t bytes)
{
    if ((cl_ulong)bytes <= be->info.max_alloc)
        return ECL_SUCCESS;
    return ecl_fail(be->base.err, ECL_ERROR_OUT_OF_MEMORY,
                    "cannot allocate %zu bytes on OpenCL device %s: its largest allocation "
                    "(CL_DEVICE_MAX_MEM_ALLOC_SIZE) is %llu bytes",
                    bytes, be->info.name, (unsigned long long)be->info.max_alloc);
}

static ecl_status create_buffer(ecl_ocl_backend *be, cl_mem_flags flags, size_t bytes, void *host,
                                void **mem)
{
    cl_int rc = CL_SUCCESS;
    cl_mem buffer = clCreateBuffer(be->context, flags, bytes, host, &rc);
    if (rc != CL_SUCCESS || !buffer) {
        char call[96];
        snprintf(call, sizeof call, "clCreateBuffer(%zu bytes%s)", bytes,
                 host ? ", CL_MEM_USE_HOST_PTR" : "");
        return ecl_ocl_fail(be, rc != CL_SUCCESS ? rc : CL_OUT_OF_RESOURCES, call);
    }
    *mem = buffer;
    return ECL_SUCCESS;
}

ecl_status ecl_ocl_alloc(ecl_backend *base, size_t bytes, void **mem)
{
    ecl_ocl_backend *be = ocl(base);
    if (!mem)
        return ecl_fail(base->err, ECL_ERROR_INVALID_ARGUMENT, "opencl alloc: output pointer is NULL");
    *mem = NULL;
    ecl_status st = check_max_alloc(be, bytes);
    if (st != ECL_SUCCESS)
        return st;
    return create_buffer(be, CL_MEM_READ_WRITE, bytes ? bytes : MIN_BUFFER_BYTES, NULL, mem);
}

void ecl_ocl_free(ecl_backend *be, void *mem)
{
    (void)be;
    if (mem)
        clReleaseMemObject((cl_mem)mem);
}

ecl_status ecl_ocl_wrap_host(ecl_backend *base, void *host, size_t bytes, void **mem)
{
    ecl_ocl_backend *be = ocl(base);
    if (!mem)
        return ecl_fail(base->err, ECL_ERROR_INVALID_ARGUMENT, "opencl wrap: output pointer is NULL");
    *mem = NULL;
    if (bytes == 0 || !host) /* nothing to share: an empty tensor gets a minimal private buffer */
        return create_buffer(be, CL_MEM_READ_WRITE, MIN_BUFFER_BYTES, NULL, mem);
    ecl_status st = check_max_alloc(be, bytes);
    if (st != ECL_SUCCESS)
        return st;
    return create_buffer(be, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, bytes, host, mem);
}

/* A CL_MEM_USE_HOST_PTR buffer may be cached on the device: a blocking map for reading makes the
 * caller's memory hold the buffer's contents, so it is up to date once the tensor is gone. */
static void sync_to_host(ecl_ocl_backend *be, cl_mem buffer)
{
    cl_mem_flags flags = 0;
    size_t size = 0;
    if (clGetMemObjectInfo(buffer, CL_MEM_FLAGS, sizeof flags, &flags, NULL) != CL_SUCCESS ||
        !(flags & CL_MEM_USE_HOST_PTR) ||
        clGetMemObjectInfo(buffer, CL_MEM_SIZE, sizeof size, &size, NULL) != CL_SUCCESS)
        return;
    cl_int rc = CL_SUCCESS;
    void *mapped = clEnqueueMapBuffer(be->queue, buffer, CL_TRUE, CL_MAP_READ, 0, size, 0, NULL,
                                      NULL, &rc);
    if (rc == CL_SUCCESS && mapped)
        clEnqueueUnmapMemObject(be->queue, buffer, mapped, 0, NULL, NULL);
    clFinish(be->queue);
}

void ecl_ocl_unwrap(ecl_backend *base, void *mem)
{
    if (!mem)
        return;
    sync_to_host(ocl(base), (cl_mem)mem);
    clReleaseMemObject((cl_mem)mem);
}

ecl_status ecl_ocl_write(ecl_backend *base, void *mem, size_t byte_offset, const void *src,
                         size_t bytes)
{
    if (bytes == 0)
        return ECL_SUCCESS;
    ecl_ocl_backend *be = ocl(base);
    cl_int rc = clEnqueueWriteBuffer(be->queue, (cl_mem)mem, CL_TRUE, byte_offset, bytes, src, 0,
                                     NULL, NULL);
    return rc == CL_SUCCESS ? ECL_SUCCESS : ecl_ocl_fail(be, rc, "clEnqueueWriteBuffer");
}

ecl_status ecl_ocl_read(ecl_backend *base, void *mem, size_t byte_offset, void *dst, size_t bytes)
{
    if (bytes == 0)
        return ECL_SUCCESS;
    ecl_ocl_backend *be = ocl(base);
    cl_int rc = clEnqueueReadBuffer(be->queue, (cl_mem)mem, CL_TRUE, byte_offset, bytes, dst, 0,
                                    NULL, NULL);
    return rc == CL_SUCCESS ? ECL_SUCCESS : ecl_ocl_fail(be, rc, "clEnqueueReadBuffer");
}

ecl_status ecl_ocl_fill_zero(ecl_backend *base, void *mem, size_t byte_offset, size_t bytes)
{
    if (bytes == 0)
        return ECL_SUCCESS;
    ecl_ocl_backend *be = ocl(base);
    static const unsigned char zeros[8] = {0};
    size_t pattern = 8; /* the widest pattern that divides both offset and size */
    while (pattern > 1 && (byte_offset % pattern || bytes % pattern))
        pattern /= 2;
    cl_int rc = clEnqueueFillBuffer(be->queue, (cl_mem)mem, zeros, pattern, byte_offset, bytes, 0,
                                    NULL, NULL);
    return rc == CL_SUCCESS ? ECL_SUCCESS : ecl_ocl_fail(be, rc, "clEnqueueFillBuffer");
}

ecl_status ecl_ocl_copy_bytes(ecl_backend *base, void *dst, const void *src, size_t bytes)
{
    if (bytes == 0)
        return ECL_SUCCESS;
    ecl_ocl_backend *be = ocl(base);
    cl_int rc = clEnqueueCopyBuffer(be->queue, (cl_mem)src, (cl_mem)dst, 0, 0, bytes, 0, NULL, NULL);
    return rc == CL_SUCCESS ? ECL_SUCCESS : ecl_ocl_fail(be, rc, "clEnqueueCopyBuffer");
}

ecl_status ecl_ocl_finish(ecl_backend *base)
{
    ecl_ocl_backend *be = ocl(base);
    cl_int rc = clFinish(be->queue);
    return rc == CL_SUCCESS ? ECL_SUCCESS : ecl_ocl_fail(be, rc, "clFinish");
}
