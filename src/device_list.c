/*
 * The public OpenCL device listing (ecl_device_list): the discovery list of opencl_devices.c in
 * the public ecl_device_info form, with the entry the automatic backend choice would open, decided
 * by the same rules and environment variables as context creation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_env.h"
#include "opencl_devices.h"
#include "alloc.h"

const char *ecl_device_type_name(ecl_device_type type)
{
    switch (type) {
    case ECL_DEVICE_CPU: return "CPU";
    case ECL_DEVICE_GPU: return "GPU";
    case ECL_DEVICE_ACCELERATOR: return "accelerator";
    case ECL_DEVICE_OTHER: return "other";
    }
    return "other";
}

static ecl_device_type public_type(cl_device_type type)
{
    if (type & CL_DEVICE_TYPE_GPU)
        return ECL_DEVICE_GPU;
    if (type & CL_DEVICE_TYPE_ACCELERATOR)
        return ECL_DEVICE_ACCELERATOR;
    if (type & CL_DEVICE_TYPE_CPU)
        return ECL_DEVICE_CPU;
    return ECL_DEVICE_OTHER;
}

static void to_public(const ecl_ocl_device_entry *e, ecl_device_info *d)
{
    memset(d, 0, sizeof *d);
    d->platform = e->platform_index;
    d->device = e->device_index;
    snprintf(d->platform_name, sizeof d->platform_name, "%s", e->info.platform_name);
    snprintf(d->platform_version, sizeof d->platform_version, "%s", e->platform_version);
    if (e->device_index < 0)
        return;
    d->type = public_type(e->info.type);
    snprintf(d->name, sizeof d->name, "%s", e->info.name);
    snprintf(d->vendor, sizeof d->vendor, "%s", e->info.vendor);
    snprintf(d->version, sizeof d->version, "%s", e->info.device_version);
    snprintf(d->driver_version, sizeof d->driver_version, "%s", e->info.driver_version);
    d->compute_units = e->info.compute_units;
    d->clock_mhz = e->info.clock_mhz;
    d->global_mem_bytes = e->info.global_mem;
    d->local_mem_bytes = e->info.local_mem;
    d->max_alloc_bytes = e->info.max_alloc;
    d->fp64 = e->info.has_fp64;
    d->usable = e->usable;
    snprintf(d->unusable_reason, sizeof d->unusable_reason, "%s", e->unusable_reason);
}

/* The entry an AUTO context would open, or -1 for the CPU path. */
static int auto_choice(const ecl_ocl_device_list *list)
{
    ecl_error scratch;
    ecl_backend_kind kind = ECL_BACKEND_AUTO;
    if (ecl_env_backend(&kind, &scratch) != ECL_SUCCESS || kind == ECL_BACKEND_CPU)
        return -1;
    int index = -1;
    if (ecl_ocl_select_device(list, ecl_env_device(NULL), kind == ECL_BACKEND_OPENCL, &scratch,
                              &index) != ECL_SUCCESS)
        return -1;
    return index;
}

ecl_status ecl_device_list(ecl_device_info **devices, int *count, int *auto_index)
{
    if (devices)
        *devices = NULL;
    if (count)
        *count = 0;
    if (auto_index)
        *auto_index = -1;
    ecl_error *err = ecl_create_error();
    ecl_error_clear(err);
    if (!devices || !count)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_device_list: devices or count is NULL");
    ecl_ocl_device_list list;
    ecl_status st = ecl_ocl_list_devices(err, &list);
    if (st != ECL_SUCCESS)
        return st;
    ecl_device_info *out = ecl_calloc((size_t)list.count, sizeof *out);
    if (!out) {
        ecl_ocl_device_list_free(&list);
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate the device list");
    }
    for (int i = 0; i < list.count; i++)
        to_public(&list.entries[i], &out[i]);
    if (auto_index)
        *auto_index = auto_choice(&list);
    *devices = out;
    *count = list.count;
    ecl_ocl_device_list_free(&list);
    return ECL_SUCCESS;
}

void ecl_device_list_free(ecl_device_info *devices)
{
    ecl_free(devices);
}
