/*
 * Contraction paths: the order in which operands are contracted pairwise, in numpy.einsum_path's
 * convention (each pair holds positions in the current operand list; the two operands are removed
 * and their result is appended at the end). path.c chooses one for a bound equation.
 */
#ifndef ECL_PATH_H
#define ECL_PATH_H

#include "bind.h"

typedef struct ecl_path {
    int npairs;                          /* nops - 1 (0 for a single operand) */
    int pair[ECL_MAX_OPERANDS][2];
} ecl_path;

/* Chooses the contraction order for b according to options (NULL: defaults). */
ecl_status ecl_path_find(const ecl_bound *b, const ecl_plan_options *options, ecl_path *out,
                         ecl_error *err);

/* Checks that path is a complete, valid pairwise order for nops operands. */
ecl_status ecl_path_validate(const ecl_path *path, int nops, ecl_error *err);

#endif /* ECL_PATH_H */
