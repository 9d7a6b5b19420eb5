/*
 * Error reporting inside the library: every internal function that can fail takes an ecl_error
 * sink, fills it with one line naming what was wrong (operand, label, sizes, byte position) and
 * returns the status. Contexts keep the last error for ecl_context_last_error().
 */
#ifndef ECL_STATUS_H
#define ECL_STATUS_H

#include "einsumcl.h"

#define ECL_ERROR_MESSAGE_MAX 1024

typedef struct ecl_error {
    ecl_status status;
    long position;  /* byte offset in the equation for parse errors, else -1 */
    char message[ECL_ERROR_MESSAGE_MAX];
} ecl_error;

void ecl_error_clear(ecl_error *err);

/* Records status and a printf-style message in err (which may be NULL) and returns status. */
ecl_status ecl_fail(ecl_error *err, ecl_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with the byte position of the offending token in the equation. */
ecl_status ecl_fail_at(ecl_error *err, ecl_status status, long position, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Overflow-checked arithmetic on sizes: return 0 on success, nonzero on overflow. */
int ecl_mul_overflow_i64(int64_t a, int64_t b, int64_t *out);
int ecl_add_overflow_i64(int64_t a, int64_t b, int64_t *out);

#endif /* ECL_STATUS_H */
