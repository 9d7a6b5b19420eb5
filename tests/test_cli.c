/*
 * Tests of the einsumcl command: runs the built binary (ECL_CLI_PATH) with posix_spawn in a fresh
 * temporary directory per test, capturing stdout, stderr and the exit status. Inputs are .npy files
 * written by hand here (independently of the library's writer); results are read back with
 * ecl_npy_load and compared with values computed by plain loops. Expected printed text comes from
 * numpy 2's print() of the same arrays. Every error path checks the exit status, a single
 * "einsumcl: " line on stderr, and that the output file was neither created nor modified.
 * The eval result and printing tests marked EVAL_TEST run twice: on the default backend (suite cli)
 * and on OpenCL (suite cli_opencl: ECL_BACKEND=opencl in the command's environment, or --backend
 * opencl where a test names its backend; skipped with the reason where no OpenCL device exists).
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
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
    snprintf(tmp_dir, sizeof tmp_dir, "%s/cli-XXXXXX", ECL_TEST_TMPDIR);
    cr_assert_not_null(mkdtemp(tmp_dir), "cannot create a temporary directory under %s",
                       ECL_TEST_TMPDIR);
}

static void remove_tmp_dir(void)
{
    DIR *dir = opendir(tmp_dir);
    if (!dir)
        return;
    struct dirent *entry;
    char path[8192];
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", tmp_dir, entry->d_name);
        unlink(path);
    }
    closedir(dir);
    rmdir(tmp_dir);
}

/* The backend EVAL_TEST runs ask for: an ECL_BACKEND setting for the command's environment, and
 * the --backend value of tests that pass one. */
static const char *backend_env = NULL, *backend_flag = "cpu";

static void make_tmp_dir_opencl(void)
{
    ecl_context_destroy(ecl_test_context(ECL_BACKEND_OPENCL)); /* skips without a device */
    backend_env = "ECL_BACKEND=opencl";
    backend_flag = "opencl";
    make_tmp_dir();
}

TestSuite(cli, .init = make_tmp_dir, .fini = remove_tmp_dir);
TestSuite(cli_opencl, .init = make_tmp_dir_opencl, .fini = remove_tmp_dir);

/* A test of the cli suite, run again on the OpenCL backend. */
#define EVAL_TEST(name)                                                                           \
    static void name(void);                                                                       \
    Test(cli, name) { name(); }                                                                   \
    Test(cli_opencl, name) { name(); }                                                            \
    static void name(void)

/* A path inside the test's directory, in a ring of buffers (enough for the paths a test holds). */
static const char *tmp_path(const char *name)
{
    static char ring[64][4200];
    static int next;
    char *path = ring[next++ % 64];
    snprintf(path, sizeof ring[0], "%s/%s", tmp_dir, name);
    return path;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int count_dir_entries(void)
{
    DIR *dir = opendir(tmp_dir);
    cr_assert_not_null(dir);
    int count = 0;
    while (readdir(dir) != NULL)
        count++;
    closedir(dir);
    return count;
}

static char *read_file(const char *path, size_t *size_out)
{
    return ecl_test_read_file(path, size_out);
}

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, size, f), size);
    cr_assert_eq(fclose(f), 0);
}

/* ---- Running the command -------------------------------------------------------------------- */

typedef ecl_cli_result cli_run;

/* Runs einsumcl with args (NULL-terminated, without argv[0]); extra_env is one "NAME=value" or NULL. */
static cli_run run_cli_env(const char *const *args, const char *extra_env)
{
    return ecl_cli_run(args, (const char *const[]){extra_env, NULL}, tmp_dir);
}

static cli_run run_cli(const char *const *args) { return run_cli_env(args, backend_env); }

static void free_run(cli_run *run) { ecl_cli_result_free(run); }

/* The command failed with `status`, said why on exactly one "einsumcl: " line and printed nothing. */
static void assert_one_line_error(const cli_run *run, int status)
{
    cr_assert_eq(run->status, status, "exit status %d, expected %d; stderr: %s", run->status, status,
                 run->err);
    cr_assert_eq(strncmp(run->err, "einsumcl: ", 10), 0, "stderr does not start with 'einsumcl: ': %s",
                 run->err);
    size_t len = strlen(run->err);
    cr_assert(len > 10 && run->err[len - 1] == '\n', "stderr is not one terminated line: %s", run->err);
    cr_assert_null(memchr(run->err, '\n', len - 1), "stderr has more than one line: %s", run->err);
    cr_assert_str_empty(run->out, "stdout not empty on error: %s", run->out);
}

/* ---- Writing inputs --------------------------------------------------------------------------- */

