/*
 * The einsumcl command on OpenCL: `einsumcl devices` (every device of ecl_device_list with its
 * facts, exactly one [auto] mark where the automatic choice lands, the fallback without an ICD
 * loader), and --backend / --device on eval and path (results checked against plain loops over
 * hand-written .npy inputs; bad or missing devices are one-line errors that leave no output file).
 * Runs the built binary with posix_spawn in a fresh directory per test.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend_select.h"
#include "cli_run.h"
#include "einsumcl.h"


static char tmp_dir[4096];

static void make_tmp_dir(void)
{
    unsetenv("ECL_BACKEND");
    unsetenv("ECL_DEVICE");
    ecl_test_use_kernel_cache(); /* inherited by the command: compiled kernels are reused */
    snprintf(tmp_dir, sizeof tmp_dir, "%s/cli-opencl-XXXXXX", ECL_TEST_TMPDIR);
    cr_assert_not_null(mkdtemp(tmp_dir));
}

static void remove_tmp_dir(void)
{
    DIR *dir = opendir(tmp_dir);
    if (!dir)
        return;
    struct dirent *e;
    char path[8192];
    while ((e = readdir(dir)) != NULL) {
        snprintf(path, sizeof path, "%s/%s", tmp_dir, e->d_name);
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlink(path);
    }
    closedir(dir);
    rmdir(tmp_dir);
}

TestSuite(cli_device, .init = make_tmp_dir, .fini = remove_tmp_dir);

static const char *tmp_path(const char *name)
{
    static char ring[16][4200];
    static int next;
    char *path = ring[next++ % 16];
    snprintf(path, sizeof ring[0], "%s/%s", tmp_dir, name);
    return path;
}

typedef ecl_cli_result cli_run;

/* Runs einsumcl with args (NULL-terminated) and extra "NAME=value" entries (NULL-terminated). */
static cli_run run(const char *const *args, const char *const *env)
{
    return ecl_cli_run(args, env, tmp_dir);
}

static void free_run(cli_run *r) { ecl_cli_result_free(r); }

static void expect_one_line_error(const cli_run *r, int status, const char *mention)
{
    cr_expect_eq(r->status, status, "exit status %d, stderr: %s", r->status, r->err);
    cr_expect_eq(strncmp(r->err, "einsumcl: ", 10), 0, "stderr: %s", r->err);
    const char *nl = strchr(r->err, '\n');
    cr_expect(nl && nl[1] == '\0', "not one line: %s", r->err);
    if (mention)
        cr_expect_not_null(strstr(r->err, mention), "'%s' not in: %s", mention, r->err);
}

