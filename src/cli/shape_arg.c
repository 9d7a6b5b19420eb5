/*
 * Parses one shape argument of `einsumcl path` ("8x16x64", "scalar", with an optional ":f32" /
 * ":f64" dtype suffix) into dimensions and a dtype, rejecting empty, negative and out-of-range sizes.
 */
#include "shape_arg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_dtype(const char *suffix, ecl_dtype *out)
{
    if (strcmp(suffix, "f32") == 0 || strcmp(suffix, "float32") == 0) {
        *out = ECL_F32;
        return 0;
    }
    if (strcmp(suffix, "f64") == 0 || strcmp(suffix, "float64") == 0) {
        *out = ECL_F64;
        return 0;
    }
    if (strcmp(suffix, "f16") == 0 || strcmp(suffix, "float16") == 0) {
        *out = ECL_F16;
        return 0;
    }
    if (strcmp(suffix, "bf16") == 0 || strcmp(suffix, "bfloat16") == 0) {
        *out = ECL_BF16;
        return 0;
    }
    return -1;
}

/* Parses the dimensions in [text, end): sizes separated by 'x'. */
static int parse_dims(const char *text, const char *end, ecl_cli_shape *out, char *why,
                      size_t why_size)
{
    const char *p = text;
    out->ndim = 0;
    for (;;) {
        if (p == end || *p < '0' || *p > '9') {
            snprintf(why, why_size, "expected a size at character %d", (int)(p - text) + 1);
            return -1;
        }
        if (out->ndim == ECL_MAX_DIMS) {
            snprintf(why, why_size, "more than %d dimensions", ECL_MAX_DIMS);
            return -1;
        }
        errno = 0;
        char *next = NULL;
        long long size = strtoll(p, &next, 10);
        if (errno == ERANGE) {
            snprintf(why, why_size, "size at character %d is too large", (int)(p - text) + 1);
            return -1;
        }
        out->dims[out->ndim++] = (int64_t)size;
        p = next;
        if (p == end)
            return 0;
        if (*p != 'x' && *p != 'X') {
            snprintf(why, why_size, "unexpected '%c' at character %d (sizes are separated by 'x')",
                     *p, (int)(p - text) + 1);
            return -1;
        }
        p++;
    }
}

int ecl_cli_parse_shape(const char *text, ecl_cli_shape *out, char *why, size_t why_size)
{
    const char *colon = strchr(text, ':');
    const char *end = colon ? colon : text + strlen(text);
    out->dtype = ECL_F32;
    out->ndim = 0;
    if (colon && parse_dtype(colon + 1, &out->dtype) != 0) {
        snprintf(why, why_size, "unknown dtype suffix (use :f32, :f64, :f16 or :bf16)");
        return -1;
    }
    if ((size_t)(end - text) == strlen("scalar") && strncmp(text, "scalar", 6) == 0)
        return 0;
    return parse_dims(text, end, out, why, why_size);
}