/* Writes a version 1.0 .npy file by hand: descr such as "<f4", the shape, and raw data. */
static void write_npy(const char *path, const char *descr, int ndim, const int64_t *shape,
                      const void *data, size_t bytes)
{
    char dict[512], shape_text[256] = "";
    size_t used = 0;
    for (int d = 0; d < ndim; d++)
        used += (size_t)snprintf(shape_text + used, sizeof shape_text - used, "%lld,%s",
                                 (long long)shape[d], d + 1 < ndim ? " " : "");
    if (ndim > 1) /* numpy writes "(2, 3)" but "(3,)" */
        shape_text[used - 1] = '\0';
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                       descr, shape_text);
    size_t header = 10 + (size_t)len + 1;
    size_t padded = (header + 63) / 64 * 64;
    size_t total = padded + bytes;
    unsigned char *file = malloc(total);
    cr_assert_not_null(file);
    memcpy(file, "\x93NUMPY\x01\x00", 8);
    file[8] = (unsigned char)((padded - 10) & 0xff);
    file[9] = (unsigned char)((padded - 10) >> 8);
    memcpy(file + 10, dict, (size_t)len);
    memset(file + 10 + len, ' ', padded - header);
    file[padded - 1] = '\n';
    if (bytes)
        memcpy(file + padded, data, bytes);
    write_file(path, file, total);
    free(file);
}

static void write_f32(const char *path, int ndim, const int64_t *shape, const float *data)
{
    size_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= (size_t)shape[d];
    write_npy(path, "<f4", ndim, shape, data, n * sizeof(float));
}

static void write_f64(const char *path, int ndim, const int64_t *shape, const double *data)
{
    size_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= (size_t)shape[d];
    write_npy(path, "<f8", ndim, shape, data, n * sizeof(double));
}

/* Deterministic test values: small multiples of 1/8 in [-2, 2]. */
static double test_value(int k) { return (double)((k * 37 + 11) % 33 - 16) / 8.0; }

/* ---- Reading results -------------------------------------------------------------------------- */

typedef struct loaded {
    ecl_dtype dtype;
    int ndim;
    int64_t shape[ECL_MAX_DIMS];
    double *values;
    int64_t numel;
} loaded;

static loaded load_result(const char *path)
{
    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_CPU;
    ecl_context *ctx = NULL;
    cr_assert_eq(ecl_context_create(&options, &ctx), ECL_SUCCESS);
    ecl_tensor *t = NULL;
    ecl_status status = ecl_npy_load(ctx, path, &t);
    cr_assert_eq(status, ECL_SUCCESS, "cannot load %s: %s", path, ecl_context_last_error(ctx));
    loaded r;
    r.dtype = ecl_tensor_dtype(t);
    r.ndim = ecl_tensor_ndim(t);
    memcpy(r.shape, ecl_tensor_shape(t), sizeof(int64_t) * (size_t)r.ndim);
    r.numel = ecl_tensor_numel(t);
    size_t bytes = (size_t)r.numel * ecl_dtype_size(r.dtype);
    void *raw = malloc(bytes ? bytes : 1);
    cr_assert_eq(ecl_tensor_read(t, raw, bytes), ECL_SUCCESS);
    r.values = malloc(sizeof(double) * (size_t)(r.numel ? r.numel : 1));
    for (int64_t i = 0; i < r.numel; i++)
        r.values[i] = r.dtype == ECL_F32 ? (double)((float *)raw)[i] : ((double *)raw)[i];
    free(raw);
    ecl_tensor_destroy(t);
    ecl_context_destroy(ctx);
    return r;
}

static void assert_close(double got, double expected, double tol, const char *what, int64_t index)
{
    cr_assert(fabs(got - expected) <= tol * (1.0 + fabs(expected)),
              "%s[%lld] = %.17g, expected %.17g", what, (long long)index, got, expected);
}

/* ---- eval: results ---------------------------------------------------------------------------- */

EVAL_TEST(eval_matmul_f32_matches_loops)
{
    const int64_t sa[2] = {3, 4}, sb[2] = {4, 5};
    float a[12], b[20];
    for (int k = 0; k < 12; k++)
        a[k] = (float)test_value(k);
    for (int k = 0; k < 20; k++)
        b[k] = (float)test_value(k + 100);
    write_f32(tmp_path("a.npy"), 2, sa, a);
    write_f32(tmp_path("b.npy"), 2, sb, b);
    const char *out = tmp_path("out.npy");
    cli_run run = run_cli((const char *[]){"eval", "-o", out, "ij,jk->ik", tmp_path("a.npy"),
                                           tmp_path("b.npy"), NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    cr_assert_str_empty(run.err);
    loaded r = load_result(out);
    cr_assert_eq(r.dtype, ECL_F32);
    cr_assert_eq(r.ndim, 2);
    cr_assert(r.shape[0] == 3 && r.shape[1] == 5);
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 5; k++) {
            double sum = 0;
            for (int j = 0; j < 4; j++)
                sum += (double)a[i * 4 + j] * b[j * 5 + k];
            assert_close(r.values[i * 5 + k], sum, 1e-6, "ik", i * 5 + k);
        }
    }
    free(r.values);
    free_run(&run);
}

