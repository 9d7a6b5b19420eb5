/*
 * Device enumeration straight through the OpenCL API (opencl_raw.h), independent of the library's
 * opencl_devices.c.
 */
#include "opencl_raw.h"

#include "backend_select.h"

int raw_devices(raw_device *out, int cap)
{
    ecl_error err;
    ecl_error_clear(&err);
    if (ecl_cl_load(&err) != ECL_SUCCESS)
        ecl_test_skip_no_opencl(err.message);
    cl_platform_id platforms[16];
    cl_uint np = 0;
    if (clGetPlatformIDs(16, platforms, &np) != CL_SUCCESS || np == 0)
        ecl_test_skip_no_opencl("no OpenCL platform");
    int n = 0;
    for (cl_uint p = 0; p < np && p < 16; p++) {
        cl_device_id devices[16];
        cl_uint nd = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 16, devices, &nd) != CL_SUCCESS)
            nd = 0;
        for (cl_uint d = 0; d < nd && d < 16 && n < cap; d++, n++) {
            out[n] = (raw_device){.p = (int)p, .d = (int)d, .platform = platforms[p],
                                  .device = devices[d]};
            clGetDeviceInfo(devices[d], CL_DEVICE_NAME, sizeof out[n].name, out[n].name, NULL);
            clGetDeviceInfo(devices[d], CL_DEVICE_TYPE, sizeof out[n].type, &out[n].type, NULL);
        }
    }
    if (n == 0)
        ecl_test_skip_no_opencl("no OpenCL device");
    return n;
}

int raw_is_gpu_like(cl_device_type type)
{
    return (type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) != 0;
}
