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
    ecl_path_algorithm requested;        /* what the options asked for */
    ecl_path_algorithm algorithm;        /* the algorithm that chose it (never AUTO once found) */
    const char *note;                    /* static text: why another order was taken, or NULL */
} ecl_path;

/* Printable name of an algorithm ("auto", "left", "optimal", "greedy", "branch", "explicit"). */
const char *ecl_path_algorithm_name(ecl_path_algorithm algorithm);

/* Chooses the contraction order for b according to options (NULL: defaults): the algorithm, the
 * memory limit for the largest workspace tensor (ECL_ERROR_MEMORY_LIMIT when no order fits), the
 * explicit pairs. Also rejects orders whose intermediates would have more than ECL_MAX_DIMS
 * dimensions or overflow, which the lowering relies on. Pure: no device. */
ecl_status ecl_path_find(const ecl_bound *b, const ecl_plan_options *options, ecl_path *out,
                         ecl_error *err);

/* Checks that path is a complete, valid pairwise order for nops operands. */
ecl_status ecl_path_validate(const ecl_path *path, int nops, ecl_error *err);

#endif /* ECL_PATH_H */