EVAL_TEST(eval_mixed_f32_f64_promotes_to_f64)
{
    const int64_t sa[2] = {3, 4}, sb[2] = {4, 2};
    float a[12];
    double b[8];
    for (int k = 0; k < 12; k++)
        a[k] = (float)test_value(k) + 1.0f / 3.0f; /* not exactly representable in f32 */
    for (int k = 0; k < 8; k++)
        b[k] = test_value(k + 7) + 1.0 / 7.0;
    write_f32(tmp_path("a.npy"), 2, sa, a);
    write_f64(tmp_path("b.npy"), 2, sb, b);
    const char *out = tmp_path("out.npy");
    cli_run run = run_cli((const char *[]){"eval", "ij,jk->ik", tmp_path("a.npy"), tmp_path("b.npy"),
                                           "-o", out, NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    loaded r = load_result(out);
    cr_assert_eq(r.dtype, ECL_F64);
    cr_assert(r.ndim == 2 && r.shape[0] == 3 && r.shape[1] == 2);
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 2; k++) {
            double sum = 0;
            for (int j = 0; j < 4; j++)
                sum += (double)a[i * 4 + j] * b[j * 2 + k];
            assert_close(r.values[i * 2 + k], sum, 1e-13, "ik", i * 2 + k);
        }
    }
    free(r.values);
    free_run(&run);
}

