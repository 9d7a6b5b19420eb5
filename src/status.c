/*
 * Status strings, the error sink used by every module, and overflow-checked size arithmetic.
 */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ecl_status_string(ecl_status status)
{
    switch (status) {
    case ECL_SUCCESS: return "success";
    case ECL_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case ECL_ERROR_PARSE: return "malformed einsum equation";
    case ECL_ERROR_SHAPE: return "shape mismatch";
    case ECL_ERROR_DTYPE: return "unsupported or mismatched dtype";
    case ECL_ERROR_OVERFLOW: return "size overflow";
    case ECL_ERROR_OUT_OF_MEMORY: return "out of memory";
    case ECL_ERROR_IO: return "I/O error";
    case ECL_ERROR_FORMAT: return "corrupt or unsupported file format";
    case ECL_ERROR_BACKEND: return "backend failure";
    case ECL_ERROR_UNAVAILABLE: return "backend or device unavailable";
    case ECL_ERROR_MEMORY_LIMIT: return "memory limit cannot be met";
    }
    return "unknown status";
}

size_t ecl_dtype_size(ecl_dtype dtype)
{
    switch (dtype) {
    case ECL_F32: return 4;
    case ECL_F64: return 8;
    case ECL_F16: return 2;
    case ECL_BF16: return 2;
    }
    return 0;
}

const char *ecl_dtype_name(ecl_dtype dtype)
{
    switch (dtype) {
    case ECL_F32: return "float32";
    case ECL_F64: return "float64";
    case ECL_F16: return "float16";
    case ECL_BF16: return "bfloat16";
    }
    return "unknown";
}

void ecl_error_clear(ecl_error *err)
{
    if (!err)
        return;
    err->status = ECL_SUCCESS;
    err->position = -1;
    err->message[0] = '\0';
}

static ecl_status record(ecl_error *err, ecl_status status, long position, const char *fmt,
                         va_list args)
{
    if (!err)
        return status;
    err->status = status;
    err->position = position;
    vsnprintf(err->message, sizeof err->message, fmt, args);
    return status;
}

ecl_status ecl_fail(ecl_error *err, ecl_status status, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    record(err, status, -1, fmt, args);
    va_end(args);
    return status;
}

ecl_status ecl_fail_at(ecl_error *err, ecl_status status, long position, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    record(err, status, position, fmt, args);
    va_end(args);
    return status;
}

int ecl_mul_overflow_i64(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

int ecl_add_overflow_i64(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_add_overflow(a, b, out);
}
