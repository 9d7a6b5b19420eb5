/*
 * The OpenCL program cache: programs built once per backend, binaries stored on disk and reused by
 * the next backend (observed through the cache file's inode and time stamp, and by running the
 * loaded kernel), damaged cache files rebuilt, unusable cache directories ignored, the XDG and HOME
 * fallbacks, build failures reported with the compiler's log, float64 refused without cl_khr_fp64,
 * kernel files concatenated in file-name order, and the embedded sources equal to the .cl files
 * of kernels/.
 * Small scratch kernels (ECL_KERNEL_DIR) keep the compile time low.
 */
#include <criterion/criterion.h>

#include "opencl_backend.h" /* first: it fixes the OpenCL target version */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>
#include <unistd.h>

#include "backend_select.h"
#include "kernel_sources.h"

static char work[4096], kernel_dir[4200], cache_dir[4200];
static ecl_error err;
static ecl_backend *be;

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot create %s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* Two files whose order matters: b.cl uses the macro a.cl defines. */
static const char a_cl[] = "#if PRECISION == 64\n#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n"
                           "typedef double real;\n#else\ntypedef float real;\n#endif\n"
                           "#define TEST_OFFSET 3\n";
static const char b_cl[] = "kernel void test_affine(global real *x, const real a)\n"
                           "{ const size_t i = get_global_id(0); x[i] = a * x[i] + TEST_OFFSET; }\n";

static void setup(void)
{
    unsetenv("ECL_DEVICE");
    snprintf(work, sizeof work, "%s/program-XXXXXX", ECL_TEST_TMPDIR);
    cr_assert_not_null(mkdtemp(work));
    snprintf(kernel_dir, sizeof kernel_dir, "%s/kernels", work);
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", work);
    cr_assert_eq(mkdir(kernel_dir, 0700), 0);
    char path[4300];
    snprintf(path, sizeof path, "%s/a.cl", kernel_dir);
    write_text(path, a_cl);
    snprintf(path, sizeof path, "%s/b.cl", kernel_dir);
    write_text(path, b_cl);
    setenv("ECL_KERNEL_DIR", kernel_dir, 1);
    setenv("ECL_CACHE_DIR", cache_dir, 1);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[8192];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void teardown(void)
{
    if (be)
        be->ops->destroy(be);
    be = NULL;
    remove_tree(work);
}

TestSuite(opencl_program, .init = setup, .fini = teardown);

static ecl_ocl_backend *open_backend(void)
{
    ecl_error_clear(&err);
    ecl_status st = ecl_backend_opencl_create(NULL, 1, &err, &be);
    if (st == ECL_ERROR_UNAVAILABLE)
        ecl_test_skip_no_opencl(err.message);
    cr_assert_eq(st, ECL_SUCCESS, "%s", err.message);
    return (ecl_ocl_backend *)be;
}

static void close_backend(void)
{
    be->ops->destroy(be);
    be = NULL;
}

/* The single *.bin file of dir (its path in out); fails unless there is exactly `expect`. */
static int cache_files(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        cr_expect(len > 4 && strcmp(e->d_name + len - 4, ".bin") == 0, "stray file %s", e->d_name);
        if (out)
            snprintf(out, cap, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

/* Runs test_affine on 8 elements of the backend's dtype and checks x = 2 * x + 3. */
static void run_affine(ecl_ocl_backend *b, cl_program program)
{
    cl_int rc;
    cl_kernel k = clCreateKernel(program, "test_affine", &rc);
    cr_assert_eq(rc, CL_SUCCESS, "clCreateKernel: %d", rc);
    float x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (float)i - 2.0f;
    void *mem = NULL;
    cr_assert_eq(b->base.ops->alloc(&b->base, sizeof x, &mem), ECL_SUCCESS);
    cr_assert_eq(b->base.ops->write(&b->base, mem, 0, x, sizeof x), ECL_SUCCESS);
    cl_mem m = mem;
    float a = 2.0f;
    size_t global = 8;
    clSetKernelArg(k, 0, sizeof m, &m);
    clSetKernelArg(k, 1, sizeof a, &a);
    cr_assert_eq(clEnqueueNDRangeKernel(b->queue, k, 1, NULL, &global, NULL, 0, NULL, NULL),
                 CL_SUCCESS);
    float y[8];
    cr_assert_eq(b->base.ops->read(&b->base, mem, 0, y, sizeof y), ECL_SUCCESS);
    for (int i = 0; i < 8; i++)
        cr_expect_eq(y[i], 2.0f * x[i] + 3.0f, "element %d", i);
    b->base.ops->free(&b->base, mem);
    clReleaseKernel(k);
}

Test(opencl_program, built_once_stored_then_loaded_from_disk)
{
    ecl_ocl_backend *b = open_backend();
    cl_program p1 = NULL, p2 = NULL;
    cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p1), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p2), ECL_SUCCESS);
    cr_expect_eq(p1, p2, "a program is built once per backend");
    run_affine(b, p1);
    close_backend();
    char file[8300];
    cr_assert_eq(cache_files(cache_dir, file, sizeof file), 1, "one binary in %s", cache_dir);

    /* Age the file: a hit leaves it alone, a miss would replace it with a new file. */
    struct stat before, after;
    struct utimbuf old = {.actime = 1000000000, .modtime = 1000000000};
    cr_assert_eq(utime(file, &old), 0);
    cr_assert_eq(stat(file, &before), 0);
    b = open_backend();
    cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p1), ECL_SUCCESS, "%s", err.message);
    run_affine(b, p1);
    close_backend();
    cr_assert_eq(stat(file, &after), 0);
    cr_expect_eq(after.st_ino, before.st_ino, "the cached binary was rebuilt instead of loaded");
    cr_expect_eq(after.st_mtime, before.st_mtime, "the cached binary was rewritten");
    cr_expect_eq(cache_files(cache_dir, NULL, 0), 1);
}

