/*
 * The OpenCL backend object: opening the chosen device (a context and an in-order queue of our
 * own) or adopting a caller's queue (interop: its context and device, retained, never owned),
 * the device description, teardown, and the ops table that wires the memory operations
 * (opencl_buffers.c), the kernels (opencl_ops.c) and CLBlast GEMM (clblast_gemm.c) together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl_buffers.h"
#include "opencl_devices.h"
#include "opencl_gemm_select.h"
#include "opencl_kernels.h"
#include "opencl_mma.h"
#include "alloc.h"

static void ocl_destroy(ecl_backend *base);

static const ecl_backend_ops ocl_ops = {
    .destroy = ocl_destroy,
    .alloc = ecl_ocl_alloc,
    .free = ecl_ocl_free,
    .wrap_host = ecl_ocl_wrap_host,
    .unwrap = ecl_ocl_unwrap,
    .write = ecl_ocl_write,
    .read = ecl_ocl_read,
    .fill_zero = ecl_ocl_fill_zero,
    .copy_bytes = ecl_ocl_copy_bytes,
    .copy = ecl_ocl_copy,
    .reduce = ecl_ocl_reduce,
    .mul = ecl_ocl_mul,
    .gemm = ecl_ocl_gemm,
    .scale = ecl_ocl_scale,
    .softmax = ecl_ocl_softmax,
    .finish = ecl_ocl_finish,
};

static void ocl_destroy(ecl_backend *base)
{
    ecl_ocl_backend *be = (ecl_ocl_backend *)base;
    if (!be)
        return;
    if (be->queue)
        clFinish(be->queue);
    for (int i = 0; i < 2; i++) {
        ecl_ocl_kernels_destroy(be->kernels[i]);
        if (be->program[i])
            clReleaseProgram(be->program[i]);
    }
    ecl_ocl_gemm_state_free(be);
    ecl_ocl_mma_free(be);
    if (be->queue)
        clReleaseCommandQueue(be->queue);
    if (be->context)
        clReleaseContext(be->context);
    ecl_free(be);
}

static ecl_ocl_backend *new_backend(ecl_error *err)
{
    ecl_ocl_backend *be = ecl_calloc(1, sizeof *be);
    if (!be)
        return NULL;
    be->base.ops = &ocl_ops;
    be->base.kind = ECL_BACKEND_OPENCL;
    be->base.err = err;
    return be;
}

static void set_device_name(ecl_ocl_backend *be, const char *where)
{
    snprintf(be->base.device_name, sizeof be->base.device_name, "%.120s (%s, %.60s%s%s)",
             be->info.name, ecl_ocl_device_type_name(be->info.type), be->info.platform_name,
             where[0] ? ", " : "", where);
}

/* Opens entry's device: a context and an in-order queue. Failures are ECL_ERROR_UNAVAILABLE (the
 * device cannot be initialised), naming the device and the failing call. */
static ecl_status open_device(ecl_ocl_backend *be, const ecl_ocl_device_entry *entry, ecl_error *err)
{
    be->platform = entry->platform;
    be->device = entry->device;
    be->info = entry->info;
    be->owns_context = 1;
    const cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)entry->platform,
                                           0};
    cl_int rc = CL_SUCCESS;
    const char *call = "clCreateContext";
    be->context = clCreateContext(props, 1, &entry->device, NULL, NULL, &rc);
    if (rc == CL_SUCCESS && be->context) {
        call = "clCreateCommandQueue";
        be->queue = clCreateCommandQueue(be->context, entry->device, 0, &rc);
    }
    if (rc != CL_SUCCESS || !be->queue)
        return ecl_fail(err, ECL_ERROR_UNAVAILABLE,
                        "cannot initialise OpenCL device %d:%d (%s): %s failed: %s (%d)",
                        entry->platform_index, entry->device_index, entry->info.name, call,
                        ecl_ocl_error_name(rc), (int)rc);
    char where[32];
    snprintf(where, sizeof where, "OpenCL %d:%d", entry->platform_index, entry->device_index);
    set_device_name(be, where);
    return ECL_SUCCESS;
}

ecl_status ecl_backend_opencl_create(const char *spec, int allow_cpu_devices, ecl_error *err,
                                     ecl_backend **out)
{
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "opencl backend: out is NULL");
    *out = NULL;
    ecl_ocl_device_list list;
    ecl_status st = ecl_ocl_list_devices(err, &list);
    int index = -1;
    if (st == ECL_SUCCESS)
        st = ecl_ocl_select_device(&list, spec, allow_cpu_devices, err, &index);
    ecl_ocl_backend *be = NULL;
    if (st == ECL_SUCCESS && !(be = new_backend(err)))
        st = ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate the OpenCL backend");
    if (st == ECL_SUCCESS)
        st = open_device(be, &list.entries[index], err);
    ecl_ocl_device_list_free(&list);
    if (st != ECL_SUCCESS) {
        if (be)
            ocl_destroy(&be->base);
        return st;
    }
    *out = &be->base;
    return ECL_SUCCESS;
}

/* Adopts the queue's context and device, retaining both; the caller keeps its own references. */
static ecl_status adopt_queue(ecl_ocl_backend *be, cl_command_queue queue, ecl_error *err)
{
    cl_command_queue_properties props = 0;
    cl_int rc = clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof be->context, &be->context, NULL);
    if (rc == CL_SUCCESS)
        rc = clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof be->device, &be->device, NULL);
    if (rc == CL_SUCCESS)
        rc = clGetCommandQueueInfo(queue, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    if (rc != CL_SUCCESS) {
        be->context = NULL;
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "the command queue cannot be queried: clGetCommandQueueInfo failed: %s (%d)",
                        ecl_ocl_error_name(rc), (int)rc);
    }
    if (props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) {
        be->context = NULL;
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "the command queue executes out of order; einsumcl needs an in-order queue");
    }
    clRetainContext(be->context);
    clRetainCommandQueue(queue);
    be->queue = queue;
    be->owns_context = 0;
    clGetDeviceInfo(be->device, CL_DEVICE_PLATFORM, sizeof be->platform, &be->platform, NULL);
    ecl_status st = ecl_ocl_query_device(be->device, &be->info, err);
    if (st != ECL_SUCCESS)
        return st;
    set_device_name(be, "caller's queue");
    return ECL_SUCCESS;
}

ecl_status ecl_backend_opencl_from_queue(cl_command_queue queue, ecl_error *err, ecl_backend **out)
{
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "opencl backend: out is NULL");
    *out = NULL;
    if (!queue)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "the command queue is NULL");
    ecl_status st = ecl_cl_load(err);
    if (st != ECL_SUCCESS)
        return st;
    ecl_ocl_backend *be = new_backend(err);
    if (!be)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate the OpenCL backend");
    st = adopt_queue(be, queue, err);
    if (st != ECL_SUCCESS) {
        ocl_destroy(&be->base);
        return st;
    }
    *out = &be->base;
    return ECL_SUCCESS;
}
