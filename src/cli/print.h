/*
 * Printing of result arrays the way numpy's print() shows them with its default print options:
 * 8 digits of precision (shortest round-trip digits, capped), scientific notation when the shown
 * values span too wide a range, 75-character lines, and summaries with "..." (3 edge items per
 * dimension) for arrays of more than 1000 elements. 0-d arrays print like numpy scalars.
 */
#ifndef ECL_CLI_PRINT_H
#define ECL_CLI_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "einsumcl.h"

/* Formats row-major data of the given dtype and shape; returns a malloc'd string (NULL when out of
 * memory). */
char *ecl_cli_format_array(ecl_dtype dtype, int ndim, const int64_t *shape, const void *data);

/* Prints a shape as numpy writes a tuple: "()", "(3,)", "(2, 3)". */
void ecl_cli_print_shape(FILE *out, int ndim, const int64_t *shape);

#endif /* ECL_CLI_PRINT_H */