static void damage(const char *file, int truncate_it)
{
    struct stat st;
    cr_assert_eq(stat(file, &st), 0);
    FILE *f = fopen(file, "r+b");
    cr_assert_not_null(f);
    if (truncate_it) {
        cr_assert_eq(ftruncate(fileno(f), 12), 0);
    } else {
        cr_assert_eq(fseek(f, (long)st.st_size / 2, SEEK_SET), 0);
        for (int i = 0; i < 64; i++)
            fputc(0x5a ^ i, f);
    }
    cr_assert_eq(fclose(f), 0);
}

Test(opencl_program, damaged_cache_files_are_rebuilt)
{
    ecl_ocl_backend *b = open_backend();
    cl_program p = NULL;
    cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p), ECL_SUCCESS, "%s", err.message);
    close_backend();
    char file[8300];
    cr_assert_eq(cache_files(cache_dir, file, sizeof file), 1);
    for (int mode = 0; mode < 2; mode++) {
        damage(file, mode);
        struct stat before, after;
        cr_assert_eq(stat(file, &before), 0);
        b = open_backend();
        cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p), ECL_SUCCESS, "%s", err.message);
        run_affine(b, p);
        close_backend();
        cr_assert_eq(stat(file, &after), 0);
        cr_expect_neq(after.st_ino, before.st_ino, "the damaged file was not replaced");
        FILE *f = fopen(file, "rb");
        char magic[8] = {0};
        cr_assert_eq(fread(magic, 1, 8, f), 8);
        fclose(f);
        cr_expect_eq(memcmp(magic, "ECLBIN01", 8), 0);
    }
}

Test(opencl_program, unusable_cache_directory_is_ignored)
{
    char blocker[4300], below[4400];
    snprintf(blocker, sizeof blocker, "%s/a-file", work);
    write_text(blocker, "not a directory");
    snprintf(below, sizeof below, "%s/cache", blocker);
    setenv("ECL_CACHE_DIR", below, 1);
    ecl_ocl_backend *b = open_backend();
    cl_program p = NULL;
    cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p), ECL_SUCCESS, "%s", err.message);
    run_affine(b, p);
}

