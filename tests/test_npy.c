/*
 * ecl_npy_load and ecl_npy_save through the public API on a CPU context: round trips for both
 * dtypes and every rank up to 6 (0-d and zero-size included), files written by hand (format 1.0,
 * 2.0, 3.0, Fortran order, trailing bytes), every corrupt file with its status, message and path,
 * I/O failures, and the atomic save (no partial or temporary files left, normal permissions).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "einsumcl.h"

static ecl_context *ctx;
static char dir[1024];

static void setup(void)
{
    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_CPU;
    cr_assert_eq(ecl_context_create(&options, &ctx), ECL_SUCCESS, "%s", ecl_last_create_error());
    snprintf(dir, sizeof dir, "%s/npy-XXXXXX", ECL_TEST_TMPDIR);
    cr_assert_not_null(mkdtemp(dir), "mkdtemp %s: %s", dir, strerror(errno));
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char child[PATH_MAX];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        remove_tree(child);
    }
    closedir(d);
    rmdir(path);
}

static void teardown(void)
{
    ecl_context_destroy(ctx);
    remove_tree(dir);
}

TestSuite(npy, .init = setup, .fini = teardown);

static const char *in_dir(const char *name)
{
    static char paths[4][PATH_MAX];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, PATH_MAX, "%s/%s", dir, name);
    return p;
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void write_file(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    rewind(f);
    unsigned char *buf = malloc((size_t)size + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* A .npy file written by hand: signature, length field (2 bytes for 1.0, 4 after), the header
 * text as given (no padding added), then data_len bytes of data. */
static void write_npy(const char *path, int major, const char *header, const void *data,
                      size_t data_len)
{
    size_t field = major == 1 ? 2 : 4, text_len = strlen(header);
    size_t len = 8 + field + text_len + data_len;
    unsigned char *buf = malloc(len);
    cr_assert_not_null(buf);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    for (size_t i = 0; i < field; i++)
        buf[8 + i] = (unsigned char)(text_len >> (8 * i));
    memcpy(buf + 8 + field, header, text_len);
    if (data_len)
        memcpy(buf + 8 + field + text_len, data, data_len);
    write_file(path, buf, len);
    free(buf);
}

static ecl_tensor *make_tensor(ecl_dtype dtype, int ndim, const int64_t *shape, void **data,
                               size_t *bytes)
{
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, dtype, ndim, shape, &t), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    int64_t numel = ecl_tensor_numel(t);
    *bytes = (size_t)numel * ecl_dtype_size(dtype);
    *data = malloc(*bytes + 1);
    cr_assert_not_null(*data);
    for (int64_t i = 0; i < numel; i++) {
        double v = (double)(i * 37 % 101) / 8.0 - 6.0 + (i % 3 == 0 ? 1e-7 : 0.0);
        if (dtype == ECL_F32)
            ((float *)*data)[i] = (float)v;
        else if (dtype == ECL_F16)
            ((uint16_t *)*data)[i] = ecl_f16_from_float((float)v);
        else if (dtype == ECL_BF16)
            ((uint16_t *)*data)[i] = ecl_bf16_from_float((float)v);
        else
            ((double *)*data)[i] = v;
    }
    cr_assert_eq(ecl_tensor_write(t, *data, *bytes), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    return t;
}

static ecl_tensor *load_ok(const char *path)
{
    ecl_tensor *t = NULL;
    ecl_status st = ecl_npy_load(ctx, path, &t);
    cr_assert_eq(st, ECL_SUCCESS, "load %s: %s: %s", path, ecl_status_string(st),
                 ecl_context_last_error(ctx));
    cr_assert_not_null(t);
    cr_assert_str_eq(ecl_context_last_error(ctx), "");
    return t;
}

