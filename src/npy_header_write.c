/*
 * Writing .npy headers byte for byte as numpy's format.write_array_header does for a C-order
 * array: the dictionary with sorted keys and repr() values, spare spaces for growing the first
 * axis, then space padding and '\n' so the data starts on a 64-byte boundary. Format 1.0 (16-bit
 * length) unless the header does not fit, then 2.0 (32-bit length).
 */
#include "npy.h"

#include <stdlib.h>
#include <string.h>
#include "alloc.h"

/* numpy leaves room for this many digits in the first axis so a file can grow in place. */
#define GROWTH_AXIS_MAX_DIGITS 21

ecl_status ecl_npy_format_header(ecl_dtype dtype, int ndim, const int64_t *shape,
                                 unsigned char **out, size_t *out_len, ecl_error *err)
{
    *out = NULL;
    *out_len = 0;
    /* bfloat16 as ml_dtypes' np.save writes it: 2-byte void (np.load(f).view(ml_dtypes.bfloat16)). */
    const char *descr = dtype == ECL_F32   ? "<f4"
                        : dtype == ECL_F64 ? "<f8"
                        : dtype == ECL_F16 ? "<f2"
                        : dtype == ECL_BF16 ? "<V2"
                                            : NULL;
    if (!descr)
        return ecl_fail(err, ECL_ERROR_DTYPE, "cannot write dtype %d to a .npy file", (int)dtype);
    if (ndim < 0 || ndim > ECL_MAX_DIMS || (ndim > 0 && !shape))
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, ".npy header: bad ndim %d", ndim);
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                            ".npy header: dimension %d is negative (%lld)", i,
                            (long long)shape[i]);
    }

    char shape_text[ECL_MAX_DIMS * 22 + 8];
    ecl_npy_shape_string(ndim, shape, shape_text, sizeof shape_text);
    char dict[sizeof shape_text + 128];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     descr, shape_text);
    if (ndim > 0) {
        char first[24];
        int digits = snprintf(first, sizeof first, "%lld", (long long)shape[0]);
        for (int i = digits; i < GROWTH_AXIS_MAX_DIGITS; i++)
            dict[n++] = ' ';
        dict[n] = '\0';
    }

    size_t text_len = (size_t)n + 1; /* the dictionary and the final '\n' */
    size_t field_bytes = 2;
    size_t padding = ECL_NPY_ALIGN - (ECL_NPY_SIGNATURE_LEN + field_bytes + text_len) % ECL_NPY_ALIGN;
    if (text_len + padding > 0xffff) {
        field_bytes = 4;
        padding = ECL_NPY_ALIGN - (ECL_NPY_SIGNATURE_LEN + field_bytes + text_len) % ECL_NPY_ALIGN;
    }
    size_t header_len = text_len + padding;
    size_t total = ECL_NPY_SIGNATURE_LEN + field_bytes + header_len;
    unsigned char *buf = ecl_malloc(total);
    if (!buf)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate %zu bytes for a .npy header",
                        total);
    memcpy(buf, ECL_NPY_MAGIC, ECL_NPY_MAGIC_LEN);
    buf[6] = field_bytes == 2 ? 1 : 2;
    buf[7] = 0;
    for (size_t i = 0; i < field_bytes; i++)
        buf[ECL_NPY_SIGNATURE_LEN + i] = (unsigned char)(header_len >> (8 * i));
    unsigned char *text = buf + ECL_NPY_SIGNATURE_LEN + field_bytes;
    memcpy(text, dict, (size_t)n);
    memset(text + n, ' ', padding);
    text[header_len - 1] = '\n';
    *out = buf;
    *out_len = total;
    return ECL_SUCCESS;
}
