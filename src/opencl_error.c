/*
 * OpenCL failures as ecl_status values: the name of every OpenCL 1.2 error code (plus the ICD
 * loader's "no platform"), and ecl_ocl_fail, which writes "CALL failed: NAME (CODE)" into the
 * backend's error sink and maps allocation failures to ECL_ERROR_OUT_OF_MEMORY.
 */
#include <string.h>

#include "opencl_backend.h"

#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR (-1001)
#endif

const char *ecl_ocl_error_name(cl_int code)
{
    switch (code) {
#define ECL_OCL_NAME(c) \
    case c:             \
        return #c;
        ECL_OCL_NAME(CL_SUCCESS)
        ECL_OCL_NAME(CL_DEVICE_NOT_FOUND)
        ECL_OCL_NAME(CL_DEVICE_NOT_AVAILABLE)
        ECL_OCL_NAME(CL_COMPILER_NOT_AVAILABLE)
        ECL_OCL_NAME(CL_MEM_OBJECT_ALLOCATION_FAILURE)
        ECL_OCL_NAME(CL_OUT_OF_RESOURCES)
        ECL_OCL_NAME(CL_OUT_OF_HOST_MEMORY)
        ECL_OCL_NAME(CL_PROFILING_INFO_NOT_AVAILABLE)
        ECL_OCL_NAME(CL_MEM_COPY_OVERLAP)
        ECL_OCL_NAME(CL_IMAGE_FORMAT_MISMATCH)
        ECL_OCL_NAME(CL_IMAGE_FORMAT_NOT_SUPPORTED)
        ECL_OCL_NAME(CL_BUILD_PROGRAM_FAILURE)
        ECL_OCL_NAME(CL_MAP_FAILURE)
        ECL_OCL_NAME(CL_MISALIGNED_SUB_BUFFER_OFFSET)
        ECL_OCL_NAME(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
        ECL_OCL_NAME(CL_COMPILE_PROGRAM_FAILURE)
        ECL_OCL_NAME(CL_LINKER_NOT_AVAILABLE)
        ECL_OCL_NAME(CL_LINK_PROGRAM_FAILURE)
        ECL_OCL_NAME(CL_DEVICE_PARTITION_FAILED)
        ECL_OCL_NAME(CL_KERNEL_ARG_INFO_NOT_AVAILABLE)
        ECL_OCL_NAME(CL_INVALID_VALUE)
        ECL_OCL_NAME(CL_INVALID_DEVICE_TYPE)
        ECL_OCL_NAME(CL_INVALID_PLATFORM)
        ECL_OCL_NAME(CL_INVALID_DEVICE)
        ECL_OCL_NAME(CL_INVALID_CONTEXT)
        ECL_OCL_NAME(CL_INVALID_QUEUE_PROPERTIES)
        ECL_OCL_NAME(CL_INVALID_COMMAND_QUEUE)
        ECL_OCL_NAME(CL_INVALID_HOST_PTR)
        ECL_OCL_NAME(CL_INVALID_MEM_OBJECT)
        ECL_OCL_NAME(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR)
        ECL_OCL_NAME(CL_INVALID_IMAGE_SIZE)
        ECL_OCL_NAME(CL_INVALID_SAMPLER)
        ECL_OCL_NAME(CL_INVALID_BINARY)
        ECL_OCL_NAME(CL_INVALID_BUILD_OPTIONS)
        ECL_OCL_NAME(CL_INVALID_PROGRAM)
        ECL_OCL_NAME(CL_INVALID_PROGRAM_EXECUTABLE)
        ECL_OCL_NAME(CL_INVALID_KERNEL_NAME)
        ECL_OCL_NAME(CL_INVALID_KERNEL_DEFINITION)
        ECL_OCL_NAME(CL_INVALID_KERNEL)
        ECL_OCL_NAME(CL_INVALID_ARG_INDEX)
        ECL_OCL_NAME(CL_INVALID_ARG_VALUE)
        ECL_OCL_NAME(CL_INVALID_ARG_SIZE)
        ECL_OCL_NAME(CL_INVALID_KERNEL_ARGS)
        ECL_OCL_NAME(CL_INVALID_WORK_DIMENSION)
        ECL_OCL_NAME(CL_INVALID_WORK_GROUP_SIZE)
        ECL_OCL_NAME(CL_INVALID_WORK_ITEM_SIZE)
        ECL_OCL_NAME(CL_INVALID_GLOBAL_OFFSET)
        ECL_OCL_NAME(CL_INVALID_EVENT_WAIT_LIST)
        ECL_OCL_NAME(CL_INVALID_EVENT)
        ECL_OCL_NAME(CL_INVALID_OPERATION)
        ECL_OCL_NAME(CL_INVALID_GL_OBJECT)
        ECL_OCL_NAME(CL_INVALID_BUFFER_SIZE)
        ECL_OCL_NAME(CL_INVALID_MIP_LEVEL)
        ECL_OCL_NAME(CL_INVALID_GLOBAL_WORK_SIZE)
        ECL_OCL_NAME(CL_INVALID_PROPERTY)
        ECL_OCL_NAME(CL_INVALID_IMAGE_DESCRIPTOR)
        ECL_OCL_NAME(CL_INVALID_COMPILER_OPTIONS)
        ECL_OCL_NAME(CL_INVALID_LINKER_OPTIONS)
        ECL_OCL_NAME(CL_INVALID_DEVICE_PARTITION_COUNT)
        ECL_OCL_NAME(CL_PLATFORM_NOT_FOUND_KHR)
#undef ECL_OCL_NAME
    }
    return "unknown OpenCL error";
}

/* Allocation calls report exhausted device memory as CL_OUT_OF_RESOURCES on several drivers;
 * elsewhere that code usually means a crashed or invalid kernel, which is a backend failure. */
static int is_allocation_failure(cl_int code, const char *call)
{
    if (code == CL_OUT_OF_HOST_MEMORY || code == CL_MEM_OBJECT_ALLOCATION_FAILURE)
        return 1;
    return code == CL_OUT_OF_RESOURCES && call && strncmp(call, "clCreateBuffer", 14) == 0;
}

ecl_status ecl_ocl_fail(ecl_ocl_backend *be, cl_int code, const char *call)
{
    ecl_status status = is_allocation_failure(code, call) ? ECL_ERROR_OUT_OF_MEMORY
                                                          : ECL_ERROR_BACKEND;
    return ecl_fail(be ? be->base.err : NULL, status, "%s failed: %s (%d)", call ? call : "OpenCL call",
                    ecl_ocl_error_name(code), (int)code);
}