static int count_of(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* ---- devices ---------------------------------------------------------------------------------- */

Test(cli_device, devices_lists_every_device_and_marks_auto)
{
    ecl_device_info *list = NULL;
    int count = 0, auto_index = -1;
    ecl_status listed = ecl_device_list(&list, &count, &auto_index);
    cli_run r = run((const char *[]){"devices", NULL}, NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_eq(count_of(r.out, "[auto]"), 1, "%s", r.out);
    cr_expect_not_null(strstr(r.out, "\nauto: "), "%s", r.out);
    if (listed != ECL_SUCCESS) {
        cr_expect_not_null(strstr(r.out, "\nopencl: unavailable ("), "%s", r.out);
        cr_expect_not_null(strstr(r.out, "[auto]\n"), "%s", r.out);
        free_run(&r);
        return;
    }
    for (int i = 0; i < count; i++) {
        const ecl_device_info *d = &list[i];
        char line[600];
        snprintf(line, sizeof line, "platform %d: %s", d->platform, d->platform_name);
        cr_expect_not_null(strstr(r.out, line), "no '%s' in %s", line, r.out);
        if (d->device < 0)
            continue;
        snprintf(line, sizeof line, "  %d:%d %s%s\n", d->platform, d->device, d->name,
                 i == auto_index ? " [auto]" : "");
        const char *at = strstr(r.out, line);
        cr_assert_not_null(at, "no '%s' in %s", line, r.out);
        char facts[300];
        snprintf(facts, sizeof facts, "%s, %u compute units, %u MHz, global memory ",
                 ecl_device_type_name(d->type), d->compute_units, d->clock_mhz);
        cr_expect_not_null(strstr(at, facts), "no '%s' after the device line", facts);
        cr_expect_not_null(strstr(at, d->fp64 ? "fp64 yes" : "fp64 no"));
        cr_expect_not_null(strstr(at, "local memory "));
        cr_expect_not_null(strstr(at, "max allocation "));
        snprintf(facts, sizeof facts, "driver %s", d->driver_version);
        cr_expect_not_null(strstr(at, facts), "no '%s'", facts);
    }
    if (auto_index < 0)
        cr_expect_eq(strncmp(r.out, "cpu: ", 5), 0);
    if (auto_index < 0)
        cr_expect_not_null(strstr(r.out, "[auto]\nopencl: "), "the cpu line must be marked: %s", r.out);
    ecl_device_list_free(list);
    free_run(&r);
}

/* The last line says what the compute modes run on: the CPU path emulates them; an OpenCL device
 * that is not NVIDIA's says why it has no tensor cores; ECL_MMA_EMULATE=1 shows the self-check. */
Test(cli_device, devices_reports_tensor_cores)
{
    cli_run cpu = run((const char *[]){"devices", NULL}, (const char *[]){"ECL_BACKEND=cpu", NULL});
    cr_assert_eq(cpu.status, 0, "stderr: %s", cpu.err);
    cr_expect_not_null(strstr(cpu.out, "\ntensor cores: none on the CPU path"), "%s", cpu.out);
    free_run(&cpu);
    ecl_device_info *list = NULL;
    int count = 0, auto_index = -1;
    if (ecl_device_list(&list, &count, &auto_index) != ECL_SUCCESS)
        ecl_test_skip_no_opencl(ecl_last_create_error());
    const int nvidia = auto_index >= 0 && strstr(list[auto_index].vendor, "NVIDIA");
    ecl_device_list_free(list);
    cli_run r = run((const char *[]){"devices", NULL}, (const char *[]){"ECL_BACKEND=opencl", NULL});
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_not_null(strstr(r.out, "\ntensor cores"), "%s", r.out);
    if (!nvidia)
        cr_expect_not_null(strstr(r.out, "no: the device's vendor is"), "%s", r.out);
    free_run(&r);
    r = run((const char *[]){"devices", NULL},
            (const char *[]){"ECL_BACKEND=opencl", "ECL_MMA_EMULATE=1", NULL});
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_not_null(strstr(r.out, "  tf32: yes: self-check passed (emulated instruction)"), "%s",
                       r.out);
    free_run(&r);
}

Test(cli_device, devices_marks_the_device_when_opencl_is_asked_for)
{
    ecl_device_info *list = NULL;
    int count = 0, auto_index = -1;
    if (ecl_device_list(&list, &count, &auto_index) != ECL_SUCCESS)
        ecl_test_skip_no_opencl(ecl_last_create_error());
    ecl_device_list_free(list);
    cli_run r = run((const char *[]){"devices", NULL}, (const char *[]){"ECL_BACKEND=opencl", NULL});
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_eq(count_of(r.out, "[auto]"), 1, "%s", r.out);
    cr_expect_eq(count_of(r.out, " [auto]\n      "), 1, "a device line must be marked: %s", r.out);
    cr_expect_not_null(strstr(r.out, "\nauto: OpenCL device "), "%s", r.out);
    free_run(&r);
}

Test(cli_device, devices_without_an_icd_loader)
{
    const char *env[] = {"ECL_OPENCL_LIBRARY=libnonexistent-einsumcl-icd.so", NULL};
    cli_run r = run((const char *[]){"devices", NULL}, env);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_eq(strncmp(r.out, "cpu: ", 5), 0, "%s", r.out);
    cr_expect_not_null(strstr(r.out, "[auto]\nopencl: unavailable ("), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "libnonexistent-einsumcl-icd.so"), "%s", r.out);
    cr_expect_eq(count_of(r.out, "[auto]"), 1);
    free_run(&r);
}

/* ---- eval and path with --device --------------------------------------------------------------- */

/* A C-order float64 .npy file written by hand (format 1.0, header padded to 64 bytes). */
static void write_npy(const char *path, int ndim, const int64_t *shape, const double *data)
{
    char shape_text[128] = "";
    size_t n = 1;
    for (int d = 0; d < ndim; d++) {
        char part[32];
        snprintf(part, sizeof part, "%lld,%s", (long long)shape[d], ndim > 1 && d < ndim - 1 ? " " : "");
        strcat(shape_text, part);
        n *= (size_t)shape[d];
    }
    if (ndim > 1)
        shape_text[strlen(shape_text) - 1] = '\0';
    char header[128];
    int len = snprintf(header, sizeof header,
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }", shape_text);
    while ((len + 11) % 64 != 0)
        header[len++] = ' ';
    header[len++] = '\n';
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    unsigned char magic[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)len, 0};
    fwrite(magic, 1, 10, f);
    fwrite(header, 1, (size_t)len, f);
    fwrite(data, sizeof(double), n, f);
    cr_assert_eq(fclose(f), 0);
}

