/*
 * The OpenCL side of failure injection (fault.h): wrappers around the loaded clCreateBuffer and
 * clEnqueue* entry points that fail the armed Nth call the way a driver out of memory would
 * (CL_MEM_OBJECT_ALLOCATION_FAILURE, CL_OUT_OF_RESOURCES), else pass it through. Installed by the
 * loader into the table every library call goes through; clEnqueueUnmapMemObject stays unwrapped
 * since it is a release, like free.
 */
#include "opencl_fault.h"

#include "fault.h"

static ecl_cl_api real;

static cl_mem create_buffer(cl_context c, cl_mem_flags f, size_t n, void *host, cl_int *rc)
{
    if (ecl_fault_hit(ECL_FAULT_DEVICE_ALLOC)) {
        if (rc)
            *rc = CL_MEM_OBJECT_ALLOCATION_FAILURE;
        return NULL;
    }
    return real.clCreateBuffer_fn(c, f, n, host, rc);
}

#define FAIL_ENQUEUE()                          \
    if (ecl_fault_hit(ECL_FAULT_ENQUEUE))       \
        return CL_OUT_OF_RESOURCES

static cl_int read_buffer(cl_command_queue q, cl_mem m, cl_bool b, size_t o, size_t n, void *p,
                          cl_uint ne, const cl_event *w, cl_event *e)
{
    FAIL_ENQUEUE();
    return real.clEnqueueReadBuffer_fn(q, m, b, o, n, p, ne, w, e);
}

static cl_int write_buffer(cl_command_queue q, cl_mem m, cl_bool b, size_t o, size_t n,
                           const void *p, cl_uint ne, const cl_event *w, cl_event *e)
{
    FAIL_ENQUEUE();
    return real.clEnqueueWriteBuffer_fn(q, m, b, o, n, p, ne, w, e);
}

static cl_int copy_buffer(cl_command_queue q, cl_mem s, cl_mem d, size_t so, size_t dof, size_t n,
                          cl_uint ne, const cl_event *w, cl_event *e)
{
    FAIL_ENQUEUE();
    return real.clEnqueueCopyBuffer_fn(q, s, d, so, dof, n, ne, w, e);
}

static cl_int fill_buffer(cl_command_queue q, cl_mem m, const void *p, size_t ps, size_t o,
                          size_t n, cl_uint ne, const cl_event *w, cl_event *e)
{
    FAIL_ENQUEUE();
    return real.clEnqueueFillBuffer_fn(q, m, p, ps, o, n, ne, w, e);
}

static void *map_buffer(cl_command_queue q, cl_mem m, cl_bool b, cl_map_flags f, size_t o,
                        size_t n, cl_uint ne, const cl_event *w, cl_event *e, cl_int *rc)
{
    if (ecl_fault_hit(ECL_FAULT_ENQUEUE)) {
        if (rc)
            *rc = CL_OUT_OF_RESOURCES;
        return NULL;
    }
    return real.clEnqueueMapBuffer_fn(q, m, b, f, o, n, ne, w, e, rc);
}

static cl_int nd_range(cl_command_queue q, cl_kernel k, cl_uint d, const size_t *go,
                       const size_t *gs, const size_t *ls, cl_uint ne, const cl_event *w,
                       cl_event *e)
{
    FAIL_ENQUEUE();
    return real.clEnqueueNDRangeKernel_fn(q, k, d, go, gs, ls, ne, w, e);
}

void ecl_cl_install_fault_points(ecl_cl_api *api)
{
    real = *api;
    api->clCreateBuffer_fn = create_buffer;
    api->clEnqueueReadBuffer_fn = read_buffer;
    api->clEnqueueWriteBuffer_fn = write_buffer;
    api->clEnqueueCopyBuffer_fn = copy_buffer;
    api->clEnqueueFillBuffer_fn = fill_buffer;
    api->clEnqueueMapBuffer_fn = map_buffer;
    api->clEnqueueNDRangeKernel_fn = nd_range;
}
