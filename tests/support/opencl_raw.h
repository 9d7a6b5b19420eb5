/*
 * The OpenCL devices as the OpenCL API itself reports them (through the library's run-time
 * loader, but none of its discovery code), for tests that check discovery, selection and interop
 * against an independent view.
 */
#ifndef ECL_TEST_OPENCL_RAW_H
#define ECL_TEST_OPENCL_RAW_H

#include "opencl_loader.h" /* first: it fixes the OpenCL target version */

typedef struct raw_device {
    int p, d;  /* platform and device index: the "P:D" spec */
    char name[256];
    cl_device_type type;
    cl_platform_id platform;
    cl_device_id device;
} raw_device;

/* Fills out with every device (up to cap) in P:D order and returns the count; skips the test
 * (ecl_test_skip_no_opencl) when OpenCL or a device is missing. */
int raw_devices(raw_device *out, int cap);

/* A GPU or an accelerator: what the automatic choice looks for. */
int raw_is_gpu_like(cl_device_type type);

#endif /* ECL_TEST_OPENCL_RAW_H */