/* The float64 data of a result file (our own .npy writer's output, read with the library). */
static double *read_result(const char *path, int64_t expect_numel)
{
    ecl_context_options o;
    ecl_context_options_init(&o);
    o.backend = ECL_BACKEND_CPU;
    ecl_context *cpu = NULL;
    cr_assert_eq(ecl_context_create(&o, &cpu), ECL_SUCCESS);
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_npy_load(cpu, path, &t), ECL_SUCCESS, "%s", ecl_context_last_error(cpu));
    cr_assert_eq(ecl_tensor_numel(t), expect_numel);
    double *v = malloc(sizeof(double) * (size_t)expect_numel);
    cr_assert_eq(ecl_tensor_read(t, v, sizeof(double) * (size_t)expect_numel), ECL_SUCCESS);
    ecl_tensor_destroy(t);
    ecl_context_destroy(cpu);
    return v;
}

enum { M = 3, K = 4, N = 5 };
static double a[M * K], b[K * N];

static void write_inputs(void)
{
    for (int i = 0; i < M * K; i++)
        a[i] = (double)((i * 7) % 11) / 4.0 - 1.0;
    for (int i = 0; i < K * N; i++)
        b[i] = (double)((i * 5) % 13) / 3.0 - 2.0;
    write_npy(tmp_path("a.npy"), 2, (const int64_t[]){M, K}, a);
    write_npy(tmp_path("b.npy"), 2, (const int64_t[]){K, N}, b);
}

/* "P:D" of the first device, or skip. */
static void first_device(char *spec, size_t cap, char *name, size_t name_cap)
{
    ecl_device_info *list = NULL;
    int count = 0;
    if (ecl_device_list(&list, &count, NULL) != ECL_SUCCESS)
        ecl_test_skip_no_opencl(ecl_last_create_error());
    for (int i = 0; i < count; i++) {
        if (list[i].device >= 0 && list[i].usable) {
            snprintf(spec, cap, "%d:%d", list[i].platform, list[i].device);
            snprintf(name, name_cap, "%s", list[i].name);
            ecl_device_list_free(list);
            return;
        }
    }
    ecl_device_list_free(list);
    ecl_test_skip_no_opencl("no usable OpenCL device");
}

