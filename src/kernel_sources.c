/*
 * Assembles the OpenCL program source of a kernel family from its files: the copies embedded at
 * build time, or, for kernel development, the *.cl files of a directory read at run time
 * (ECL_KERNEL_DIR, or the source tree's kernels/ when the library was built with
 * -DECL_KERNELS_FROM_DISK=ON; the tensor-core family from its mma/ subdirectory).
 */
#include "kernel_sources.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

typedef struct text_buf {
    char *data;
    size_t len, cap;
    int failed;
} text_buf;

static void append(text_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = ecl_realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void append_file(text_buf *b, const char *name, const char *text, size_t length)
{
    char line[300];
    int n = snprintf(line, sizeof line, "#line 1 \"%.200s\"\n", name);
    append(b, line, (size_t)n);
    append(b, text, length);
    append(b, "\n", 1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_kernel_file(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".cl") == 0 && name[0] != '.';
}

static ecl_status read_whole_file(ecl_error *err, const char *path, char **text, size_t *length)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ecl_fail(err, ECL_ERROR_IO, "cannot open the kernel file %s", path);
    text_buf b = {0};
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        append(&b, chunk, got);
    int bad = ferror(f);
    fclose(f);
    if (bad || b.failed) {
        ecl_free(b.data);
        return ecl_fail(err, bad ? ECL_ERROR_IO : ECL_ERROR_OUT_OF_MEMORY,
                        "cannot read the kernel file %s", path);
    }
    *text = b.data ? b.data : ecl_calloc(1, 1);
    *length = b.len;
    return *text ? ECL_SUCCESS : ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "out of memory");
}

/* Appends every .cl file of dir in name order; prefix goes in front of each name in the #line
 * directives ("mma/" for the tensor-core family). */
static ecl_status gather_directory(ecl_error *err, const char *dir, const char *prefix, text_buf *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return ecl_fail(err, ECL_ERROR_IO, "cannot open the kernel directory %s", dir);
    char **names = NULL;
    size_t count = 0, cap = 0;
    ecl_status st = ECL_SUCCESS;
    struct dirent *entry;
    while (st == ECL_SUCCESS && (entry = readdir(d)) != NULL) {
        if (!is_kernel_file(entry->d_name))
            continue;
        if (count == cap) {
            char **grown = ecl_realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
            if (!grown) {
                st = ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "out of memory listing %s", dir);
                break;
            }
            names = grown;
        }
        if (!(names[count] = ecl_strdup(entry->d_name)))
            st = ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "out of memory listing %s", dir);
        else
            count++;
    }
    closedir(d);
    if (st == ECL_SUCCESS && count == 0)
        st = ecl_fail(err, ECL_ERROR_BACKEND, "the kernel directory %s holds no .cl file", dir);
    if (count > 1)
        qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count && st == ECL_SUCCESS; i++) {
        char path[4096], name[300], *text = NULL;
        size_t length = 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(name, sizeof name, "%s%s", prefix, names[i]);
        if ((st = read_whole_file(err, path, &text, &length)) == ECL_SUCCESS)
            append_file(out, name, text, length);
        ecl_free(text);
    }
    for (size_t i = 0; i < count; i++)
        ecl_free(names[i]);
    ecl_free(names);
    return st;
}

/* The run-time kernel directory, or NULL for the embedded sources. */
static const char *kernel_directory(void)
{
    const char *env = getenv("ECL_KERNEL_DIR");
    if (env && *env)
        return env;
#ifdef ECL_KERNEL_SOURCE_DIR
    return ECL_KERNEL_SOURCE_DIR;
#else
    return NULL;
#endif
}

ecl_status ecl_kernel_family_source(ecl_error *err, ecl_kernel_family family, char **text,
                                    size_t *length, char *origin, size_t origin_cap)
{
    *text = NULL;
    *length = 0;
    text_buf b = {0};
    const char *dir = kernel_directory();
    const char *sub = family == ECL_KERNELS_MMA ? "mma/" : "";
    ecl_status st = ECL_SUCCESS;
    if (dir) {
        snprintf(origin, origin_cap, family == ECL_KERNELS_MMA ? "%s/mma" : "%s", dir);
        st = gather_directory(err, origin, sub, &b);
    } else {
        snprintf(origin, origin_cap, "embedded");
        const ecl_kernel_source *table =
            family == ECL_KERNELS_MMA ? ecl_embedded_mma_kernels : ecl_embedded_kernels;
        for (const ecl_kernel_source *k = table; k->name; k++)
            append_file(&b, k->name, k->text, k->length);
        if (b.len == 0)
            st = ecl_fail(err, ECL_ERROR_BACKEND,
                          "this build of einsumcl embeds no OpenCL kernels (kernels/%s held no .cl "
                          "file)", sub);
    }
    if (st == ECL_SUCCESS && b.failed)
        st = ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "out of memory assembling the kernel source");
    if (st != ECL_SUCCESS) {
        ecl_free(b.data);
        return st;
    }
    *text = b.data;
    *length = b.len;
    return ECL_SUCCESS;
}

ecl_status ecl_kernel_program_source(ecl_error *err, char **text, size_t *length, char *origin,
                                     size_t origin_cap)
{
    return ecl_kernel_family_source(err, ECL_KERNELS_MAIN, text, length, origin, origin_cap);
}
