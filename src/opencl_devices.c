/*
 * OpenCL device discovery: loads the ICD loader, walks every platform and device, and records
 * the facts selection and listing need (type, compute units, clock, memory sizes, fp64, versions)
 * and whether each device can run einsumcl (available, has a compiler, OpenCL 1.2 or newer).
 */
#include "opencl_devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

#define MAX_PLATFORMS 64
#define MAX_DEVICES_PER_PLATFORM 64

/* Copies a string property into buf (cap bytes), truncating long values; "" when unavailable.
 * Properties up to 16 KiB are read on the stack, so a failed host allocation cannot blank a
 * device's name or version (which would make it look unusable instead of reporting the failure). */
static void info_string(cl_int (*get)(void *, cl_uint, size_t, void *, size_t *), void *obj,
                        cl_uint param, char *buf, size_t cap)
{
    buf[0] = '\0';
    size_t size = 0;
    if (get(obj, param, 0, NULL, &size) != CL_SUCCESS || size == 0)
        return;
    char local[16384];
    char *tmp = size < sizeof local ? local : ecl_malloc(size + 1);
    if (!tmp)
        return;
    if (get(obj, param, size, tmp, NULL) == CL_SUCCESS) {
        tmp[size] = '\0';
        size_t n = strnlen(tmp, cap - 1);
        memcpy(buf, tmp, n);
        buf[n] = '\0';
    }
    if (tmp != local)
        ecl_free(tmp);
}

static cl_int get_device_info(void *obj, cl_uint param, size_t size, void *value, size_t *ret)
{
    return clGetDeviceInfo((cl_device_id)obj, param, size, value, ret);
}

static cl_int get_platform_info(void *obj, cl_uint param, size_t size, void *value, size_t *ret)
{
    return clGetPlatformInfo((cl_platform_id)obj, param, size, value, ret);
}

const char *ecl_ocl_device_type_name(cl_device_type type)
{
    if (type & CL_DEVICE_TYPE_GPU)
        return "GPU";
    if (type & CL_DEVICE_TYPE_ACCELERATOR)
        return "accelerator";
    if (type & CL_DEVICE_TYPE_CPU)
        return "CPU";
    return "custom";
}

ecl_status ecl_ocl_query_device(cl_device_id device, ecl_ocl_device_info *info, ecl_error *err)
{
    memset(info, 0, sizeof *info);
    cl_int rc = clGetDeviceInfo(device, CL_DEVICE_TYPE, sizeof info->type, &info->type, NULL);
    if (rc != CL_SUCCESS)
        return ecl_fail(err, ECL_ERROR_UNAVAILABLE, "clGetDeviceInfo(CL_DEVICE_TYPE) failed: %s (%d)",
                        ecl_ocl_error_name(rc), (int)rc);
    info_string(get_device_info, device, CL_DEVICE_NAME, info->name, sizeof info->name);
    info_string(get_device_info, device, CL_DEVICE_VENDOR, info->vendor, sizeof info->vendor);
    info_string(get_device_info, device, CL_DRIVER_VERSION, info->driver_version,
                sizeof info->driver_version);
    info_string(get_device_info, device, CL_DEVICE_VERSION, info->device_version,
                sizeof info->device_version);
    clGetDeviceInfo(device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof info->compute_units,
                    &info->compute_units, NULL);
    clGetDeviceInfo(device, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof info->clock_mhz, &info->clock_mhz,
                    NULL);
    clGetDeviceInfo(device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof info->global_mem, &info->global_mem,
                    NULL);
    clGetDeviceInfo(device, CL_DEVICE_LOCAL_MEM_SIZE, sizeof info->local_mem, &info->local_mem, NULL);
    clGetDeviceInfo(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof info->max_alloc, &info->max_alloc,
                    NULL);
    clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof info->max_work_group,
                    &info->max_work_group, NULL);
    cl_device_fp_config fp64 = 0;
    clGetDeviceInfo(device, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof fp64, &fp64, NULL);
    char extensions[8192];
    info_string(get_device_info, device, CL_DEVICE_EXTENSIONS, extensions, sizeof extensions);
    info->has_fp64 = fp64 != 0 || strstr(extensions, "cl_khr_fp64") != NULL;
    cl_platform_id platform = NULL;
    if (clGetDeviceInfo(device, CL_DEVICE_PLATFORM, sizeof platform, &platform, NULL) == CL_SUCCESS)
        info_string(get_platform_info, platform, CL_PLATFORM_NAME, info->platform_name,
                    sizeof info->platform_name);
    return ECL_SUCCESS;
}

