/*
 * The context-free .npy layer (src/npy.h): header parsing from memory and from a FILE, every
 * rejection with its status and message, header writing compared byte for byte with headers that
 * numpy 2.4 wrote (np.lib.format.write_array_header_1_0), and the Fortran-order and byte-order
 * fix-ups against direct index arithmetic.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

/* A .npy prefix written by hand: magic, version, little-endian length field (2 bytes for major
 * version 1, else 4) and the header text as given. */
static size_t build(unsigned char *buf, size_t cap, int major, int minor, const char *text)
{
    size_t text_len = strlen(text);
    size_t field = major == 1 ? 2 : 4;
    cr_assert(10 + 2 + text_len <= cap);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = (unsigned char)minor;
    for (size_t i = 0; i < field; i++)
        buf[8 + i] = (unsigned char)(text_len >> (8 * i));
    memcpy(buf + 8 + field, text, text_len);
    return 8 + field + text_len;
}

static ecl_status parse_text(int major, const char *text, ecl_npy_header *h, ecl_error *err)
{
    static unsigned char buf[8192];
    size_t len = build(buf, sizeof buf, major, 0, text);
    ecl_error_clear(err);
    return ecl_npy_parse_header(buf, len, h, err);
}

static void expect_status(ecl_status got, ecl_status want, const ecl_error *err,
                          const char *substring)
{
    cr_assert_eq(got, want, "status %s, expected %s; message: %s", ecl_status_string(got),
                 ecl_status_string(want), err->message);
    cr_assert_eq(err->status, want);
    cr_assert(strstr(err->message, substring), "message \"%s\" lacks \"%s\"", err->message,
              substring);
}

static void expect_dict_error(const char *text, ecl_status want, const char *substring)
{
    ecl_npy_header h;
    ecl_error err;
    expect_status(parse_text(1, text, &h, &err), want, &err, substring);
}

/* ---- accepted headers ------------------------------------------------------------------------ */

Test(npy_header, numpy_c_order_f32)
{
    ecl_npy_header h;
    ecl_error err;
    /* What numpy writes for np.zeros((2, 3), np.float32), padding included. */
    const char *text = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
                       "                                                         \n";
    cr_assert_eq(parse_text(1, text, &h, &err), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.version, 1);
    cr_assert_eq(h.dtype, ECL_F32);
    cr_assert_eq(h.ndim, 2);
    cr_assert_eq(h.shape[0], 2);
    cr_assert_eq(h.shape[1], 3);
    cr_assert_eq(h.fortran_order, 0);
    cr_assert_eq(h.numel, 6);
    cr_assert_eq(h.data_bytes, 24);
    cr_assert_eq(h.data_offset, 10 + strlen(text));
}

Test(npy_header, f64_fortran_any_key_order_double_quotes)
{
    ecl_npy_header h;
    ecl_error err;
    cr_assert_eq(parse_text(1, "{\"shape\": (4, 5, 6), \"fortran_order\": True, \"descr\": \"<f8\"}",
                            &h, &err),
                 ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.dtype, ECL_F64);
    cr_assert_eq(h.fortran_order, 1);
    cr_assert_eq(h.ndim, 3);
    cr_assert_eq(h.shape[2], 6);
    cr_assert_eq(h.data_bytes, 4 * 5 * 6 * 8);
}

Test(npy_header, free_spacing_and_trailing_commas)
{
    ecl_npy_header h;
    ecl_error err;
    const char *text = "  {\n\t'descr'  :'<f4' ,'fortran_order':False,\r\n 'shape' : ( 7 , 8 , ) , }  \n";
    cr_assert_eq(parse_text(1, text, &h, &err), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.ndim, 2);
    cr_assert_eq(h.shape[0], 7);
    cr_assert_eq(h.shape[1], 8);
}

