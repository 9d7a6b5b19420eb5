/*
 * The dynamic programming tables of the optimal search, shared by its two passes: path_optimal.c
 * fills, per subset of operands, the least FLOPs (or the smallest peak) and the best split;
 * path_layout.c then walks the splits from the top, simulating the lowering to pick among splits
 * and operand orders that tie the layouts with the least permute traffic that fit the limit.
 */
#ifndef ECL_PATH_DP_H
#define ECL_PATH_DP_H

#include "path_cost.h"

#define ECL_DP_KEEP 2  /* layouts kept per subset: its parent may do better with the second */

typedef struct ecl_dp_option {
    double bytes;                  /* permute bytes of the whole subtree */
    double peak;                   /* its largest workspace tensor (elements) */
    uint32_t a;                    /* the part contracted as A (the rest is B) */
    unsigned char pick_a, pick_b;  /* which option of each part */
    ecl_layout layout;
} ecl_dp_option;

typedef struct ecl_dp_choice {
    int state;  /* 0 unvisited, 1 resolved, 2 infeasible */
    int n;
    ecl_dp_option opt[ECL_DP_KEEP];  /* cheapest first, distinct layouts */
} ecl_dp_choice;

typedef struct ecl_dp {
    const ecl_path_ctx *c;
    int by_peak;
    uint32_t full;
    ecl_lset *legs;                /* per subset: the labels its intermediate keeps */
    double *size, *flops, *peak;   /* its elements, least FLOPs, smallest largest result */
    uint32_t *split;               /* the part with the lowest operand of the best split */
    ecl_dp_choice *memo;           /* second pass */
    long sims;                     /* simulation budget of the second pass */
} ecl_dp;

static inline double ecl_max2(double a, double b) { return a > b ? a : b; }

/* ecl_pair_flops for subsets: the joint loop's size from the parts' sizes and their overlap. */
static inline double ecl_dp_pair_flops(const ecl_dp *t, uint32_t s1, uint32_t s2, uint32_t s)
{
    ecl_lset both = ecl_lset_and(t->legs[s1], t->legs[s2]);
    double n = t->size[s1] * t->size[s2];
    if (!ecl_lset_empty(both))
        n /= ecl_lset_size(t->c, both);
    return ecl_lset_empty(ecl_lset_minus(both, t->legs[s])) ? n : 2 * n;
}

/* Second pass: the kept options of subset s (resolving its parts first). */
ecl_dp_choice *ecl_dp_resolve(ecl_dp *t, uint32_t s);
/* Appends the contractions of s's option `pick` to out (SSA ids from *next_id); *id_out: its id. */
void ecl_dp_emit(const ecl_dp *t, uint32_t s, int pick, int *next_id, ecl_ssa *out, int *id_out);

#endif /* ECL_PATH_DP_H */