static void expect_contents(const ecl_tensor *t, ecl_dtype dtype, int ndim, const int64_t *shape,
                            const void *data, size_t bytes)
{
    cr_assert_eq(ecl_tensor_dtype(t), dtype);
    cr_assert_eq(ecl_tensor_ndim(t), ndim);
    for (int i = 0; i < ndim; i++)
        cr_assert_eq(ecl_tensor_shape(t)[i], shape[i], "dimension %d", i);
    unsigned char *got = malloc(bytes + 1);
    cr_assert_not_null(got);
    cr_assert_eq(ecl_tensor_read(t, got, bytes), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    cr_assert_eq(memcmp(got, data, bytes), 0, "data differs");
    free(got);
}

/* ---- round trips ------------------------------------------------------------------------------- */

static void round_trip(ecl_dtype dtype, int ndim, const int64_t *shape)
{
    void *data;
    size_t bytes;
    ecl_tensor *t = make_tensor(dtype, ndim, shape, &data, &bytes);
    const char *path = in_dir("round.npy");
    ecl_status st = ecl_npy_save(ctx, path, t);
    cr_assert_eq(st, ECL_SUCCESS, "save: %s", ecl_context_last_error(ctx));

    /* The file is an aligned header, ending in '\n', followed by exactly the raw data. */
    size_t len;
    unsigned char *file = read_file(path, &len);
    cr_assert_geq(len, bytes + 64);
    size_t data_offset = len - bytes;
    cr_assert_eq(data_offset % 64, 0, "data offset %zu", data_offset);
    cr_assert_eq(file[data_offset - 1], '\n');
    cr_assert_eq(file[8] | file[9] << 8, (int)(data_offset - 10));
    cr_assert_eq(memcmp(file + data_offset, data, bytes), 0);
    free(file);

    ecl_tensor *back = load_ok(path);
    expect_contents(back, dtype, ndim, shape, data, bytes);
    cr_assert_eq(count_entries(dir), 1, "temporary files left behind");
    ecl_tensor_destroy(back);
    ecl_tensor_destroy(t);
    free(data);
}

Test(npy, round_trip_every_rank_f32_f64)
{
    const int64_t shape[6] = {3, 1, 4, 2, 5, 2};
    for (int ndim = 0; ndim <= 6; ndim++) {
        round_trip(ECL_F32, ndim, shape);
        round_trip(ECL_F64, ndim, shape);
    }
}

Test(npy, round_trip_zero_size)
{
    const int64_t a[1] = {0}, b[3] = {3, 0, 2};
    round_trip(ECL_F32, 1, a);
    round_trip(ECL_F64, 3, b);
}

Test(npy, round_trip_large)
{
    const int64_t shape[2] = {1000, 1037};
    round_trip(ECL_F32, 2, shape);
}

Test(npy, save_strided_view_writes_c_order)
{
    const int64_t shape[2] = {3, 4};
    void *data;
    size_t bytes;
    ecl_tensor *t = make_tensor(ECL_F64, 2, shape, &data, &bytes);
    const int64_t tshape[2] = {4, 3}, tstrides[2] = {1, 4};
    ecl_tensor *view = NULL;
    cr_assert_eq(ecl_tensor_view(t, 0, 2, tshape, tstrides, &view), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    const char *path = in_dir("view.npy");
    cr_assert_eq(ecl_npy_save(ctx, path, view), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    double want[12];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++)
            want[i * 3 + j] = ((double *)data)[j * 4 + i];
    ecl_tensor *back = load_ok(path);
    expect_contents(back, ECL_F64, 2, tshape, want, sizeof want);
    ecl_tensor_destroy(back);
    ecl_tensor_destroy(view);
    ecl_tensor_destroy(t);
    free(data);
}

Test(npy, save_replaces_existing_file)
{
    const char *path = in_dir("x.npy");
    write_file(path, "old contents", 12);
    const int64_t shape[1] = {5};
    void *data;
    size_t bytes;
    ecl_tensor *t = make_tensor(ECL_F32, 1, shape, &data, &bytes);
    cr_assert_eq(ecl_npy_save(ctx, path, t), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    ecl_tensor *back = load_ok(path);
    expect_contents(back, ECL_F32, 1, shape, data, bytes);
    cr_assert_eq(count_entries(dir), 1);
    ecl_tensor_destroy(back);
    ecl_tensor_destroy(t);
    free(data);
}

Test(npy, saved_file_gets_umask_permissions)
{
    umask(027);
    const int64_t shape[1] = {2};
    void *data;
    size_t bytes;
    ecl_tensor *t = make_tensor(ECL_F32, 1, shape, &data, &bytes);
    const char *path = in_dir("mode.npy");
    cr_assert_eq(ecl_npy_save(ctx, path, t), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    struct stat info;
    cr_assert_eq(stat(path, &info), 0);
    cr_assert_eq(info.st_mode & 0777, 0640, "mode %o", (unsigned)(info.st_mode & 0777));
    ecl_tensor_destroy(t);
    free(data);
}

/* ---- files written by hand --------------------------------------------------------------------- */

Test(npy, load_versions_1_2_3)
{
    const double data[3] = {1.5, -2.25, 1e300};
    const int64_t shape[1] = {3};
    for (int major = 1; major <= 3; major++) {
        const char *path = in_dir("v.npy");
        write_npy(path, major, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", data,
                  sizeof data);
        ecl_tensor *t = load_ok(path);
        expect_contents(t, ECL_F64, 1, shape, data, sizeof data);
        ecl_tensor_destroy(t);
    }
}

Test(npy, load_scalar)
{
    const float value = 3.25f;
    const char *path = in_dir("s.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}", &value, sizeof value);
    ecl_tensor *t = load_ok(path);
    expect_contents(t, ECL_F32, 0, NULL, &value, sizeof value);
    cr_assert_eq(ecl_tensor_numel(t), 1);
    ecl_tensor_destroy(t);
}

Test(npy, load_fortran_order_transposes)
{
    enum { A = 2, B = 3, C = 4 };
    double fortran[A * B * C], want[A * B * C];
    for (int i = 0; i < A; i++)
        for (int j = 0; j < B; j++)
            for (int k = 0; k < C; k++) {
                double v = 100 * i + 10 * j + k;
                fortran[i + A * (j + B * k)] = v;
                want[(i * B + j) * C + k] = v;
            }
    const char *path = in_dir("f.npy");
    write_npy(path, 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }", fortran,
              sizeof fortran);
    const int64_t shape[3] = {A, B, C};
    ecl_tensor *t = load_ok(path);
    expect_contents(t, ECL_F64, 3, shape, want, sizeof want);
    ecl_tensor_destroy(t);
}

Test(npy, load_fortran_order_f32_matrix_and_vector)
{
    const float fortran[6] = {1, 4, 2, 5, 3, 6}; /* [[1, 2, 3], [4, 5, 6]] column by column */
    const float want[6] = {1, 2, 3, 4, 5, 6};
    const char *path = in_dir("f.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}", fortran,
              sizeof fortran);
    const int64_t shape[2] = {2, 3};
    ecl_tensor *t = load_ok(path);
    expect_contents(t, ECL_F32, 2, shape, want, sizeof want);
    ecl_tensor_destroy(t);
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (6,)}", fortran,
              sizeof fortran);
    const int64_t vector_shape[1] = {6};
    t = load_ok(path);
    expect_contents(t, ECL_F32, 1, vector_shape, fortran, sizeof fortran);
    ecl_tensor_destroy(t);
}

Test(npy, load_ignores_trailing_bytes)
{
    const float data[3] = {1, 2, 3};
    const float extra[4] = {1, 2, 3, 99};
    const char *path = in_dir("t.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", extra,
              sizeof extra);
    const int64_t shape[1] = {3};
    ecl_tensor *t = load_ok(path);
    expect_contents(t, ECL_F32, 1, shape, data, sizeof data);
    ecl_tensor_destroy(t);
}

Test(npy, load_clears_previous_error)
{
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_npy_load(ctx, in_dir("missing.npy"), &t), ECL_ERROR_IO);
    cr_assert_neq(ecl_context_last_error(ctx)[0], '\0');
    const float value = 1;
    write_npy(in_dir("ok.npy"), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}", &value,
              sizeof value);
    t = load_ok(in_dir("ok.npy"));
    ecl_tensor_destroy(t);
}