Test(npy_header, scalar_and_empty_shapes)
{
    ecl_npy_header h;
    ecl_error err;
    cr_assert_eq(parse_text(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", &h, &err),
                 ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.ndim, 0);
    cr_assert_eq(h.numel, 1);
    cr_assert_eq(h.data_bytes, 8);
    cr_assert_eq(parse_text(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", &h, &err),
                 ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.ndim, 1);
    cr_assert_eq(h.numel, 0);
    cr_assert_eq(h.data_bytes, 0);
    /* An empty array with huge other dimensions has no elements and does not overflow. */
    cr_assert_eq(parse_text(1,
                            "{'descr': '<f4', 'fortran_order': False, "
                            "'shape': (9223372036854775807, 9223372036854775807, 0)}",
                            &h, &err),
                 ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.numel, 0);
    cr_assert_eq(h.data_bytes, 0);
}

Test(npy_header, python_integer_spellings)
{
    ecl_npy_header h;
    ecl_error err;
    cr_assert_eq(parse_text(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1_000, 3L, 00, -0)}",
                            &h, &err),
                 ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.ndim, 4);
    cr_assert_eq(h.shape[0], 1000);
    cr_assert_eq(h.shape[1], 3);
    cr_assert_eq(h.shape[2], 0);
    cr_assert_eq(h.shape[3], 0);
}

Test(npy_header, max_dims)
{
    char text[1024];
    int n = snprintf(text, sizeof text, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < ECL_MAX_DIMS; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "%d, ", 1 + i % 2);
    snprintf(text + n, sizeof text - (size_t)n, ")}");
    ecl_npy_header h;
    ecl_error err;
    cr_assert_eq(parse_text(1, text, &h, &err), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.ndim, ECL_MAX_DIMS);
    cr_assert_eq(h.numel, (int64_t)1 << (ECL_MAX_DIMS / 2));
}

Test(npy_header, versions_2_and_3)
{
    const char *text = "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }\n";
    for (int major = 2; major <= 3; major++) {
        ecl_npy_header h;
        ecl_error err;
        cr_assert_eq(parse_text(major, text, &h, &err), ECL_SUCCESS, "%s", err.message);
        cr_assert_eq(h.version, major);
        cr_assert_eq(h.data_offset, 12 + strlen(text));
        cr_assert_eq(h.shape[0], 5);
    }
}

Test(npy_header, read_from_file_leaves_position_at_data)
{
    unsigned char buf[256];
    size_t len = build(buf, sizeof buf, 3, 0, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2)}");
    FILE *file = tmpfile();
    cr_assert_not_null(file);
    const float data[4] = {1, 2, 3, 4};
    cr_assert_eq(fwrite(buf, 1, len, file), len);
    cr_assert_eq(fwrite(data, sizeof data, 1, file), 1);
    rewind(file);
    ecl_npy_header h;
    ecl_error err;
    ecl_error_clear(&err);
    cr_assert_eq(ecl_npy_read_header(file, &h, &err), ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.data_offset, len);
    cr_assert_eq((uint64_t)ftell(file), len);
    cr_assert_eq(h.fortran_order, 1);
    float first;
    cr_assert_eq(fread(&first, sizeof first, 1, file), 1);
    cr_assert_eq(first, 1.0f);
    fclose(file);
}

/* ---- signature and length field ---------------------------------------------------------------- */

Test(npy_header, bad_magic)
{
    ecl_npy_header h;
    ecl_error err;
    ecl_error_clear(&err);
    expect_status(ecl_npy_parse_header("\x93NUMPZ\x01\x00\x10\x00", 10, &h, &err), ECL_ERROR_FORMAT,
                  &err, "magic");
    ecl_error_clear(&err);
    expect_status(ecl_npy_parse_header("PK\x03\x04", 4, &h, &err), ECL_ERROR_FORMAT, &err,
                  "not a .npy file");
    ecl_error_clear(&err);
    expect_status(ecl_npy_parse_header("", 0, &h, &err), ECL_ERROR_FORMAT, &err, "not a .npy file");
}

Test(npy_header, unknown_versions)
{
    const int versions[][2] = {{0, 0}, {1, 1}, {2, 1}, {4, 0}, {255, 0}};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        unsigned char buf[128];
        size_t len = build(buf, sizeof buf, versions[i][0], versions[i][1],
                           "{'descr': '<f4', 'fortran_order': False, 'shape': ()}");
        ecl_npy_header h;
        ecl_error err;
        ecl_error_clear(&err);
        char want[64];
        snprintf(want, sizeof want, "version %d.%d", versions[i][0], versions[i][1]);
        expect_status(ecl_npy_parse_header(buf, len, &h, &err), ECL_ERROR_FORMAT, &err, want);
    }
}

