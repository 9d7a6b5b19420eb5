/*
 * The optimal path: dynamic programming over subsets of operands, in the manner of opt_einsum's
 * `dp` but over every split of every subset, so orders with outer products are found too. Subsets
 * are visited in increasing bitmask order (every proper subset first); each keeps its cheapest split.
 * The cost cap (an upper bound such as greedy's FLOPs) drops subsets that cannot be part of a
 * cheaper order, and intermediates over the memory limit are never formed. The second pass
 * (path_layout.c) picks among FLOP-tied splits and operand orders by simulated permute traffic.
 * In `by_peak` mode the key is (largest intermediate, FLOPs) instead: path_peak.c's exact search.
 */
#include "path_dp.h"

#include <math.h>
#include <stdlib.h>
#include "alloc.h"

static void fill_legs(ecl_dp *t)
{
    const ecl_path_ctx *c = t->c;
    ecl_lset *uni = t->legs;  /* first the union of the operands' labels, then the legs */
    uni[0] = (ecl_lset){{0, 0}};
    for (uint32_t s = 1; s <= t->full; s++)
        uni[s] = ecl_lset_or(uni[s & (s - 1)], c->in[__builtin_ctz(s)]);
    for (uint32_t s = 1; s <= t->full; s++) {
        uint32_t rest = t->full ^ s;
        if (s < rest)
            continue;  /* each pair {s, rest} once, while both unions are still intact */
        ecl_lset us = uni[s], ur = rest ? uni[rest] : (ecl_lset){{0, 0}};
        uni[s] = ecl_lset_and(us, ecl_lset_or(c->out, ur));
        if (rest)
            uni[rest] = ecl_lset_and(ur, ecl_lset_or(c->out, us));
    }
    for (uint32_t s = 1; s <= t->full; s++)
        t->size[s] = ecl_lset_size(c, t->legs[s]);
}

static int better(const ecl_dp *t, double f, double p, double best_f, double best_p)
{
    if (!t->by_peak)
        return f < best_f;
    return p < best_p || (p == best_p && f < best_f);
}

static void solve(ecl_dp *t, double cap)
{
    const ecl_path_ctx *c = t->c;
    double limit = t->by_peak ? ECL_PATH_MAX_ELEMS : c->limit;
    for (uint32_t s = 1; s <= t->full; s++) {
        t->flops[s] = t->peak[s] = 0;
        if ((s & (s - 1)) == 0)
            continue;
        t->flops[s] = t->peak[s] = HUGE_VAL;
        double res = s == t->full ? 0 : t->size[s];
        /* Forming an intermediate costs at least its size, so one larger than the cap (or the limit)
         * is in no order worth having. */
        if (s != t->full && (res > limit || res > cap || ecl_lset_count(t->legs[s]) > ECL_MAX_DIMS))
            continue;
        uint32_t low = s & -s, rest = s ^ low;
        double best_f = HUGE_VAL, best_p = HUGE_VAL;
        for (uint32_t sub = (rest - 1) & rest;; sub = (sub - 1) & rest) {
            uint32_t s1 = low | sub, s2 = s ^ s1;
            double f1 = t->flops[s1], f2 = t->flops[s2];
            if (f1 != HUGE_VAL && f2 != HUGE_VAL) {
                double p = ecl_max2(ecl_max2(t->peak[s1], t->peak[s2]), res);
                double bound = f1 + f2 + ecl_max2(ecl_max2(t->size[s1], t->size[s2]), res);
                if (t->by_peak ? p <= best_p : bound < best_f) {
                    double f = f1 + f2 + ecl_dp_pair_flops(t, s1, s2, s);
                    if (better(t, f, p, best_f, best_p)) {
                        best_f = f;
                        best_p = p;
                        t->split[s] = s1;
                    }
                }
            }
            if (sub == 0)
                break;
        }
        if (best_f > cap)
            continue;
        t->flops[s] = best_f;
        t->peak[s] = best_p;
    }
}

int ecl_path_dp(const ecl_path_ctx *c, int by_peak, double cap, ecl_ssa *out)
{
    ecl_dp t = {.c = c, .by_peak = by_peak, .full = (uint32_t)((1u << c->nops) - 1), .sims = 4096};
    size_t n = (size_t)t.full + 1;
    t.legs = ecl_malloc(sizeof *t.legs * n);
    t.size = ecl_malloc(sizeof *t.size * n);
    t.flops = ecl_malloc(sizeof *t.flops * n);
    t.peak = ecl_malloc(sizeof *t.peak * n);
    t.split = ecl_malloc(sizeof *t.split * n);
    t.memo = ecl_calloc(n, sizeof *t.memo);
    int found = -1;
    if (t.legs && t.size && t.flops && t.peak && t.split && t.memo) {
        fill_legs(&t);
        solve(&t, cap * (1 + 1e-9));
        found = ecl_dp_resolve(&t, t.full)->state == 1;
        if (found) {
            int next_id = c->nops, root;
            out->npairs = 0;
            ecl_dp_emit(&t, t.full, 0, &next_id, out, &root);
        }
    }
    ecl_free(t.legs);
    ecl_free(t.size);
    ecl_free(t.flops);
    ecl_free(t.peak);
    ecl_free(t.split);
    ecl_free(t.memo);
    return found;
}