/* ---- corrupt files ----------------------------------------------------------------------------- */

static void expect_load_error(const char *path, ecl_status want, const char *substring)
{
    ecl_tensor *t = (ecl_tensor *)&t; /* must be reset to NULL */
    ecl_status st = ecl_npy_load(ctx, path, &t);
    const char *message = ecl_context_last_error(ctx);
    cr_assert_eq(st, want, "status %s, expected %s; message: %s", ecl_status_string(st),
                 ecl_status_string(want), message);
    cr_assert_null(t);
    cr_assert(strstr(message, substring), "message \"%s\" lacks \"%s\"", message, substring);
    cr_assert(strstr(message, path), "message \"%s\" does not name %s", message, path);
}

static void expect_header_error(int major, const char *header, const void *data, size_t data_len,
                                ecl_status want, const char *substring)
{
    const char *path = in_dir("bad.npy");
    write_npy(path, major, header, data, data_len);
    expect_load_error(path, want, substring);
}

static const float four[4] = {1, 2, 3, 4};

Test(npy, corrupt_bad_magic)
{
    const char *path = in_dir("bad.npy");
    write_file(path, "PK\x03\x04 this is a zip file, not .npy", 34);
    expect_load_error(path, ECL_ERROR_FORMAT, "magic");
}

Test(npy, corrupt_empty_file)
{
    const char *path = in_dir("bad.npy");
    write_file(path, "", 0);
    expect_load_error(path, ECL_ERROR_FORMAT, "not a .npy file");
}