Test(npy_header, truncated_signature_and_length)
{
    ecl_npy_header h;
    ecl_error err;
    ecl_error_clear(&err);
    expect_status(ecl_npy_parse_header("\x93NUM", 4, &h, &err), ECL_ERROR_FORMAT, &err, "truncated");
    ecl_error_clear(&err);
    expect_status(ecl_npy_parse_header("\x93NUMPY\x01\x00\x10", 9, &h, &err), ECL_ERROR_FORMAT, &err,
                  "header-length field");
    ecl_error_clear(&err);
    expect_status(ecl_npy_parse_header("\x93NUMPY\x02\x00\x10\x00\x00", 11, &h, &err),
                  ECL_ERROR_FORMAT, &err, "header-length field");
}

Test(npy_header, header_length_beyond_buffer)
{
    unsigned char buf[128];
    size_t len = build(buf, sizeof buf, 1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}");
    ecl_npy_header h;
    ecl_error err;
    ecl_error_clear(&err);
    expect_status(ecl_npy_parse_header(buf, len - 5, &h, &err), ECL_ERROR_FORMAT, &err,
                  "only 48 bytes follow");
}

Test(npy_header, header_length_beyond_file)
{
    unsigned char buf[128];
    size_t len = build(buf, sizeof buf, 2, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}");
    FILE *file = tmpfile();
    cr_assert_not_null(file);
    cr_assert_eq(fwrite(buf, 1, len - 20, file), len - 20);
    rewind(file);
    ecl_npy_header h;
    ecl_error err;
    ecl_error_clear(&err);
    expect_status(ecl_npy_read_header(file, &h, &err), ECL_ERROR_FORMAT, &err,
                  "header length is 53 bytes but only 33 bytes follow");
    fclose(file);
}

Test(npy_header, oversized_header_rejected_before_reading)
{
    /* Version 2.0 with a 2 MiB header length; nothing follows. */
    const unsigned char buf[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0x00, 0x00, 0x20, 0x00};
    ecl_npy_header h;
    ecl_error err;
    ecl_error_clear(&err);
    expect_status(ecl_npy_parse_header(buf, sizeof buf, &h, &err), ECL_ERROR_FORMAT, &err,
                  "header length 2097152 exceeds the limit");
}

/* ---- header dictionary ------------------------------------------------------------------------- */

Test(npy_header, missing_keys)
{
    expect_dict_error("{'fortran_order': False, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "missing key 'descr'");
    expect_dict_error("{'descr': '<f4', 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "missing key 'fortran_order'");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False}", ECL_ERROR_FORMAT,
                      "missing key 'shape'");
    expect_dict_error("{}", ECL_ERROR_FORMAT, "missing key");
}

Test(npy_header, duplicate_and_unknown_keys)
{
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (3,)}",
                      ECL_ERROR_FORMAT, "duplicate key 'shape'");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'order': 'C'}",
                      ECL_ERROR_FORMAT, "unknown key 'order'");
}

Test(npy_header, negative_dimension)
{
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}",
                      ECL_ERROR_FORMAT, "dimension 1 of 'shape' is negative (-3)");
}

Test(npy_header, non_integer_dimensions)
{
    const char *bad[] = {"2.0", "'2'", "True", "3e2", "01", "0x10", "2_", "None", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "{'descr': '<f4', 'fortran_order': False, 'shape': (4, %s)}",
                 bad[i]);
        ecl_npy_header h;
        ecl_error err;
        ecl_status st = parse_text(1, text, &h, &err);
        cr_assert_eq(st, ECL_ERROR_FORMAT, "%s: status %s", bad[i], ecl_status_string(st));
        cr_assert(strstr(err.message, "'shape'"), "%s: %s", bad[i], err.message);
    }
}

Test(npy_header, shape_must_be_a_tuple)
{
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}", ECL_ERROR_FORMAT,
                      "not a tuple");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", ECL_ERROR_FORMAT,
                      "tuple");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}", ECL_ERROR_FORMAT,
                      "',' or ')'");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (,)}", ECL_ERROR_FORMAT,
                      "integer dimension");
}

