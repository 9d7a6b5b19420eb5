/*
 * OpenCL device discovery and selection, shared by the backend (which opens the chosen device),
 * the public device listing (device_list.c) and `einsumcl devices`. Devices are numbered "P:D":
 * platform index in clGetPlatformIDs order, device index in clGetDeviceIDs(CL_DEVICE_TYPE_ALL)
 * order.
 */
#ifndef ECL_OPENCL_DEVICES_H
#define ECL_OPENCL_DEVICES_H

#include "opencl_backend.h"

typedef struct ecl_ocl_device_entry {
    int platform_index;
    int device_index;           /* -1: a platform that has no device */
    cl_platform_id platform;
    cl_device_id device;
    ecl_ocl_device_info info;   /* platform_name is set even when device_index is -1 */
    char platform_version[128];
    int host_unified;           /* shares host memory (integrated GPU, CPU device) */
    int usable;                 /* available, has a compiler, OpenCL 1.2 or newer */
    char unusable_reason[96];   /* why not, when !usable */
} ecl_ocl_device_entry;

typedef struct ecl_ocl_device_list {
    ecl_ocl_device_entry *entries;
    int count;
    int num_platforms;
} ecl_ocl_device_list;

/* Loads the ICD loader and lists every device of every platform. ECL_ERROR_UNAVAILABLE when the
 * loader cannot be loaded or reports no platform; the list is then empty. */
ecl_status ecl_ocl_list_devices(ecl_error *err, ecl_ocl_device_list *out);
void ecl_ocl_device_list_free(ecl_ocl_device_list *list);

/* Fills the facts of one device (and its platform's name). */
ecl_status ecl_ocl_query_device(cl_device_id device, ecl_ocl_device_info *info, ecl_error *err);

/* Chooses an entry of the list (opencl_device_select.c). spec NULL, "" or "auto": the best usable
 * GPU or accelerator (discrete before integrated, then compute units x clock, then global memory),
 * or with allow_cpu_devices the best usable device of any type. "P:D": that device. Otherwise the
 * best device whose name contains spec, ignoring case (naming a device allows CPU devices).
 * Failures: ECL_ERROR_INVALID_ARGUMENT when spec names no existing device (the message lists the
 * devices), ECL_ERROR_UNAVAILABLE when no suitable device exists or the named one is unusable. */
ecl_status ecl_ocl_select_device(const ecl_ocl_device_list *list, const char *spec,
                                 int allow_cpu_devices, ecl_error *err, int *index);

/* "GPU", "CPU", "accelerator" or "custom". */
const char *ecl_ocl_device_type_name(cl_device_type type);

#endif /* ECL_OPENCL_DEVICES_H */