Test(cli_device, eval_on_a_chosen_device)
{
    char spec[32], name[256], device_eq[64];
    first_device(spec, sizeof spec, name, sizeof name);
    write_inputs();
    cli_run r = run((const char *[]){"eval", "--backend", "opencl", "--device", spec, "-o",
                                     tmp_path("sum.npy"), "ij->j", tmp_path("a.npy"), NULL}, NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    free_run(&r);
    double *sum = read_result(tmp_path("sum.npy"), K);
    for (int j = 0; j < K; j++) {
        double e = 0;
        for (int i = 0; i < M; i++)
            e += a[i * K + j];
        cr_expect_float_eq(sum[j], e, 1e-12, "column %d", j);
    }
    free(sum);

    /* --device=SPEC form, a product, and the device named under the automatic backend. */
    snprintf(device_eq, sizeof device_eq, "--device=%s", spec);
    r = run((const char *[]){"eval", device_eq, "--backend=opencl", "-o", tmp_path("ab.npy"),
                             "ij,jk->ik", tmp_path("a.npy"), tmp_path("b.npy"), NULL}, NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    free_run(&r);
    double *ab = read_result(tmp_path("ab.npy"), M * N);
    for (int i = 0; i < M; i++)
        for (int k = 0; k < N; k++) {
            double e = 0;
            for (int j = 0; j < K; j++)
                e += a[i * K + j] * b[j * N + k];
            cr_expect_float_eq(ab[i * N + k], e, 1e-12, "[%d][%d]", i, k);
        }
    free(ab);
    r = run((const char *[]){"eval", "--device", name, "ij->i", tmp_path("a.npy"), NULL}, NULL);
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_eq(strncmp(r.out, "shape (3,) float64", 18), 0, "%s", r.out);
    free_run(&r);
}

Test(cli_device, eval_reports_bad_devices_on_one_line)
{
    write_inputs();
    ecl_device_info *list = NULL;
    int count = 0;
    int have_opencl = ecl_device_list(&list, &count, NULL) == ECL_SUCCESS;
    ecl_device_list_free(list);
    struct stat st;
    for (int kind = 0; kind < 2; kind++) {
        /* A spec that matches nothing is an error under auto too; without OpenCL at all, auto
         * runs on the CPU path. */
        const char *backend = kind ? "opencl" : "auto";
        cli_run r = run((const char *[]){"eval", "--backend", backend, "--device",
                                         "no-such-device-einsumcl", "-o", tmp_path("out.npy"),
                                         "ij->j", tmp_path("a.npy"), NULL}, NULL);
        if (kind == 1 || have_opencl) {
            expect_one_line_error(&r, 1, have_opencl ? "no-such-device-einsumcl" : NULL);
            cr_expect_neq(stat(tmp_path("out.npy"), &st), 0, "an output file was left behind");
        } else {
            cr_expect_eq(r.status, 0, "stderr: %s", r.err);
        }
        unlink(tmp_path("out.npy"));
        free_run(&r);
    }
    cli_run r = run((const char *[]){"eval", "ij->j", tmp_path("a.npy"), "--device", NULL}, NULL);
    expect_one_line_error(&r, 2, "--device");
    free_run(&r);
    r = run((const char *[]){"eval", "--device=", "ij->j", tmp_path("a.npy"), NULL}, NULL);
    expect_one_line_error(&r, 2, "--device");
    free_run(&r);
    const char *no_icd[] = {"ECL_OPENCL_LIBRARY=libnonexistent-einsumcl-icd.so", NULL};
    r = run((const char *[]){"eval", "--backend", "opencl", "ij->j", tmp_path("a.npy"), NULL}, no_icd);
    expect_one_line_error(&r, 1, "libnonexistent-einsumcl-icd.so");
    free_run(&r);
    r = run((const char *[]){"eval", "ij->j", tmp_path("a.npy"), NULL}, no_icd);
    cr_expect_eq(r.status, 0, "auto must fall back to the CPU path: %s", r.err);
    free_run(&r);
}

Test(cli_device, path_on_a_chosen_device_prints_the_same_plan)
{
    char spec[32], name[256];
    first_device(spec, sizeof spec, name, sizeof name);
    cli_run cpu = run((const char *[]){"path", "--backend", "cpu", "bij,bjk->bik", "8x3x4", "8x4x5",
                                       NULL}, NULL);
    cr_assert_eq(cpu.status, 0, "stderr: %s", cpu.err);
    cli_run ocl = run((const char *[]){"path", "--backend", "opencl", "--device", spec,
                                       "bij,bjk->bik", "8x3x4", "8x4x5", NULL}, NULL);
    cr_assert_eq(ocl.status, 0, "stderr: %s", ocl.err);
    cr_expect_str_eq(ocl.out, cpu.out);
    free_run(&cpu);
    free_run(&ocl);
    cli_run bad = run((const char *[]){"path", "--backend", "opencl", "--device", "77:77",
                                       "ij->i", "2x3", NULL}, NULL);
    expect_one_line_error(&bad, 1, "77:77");
    free_run(&bad);
}

Test(cli_device, usage_texts_mention_device)
{
    const char *commands[] = {"eval", "path", "devices", "bench"};
    for (int k = 0; k < 4; k++) {
        cli_run r = run((const char *[]){commands[k], "--help", NULL}, NULL);
        cr_expect_eq(r.status, 0, "%s --help: %s", commands[k], r.err);
        cr_expect_not_null(strstr(r.out, k == 2 ? "ECL_DEVICE" : "--device"), "%s --help: %s",
                           commands[k], r.out);
        free_run(&r);
    }
}