Test(npy_header, too_many_dims)
{
    char text[1024];
    int n = snprintf(text, sizeof text, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < ECL_MAX_DIMS + 1; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "1, ");
    snprintf(text + n, sizeof text - (size_t)n, ")}");
    expect_dict_error(text, ECL_ERROR_FORMAT, "more than 64 dimensions");
}

Test(npy_header, dimension_beyond_int64)
{
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775808,)}",
                      ECL_ERROR_OVERFLOW, "does not fit in 64 bits");
}

Test(npy_header, element_count_overflow)
{
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
                      ECL_ERROR_OVERFLOW, "(4294967296, 4294967296) has more elements");
}

Test(npy_header, byte_count_overflow)
{
    /* 2^62 elements fit in int64, 2^62 * 4 bytes do not. */
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,)}",
                      ECL_ERROR_OVERFLOW, "needs more bytes");
}

Test(npy_header, unsupported_dtypes_are_named)
{
    const char *descrs[] = {">f4", ">f8", "|u1", "<i4", "<i8", "<c8", ">f2", "<u2", "<V4", "V2", "=f4", "f4", "<f16", "O"};
    for (size_t i = 0; i < sizeof descrs / sizeof descrs[0]; i++) {
        char text[128], want[32];
        snprintf(text, sizeof text, "{'descr': '%s', 'fortran_order': False, 'shape': (2,)}",
                 descrs[i]);
        snprintf(want, sizeof want, "'%s'", descrs[i]);
        expect_dict_error(text, ECL_ERROR_DTYPE, want);
    }
    expect_dict_error("{'descr': '>f4', 'fortran_order': False, 'shape': (2,)}", ECL_ERROR_DTYPE,
                      "big-endian");
}

Test(npy_header, structured_dtype)
{
    expect_dict_error("{'descr': [('x', '<f4'), ('y', '<f8')], 'fortran_order': False, 'shape': (2,)}",
                      ECL_ERROR_DTYPE, "[('x', '<f4'), ('y', '<f8')] is a structured dtype");
}

