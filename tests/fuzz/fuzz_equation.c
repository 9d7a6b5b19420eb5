/*
 * libFuzzer target: the equation parser and the binder. Input: an equation, a NUL, then bytes that
 * choose each operand's dtype, rank, shape and strides (fuzz_input.h). Every outcome must be either
 * success with a consistent bound equation or an error with a message; crashes, sanitizer reports
 * and hangs are the failures.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bind.h"
#include "fuzz_input.h"

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "fuzz_equation: check failed: %s (line %d)\n", #cond, __LINE__); \
            abort();                                                                \
        }                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_bytes rest;
    char *text = fuzz_split(data, size, &rest);
    if (!text)
        return 0;
    static ecl_equation eq;
    static ecl_bound bound;
    ecl_error err;
    ecl_error_clear(&err);
    ecl_status st = ecl_equation_parse(text, &eq, &err);
    if (st != ECL_SUCCESS) {
        CHECK(err.message[0] != '\0');
        CHECK(st != ECL_ERROR_PARSE || (err.position >= 0 && (size_t)err.position <= strlen(text)));
        free(text);
        return 0;
    }
    CHECK(eq.nops >= 1 && eq.nops <= ECL_MAX_OPERANDS);
    static fuzz_operands ops;
    fuzz_operands_draw(&eq, &rest, &ops);
    ecl_error_clear(&err);
    st = ecl_bind(&eq, ops.n, ops.desc, &bound, &err);
    if (st != ECL_SUCCESS) {
        CHECK(err.message[0] != '\0');
    } else {
        CHECK(bound.out_ndim >= 0 && bound.out_ndim <= ECL_MAX_DIMS);
        int64_t numel = 1;
        for (int k = 0; k < bound.out_ndim; k++) {
            CHECK(bound.out_shape[k] >= 0);
            CHECK(!ecl_mul_overflow_i64(numel, bound.out_shape[k], &numel));
        }
    }
    free(text);
    return 0;
}