Test(npy, corrupt_unknown_version)
{
    const char *path = in_dir("bad.npy");
    write_npy(path, 4, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)}", four, sizeof four);
    expect_load_error(path, ECL_ERROR_FORMAT, "version 4.0");
}

Test(npy, corrupt_truncated_signature)
{
    const char *path = in_dir("bad.npy");
    write_file(path, "\x93NUMPY\x01", 7);
    expect_load_error(path, ECL_ERROR_FORMAT, "truncated");
}

Test(npy, corrupt_truncated_length_field)
{
    const char *path = in_dir("bad.npy");
    write_file(path, "\x93NUMPY\x01\x00\x46", 9);
    expect_load_error(path, ECL_ERROR_FORMAT, "header-length field");
}

Test(npy, corrupt_header_length_beyond_file)
{
    const char *path = in_dir("bad.npy");
    write_file(path, "\x93NUMPY\x01\x00\x46\x00{'descr': '<f4'", 24);
    expect_load_error(path, ECL_ERROR_FORMAT, "header length is 70 bytes but only 14 bytes follow");
}

Test(npy, corrupt_oversized_header)
{
    const char *path = in_dir("bad.npy");
    write_file(path, "\x93NUMPY\x02\x00\x00\x00\x00\x10{}", 14);
    expect_load_error(path, ECL_ERROR_FORMAT, "exceeds the limit");
}

Test(npy, corrupt_missing_key)
{
    expect_header_error(1, "{'descr': '<f4', 'shape': (4,)}", four, sizeof four, ECL_ERROR_FORMAT,
                        "missing key 'fortran_order'");
}

Test(npy, corrupt_duplicate_key)
{
    expect_header_error(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4,)}",
                        four, sizeof four, ECL_ERROR_FORMAT, "duplicate key 'descr'");
}

Test(npy, corrupt_unknown_key)
{
    expect_header_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'extra': 0}",
                        four, sizeof four, ECL_ERROR_FORMAT, "unknown key 'extra'");
}

Test(npy, corrupt_negative_dim)
{
    expect_header_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-4,)}", four,
                        sizeof four, ECL_ERROR_FORMAT, "negative");
}

Test(npy, corrupt_non_integer_dim)
{
    expect_header_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4.0,)}", four,
                        sizeof four, ECL_ERROR_FORMAT, "not an integer");
}

