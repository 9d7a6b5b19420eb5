/*
 * Choosing an OpenCL device from the list: the automatic choice (largest GPU or accelerator; CPU
 * devices only when OpenCL was asked for), "P:D" indices, or a case-insensitive name substring.
 * Errors name the spec and list the devices that exist, so a typo is easy to fix.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl_devices.h"

static int is_gpu_like(const ecl_ocl_device_entry *e)
{
    return (e->info.type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) != 0;
}

/* Nonzero when a is a better choice than b: GPUs and accelerators before other types, discrete
 * before integrated (an integrated GPU may report more, smaller compute units), then compute units
 * x clock, then global memory. */
static int better(const ecl_ocl_device_entry *a, const ecl_ocl_device_entry *b)
{
    if (is_gpu_like(a) != is_gpu_like(b))
        return is_gpu_like(a);
    if (a->host_unified != b->host_unified)
        return !a->host_unified;
    uint64_t pa = (uint64_t)a->info.compute_units * a->info.clock_mhz;
    uint64_t pb = (uint64_t)b->info.compute_units * b->info.clock_mhz;
    if (pa != pb)
        return pa > pb;
    return a->info.global_mem > b->info.global_mem;
}

static int contains_ignoring_case(const char *text, const char *needle)
{
    size_t n = strlen(needle);
    for (; *text; text++) {
        size_t k = 0;
        while (k < n && text[k] &&
               tolower((unsigned char)text[k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == n)
            return 1;
    }
    return n == 0;
}

/* Parses "P:D" (decimal indices); 0 when spec has another form. */
static int parse_indices(const char *spec, int *p, int *d)
{
    const char *s = spec;
    if (!isdigit((unsigned char)*s))
        return 0;
    char *end;
    long pl = strtol(s, &end, 10);
    if (*end != ':' || !isdigit((unsigned char)end[1]))
        return 0;
    long dl = strtol(end + 1, &end, 10);
    if (*end != '\0' || pl > 1000000 || dl > 1000000)
        return 0;
    *p = (int)pl;
    *d = (int)dl;
    return 1;
}

/* "0:0 name (GPU), 0:1 ..." into buf, for error messages. */
static void describe_devices(const ecl_ocl_device_list *list, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < list->count && used + 1 < cap; i++) {
        const ecl_ocl_device_entry *e = &list->entries[i];
        int n = e->device_index < 0
                    ? snprintf(buf + used, cap - used, "%splatform %d (%s) has no device",
                               used ? ", " : "", e->platform_index, e->info.platform_name)
                    : snprintf(buf + used, cap - used, "%s%d:%d %s (%s)", used ? ", " : "",
                               e->platform_index, e->device_index, e->info.name,
                               ecl_ocl_device_type_name(e->info.type));
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (used >= cap && cap > 4)
        strcpy(buf + cap - 4, "...");
}

static ecl_status select_auto(const ecl_ocl_device_list *list, int allow_cpu, ecl_error *err,
                              int *index)
{
    int best = -1;
    for (int i = 0; i < list->count; i++) {
        const ecl_ocl_device_entry *e = &list->entries[i];
        if (e->device_index < 0 || !e->usable || (!allow_cpu && !is_gpu_like(e)))
            continue;
        if (best < 0 || better(e, &list->entries[best]))
            best = i;
    }
    if (best >= 0) {
        *index = best;
        return ECL_SUCCESS;
    }
    char devices[600];
    describe_devices(list, devices, sizeof devices);
    if (!allow_cpu)
        return ecl_fail(err, ECL_ERROR_UNAVAILABLE,
                        "no usable OpenCL GPU or accelerator (CPU devices are used only when OpenCL "
                        "is asked for); devices: %s", devices[0] ? devices : "none");
    return ecl_fail(err, ECL_ERROR_UNAVAILABLE, "no usable OpenCL device; devices: %s",
                    devices[0] ? devices : "none");
}

static ecl_status check_usable(const ecl_ocl_device_entry *e, ecl_error *err, int *index, int i)
{
    if (!e->usable)
        return ecl_fail(err, ECL_ERROR_UNAVAILABLE, "OpenCL device %d:%d (%s) cannot be used: %s",
                        e->platform_index, e->device_index, e->info.name, e->unusable_reason);
    *index = i;
    return ECL_SUCCESS;
}

ecl_status ecl_ocl_select_device(const ecl_ocl_device_list *list, const char *spec,
                                 int allow_cpu_devices, ecl_error *err, int *index)
{
    *index = -1;
    if (!spec || !*spec || strcmp(spec, "auto") == 0)
        return select_auto(list, allow_cpu_devices, err, index);
    char devices[600];
    describe_devices(list, devices, sizeof devices);
    int p, d;
    if (parse_indices(spec, &p, &d)) {
        for (int i = 0; i < list->count; i++) {
            const ecl_ocl_device_entry *e = &list->entries[i];
            if (e->platform_index == p && e->device_index == d)
                return check_usable(e, err, index, i);
        }
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "OpenCL device '%s' does not exist (%d platform%s; devices: %s)", spec,
                        list->num_platforms, list->num_platforms == 1 ? "" : "s", devices);
    }
    int best = -1, unusable = -1;
    for (int i = 0; i < list->count; i++) {
        const ecl_ocl_device_entry *e = &list->entries[i];
        if (e->device_index < 0 || !contains_ignoring_case(e->info.name, spec))
            continue;
        if (!e->usable)
            unusable = unusable < 0 ? i : unusable;
        else if (best < 0 || better(e, &list->entries[best]))
            best = i;
    }
    if (best >= 0) {
        *index = best;
        return ECL_SUCCESS;
    }
    if (unusable >= 0)
        return check_usable(&list->entries[unusable], err, index, unusable);
    return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                    "no OpenCL device name contains '%s' (use P:D indices or a name substring; "
                    "devices: %s)", spec, devices[0] ? devices : "none");
}
