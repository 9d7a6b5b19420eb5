/*
 * Reading the start of a .npy file, from memory or from a FILE: the signature (magic string and
 * version 1.0, 2.0 or 3.0), the little-endian header-length field (16 bits in 1.0, 32 bits after;
 * capped at ECL_NPY_MAX_HEADER_BYTES) and the header text, handed to ecl_npy_parse_dict. Also the
 * check that enough data follows, and shape formatting for messages and headers.
 */
#include "npy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

/* Checks the magic string and version in the first len bytes (len may be short: truncated file). */
static ecl_status parse_signature(const unsigned char *sig, size_t len, int *version,
                                  size_t *length_field_bytes, ecl_error *err)
{
    size_t magic_len = len < ECL_NPY_MAGIC_LEN ? len : ECL_NPY_MAGIC_LEN;
    if (len == 0 || memcmp(sig, ECL_NPY_MAGIC, magic_len) != 0)
        return ecl_fail(err, ECL_ERROR_FORMAT,
                        "not a .npy file: it does not start with the magic string \\x93NUMPY");
    if (len < ECL_NPY_SIGNATURE_LEN)
        return ecl_fail(err, ECL_ERROR_FORMAT,
                        "truncated .npy header: the file ends after %zu bytes, inside the "
                        "%d-byte signature",
                        len, ECL_NPY_SIGNATURE_LEN);
    unsigned major = sig[6], minor = sig[7];
    if (major < 1 || major > 3 || minor != 0)
        return ecl_fail(err, ECL_ERROR_FORMAT,
                        "unsupported .npy format version %u.%u (supported: 1.0, 2.0, 3.0)", major,
                        minor);
    *version = (int)major;
    *length_field_bytes = major == 1 ? 2 : 4;
    return ECL_SUCCESS;
}

static ecl_status parse_length_field(const unsigned char *field, size_t have, size_t field_bytes,
                                     uint32_t *header_len, ecl_error *err)
{
    if (have < field_bytes)
        return ecl_fail(err, ECL_ERROR_FORMAT,
                        "truncated .npy header: the file ends inside the %zu-byte header-length "
                        "field",
                        field_bytes);
    uint32_t n = 0;
    for (size_t i = field_bytes; i-- > 0;)
        n = n << 8 | field[i];
    if (n > ECL_NPY_MAX_HEADER_BYTES)
        return ecl_fail(err, ECL_ERROR_FORMAT,
                        ".npy header length %u exceeds the limit of %u bytes", (unsigned)n,
                        ECL_NPY_MAX_HEADER_BYTES);
    *header_len = n;
    return ECL_SUCCESS;
}

static ecl_status header_beyond_file(uint32_t header_len, size_t available, ecl_error *err)
{
    return ecl_fail(err, ECL_ERROR_FORMAT,
                    "truncated .npy header: the header length is %u bytes but only %zu bytes "
                    "follow",
                    (unsigned)header_len, available);
}

ecl_status ecl_npy_parse_header(const void *buf, size_t len, ecl_npy_header *out, ecl_error *err)
{
    const unsigned char *bytes = buf;
    int version = 0;
    size_t field_bytes = 0;
    uint32_t header_len = 0;
    ecl_status st = parse_signature(bytes, len, &version, &field_bytes, err);
    if (st != ECL_SUCCESS)
        return st;
    st = parse_length_field(bytes + ECL_NPY_SIGNATURE_LEN, len - ECL_NPY_SIGNATURE_LEN, field_bytes,
                            &header_len, err);
    if (st != ECL_SUCCESS)
        return st;
    size_t start = ECL_NPY_SIGNATURE_LEN + field_bytes;
    if (len - start < header_len)
        return header_beyond_file(header_len, len - start, err);
    out->version = version;
    out->data_offset = start + header_len;
    return ecl_npy_parse_dict((const char *)bytes + start, header_len, out, err);
}

static ecl_status read_failed(ecl_error *err)
{
    return ecl_fail(err, ECL_ERROR_IO, "read failed: %s", strerror(errno));
}

ecl_status ecl_npy_read_header(FILE *file, ecl_npy_header *out, ecl_error *err)
{
    unsigned char prefix[ECL_NPY_SIGNATURE_LEN + 4];
    int version = 0;
    size_t field_bytes = 0;
    uint32_t header_len = 0;
    size_t got = fread(prefix, 1, ECL_NPY_SIGNATURE_LEN, file);
    if (got < ECL_NPY_SIGNATURE_LEN && ferror(file))
        return read_failed(err);
    ecl_status st = parse_signature(prefix, got, &version, &field_bytes, err);
    if (st != ECL_SUCCESS)
        return st;
    got = fread(prefix + ECL_NPY_SIGNATURE_LEN, 1, field_bytes, file);
    if (got < field_bytes && ferror(file))
        return read_failed(err);
    st = parse_length_field(prefix + ECL_NPY_SIGNATURE_LEN, got, field_bytes, &header_len, err);
    if (st != ECL_SUCCESS)
        return st;
    char *text = ecl_malloc(header_len > 0 ? header_len : 1);
    if (!text)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY,
                        "cannot allocate %u bytes for the .npy header", (unsigned)header_len);
    got = fread(text, 1, header_len, file);
    if (got < header_len)
        st = ferror(file) ? read_failed(err) : header_beyond_file(header_len, got, err);
    if (st == ECL_SUCCESS) {
        out->version = version;
        out->data_offset = ECL_NPY_SIGNATURE_LEN + field_bytes + header_len;
        st = ecl_npy_parse_dict(text, header_len, out, err);
    }
    ecl_free(text);
    return st;
}

ecl_status ecl_npy_check_data_size(const ecl_npy_header *header, uint64_t available,
                                   ecl_error *err)
{
    if (available >= header->data_bytes)
        return ECL_SUCCESS;
    char shape[160];
    return ecl_fail(err, ECL_ERROR_FORMAT,
                    "truncated .npy data: shape %s of %s needs %llu bytes of data, the file has "
                    "%llu",
                    ecl_npy_shape_string(header->ndim, header->shape, shape, sizeof shape),
                    ecl_dtype_name(header->dtype), (unsigned long long)header->data_bytes,
                    (unsigned long long)available);
}

char *ecl_npy_shape_string(int ndim, const int64_t *shape, char *buf, size_t cap)
{
    char full[ECL_MAX_DIMS * 22 + 8];
    size_t used = 0;
    if (ndim > ECL_MAX_DIMS)
        ndim = ECL_MAX_DIMS;
    full[used++] = '(';
    for (int i = 0; i < ndim; i++)
        used += (size_t)snprintf(full + used, sizeof full - used, "%s%lld", i > 0 ? ", " : "",
                                 (long long)shape[i]);
    snprintf(full + used, sizeof full - used, "%s", ndim == 1 ? ",)" : ")");
    if (cap == 0)
        return buf;
    size_t n = strlen(full);
    if (n < cap) {
        memcpy(buf, full, n + 1);
    } else {
        size_t keep = cap > 4 ? cap - 4 : 0;
        memcpy(buf, full, keep);
        snprintf(buf + keep, cap - keep, "...");
    }
    return buf;
}