Test(npy, corrupt_too_many_dims)
{
    char header[512];
    int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i <= ECL_MAX_DIMS; i++)
        n += snprintf(header + n, sizeof header - (size_t)n, "1,");
    snprintf(header + n, sizeof header - (size_t)n, ")}");
    expect_header_error(1, header, four, sizeof four, ECL_ERROR_FORMAT, "more than 64 dimensions");
}

Test(npy, corrupt_element_count_overflow)
{
    expect_header_error(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3037000500, 3037000500)}",
                        four, sizeof four, ECL_ERROR_OVERFLOW, "more elements than fit in 64 bits");
}

Test(npy, corrupt_byte_size_overflow)
{
    expect_header_error(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,)}",
                        four, sizeof four, ECL_ERROR_OVERFLOW, "needs more bytes");
}

Test(npy, corrupt_truncated_data)
{
    expect_header_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", four,
                        sizeof four, ECL_ERROR_FORMAT, "needs 24 bytes of data, the file has 16");
}

Test(npy, corrupt_truncated_data_huge_shape_fails_before_allocating)
{
    expect_header_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,)}", four,
                        sizeof four, ECL_ERROR_FORMAT, "needs 4000000000000 bytes of data");
}

Test(npy, unsupported_dtype_int32)
{
    expect_header_error(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (4,)}", four,
                        sizeof four, ECL_ERROR_DTYPE, "'<i4'");
}

Test(npy, unsupported_dtype_big_endian)
{
    expect_header_error(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (4,)}", four,
                        sizeof four, ECL_ERROR_DTYPE, "'>f4'");
}

Test(npy, unsupported_dtype_uint8_and_complex)
{
    expect_header_error(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,)}", four,
                        sizeof four, ECL_ERROR_DTYPE, "'|u1'");
    expect_header_error(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,)}", four,
                        sizeof four, ECL_ERROR_DTYPE, "'<c8'");
}

Test(npy, unsupported_dtype_structured)
{
    expect_header_error(1, "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (2,)}",
                        four, sizeof four, ECL_ERROR_DTYPE, "structured");
}

/* ---- I/O failures and bad arguments ------------------------------------------------------------ */

Test(npy, load_missing_file)
{
    expect_load_error(in_dir("missing.npy"), ECL_ERROR_IO, strerror(ENOENT));
}

Test(npy, load_directory)
{
    expect_load_error(dir, ECL_ERROR_IO, strerror(EISDIR));
}

Test(npy, save_into_missing_directory_leaves_nothing)
{
    const int64_t shape[1] = {3};
    void *data;
    size_t bytes;
    ecl_tensor *t = make_tensor(ECL_F32, 1, shape, &data, &bytes);
    const char *path = in_dir("no/such/dir/x.npy");
    cr_assert_eq(ecl_npy_save(ctx, path, t), ECL_ERROR_IO);
    const char *message = ecl_context_last_error(ctx);
    cr_assert(strstr(message, path), "%s", message);
    cr_assert(strstr(message, strerror(ENOENT)), "%s", message);
    cr_assert_eq(count_entries(dir), 0);
    ecl_tensor_destroy(t);
    free(data);
}

Test(npy, save_over_directory_fails_and_cleans_up)
{
    const char *path = in_dir("subdir");
    cr_assert_eq(mkdir(path, 0755), 0);
    const int64_t shape[1] = {3};
    void *data;
    size_t bytes;
    ecl_tensor *t = make_tensor(ECL_F32, 1, shape, &data, &bytes);
    cr_assert_eq(ecl_npy_save(ctx, path, t), ECL_ERROR_IO);
    const char *message = ecl_context_last_error(ctx);
    cr_assert(strstr(message, "rename"), "%s", message);
    cr_assert(strstr(message, path), "%s", message);
    cr_assert_eq(count_entries(dir), 1, "the temporary file was left behind");
    cr_assert_eq(count_entries(path), 0);
    ecl_tensor_destroy(t);
    free(data);
}

