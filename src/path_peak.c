/*
 * The order with the smallest largest intermediate, used when a memory limit rules out the order an
 * algorithm chose: path.c falls back to it when it fits, and names its peak in the error when even
 * it does not. Exact over the sizes of the pairwise results for up to ECL_OPTIMAL_MAX_OPERANDS
 * operands (path_optimal.c's dynamic programming keyed by peak, then FLOPs); beyond that, greedy:
 * always the pair with the smallest result.
 */
#include "path_cost.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

typedef struct live_set {
    int live;
    int id[ECL_MAX_OPERANDS];
    ecl_lset legs[ECL_MAX_OPERANDS];
    ecl_label_counts counts;
} live_set;

static int smallest_result_first(const ecl_path_ctx *c, live_set *s, ecl_ssa *out)
{
    out->npairs = 0;
    while (s->live > 1) {
        double best_size = HUGE_VAL, best_flops = HUGE_VAL;
        int bp = -1, bq = -1;
        ecl_lset best_r = {{0, 0}};
        for (int p = 0; p < s->live; p++)
            for (int q = p + 1; q < s->live; q++) {
                ecl_lset r = ecl_counts_result(c, &s->counts, s->legs[p], s->legs[q]);
                if (ecl_lset_count(r) > ECL_MAX_DIMS && s->live > 2)
                    continue;
                double size = s->live == 2 ? 0 : ecl_lset_size(c, r);
                double flops = ecl_pair_flops(c, s->legs[p], s->legs[q], r);
                if (size < best_size || (size == best_size && flops < best_flops)) {
                    best_size = size, best_flops = flops, bp = p, bq = q, best_r = r;
                }
            }
        if (bp < 0)
            return 0;
        out->pair[out->npairs][0] = s->id[bp];
        out->pair[out->npairs][1] = s->id[bq];
        ecl_counts_add(&s->counts, s->legs[bp], -1);
        ecl_counts_add(&s->counts, s->legs[bq], -1);
        ecl_counts_add(&s->counts, best_r, 1);
        /* Remove q then p (p < q), append the result. */
        memmove(&s->id[bq], &s->id[bq + 1], sizeof(int) * (size_t)(s->live - bq - 1));
        memmove(&s->legs[bq], &s->legs[bq + 1], sizeof(ecl_lset) * (size_t)(s->live - bq - 1));
        memmove(&s->id[bp], &s->id[bp + 1], sizeof(int) * (size_t)(s->live - bp - 2));
        memmove(&s->legs[bp], &s->legs[bp + 1], sizeof(ecl_lset) * (size_t)(s->live - bp - 2));
        s->live -= 2;
        s->id[s->live] = c->nops + out->npairs++;
        s->legs[s->live++] = best_r;
    }
    return 1;
}

int ecl_path_smallest_peak(const ecl_path_ctx *c, ecl_ssa *out)
{
    if (c->nops <= ECL_OPTIMAL_MAX_OPERANDS)
        return ecl_path_dp(c, 1, HUGE_VAL, out);
    live_set *s = ecl_calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->live = c->nops;
    for (int i = 0; i < c->nops; i++) {
        s->id[i] = i;
        s->legs[i] = c->in[i];
        ecl_counts_add(&s->counts, c->in[i], 1);
    }
    int found = smallest_result_first(c, s, out);
    ecl_free(s);
    return found;
}