EVAL_TEST(eval_f64_column_sums_stay_f64)
{
    const int64_t s[2] = {5, 3};
    double a[15];
    for (int k = 0; k < 15; k++)
        a[k] = test_value(k) + 1e-10 * k; /* digits that f32 would lose */
    write_f64(tmp_path("a.npy"), 2, s, a);
    const char *out = tmp_path("out.npy");
    cli_run run = run_cli((const char *[]){"eval", "--backend", backend_flag, "-o", out, "ij->j",
                                           tmp_path("a.npy"), NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    loaded r = load_result(out);
    cr_assert_eq(r.dtype, ECL_F64);
    cr_assert(r.ndim == 1 && r.shape[0] == 3);
    for (int j = 0; j < 3; j++) {
        double sum = 0;
        for (int i = 0; i < 5; i++)
            sum += a[i * 3 + j];
        assert_close(r.values[j], sum, 1e-14, "j", j);
    }
    free(r.values);
    free_run(&run);
}

EVAL_TEST(eval_scalar_result_is_0d)
{
    const int64_t s[1] = {6};
    float a[6], b[6];
    double dot = 0;
    for (int k = 0; k < 6; k++) {
        a[k] = (float)test_value(k);
        b[k] = (float)test_value(k + 3);
        dot += (double)a[k] * b[k];
    }
    write_f32(tmp_path("a.npy"), 1, s, a);
    write_f32(tmp_path("b.npy"), 1, s, b);
    const char *out = tmp_path("out.npy");
    cli_run run = run_cli((const char *[]){"eval", "-o", out, "i,i->", tmp_path("a.npy"),
                                           tmp_path("b.npy"), NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    loaded r = load_result(out);
    cr_assert_eq(r.dtype, ECL_F32);
    cr_assert_eq(r.ndim, 0);
    cr_assert_eq(r.numel, 1);
    assert_close(r.values[0], dot, 1e-6, "scalar", 0);
    free(r.values);
    free_run(&run);
}

EVAL_TEST(eval_implicit_output_sorts_labels)
{
    /* "ba" has the implicit output "ab": the transpose. */
    const int64_t s[2] = {2, 3};
    float a[6];
    for (int k = 0; k < 6; k++)
        a[k] = (float)test_value(k);
    write_f32(tmp_path("a.npy"), 2, s, a);
    const char *out = tmp_path("out.npy");
    cli_run run = run_cli((const char *[]){"eval", "-o", out, "ba", tmp_path("a.npy"), NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    loaded r = load_result(out);
    cr_assert(r.ndim == 2 && r.shape[0] == 3 && r.shape[1] == 2);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            assert_close(r.values[i * 2 + j], a[j * 3 + i], 0, "ab", i * 2 + j);
    free(r.values);
    free_run(&run);
}

EVAL_TEST(eval_overwrites_existing_output_on_success)
{
    const int64_t s[1] = {2};
    const float a[2] = {1.5f, -2.0f};
    write_f32(tmp_path("a.npy"), 1, s, a);
    const char *out = tmp_path("out.npy");
    write_file(out, "old contents", 12);
    cli_run run = run_cli((const char *[]){"eval", "-o", out, "i->i", tmp_path("a.npy"), NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    loaded r = load_result(out);
    cr_assert(r.ndim == 1 && r.shape[0] == 2 && r.values[0] == 1.5 && r.values[1] == -2.0);
    cr_assert_eq(count_dir_entries(), 4, "leftover files next to the output"); /* . .. a out */
    free(r.values);
    free_run(&run);
}

/* ---- eval: printing (expected text from numpy 2's print()) ---------------------------------- */

static void assert_prints(const char *equation, const char *input_path, const char *expected)
{
    cli_run run = run_cli((const char *[]){"eval", equation, input_path, NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    cr_assert_str_empty(run.err);
    cr_assert_str_eq(run.out, expected);
    free_run(&run);
}

EVAL_TEST(eval_prints_small_array)
{
    const int64_t s[2] = {2, 3};
    const float a[6] = {1, 2, 3, 4, 5, 6};
    write_f32(tmp_path("a.npy"), 2, s, a);
    assert_prints("ij->ji", tmp_path("a.npy"),
                  "shape (3, 2) float32\n"
                  "[[1. 4.]\n"
                  " [2. 5.]\n"
                  " [3. 6.]]\n");
}

Test(cli, eval_prints_scalar)
{
    const int64_t s[1] = {2};
    const float a[2] = {1.5f, 2.0f};
    write_f32(tmp_path("a.npy"), 1, s, a);
    assert_prints("i->", tmp_path("a.npy"), "shape () float32\n3.5\n");
}

Test(cli, eval_prints_wrapped_rows_and_fractions)
{
    const int64_t s[1] = {30};
    double a[30];
    for (int k = 0; k < 30; k++)
        a[k] = 1.5 * k;
    write_f64(tmp_path("a.npy"), 1, s, a);
    /* numpy: print(np.arange(30) * 1.5) */
    assert_prints("i", tmp_path("a.npy"),
                  "shape (30,) float64\n"
                  "[ 0.   1.5  3.   4.5  6.   7.5  9.  10.5 12.  13.5 15.  16.5 18.  19.5\n"
                  " 21.  22.5 24.  25.5 27.  28.5 30.  31.5 33.  34.5 36.  37.5 39.  40.5\n"
                  " 42.  43.5]\n");
}

Test(cli, eval_prints_scientific_and_nonfinite)
{
    const int64_t s[1] = {3};
    const double a[3] = {1e-5, 1.0, -INFINITY};
    write_f64(tmp_path("a.npy"), 1, s, a);
    /* numpy: print(np.array([1e-5, 1.0, -np.inf])) */
    assert_prints("i->i", tmp_path("a.npy"), "shape (3,) float64\n[1.e-05 1.e+00   -inf]\n");
}

Test(cli, eval_prints_summary_of_large_1d)
{
    const int64_t s[1] = {2000};
    float *a = malloc(2000 * sizeof(float));
    for (int k = 0; k < 2000; k++)
        a[k] = (float)k;
    write_f32(tmp_path("a.npy"), 1, s, a);
    free(a);
    /* numpy: print(np.arange(2000, dtype=np.float32)) */
    assert_prints("i->i", tmp_path("a.npy"),
                  "shape (2000,) float32\n"
                  "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]\n");
}

Test(cli, eval_prints_summary_of_large_2d)
{
    const int64_t s[2] = {40, 40};
    float *a = malloc(1600 * sizeof(float));
    for (int k = 0; k < 1600; k++)
        a[k] = (float)k;
    write_f32(tmp_path("a.npy"), 2, s, a);
    free(a);
    /* numpy: print(np.arange(1600, dtype=np.float32).reshape(40, 40)) */
    assert_prints("ij", tmp_path("a.npy"),
                  "shape (40, 40) float32\n"
                  "[[0.000e+00 1.000e+00 2.000e+00 ... 3.700e+01 3.800e+01 3.900e+01]\n"
                  " [4.000e+01 4.100e+01 4.200e+01 ... 7.700e+01 7.800e+01 7.900e+01]\n"
                  " [8.000e+01 8.100e+01 8.200e+01 ... 1.170e+02 1.180e+02 1.190e+02]\n"
                  " ...\n"
                  " [1.480e+03 1.481e+03 1.482e+03 ... 1.517e+03 1.518e+03 1.519e+03]\n"
                  " [1.520e+03 1.521e+03 1.522e+03 ... 1.557e+03 1.558e+03 1.559e+03]\n"
                  " [1.560e+03 1.561e+03 1.562e+03 ... 1.597e+03 1.598e+03 1.599e+03]]\n");
}

EVAL_TEST(eval_prints_3d_with_blank_lines)
{
    const int64_t s[3] = {2, 3, 4};
    double a[24];
    for (int k = 0; k < 24; k++)
        a[k] = k;
    write_f64(tmp_path("a.npy"), 3, s, a);
    /* numpy: print(np.arange(24.).reshape(2, 3, 4)) */
    assert_prints("ijk->ijk", tmp_path("a.npy"),
                  "shape (2, 3, 4) float64\n"
                  "[[[ 0.  1.  2.  3.]\n"
                  "  [ 4.  5.  6.  7.]\n"
                  "  [ 8.  9. 10. 11.]]\n"
                  "\n"
                  " [[12. 13. 14. 15.]\n"
                  "  [16. 17. 18. 19.]\n"
                  "  [20. 21. 22. 23.]]]\n");
}

/* ---- eval: errors ----------------------------------------------------------------------------- */

/* Runs a failing eval that names out.npy as its output and checks that nothing was written. */
static void assert_eval_fails(const char *const *args, int status)
{
    int entries = count_dir_entries();
    cli_run run = run_cli(args);
    assert_one_line_error(&run, status);
    cr_assert_not(file_exists(tmp_path("out.npy")), "out.npy was created on error");
    cr_assert_eq(count_dir_entries(), entries, "files were left behind on error");
    free_run(&run);
}

static void write_matrices(int64_t rows_b)
{
    const int64_t sa[2] = {2, 3}, sb[2] = {rows_b, 4};
    float a[6] = {0}, b[64] = {0};
    write_f32(tmp_path("a.npy"), 2, sa, a);
    write_f32(tmp_path("b.npy"), 2, sb, b);
}

Test(cli, eval_rejects_malformed_equation)
{
    write_matrices(3);
    assert_eval_fails((const char *[]){"eval", "-o", tmp_path("out.npy"), "ij,jk->ik)",
                                       tmp_path("a.npy"), tmp_path("b.npy"), NULL}, 1);
    assert_eval_fails((const char *[]){"eval", "-o", tmp_path("out.npy"), "ij,j1->ik",
                                       tmp_path("a.npy"), tmp_path("b.npy"), NULL}, 1);
}

Test(cli, eval_rejects_wrong_operand_count)
{
    write_matrices(3);
    assert_eval_fails((const char *[]){"eval", "-o", tmp_path("out.npy"), "ij,jk->ik",
                                       tmp_path("a.npy"), NULL}, 1);
    assert_eval_fails((const char *[]){"eval", "-o", tmp_path("out.npy"), "ij->i", tmp_path("a.npy"),
                                       tmp_path("b.npy"), NULL}, 1);
}

Test(cli, eval_rejects_shape_mismatch_with_library_detail)
{
    write_matrices(5); /* j is 3 in a.npy and 5 in b.npy */
    const char *args[] = {"eval", "-o", tmp_path("out.npy"), "ij,jk->ik", tmp_path("a.npy"),
                          tmp_path("b.npy"), NULL};
    assert_eval_fails(args, 1);
    cli_run run = run_cli(args);
    /* The library's message names the sizes; the bare status text would not. */
    cr_assert(strstr(run.err, "3") && strstr(run.err, "5"), "no sizes in: %s", run.err);
    free_run(&run);
}

Test(cli, eval_rejects_missing_file)
{
    write_matrices(3);
    const char *missing = tmp_path("no-such-file.npy");
    const char *args[] = {"eval", "-o", tmp_path("out.npy"), "ij,jk->ik", tmp_path("a.npy"), missing,
                          NULL};
    assert_eval_fails(args, 1);
    cli_run run = run_cli(args);
    cr_assert_not_null(strstr(run.err, "no-such-file.npy"), "file not named in: %s", run.err);
    free_run(&run);
}

Test(cli, eval_rejects_corrupt_npy)
{
    write_matrices(3);
    write_file(tmp_path("garbage.npy"), "this is not a numpy file at all\n", 32);
    assert_eval_fails((const char *[]){"eval", "-o", tmp_path("out.npy"), "ij,jk->ik",
                                       tmp_path("a.npy"), tmp_path("garbage.npy"), NULL}, 1);
    /* A valid header promising more data than the file holds. */
    const int64_t s[2] = {3, 4};
    float data[12] = {0};
    write_npy(tmp_path("short.npy"), "<f4", 2, s, data, 5 * sizeof(float));
    assert_eval_fails((const char *[]){"eval", "-o", tmp_path("out.npy"), "ij,jk->ik",
                                       tmp_path("a.npy"), tmp_path("short.npy"), NULL}, 1);
}

Test(cli, eval_rejects_unsupported_dtype)
{
    write_matrices(3);
    const int64_t s[2] = {3, 4};
    int32_t ints[12] = {0};
    write_npy(tmp_path("ints.npy"), "<i4", 2, s, ints, sizeof ints);
    assert_eval_fails((const char *[]){"eval", "-o", tmp_path("out.npy"), "ij,jk->ik",
                                       tmp_path("a.npy"), tmp_path("ints.npy"), NULL}, 1);
}

Test(cli, eval_rejects_unknown_option_and_bad_backend)
{
    write_matrices(3);
    assert_eval_fails((const char *[]){"eval", "--frobnicate", "-o", tmp_path("out.npy"), "ij->i",
                                       tmp_path("a.npy"), NULL}, 2);
    assert_eval_fails((const char *[]){"eval", "--backend", "quantum", "-o", tmp_path("out.npy"),
                                       "ij->i", tmp_path("a.npy"), NULL}, 2);
    assert_eval_fails((const char *[]){"eval", "ij->i", tmp_path("a.npy"), "--backend", NULL}, 2);
}

Test(cli, eval_rejects_missing_arguments)
{
    write_matrices(3);
    assert_eval_fails((const char *[]){"eval", NULL}, 2);
    assert_eval_fails((const char *[]){"eval", "-o", tmp_path("out.npy"), "ij->i", NULL}, 2);
    assert_eval_fails((const char *[]){"eval", "ij->i", tmp_path("a.npy"), "-o", NULL}, 2);
}

Test(cli, eval_reports_unavailable_opencl_device)
{
    /* A device that cannot exist: fails with or without an OpenCL platform on the machine. */
    write_matrices(3);
    int entries = count_dir_entries();
    cli_run run = run_cli_env((const char *[]){"eval", "--backend", "opencl", "-o",
                                               tmp_path("out.npy"), "ij->i", tmp_path("a.npy"), NULL},
                              "ECL_DEVICE=no-such-device-einsumcl-test");
    assert_one_line_error(&run, 1);
    cr_assert_not(file_exists(tmp_path("out.npy")));
    cr_assert_eq(count_dir_entries(), entries);
    free_run(&run);
}

Test(cli, eval_error_leaves_existing_output_untouched)
{
    write_matrices(5);
    const char *out = tmp_path("out.npy");
    const char sentinel[] = "previous result, must survive";
    write_file(out, sentinel, sizeof sentinel);
    int entries = count_dir_entries();
    cli_run run = run_cli((const char *[]){"eval", "-o", out, "ij,jk->ik", tmp_path("a.npy"),
                                           tmp_path("b.npy"), NULL});
    assert_one_line_error(&run, 1);
    size_t size = 0;
    char *contents = read_file(out, &size);
    cr_assert_eq(size, sizeof sentinel);
    cr_assert_eq(memcmp(contents, sentinel, size), 0);
    cr_assert_eq(count_dir_entries(), entries);
    free(contents);
    free_run(&run);
}

Test(cli, eval_reports_unwritable_output)
{
    write_matrices(3);
    const char *out = tmp_path("no-such-dir/out.npy");
    cli_run run = run_cli((const char *[]){"eval", "-o", out, "ij->i", tmp_path("a.npy"), NULL});
    assert_one_line_error(&run, 1);
    cr_assert_not(file_exists(out));
    free_run(&run);
}

/* ---- path ------------------------------------------------------------------------------------- */

/* The description the library itself gives for the same plan: the CLI must print exactly it. */
static char *library_description(const char *equation, int n, const ecl_tensor_desc *descs, int json)
{
    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_CPU;
    ecl_context *ctx = NULL;
    cr_assert_eq(ecl_context_create(&options, &ctx), ECL_SUCCESS);
    ecl_plan *plan = NULL;
    cr_assert_eq(ecl_plan_create(ctx, equation, n, descs, NULL, &plan), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    const char *text = json ? ecl_plan_describe_json(plan) : ecl_plan_describe(plan);
    size_t len = strlen(text);
    char *copy = malloc(len + 2);
    memcpy(copy, text, len + 1);
    if (len == 0 || copy[len - 1] != '\n')
        strcpy(copy + len, "\n");
    ecl_plan_destroy(plan);
    ecl_context_destroy(ctx);
    return copy;
}

static int contains_ignoring_case(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && (p[i] | 0x20) == (word[i] | 0x20))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static const int64_t chain_a[2] = {8, 16}, chain_b[2] = {16, 32}, chain_c[2] = {32, 4};

Test(cli, path_prints_plan_text)
{
    cli_run run = run_cli((const char *[]){"path", "ij,jk,kl->il", "8x16", "16x32", "32x4", NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    cr_assert_str_empty(run.err);
    const ecl_tensor_desc descs[3] = {{ECL_F32, 2, chain_a, NULL}, {ECL_F32, 2, chain_b, NULL},
                                      {ECL_F32, 2, chain_c, NULL}};
    char *expected = library_description("ij,jk,kl->il", 3, descs, 0);
    cr_assert_str_eq(run.out, expected);
    cr_assert(contains_ignoring_case(run.out, "flop"), "no FLOP totals in: %s", run.out);
    cr_assert(contains_ignoring_case(run.out, "peak"), "no peak memory in: %s", run.out);
    free(expected);
    free_run(&run);
}

Test(cli, path_prints_plan_json)
{
    cli_run run = run_cli((const char *[]){"path", "--json", "ij,jk,kl->il", "8x16", "16x32", "32x4",
                                           NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    const char *p = run.out;
    while (*p == ' ' || *p == '\n')
        p++;
    cr_assert_eq(*p, '{', "JSON does not start with '{': %s", run.out);
    size_t len = strlen(run.out);
    while (len > 0 && (run.out[len - 1] == '\n' || run.out[len - 1] == ' '))
        len--;
    cr_assert(len > 0 && run.out[len - 1] == '}', "JSON does not end with '}': %s", run.out);
    const char *keys[] = {"\"naive_flops\"", "\"optimized_flops\"", "\"peak_bytes\"", "\"steps\""};
    for (int k = 0; k < 4; k++)
        cr_assert_not_null(strstr(run.out, keys[k]), "no %s in: %s", keys[k], run.out);
    free_run(&run);
}

Test(cli, path_accepts_scalar_and_dtype_suffix)
{
    cli_run run = run_cli((const char *[]){"path", "--json", "i,->i", "4:f64", "scalar:f64", NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    const int64_t four[1] = {4}, no_dims[1] = {0};
    const ecl_tensor_desc descs[2] = {{ECL_F64, 1, four, NULL}, {ECL_F64, 0, no_dims, NULL}};
    char *expected = library_description("i,->i", 2, descs, 1);
    cr_assert_str_eq(run.out, expected);
    free(expected);
    free_run(&run);
}

Test(cli, path_rejects_bad_arguments)
{
    const char *const bad_shapes[][5] = {
        {"path", "ij->i", "8xq", NULL},   {"path", "ij->i", "8x", NULL},
        {"path", "ij->i", "-3x2", NULL},  {"path", "ij->i", "2x3:i8", NULL},
        {"path", "ij->i", NULL},          {"path", "--frobnicate", "ij->i", "2x3", NULL},
    };
    for (size_t k = 0; k < sizeof bad_shapes / sizeof bad_shapes[0]; k++) {
        cli_run run = run_cli(bad_shapes[k]);
        assert_one_line_error(&run, 2);
        free_run(&run);
    }
}

Test(cli, path_reports_library_errors)
{
    const char *const failing[][6] = {
        {"path", "ij,jk->ik", "2x3", "4x5", NULL},
        {"path", "ij,jk->ik)", "2x3", "3x5", NULL},
        {"path", "ij,jk->ik", "2x3", NULL},
    };
    for (size_t k = 0; k < sizeof failing / sizeof failing[0]; k++) {
        cli_run run = run_cli(failing[k]);
        assert_one_line_error(&run, 1);
        free_run(&run);
    }
}

/* ---- devices, help, version ------------------------------------------------------------------- */

Test(cli, devices_lists_cpu_and_opencl)
{
    cli_run run = run_cli((const char *[]){"devices", NULL});
    cr_assert_eq(run.status, 0, "stderr: %s", run.err);
    cr_assert(strncmp(run.out, "cpu: ", 5) == 0, "no cpu line first: %s", run.out);
    cr_assert(strncmp(run.out, "cpu: unavailable", 16) != 0, "cpu unavailable: %s", run.out);
    cr_assert_not_null(strstr(run.out, "\nopencl: "), "no opencl line: %s", run.out);
    const char *mark = strstr(run.out, "[auto]");
    cr_assert_not_null(mark, "no device marked [auto]: %s", run.out);
    cr_assert_null(strstr(mark + 1, "[auto]"), "two devices marked [auto]: %s", run.out);
    free_run(&run);
}

Test(cli, help_lists_every_subcommand)
{
    cli_run run = run_cli((const char *[]){"--help", NULL});
    cr_assert_eq(run.status, 0);
    cr_assert_str_empty(run.err);
    const char *commands[] = {"einsumcl eval", "einsumcl path", "einsumcl devices", "einsumcl bench"};
    for (int k = 0; k < 4; k++)
        cr_assert_not_null(strstr(run.out, commands[k]), "no '%s' in: %s", commands[k], run.out);
    free_run(&run);

    const char *subcommands[] = {"eval", "path", "devices"};
    for (int k = 0; k < 3; k++) {
        run = run_cli((const char *[]){subcommands[k], "--help", NULL});
        cr_assert_eq(run.status, 0);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "usage: einsumcl %s", subcommands[k]);
        cr_assert_eq(strncmp(run.out, prefix, strlen(prefix)), 0, "bad usage text: %s", run.out);
        free_run(&run);
    }
}

Test(cli, version_prints_library_version)
{
    cli_run run = run_cli((const char *[]){"--version", NULL});
    cr_assert_eq(run.status, 0);
    cr_assert_str_eq(run.out, "einsumcl " ECL_VERSION_STRING "\n");
    free_run(&run);
}

Test(cli, no_arguments_or_unknown_subcommand_is_usage_error)
{
    cli_run run = run_cli((const char *[]){NULL});
    cr_assert_eq(run.status, 2);
    cr_assert_not_null(strstr(run.err, "usage: einsumcl"));
    cr_assert_str_empty(run.out);
    free_run(&run);

    run = run_cli((const char *[]){"frobnicate", NULL});
    cr_assert_eq(run.status, 2);
    cr_assert_eq(strncmp(run.err, "einsumcl: ", 10), 0, "%s", run.err);
    cr_assert_str_empty(run.out);
    free_run(&run);
}

/* ---- float16 / bfloat16 and --compute ---------------------------------------------------------- */

/* f16 .npy inputs give a float16 result ('<f2' in the output file) on both backends; --compute
 * tf32 rounds the operands of a product (1 + 2^-11 + 2^-13 squared becomes (1 + 2^-10)^2). */
EVAL_TEST(eval_f16_and_compute)
{
    const int64_t s[1] = {2};
    const uint16_t h[2] = {ecl_f16_from_float(1.5f), ecl_f16_from_float(-2.0f)};
    write_npy(tmp_path("h.npy"), "<f2", 1, s, h, sizeof h);
    cli_run run = run_cli((const char *[]){"eval", "-o", tmp_path("o.npy"), "i,i->i",
                                           tmp_path("h.npy"), tmp_path("h.npy"), NULL});
    cr_assert_eq(run.status, 0, "%s", run.err);
    free_run(&run);
    size_t size;
    char *file = read_file(tmp_path("o.npy"), &size);
    cr_assert(strstr(file + 10, "'<f2'"), "%s", file + 10);
    const uint16_t *got = (const uint16_t *)(file + size - 4);
    cr_assert_eq(ecl_f16_to_float(got[0]), 2.25f);
    cr_assert_eq(ecl_f16_to_float(got[1]), 4.0f);
    free(file);
    run = run_cli((const char *[]){"eval", "i,i->", tmp_path("h.npy"), tmp_path("h.npy"), NULL});
    cr_assert_eq(run.status, 0, "%s", run.err);
    cr_assert_str_eq(run.out, "shape () float16\n6.25\n");
    free_run(&run);

    const float x[1] = {1.0f + 0x1p-11f + 0x1p-13f};
    const int64_t one[1] = {1};
    write_f32(tmp_path("x.npy"), 1, one, x);
    run = run_cli((const char *[]){"eval", "--compute", "tf32", "i,i->", tmp_path("x.npy"),
                                   tmp_path("x.npy"), NULL});
    cr_assert_eq(run.status, 0, "%s", run.err);
    cr_assert_str_eq(run.out, "shape () float32\n1.0019541\n");
    free_run(&run);
    run = run_cli((const char *[]){"eval", "--compute", "fp8", "i,i->", tmp_path("x.npy"),
                                   tmp_path("x.npy"), NULL});
    assert_one_line_error(&run, 2);
    cr_assert(strstr(run.err, "--compute"), "%s", run.err);
    free_run(&run);
}