Test(npy, bad_arguments)
{
    const int64_t shape[1] = {3};
    void *data;
    size_t bytes;
    ecl_tensor *t = make_tensor(ECL_F32, 1, shape, &data, &bytes);
    ecl_tensor *out = t;
    cr_assert_eq(ecl_npy_load(NULL, "x.npy", &out), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_null(out);
    cr_assert_eq(ecl_npy_load(ctx, NULL, &out), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(ecl_context_last_error(ctx), "path"));
    cr_assert_eq(ecl_npy_load(ctx, in_dir("x.npy"), NULL), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(ecl_npy_save(NULL, in_dir("x.npy"), t), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(ecl_npy_save(ctx, NULL, t), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(ecl_npy_save(ctx, in_dir("x.npy"), NULL), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(ecl_context_last_error(ctx), "tensor"));
    cr_assert_eq(ecl_npy_save(ctx, "", t), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(count_entries(dir), 0);
    ecl_tensor_destroy(t);
    free(data);
}

Test(npy, save_tensor_of_another_context)
{
    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_CPU;
    ecl_context *other = NULL;
    cr_assert_eq(ecl_context_create(&options, &other), ECL_SUCCESS);
    const int64_t shape[1] = {3};
    void *data;
    size_t bytes;
    ecl_tensor *t = make_tensor(ECL_F32, 1, shape, &data, &bytes);
    cr_assert_eq(ecl_npy_save(other, in_dir("x.npy"), t), ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(ecl_context_last_error(other), "another context"));
    cr_assert_eq(count_entries(dir), 0);
    ecl_tensor_destroy(t);
    ecl_context_destroy(other);
    free(data);
}

/* ---- float16 and bfloat16 ---------------------------------------------------------------------- */

static int contains(const unsigned char *hay, size_t len, const char *needle)
{
    const size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

/* float16 as numpy's '<f2'; bfloat16 as ml_dtypes' np.save writes it, '<V2'. */
Test(npy, round_trip_f16_bf16)
{
    const int64_t shape[3] = {3, 4, 5};
    const ecl_dtype dtypes[2] = {ECL_F16, ECL_BF16};
    const char *descr[2] = {"'descr': '<f2'", "'descr': '<V2'"};
    for (int k = 0; k < 2; k++) {
        for (int ndim = 0; ndim <= 3; ndim++)
            round_trip(dtypes[k], ndim, shape);
        void *data;
        size_t bytes;
        ecl_tensor *t = make_tensor(dtypes[k], 3, shape, &data, &bytes);
        cr_assert_eq(ecl_npy_save(ctx, in_dir("h.npy"), t), ECL_SUCCESS);
        size_t len;
        unsigned char *file = read_file(in_dir("h.npy"), &len);
        cr_assert(contains(file, len, descr[k]), "%s", descr[k]);
        free(file);
        remove(in_dir("h.npy"));
        ecl_tensor_destroy(t);
        free(data);
    }
}

Test(npy, bf16_spellings_and_f16_errors)
{
    const uint16_t bits[2] = {0x3f80, 0xc0a0}; /* 1, -5 */
    const int64_t two[1] = {2};
    const char *headers[] = {"{'descr': '|V2', 'fortran_order': False, 'shape': (2,), }",
                             "{'descr': 'bfloat16', 'fortran_order': False, 'shape': (2,), }"};
    for (int i = 0; i < 2; i++) {
        write_npy(in_dir("b.npy"), 1, headers[i], bits, sizeof bits);
        ecl_tensor *t = load_ok(in_dir("b.npy"));
        expect_contents(t, ECL_BF16, 1, two, bits, sizeof bits);
        ecl_tensor_destroy(t);
    }
    expect_header_error(1, "{'descr': '>f2', 'fortran_order': False, 'shape': (2,)}", bits,
                        sizeof bits, ECL_ERROR_DTYPE, "big-endian");
    expect_header_error(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (3,)}", bits,
                        sizeof bits, ECL_ERROR_FORMAT, "float16");
}
