/*
 * Path selection: dispatches on the plan options' algorithm. Left to right is numpy's
 * optimize=False order: ((A, B), C), ... written as (0, 1) repeatedly in einsum_path form.
 */
#include "path.h"

#include <string.h>

static void left_to_right(int nops, ecl_path *out)
{
    out->npairs = nops - 1;
    for (int i = 0; i < out->npairs; i++) {
        out->pair[i][0] = 0;
        out->pair[i][1] = 1;
    }
}

ecl_status ecl_path_find(const ecl_bound *b, const ecl_plan_options *options, ecl_path *out,
                         ecl_error *err)
{
    memset(out, 0, sizeof *out);
    ecl_path_algorithm algo = options ? options->path : ECL_PATH_AUTO;
    switch (algo) {
    case ECL_PATH_AUTO:
    case ECL_PATH_LEFT:
        left_to_right(b->nops, out);
        return ECL_SUCCESS;
    case ECL_PATH_OPTIMAL:
    case ECL_PATH_GREEDY:
    case ECL_PATH_BRANCH:
    case ECL_PATH_EXPLICIT:
        break;
    }
    return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "unknown path algorithm %d", (int)algo);
}

ecl_status ecl_path_validate(const ecl_path *path, int nops, ecl_error *err)
{
    if (path->npairs != (nops > 0 ? nops - 1 : 0))
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "a path for %d operands needs %d contractions, got %d", nops, nops - 1,
                        path->npairs);
    int count = nops;
    for (int s = 0; s < path->npairs; s++) {
        int i = path->pair[s][0], j = path->pair[s][1];
        if (i < 0 || j < 0 || i >= count || j >= count || i == j)
            return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                            "path step %d contracts positions (%d, %d), but only positions 0..%d exist "
                            "and they must differ", s, i, j, count - 1);
        count--;
    }
    return ECL_SUCCESS;
}