Test(npy_header, descr_not_a_dtype)
{
    expect_dict_error("{'descr': 5, 'fortran_order': False, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "descr 5 is not a dtype descriptor");
}

Test(npy_header, corrupt_header_reported_before_dtype)
{
    expect_dict_error("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), 'x': 1}",
                      ECL_ERROR_FORMAT, "unknown key 'x'");
}

Test(npy_header, bad_fortran_order)
{
    expect_dict_error("{'descr': '<f4', 'fortran_order': 1, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "True or False");
    expect_dict_error("{'descr': '<f4', 'fortran_order': 'False', 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "True or False");
    expect_dict_error("{'descr': '<f4', 'fortran_order': Falsehood, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "True or False");
}

Test(npy_header, syntax_errors)
{
    expect_dict_error("", ECL_ERROR_FORMAT, "'{'");
    expect_dict_error("   \n", ECL_ERROR_FORMAT, "'{'");
    expect_dict_error("['descr', '<f4']", ECL_ERROR_FORMAT, "'{'");
    expect_dict_error("{'descr' '<f4', 'fortran_order': False, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "':'");
    expect_dict_error("{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "',' or '}'");
    expect_dict_error("{'descr: '<f4', 'fortran_order': False, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "unknown key 'descr: '");
    expect_dict_error("{'descr': '<f4\n, 'fortran_order': False, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "unterminated string");
    expect_dict_error("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "',' or '}'");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", ECL_ERROR_FORMAT,
                      "end of the header");
    expect_dict_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", ECL_ERROR_FORMAT,
                      "only whitespace");
    expect_dict_error("{'descr': '<f4',, 'fortran_order': False, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "quoted string");
    expect_dict_error("{descr: '<f4', 'fortran_order': False, 'shape': (2,)}", ECL_ERROR_FORMAT,
                      "quoted string");
}

Test(npy_header, embedded_nul_rejected)
{
    unsigned char buf[128];
    size_t len = build(buf, sizeof buf, 1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}X");
    buf[len - 1] = '\0';
    ecl_npy_header h;
    ecl_error err;
    ecl_error_clear(&err);
    expect_status(ecl_npy_parse_header(buf, len, &h, &err), ECL_ERROR_FORMAT, &err,
                  "only whitespace");
}

Test(npy_header, data_size_check)
{
    ecl_npy_header h;
    ecl_error err;
    cr_assert_eq(parse_text(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", &h, &err),
                 ECL_SUCCESS);
    cr_assert_eq(ecl_npy_check_data_size(&h, 24, &err), ECL_SUCCESS);
    cr_assert_eq(ecl_npy_check_data_size(&h, 100, &err), ECL_SUCCESS);
    ecl_error_clear(&err);
    expect_status(ecl_npy_check_data_size(&h, 20, &err), ECL_ERROR_FORMAT, &err,
                  "needs 24 bytes of data, the file has 20");
}

/* ---- writing ----------------------------------------------------------------------------------- */

/* Headers numpy 2.4 wrote (write_array_header_1_0): dictionary without the padding, and the total
 * length of signature, length field, dictionary, padding and '\n'. */
static const struct {
    ecl_dtype dtype;
    int ndim;
    int64_t shape[14];
    size_t total;
    const char *dict;
} numpy_headers[] = {
    {ECL_F32, 0, {0}, 128, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }"},
    {ECL_F64, 0, {0}, 128, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }"},
    {ECL_F32, 1, {3}, 128, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"},
    {ECL_F64, 2, {2, 3}, 128, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"},
    {ECL_F32, 1, {0}, 128, "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }"},
    {ECL_F32, 3, {2, 0, 3}, 128, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0, 3), }"},
    {ECL_F64, 6, {1, 2, 3, 4, 5, 6}, 128,
     "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3, 4, 5, 6), }"},
    {ECL_F32, 1, {123456789012345678}, 128,
     "{'descr': '<f4', 'fortran_order': False, 'shape': (123456789012345678,), }"},
    {ECL_F32, 1, {INT64_MAX}, 128,
     "{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807,), }"},
    /* The padding here is the whole 64 bytes: numpy never pads with 0 bytes. */
    {ECL_F32, 14, {1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 10, 10}, 192,
     "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 10, "
     "10), }"},
};

static void expect_numpy_header(ecl_dtype dtype, int ndim, const int64_t *shape, size_t total,
                                const char *dict)
{
    unsigned char *out = NULL;
    size_t len = 0;
    ecl_error err;
    ecl_error_clear(&err);
    cr_assert_eq(ecl_npy_format_header(dtype, ndim, shape, &out, &len, &err), ECL_SUCCESS, "%s",
                 err.message);
    cr_assert_eq(len, total, "%s: length %zu, numpy wrote %zu", dict, len, total);
    cr_assert_eq(memcmp(out, "\x93NUMPY\x01\x00", 8), 0);
    cr_assert_eq(out[8] | out[9] << 8, (int)(total - 10));
    size_t dict_len = strlen(dict);
    cr_assert_eq(memcmp(out + 10, dict, dict_len), 0, "%s", dict);
    for (size_t i = 10 + dict_len; i < total - 1; i++)
        cr_assert_eq(out[i], ' ', "byte %zu of %s", i, dict);
    cr_assert_eq(out[total - 1], '\n');

    /* Reading it back gives the same description, unless the data could never fit in memory. */
    ecl_npy_header h;
    ecl_status st = ecl_npy_parse_header(out, len, &h, &err);
    free(out);
    if (st == ECL_ERROR_OVERFLOW)
        return;
    cr_assert_eq(st, ECL_SUCCESS, "%s", err.message);
    cr_assert_eq(h.dtype, dtype);
    cr_assert_eq(h.ndim, ndim);
    cr_assert_eq(memcmp(h.shape, shape, (size_t)ndim * sizeof *shape), 0);
    cr_assert_eq(h.data_offset, total);
}

Test(npy_header, write_matches_numpy)
{
    for (size_t i = 0; i < sizeof numpy_headers / sizeof numpy_headers[0]; i++)
        expect_numpy_header(numpy_headers[i].dtype, numpy_headers[i].ndim, numpy_headers[i].shape,
                            numpy_headers[i].total, numpy_headers[i].dict);
}

Test(npy_header, write_max_dims_matches_numpy)
{
    int64_t shape[ECL_MAX_DIMS];
    char dict[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < ECL_MAX_DIMS; i++) {
        shape[i] = 7;
        n += snprintf(dict + n, sizeof dict - (size_t)n, i ? ", 7" : "7");
    }
    snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    expect_numpy_header(ECL_F64, ECL_MAX_DIMS, shape, 320, dict); /* numpy: 320 bytes */
}

Test(npy_header, write_rejects_bad_arguments)
{
    unsigned char *out = (unsigned char *)1;
    size_t len = 1;
    ecl_error err;
    const int64_t shape[2] = {2, -1};
    ecl_error_clear(&err);
    cr_assert_eq(ecl_npy_format_header((ecl_dtype)7, 1, shape, &out, &len, &err), ECL_ERROR_DTYPE);
    cr_assert_null(out);
    cr_assert_eq(len, 0);
    cr_assert_eq(ecl_npy_format_header(ECL_F32, 2, shape, &out, &len, &err),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "dimension 1 is negative"), "%s", err.message);
    cr_assert_eq(ecl_npy_format_header(ECL_F32, ECL_MAX_DIMS + 1, shape, &out, &len, &err),
                 ECL_ERROR_INVALID_ARGUMENT);
}

Test(npy_header, shape_string)
{
    char buf[64];
    const int64_t shape[3] = {2, 30, 400};
    cr_assert_str_eq(ecl_npy_shape_string(0, shape, buf, sizeof buf), "()");
    cr_assert_str_eq(ecl_npy_shape_string(1, shape, buf, sizeof buf), "(2,)");
    cr_assert_str_eq(ecl_npy_shape_string(3, shape, buf, sizeof buf), "(2, 30, 400)");
    cr_assert_str_eq(ecl_npy_shape_string(3, shape, buf, 10), "(2, 30...");
    cr_assert_str_eq(ecl_npy_shape_string(3, shape, buf, 4), "...");
}

/* ---- data fix-ups ------------------------------------------------------------------------------ */

Test(npy_layout, fortran_to_c_3d)
{
    enum { A = 3, B = 4, C = 5 };
    const int64_t shape[3] = {A, B, C};
    double fortran[A * B * C], c_order[A * B * C];
    /* Element (i, j, k) is stored at i + A*(j + B*k) in Fortran order; give it value 100i+10j+k. */
    for (int i = 0; i < A; i++)
        for (int j = 0; j < B; j++)
            for (int k = 0; k < C; k++)
                fortran[i + A * (j + B * k)] = 100 * i + 10 * j + k;
    ecl_npy_fortran_to_c(fortran, c_order, sizeof(double), 3, shape);
    for (int i = 0; i < A; i++)
        for (int j = 0; j < B; j++)
            for (int k = 0; k < C; k++)
                cr_assert_eq(c_order[(i * B + j) * C + k], 100 * i + 10 * j + k);
}

Test(npy_layout, fortran_to_c_2d_f32_and_size_one_dims)
{
    const int64_t shape[4] = {2, 1, 3, 1};
    float fortran[6], c_order[6];
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 3; k++)
            fortran[i + 2 * k] = (float)(10 * i + k);
    ecl_npy_fortran_to_c(fortran, c_order, sizeof(float), 4, shape);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 3; k++)
            cr_assert_eq(c_order[i * 3 + k], (float)(10 * i + k));
}

Test(npy_layout, swap_bytes)
{
    unsigned char data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ecl_npy_swap_bytes(data, 2, 4);
    const unsigned char want4[8] = {4, 3, 2, 1, 8, 7, 6, 5};
    cr_assert_eq(memcmp(data, want4, 8), 0);
    ecl_npy_swap_bytes(data, 1, 8);
    const unsigned char want8[8] = {5, 6, 7, 8, 1, 2, 3, 4};
    cr_assert_eq(memcmp(data, want8, 8), 0);
    const uint32_t one = 1;
    cr_assert_eq(ecl_npy_host_is_little_endian(), *(const unsigned char *)&one == 1);
}
