/*
 * Run-time loading of the OpenCL ICD loader (libOpenCL.so.1), so that the library and the CLI run
 * on machines without OpenCL: the auto backend then falls back to the CPU path. Include this header
 * instead of <CL/cl.h>; after ecl_cl_load() succeeds, OpenCL calls are written as usual and go
 * through the loaded entry points. ECL_OPENCL_LIBRARY overrides the library file name (tests use a
 * missing name to check the fallback).
 */
#ifndef ECL_OPENCL_LOADER_H
#define ECL_OPENCL_LOADER_H

#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>

#include "status.h"

/* X(name, return type, parameter list) for every OpenCL entry point the library uses. Users of
 * the list must paste or stringify name (## or #), since the names are macros below. */
#define ECL_CL_FUNCTIONS(X)                                                                         \
    X(clGetPlatformIDs, cl_int, (cl_uint, cl_platform_id *, cl_uint *))                             \
    X(clGetPlatformInfo, cl_int, (cl_platform_id, cl_platform_info, size_t, void *, size_t *))      \
    X(clGetDeviceIDs, cl_int, (cl_platform_id, cl_device_type, cl_uint, cl_device_id *, cl_uint *)) \
    X(clGetDeviceInfo, cl_int, (cl_device_id, cl_device_info, size_t, void *, size_t *))            \
    X(clCreateContext, cl_context,                                                                  \
      (const cl_context_properties *, cl_uint, const cl_device_id *,                               \
       void(CL_CALLBACK *)(const char *, const void *, size_t, void *), void *, cl_int *))         \
    X(clRetainContext, cl_int, (cl_context))                                                        \
    X(clReleaseContext, cl_int, (cl_context))                                                       \
    X(clGetContextInfo, cl_int, (cl_context, cl_context_info, size_t, void *, size_t *))            \
    X(clCreateCommandQueue, cl_command_queue,                                                       \
      (cl_context, cl_device_id, cl_command_queue_properties, cl_int *))                            \
    X(clRetainCommandQueue, cl_int, (cl_command_queue))                                             \
    X(clReleaseCommandQueue, cl_int, (cl_command_queue))                                            \
    X(clGetCommandQueueInfo, cl_int, (cl_command_queue, cl_command_queue_info, size_t, void *,     \
                                      size_t *))                                                    \
    X(clCreateBuffer, cl_mem, (cl_context, cl_mem_flags, size_t, void *, cl_int *))                 \
    X(clRetainMemObject, cl_int, (cl_mem))                                                          \
    X(clReleaseMemObject, cl_int, (cl_mem))                                                         \
    X(clGetMemObjectInfo, cl_int, (cl_mem, cl_mem_info, size_t, void *, size_t *))                  \
    X(clEnqueueReadBuffer, cl_int,                                                                  \
      (cl_command_queue, cl_mem, cl_bool, size_t, size_t, void *, cl_uint, const cl_event *,       \
       cl_event *))                                                                                 \
    X(clEnqueueWriteBuffer, cl_int,                                                                 \
      (cl_command_queue, cl_mem, cl_bool, size_t, size_t, const void *, cl_uint, const cl_event *, \
       cl_event *))                                                                                 \
    X(clEnqueueCopyBuffer, cl_int,                                                                  \
      (cl_command_queue, cl_mem, cl_mem, size_t, size_t, size_t, cl_uint, const cl_event *,        \
       cl_event *))                                                                                 \
    X(clEnqueueFillBuffer, cl_int,                                                                  \
      (cl_command_queue, cl_mem, const void *, size_t, size_t, size_t, cl_uint, const cl_event *,  \
       cl_event *))                                                                                 \
    X(clEnqueueMapBuffer, void *,                                                                   \
      (cl_command_queue, cl_mem, cl_bool, cl_map_flags, size_t, size_t, cl_uint, const cl_event *, \
       cl_event *, cl_int *))                                                                       \
    X(clEnqueueUnmapMemObject, cl_int,                                                              \
      (cl_command_queue, cl_mem, void *, cl_uint, const cl_event *, cl_event *))                    \
    X(clCreateProgramWithSource, cl_program,                                                        \
      (cl_context, cl_uint, const char **, const size_t *, cl_int *))                               \
    X(clCreateProgramWithBinary, cl_program,                                                        \
      (cl_context, cl_uint, const cl_device_id *, const size_t *, const unsigned char **, cl_int *, \
       cl_int *))                                                                                   \
    X(clBuildProgram, cl_int,                                                                       \
      (cl_program, cl_uint, const cl_device_id *, const char *,                                     \
       void(CL_CALLBACK *)(cl_program, void *), void *))                                            \
    X(clGetProgramInfo, cl_int, (cl_program, cl_program_info, size_t, void *, size_t *))            \
    X(clGetProgramBuildInfo, cl_int,                                                                \
      (cl_program, cl_device_id, cl_program_build_info, size_t, void *, size_t *))                  \
    X(clReleaseProgram, cl_int, (cl_program))                                                       \
    X(clCreateKernel, cl_kernel, (cl_program, const char *, cl_int *))                              \
    X(clReleaseKernel, cl_int, (cl_kernel))                                                         \
    X(clSetKernelArg, cl_int, (cl_kernel, cl_uint, size_t, const void *))                           \
    X(clGetKernelWorkGroupInfo, cl_int,                                                             \
      (cl_kernel, cl_device_id, cl_kernel_work_group_info, size_t, void *, size_t *))               \
    X(clEnqueueNDRangeKernel, cl_int,                                                               \
      (cl_command_queue, cl_kernel, cl_uint, const size_t *, const size_t *, const size_t *,       \
       cl_uint, const cl_event *, cl_event *))                                                      \
    X(clFlush, cl_int, (cl_command_queue))                                                          \
    X(clFinish, cl_int, (cl_command_queue))                                                         \
    X(clWaitForEvents, cl_int, (cl_uint, const cl_event *))                                         \
    X(clReleaseEvent, cl_int, (cl_event))                                                           \
    X(clGetEventProfilingInfo, cl_int, (cl_event, cl_profiling_info, size_t, void *, size_t *))