/* Why the device cannot run einsumcl, or NULL when it can. */
static const char *unusable_reason(cl_device_id device, const ecl_ocl_device_info *info)
{
    cl_bool available = CL_FALSE, compiler = CL_FALSE;
    clGetDeviceInfo(device, CL_DEVICE_AVAILABLE, sizeof available, &available, NULL);
    clGetDeviceInfo(device, CL_DEVICE_COMPILER_AVAILABLE, sizeof compiler, &compiler, NULL);
    if (!available)
        return "the device reports itself unavailable";
    if (!compiler)
        return "the device has no OpenCL C compiler";
    int major = 0, minor = 0;
    if (sscanf(info->device_version, "OpenCL %d.%d", &major, &minor) != 2 ||
        major * 10 + minor < 12)
        return "the device does not support OpenCL 1.2";
    return NULL;
}

static void fill_entry(ecl_ocl_device_entry *e, int p, int d, cl_platform_id platform,
                       cl_device_id device, ecl_error *err)
{
    memset(e, 0, sizeof *e);
    e->platform_index = p;
    e->device_index = d;
    e->platform = platform;
    e->device = device;
    info_string(get_platform_info, platform, CL_PLATFORM_VERSION, e->platform_version,
                sizeof e->platform_version);
    if (!device) {
        info_string(get_platform_info, platform, CL_PLATFORM_NAME, e->info.platform_name,
                    sizeof e->info.platform_name);
        return;
    }
    if (ecl_ocl_query_device(device, &e->info, err) != ECL_SUCCESS) {
        snprintf(e->unusable_reason, sizeof e->unusable_reason, "its properties cannot be queried");
        return;
    }
    cl_bool unified = CL_FALSE;
    clGetDeviceInfo(device, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, NULL);
    e->host_unified = unified != CL_FALSE;
    const char *why = unusable_reason(device, &e->info);
    e->usable = why == NULL;
    if (why)
        snprintf(e->unusable_reason, sizeof e->unusable_reason, "%s", why);
}

void ecl_ocl_device_list_free(ecl_ocl_device_list *list)
{
    if (!list)
        return;
    ecl_free(list->entries);
    memset(list, 0, sizeof *list);
}

ecl_status ecl_ocl_list_devices(ecl_error *err, ecl_ocl_device_list *out)
{
    memset(out, 0, sizeof *out);
    ecl_status st = ecl_cl_load(err);
    if (st != ECL_SUCCESS)
        return st;
    cl_platform_id platforms[MAX_PLATFORMS];
    cl_uint num_platforms = 0;
    cl_int rc = clGetPlatformIDs(MAX_PLATFORMS, platforms, &num_platforms);
    if (rc != CL_SUCCESS || num_platforms == 0)
        return ecl_fail(err, ECL_ERROR_UNAVAILABLE, "no OpenCL platform found (clGetPlatformIDs: %s (%d))",
                        ecl_ocl_error_name(rc), (int)rc);
    if (num_platforms > MAX_PLATFORMS)
        num_platforms = MAX_PLATFORMS;
    out->entries = ecl_calloc((size_t)num_platforms * MAX_DEVICES_PER_PLATFORM, sizeof *out->entries);
    if (!out->entries)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate the OpenCL device list");
    out->num_platforms = (int)num_platforms;
    ecl_error scratch;  /* per-device query failures only mark the device unusable */
    for (cl_uint p = 0; p < num_platforms; p++) {
        cl_device_id devices[MAX_DEVICES_PER_PLATFORM];
        cl_uint n = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES_PER_PLATFORM, devices, &n) !=
            CL_SUCCESS)
            n = 0;
        if (n > MAX_DEVICES_PER_PLATFORM)
            n = MAX_DEVICES_PER_PLATFORM;
        if (n == 0)
            fill_entry(&out->entries[out->count++], (int)p, -1, platforms[p], NULL, &scratch);
        for (cl_uint d = 0; d < n; d++)
            fill_entry(&out->entries[out->count++], (int)p, (int)d, platforms[p], devices[d], &scratch);
    }
    return ECL_SUCCESS;
}
