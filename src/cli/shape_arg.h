/*
 * Parsing of the shape arguments of `einsumcl path`: "8x16x64", "7", "0x3", "scalar" (a 0-d
 * operand), each optionally followed by ":f32" or ":f64" for the element type (default f32).
 */
#ifndef ECL_CLI_SHAPE_ARG_H
#define ECL_CLI_SHAPE_ARG_H

#include <stddef.h>
#include <stdint.h>

#include "einsumcl.h"

typedef struct ecl_cli_shape {
    ecl_dtype dtype;
    int ndim;
    int64_t dims[ECL_MAX_DIMS];
} ecl_cli_shape;

/* Parses text into *out. On failure returns nonzero and writes a reason (without the argument
 * itself) into why. */
int ecl_cli_parse_shape(const char *text, ecl_cli_shape *out, char *why, size_t why_size);

#endif /* ECL_CLI_SHAPE_ARG_H */