typedef struct ecl_cl_api {
#define ECL_CL_MEMBER(name, ret, params) ret(CL_API_CALL *name##_fn) params;
    ECL_CL_FUNCTIONS(ECL_CL_MEMBER)
#undef ECL_CL_MEMBER
} ecl_cl_api;

extern ecl_cl_api ecl_cl;

/* Loads the ICD loader once per process (thread-safe). ECL_ERROR_UNAVAILABLE with the dlopen or
 * dlsym message when it cannot be loaded. */
ecl_status ecl_cl_load(ecl_error *err);

/* From here on, OpenCL calls in the library resolve to the loaded entry points. */
#define clGetPlatformIDs ecl_cl.clGetPlatformIDs_fn
#define clGetPlatformInfo ecl_cl.clGetPlatformInfo_fn
#define clGetDeviceIDs ecl_cl.clGetDeviceIDs_fn
#define clGetDeviceInfo ecl_cl.clGetDeviceInfo_fn
#define clCreateContext ecl_cl.clCreateContext_fn
#define clRetainContext ecl_cl.clRetainContext_fn
#define clReleaseContext ecl_cl.clReleaseContext_fn
#define clGetContextInfo ecl_cl.clGetContextInfo_fn
#define clCreateCommandQueue ecl_cl.clCreateCommandQueue_fn
#define clRetainCommandQueue ecl_cl.clRetainCommandQueue_fn
#define clReleaseCommandQueue ecl_cl.clReleaseCommandQueue_fn
#define clGetCommandQueueInfo ecl_cl.clGetCommandQueueInfo_fn
#define clCreateBuffer ecl_cl.clCreateBuffer_fn
#define clRetainMemObject ecl_cl.clRetainMemObject_fn
#define clReleaseMemObject ecl_cl.clReleaseMemObject_fn
#define clGetMemObjectInfo ecl_cl.clGetMemObjectInfo_fn
#define clEnqueueReadBuffer ecl_cl.clEnqueueReadBuffer_fn
#define clEnqueueWriteBuffer ecl_cl.clEnqueueWriteBuffer_fn
#define clEnqueueCopyBuffer ecl_cl.clEnqueueCopyBuffer_fn
#define clEnqueueFillBuffer ecl_cl.clEnqueueFillBuffer_fn
#define clEnqueueMapBuffer ecl_cl.clEnqueueMapBuffer_fn
#define clEnqueueUnmapMemObject ecl_cl.clEnqueueUnmapMemObject_fn
#define clCreateProgramWithSource ecl_cl.clCreateProgramWithSource_fn
#define clCreateProgramWithBinary ecl_cl.clCreateProgramWithBinary_fn
#define clBuildProgram ecl_cl.clBuildProgram_fn
#define clGetProgramInfo ecl_cl.clGetProgramInfo_fn
#define clGetProgramBuildInfo ecl_cl.clGetProgramBuildInfo_fn
#define clReleaseProgram ecl_cl.clReleaseProgram_fn
#define clCreateKernel ecl_cl.clCreateKernel_fn
#define clReleaseKernel ecl_cl.clReleaseKernel_fn
#define clSetKernelArg ecl_cl.clSetKernelArg_fn
#define clGetKernelWorkGroupInfo ecl_cl.clGetKernelWorkGroupInfo_fn
#define clEnqueueNDRangeKernel ecl_cl.clEnqueueNDRangeKernel_fn
#define clFlush ecl_cl.clFlush_fn
#define clFinish ecl_cl.clFinish_fn
#define clWaitForEvents ecl_cl.clWaitForEvents_fn
#define clReleaseEvent ecl_cl.clReleaseEvent_fn
#define clGetEventProfilingInfo ecl_cl.clGetEventProfilingInfo_fn

#endif /* ECL_OPENCL_LOADER_H */