Test(opencl_program, xdg_and_home_cache_directories)
{
    char xdg[4300], home[4300], expect[4400];
    snprintf(xdg, sizeof xdg, "%s/xdg", work);
    snprintf(home, sizeof home, "%s/home", work);
    /* PoCL keeps its own kernel cache under the same variables: pin it where it was, so that
     * moving ours does not make PoCL recompile from scratch (slow, and LLVM leaks under LSan). */
    if (!getenv("POCL_CACHE_DIR")) {
        char pocl[4300];
        const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
        if (x && *x)
            snprintf(pocl, sizeof pocl, "%s/pocl/kcache", x);
        else
            snprintf(pocl, sizeof pocl, "%s/.cache/pocl/kcache", h ? h : "/tmp");
        setenv("POCL_CACHE_DIR", pocl, 1);
    }
    unsetenv("ECL_CACHE_DIR");
    setenv("XDG_CACHE_HOME", xdg, 1);
    ecl_ocl_backend *b = open_backend();
    cl_program p = NULL;
    cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p), ECL_SUCCESS, "%s", err.message);
    close_backend();
    snprintf(expect, sizeof expect, "%s/einsumcl", xdg);
    cr_expect_eq(cache_files(expect, NULL, 0), 1, "no binary under %s", expect);

    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", home, 1);
    b = open_backend();
    cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p), ECL_SUCCESS, "%s", err.message);
    snprintf(expect, sizeof expect, "%s/.cache/einsumcl", home);
    cr_expect_eq(cache_files(expect, NULL, 0), 1, "no binary under %s", expect);
}

Test(opencl_program, precisions_are_separate_programs_and_f64_needs_fp64)
{
    ecl_ocl_backend *b = open_backend();
    cl_program p32 = NULL, p64 = NULL;
    cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p32), ECL_SUCCESS, "%s", err.message);
    if (b->info.has_fp64) {
        cr_assert_eq(ecl_ocl_program_get(b, ECL_F64, &p64), ECL_SUCCESS, "%s", err.message);
        cr_expect_neq(p32, p64);
        cr_expect_eq(cache_files(cache_dir, NULL, 0), 2, "one binary per precision");
    }
    close_backend();
    b = open_backend();
    b->info.has_fp64 = 0; /* as on a device without cl_khr_fp64 */
    cr_expect_eq(ecl_ocl_program_get(b, ECL_F64, &p64), ECL_ERROR_DTYPE);
    cr_expect_null(p64);
    cr_expect_not_null(strstr(err.message, "cl_khr_fp64"), "%s", err.message);
    cr_expect_not_null(strstr(err.message, b->info.name), "%s", err.message);
    cr_expect_eq(ecl_ocl_program_get(b, (ecl_dtype)5, &p64), ECL_ERROR_DTYPE);
}

Test(opencl_program, build_failure_reports_the_log)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/c_broken.cl", kernel_dir);
    write_text(path, "kernel void broken(global real *x) { x[0] = undeclared_name_xyz; }\n");
    ecl_ocl_backend *b = open_backend();
    cl_program p = NULL;
    cr_assert_eq(ecl_ocl_program_get(b, ECL_F32, &p), ECL_ERROR_BACKEND);
    cr_expect_null(p);
    cr_expect_not_null(strstr(err.message, "clBuildProgram"), "%s", err.message);
    cr_expect_not_null(strstr(err.message, "CL_BUILD_PROGRAM_FAILURE"), "%s", err.message);
    cr_expect_not_null(strstr(err.message, "undeclared_name_xyz"), "no build log: %s", err.message);
    cr_expect_not_null(strstr(err.message, "c_broken.cl"), "the file is not named: %s", err.message);
    cr_expect_eq(cache_files(cache_dir, NULL, 0), 0, "a failed build must not be cached");
    /* The backend stays usable, and fails the same way again. */
    void *mem = NULL;
    cr_expect_eq(b->base.ops->alloc(&b->base, 16, &mem), ECL_SUCCESS);
    b->base.ops->free(&b->base, mem);
    cr_expect_eq(ecl_ocl_program_get(b, ECL_F32, &p), ECL_ERROR_BACKEND);
}

