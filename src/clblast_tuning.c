/*
 * Applying tuned CLBlast parameters to a backend's device (see clblast_tuning.h): picking, per
 * CLBlast kernel and precision, the fastest tuning result whose vendor and device name match, and
 * passing its parameters to CLBlastOverrideParameters. It must happen before CLBlast's first
 * GEMM on the device in this process: CLBlast compiles a routine's program once per context and
 * keeps it, so later overrides would only reach contexts created afterwards.
 */
#include "clblast_tuning.h"
#include "alloc.h"

#include "opencl_gemm_select.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 16

static void note(const char *fmt, ...)
{
    const char *v = getenv("ECL_VERBOSE");
    if (!v || !*v || strcmp(v, "0") == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("einsumcl: clblast tuning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int ecl_tuning_parse_params(const char *text, ecl_tuning_params *out, char *why, size_t why_cap)
{
    out->count = 0;
    const char *p = text ? text : "";
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return 0;
        const char *name = p;
        while (isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')
            p++;
        size_t len = (size_t)(p - name);
        const char *digits = p + 1;
        char *end = NULL;
        unsigned long long v = 0;
        if (*p == '=' && isdigit((unsigned char)*digits))
            v = strtoull(digits, &end, 10);
        int bad_end = !end || (*end && *end != ' ' && *end != '\t');
        if (len == 0 || len >= ECL_TUNING_NAME_CAP || bad_end) {
            snprintf(why, why_cap, "expected NAME=VALUE (upper-case name, decimal value) at \"%.24s\"",
                     name);
            return -1;
        }
        p = end;
        if (len == 9 && strncmp(name, "PRECISION", 9) == 0)
            continue;
        for (int i = 0; i < out->count; i++)
            if (strlen(out->name[i]) == len && strncmp(out->name[i], name, len) == 0) {
                snprintf(why, why_cap, "parameter %.*s is given twice", (int)len, name);
                return -1;
            }
        if (out->count == ECL_TUNING_MAX_PARAMS) {
            snprintf(why, why_cap, "more than %d parameters", ECL_TUNING_MAX_PARAMS);
            return -1;
        }
        memcpy(out->name[out->count], name, len);
        out->name[out->count][len] = '\0';
        out->value[out->count++] = (size_t)v;
    }
}

const char *ecl_tuning_kernel_name(const char *family)
{
    static const char *const map[][2] = {
        {"xgemm", "Xgemm"}, {"xgemm_direct", "XgemmDirect"}, {"copy", "Copy"},
        {"pad", "Pad"}, {"transpose", "Transpose"}, {"padtranspose", "Padtranspose"}};
    if (!family)
        return NULL;
    size_t len = strlen(family); /* the tuner appends _<variant> ("xgemm_11"): drop it */
    size_t cut = len;
    while (cut > 0 && isdigit((unsigned char)family[cut - 1]))
        cut--;
    if (cut < len && cut > 0 && family[cut - 1] == '_')
        len = cut - 1;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i][0]) == len && strncmp(map[i][0], family, len) == 0)
            return map[i][1];
    return NULL;
}

/* Equal up to trailing blanks (drivers pad CL_DEVICE_NAME on some platforms). */
static int same_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 0 && isspace((unsigned char)a[la - 1]))
        la--;
    while (lb > 0 && isspace((unsigned char)b[lb - 1]))
        lb--;
    return la == lb && strncmp(a, b, la) == 0;
}

static int matches(const ecl_ocl_backend *be, const ecl_clblast_tuning_entry *e)
{
    return same_name(e->device_name, be->info.name) &&
           same_name(e->device_vendor, be->info.vendor) && ecl_tuning_kernel_name(e->kernel_family);
}

/* The entries of ECL_CLBLAST_TUNING_FILE (paths separated by ':'); unreadable files are skipped. */
static int read_files(const char *list, ecl_clblast_tuning_entry *entries, char **storage)
{
    int n = 0;
    char path[1024];
    while (*list && n < MAX_FILES) {
        size_t len = strcspn(list, ":");
        if (len > 0 && len < sizeof path) {
            memcpy(path, list, len);
            path[len] = '\0';
            char why[512];
            if (ecl_tuning_read_file(path, &entries[n], &storage[n], why, sizeof why) == 0)
                n++;
            else
                note("%s", why);
        }
        list += len + (list[len] == ':');
    }
    return n;
}

static void apply_entry(ecl_ocl_backend *be, const ecl_clblast_api *api,
                        const ecl_clblast_tuning_entry *e, ecl_ocl_gemm_state *state)
{
    const char *kernel = ecl_tuning_kernel_name(e->kernel_family);
    ecl_tuning_params params;
    char why[256];
    if (ecl_tuning_parse_params(e->best_parameters, &params, why, sizeof why) != 0) {
        note("%s: best_parameters: %s", e->source, why);
        return;
    }
    if (e->precision == 64 && !be->info.has_fp64)
        return;
    const char *names[ECL_TUNING_MAX_PARAMS];
    for (int i = 0; i < params.count; i++)
        names[i] = params.name[i];
    CLBlastStatusCode code = api->OverrideParameters(be->device, kernel,
                                                     (CLBlastPrecision)e->precision,
                                                     (size_t)params.count, names, params.value);
    if (code == CLBlastSuccess) {
        state->tuning_applied++;
        note("%s for %s (precision %d) from %s", kernel, be->info.name, e->precision, e->source);
    } else {
        const char *name = ecl_clblast_status_name(code);
        note("CLBlastOverrideParameters(%s, precision %d) from %s failed: %s (%d)", kernel,
             e->precision, e->source, name ? name : ecl_ocl_error_name((cl_int)code), (int)code);
    }
}

void ecl_clblast_apply_tuning(ecl_ocl_backend *be, const ecl_clblast_api *api)
{
    ecl_ocl_gemm_state *state = NULL;
    if (ecl_ocl_gemm_state_get(be, &state) != ECL_SUCCESS || state->tuning_done)
        return;
    state->tuning_done = 1;
    const char *off = getenv("ECL_CLBLAST_TUNING");
    if (off && strcmp(off, "0") == 0)
        return;
    if (!api->OverrideParameters) {
        note("this CLBlast lacks CLBlastOverrideParameters; its defaults stay");
        return;
    }
    ecl_clblast_tuning_entry file_entries[MAX_FILES];
    char *storage[MAX_FILES] = {0};
    const ecl_clblast_tuning_entry *entries = ecl_clblast_tuning_table;
    int n = 0;
    const char *files = getenv("ECL_CLBLAST_TUNING_FILE");
    if (files && *files) {
        n = read_files(files, file_entries, storage);
        entries = file_entries;
    } else {
        while (ecl_clblast_tuning_table[n].device_name)
            n++;
    }
    for (int i = 0; i < n; i++) {
        const ecl_clblast_tuning_entry *e = &entries[i];
        if (!matches(be, e))
            continue;
        int best = 1; /* the fastest matching result for this kernel and precision (first on ties) */
        for (int j = 0; j < n && best; j++) {
            const ecl_clblast_tuning_entry *o = &entries[j];
            if (j != i && matches(be, o) && o->precision == e->precision &&
                strcmp(ecl_tuning_kernel_name(o->kernel_family),
                       ecl_tuning_kernel_name(e->kernel_family)) == 0 &&
                (o->best_time < e->best_time || (o->best_time == e->best_time && j < i)))
                best = 0;
        }
        if (best)
            apply_entry(be, api, e, state);
    }
    for (int i = 0; i < MAX_FILES; i++)
        ecl_free(storage[i]);
}