Test(opencl_program, missing_or_empty_kernel_directory)
{
    char empty[4300];
    snprintf(empty, sizeof empty, "%s/empty", work);
    cr_assert_eq(mkdir(empty, 0700), 0);
    setenv("ECL_KERNEL_DIR", empty, 1);
    ecl_ocl_backend *b = open_backend();
    cl_program p = NULL;
    cr_expect_eq(ecl_ocl_program_get(b, ECL_F32, &p), ECL_ERROR_BACKEND);
    cr_expect_not_null(strstr(err.message, empty), "%s", err.message);
    setenv("ECL_KERNEL_DIR", "/nonexistent/einsumcl/kernels", 1);
    cr_expect_eq(ecl_ocl_program_get(b, ECL_F32, &p), ECL_ERROR_IO);
    cr_expect_not_null(strstr(err.message, "/nonexistent/einsumcl/kernels"), "%s", err.message);
}

/* The source tree's kernels/ directory, from this file's path (CMake passes absolute paths). */
static void source_kernel_dir(char *out, size_t cap)
{
    snprintf(out, cap, "%s", __FILE__);
    char *slash = strrchr(out, '/');
    cr_assert_not_null(slash);
    *slash = '\0';
    slash = strrchr(out, '/');
    cr_assert_not_null(slash);
    snprintf(slash, cap - (size_t)(slash - out), "/kernels");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(opencl_program, embedded_sources_equal_the_kernel_files)
{
    char dir[4096];
    source_kernel_dir(dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d)
        cr_skip_test("the source tree is not at %s", dir);
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 3 && strcmp(e->d_name + len - 3, ".cl") == 0 && e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    int k = 0;
    for (; ecl_embedded_kernels[k].name; k++) {
        cr_assert_lt(k, n, "embedded %s has no file in %s", ecl_embedded_kernels[k].name, dir);
        cr_expect_str_eq(ecl_embedded_kernels[k].name, names[k]);
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f);
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        rewind(f);
        char *text = malloc((size_t)size + 1);
        cr_assert_eq(fread(text, 1, (size_t)size, f), (size_t)size);
        fclose(f);
        cr_expect_eq(ecl_embedded_kernels[k].length, (size_t)size, "%s", names[k]);
        cr_expect_eq(memcmp(ecl_embedded_kernels[k].text, text, (size_t)size), 0, "%s", names[k]);
        cr_expect_eq(ecl_embedded_kernels[k].text[size], '\0');
        free(text);
    }
    cr_expect_eq(k, n, "%d files in %s, %d embedded", n, dir, k);
    for (int i = 0; i < n; i++)
        free(names[i]);

    /* Without ECL_KERNEL_DIR the program is assembled from the embedded copies, in order. */
    unsetenv("ECL_KERNEL_DIR");
    char *source = NULL, origin[256];
    size_t length = 0;
    ecl_error_clear(&err);
    cr_assert_eq(ecl_kernel_program_source(&err, &source, &length, origin, sizeof origin),
                 ECL_SUCCESS, "%s", err.message);
    if (strcmp(origin, "embedded") != 0) { /* built with -DECL_KERNELS_FROM_DISK=ON */
        free(source);
        return;
    }
    const char *at = source;
    for (int i = 0; ecl_embedded_kernels[i].name; i++) {
        char line[300];
        snprintf(line, sizeof line, "#line 1 \"%s\"\n", ecl_embedded_kernels[i].name);
        const char *found = strstr(at, line);
        cr_assert_not_null(found, "%s missing or out of order", ecl_embedded_kernels[i].name);
        at = found + strlen(line);
    }
    cr_expect_eq(strlen(source), length);
    free(source);
}
