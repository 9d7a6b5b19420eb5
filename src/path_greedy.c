/*
 * The greedy path: opt_einsum's greedy heuristic. First operands with identical labels are
 * multiplied together (Hadamard products, never a loss); then, repeatedly, the pair of operands that
 * share a summed label and whose contraction removes the most memory (result size minus both
 * operands' sizes, smallest first; ties to the lowest ids, as opt_einsum breaks them) is contracted;
 * what is left is combined by outer products, smallest first. Labels every input has count as
 * output labels (they can only be summed at the very end). Unlike opt_einsum, whose priority queue
 * keeps costs computed before later contractions changed which labels are still shared, the costs
 * here are always current: a pair's cost is recomputed whenever a label it touches changes hands.
 * Under a memory limit a pair whose result does not fit is never chosen.
 */
#include "path_cost.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

typedef struct greedy {
    const ecl_path_ctx *c;
    int n;
    int alive[ECL_MAX_OPERANDS], id[ECL_MAX_OPERANDS];
    ecl_lset legs[ECL_MAX_OPERANDS];
    double size[ECL_MAX_OPERANDS];
    ecl_label_counts counts;    /* of the live operands */
    int live;
    ecl_lset shared_out;        /* output labels plus labels every input has */
    double cost[ECL_MAX_OPERANDS][ECL_MAX_OPERANDS];
    ecl_ssa *ssa;
} greedy;

static ecl_lset result_of(const greedy *g, int p, int q)
{
    return ecl_counts_result(g->c, &g->counts, g->legs[p], g->legs[q]);
}

/* Contracts slots p and q (the lower SSA id as A) into slot p; returns the labels whose number of
 * holders changed for operands other than the result. */
static ecl_lset contract(greedy *g, int p, int q)
{
    if (g->id[p] > g->id[q]) {
        int t = p;
        p = q;
        q = t;
    }
    ecl_lset a = g->legs[p], b = g->legs[q], r = result_of(g, p, q);
    ecl_counts_add(&g->counts, a, -1);
    ecl_counts_add(&g->counts, b, -1);
    ecl_counts_add(&g->counts, r, 1);
    ecl_ssa *s = g->ssa;
    s->pair[s->npairs][0] = g->id[p];
    s->pair[s->npairs][1] = g->id[q];
    int slot = p < q ? p : q, dead = p < q ? q : p;
    g->id[slot] = g->n + s->npairs++;
    g->legs[slot] = r;
    g->size[slot] = ecl_lset_size(g->c, r);
    g->alive[dead] = 0;
    g->live--;
    return ecl_lset_and(ecl_lset_and(a, b), r);
}

static int fits(const greedy *g, ecl_lset r)
{
    return g->live == 2 || ecl_result_fits(g->c, r);
}

static void update_cost(greedy *g, int p, int q)
{
    double cost = HUGE_VAL;
    ecl_lset shared = ecl_lset_minus(ecl_lset_and(g->legs[p], g->legs[q]), g->shared_out);
    if (!ecl_lset_empty(shared)) {
        ecl_lset r = result_of(g, p, q);
        if (fits(g, r))
            cost = ecl_lset_size(g->c, r) - g->size[p] - g->size[q];
    }
    g->cost[p][q] = g->cost[q][p] = cost;
}

/* The live pair with the least cost, ties to the lower larger id, then the lower smaller id. */
static int best_pair(const greedy *g, int *bp, int *bq)
{
    double best = HUGE_VAL;
    int hi = 0, lo = 0, found = 0;
    for (int p = 0; p < g->n; p++) {
        if (!g->alive[p])
            continue;
        for (int q = p + 1; q < g->n; q++) {
            if (!g->alive[q] || g->cost[p][q] == HUGE_VAL)
                continue;
            int h = g->id[p] > g->id[q] ? g->id[p] : g->id[q], l = g->id[p] + g->id[q] - h;
            double cst = g->cost[p][q];
            if (!found || cst < best || (cst == best && (h < hi || (h == hi && l < lo)))) {
                best = cst, hi = h, lo = l, *bp = p, *bq = q;
                found = 1;
            }
        }
    }
    return found;
}

static void hadamard_products(greedy *g)
{
    for (int i = 1; i < g->n; i++)
        for (int j = 0; j < i; j++)
            if (g->alive[j] && ecl_lset_equal(g->legs[j], g->legs[i]) && fits(g, result_of(g, j, i))) {
                contract(g, j, i);
                break;
            }
}

static void pairwise_contractions(greedy *g)
{
    for (int p = 0; p < g->n; p++)
        for (int q = p + 1; q < g->n; q++)
            if (g->alive[p] && g->alive[q])
                update_cost(g, p, q);
    int p, q;
    while (g->live > 1 && best_pair(g, &p, &q)) {
        ecl_lset changed = contract(g, p, q);
        int slot = p < q ? p : q, touched[ECL_MAX_OPERANDS];
        for (int x = 0; x < g->n; x++)
            touched[x] = g->alive[x] &&
                         (x == slot || !ecl_lset_empty(ecl_lset_and(g->legs[x], changed)));
        for (int x = 0; x < g->n; x++)
            for (int y = x + 1; y < g->n; y++)
                if (g->alive[x] && g->alive[y] && (touched[x] || touched[y]))
                    update_cost(g, x, y);
    }
}

/* What is left shares no summed label: combine the two smallest, repeatedly. */
static int outer_products(greedy *g)
{
    while (g->live > 1) {
        int pick[2] = {-1, -1};
        double key[2] = {HUGE_VAL, HUGE_VAL};
        for (int p = 0; p < g->n; p++) {
            if (!g->alive[p])
                continue;
            double k = ecl_lset_size(g->c, ecl_lset_and(g->legs[p], g->shared_out));
            for (int e = 0; e < 2; e++) {
                if (pick[e] < 0 || k < key[e] || (k == key[e] && g->id[p] < g->id[pick[e]])) {
                    if (e == 0) {
                        pick[1] = pick[0];
                        key[1] = key[0];
                    }
                    pick[e] = p;
                    key[e] = k;
                    break;
                }
            }
        }
        if (!fits(g, result_of(g, pick[0], pick[1])))
            return 0;
        contract(g, pick[0], pick[1]);
    }
    return 1;
}

int ecl_path_greedy(const ecl_path_ctx *c, ecl_ssa *out)
{
    greedy *g = ecl_malloc(sizeof *g);  /* 34 KiB: off the caller's stack */
    if (!g)
        return -1;
    g->c = c;
    g->n = g->live = c->nops;
    g->ssa = out;
    out->npairs = 0;
    memset(&g->counts, 0, sizeof g->counts);
    g->shared_out = c->in[0];
    for (int i = 0; i < c->nops; i++) {
        g->alive[i] = 1;
        g->id[i] = i;
        g->legs[i] = c->in[i];
        g->size[i] = ecl_lset_size(c, c->in[i]);
        g->shared_out = ecl_lset_and(g->shared_out, c->in[i]);
        ecl_counts_add(&g->counts, c->in[i], 1);
    }
    g->shared_out = ecl_lset_or(g->shared_out, c->out);
    hadamard_products(g);
    pairwise_contractions(g);
    int found = outer_products(g);
    ecl_free(g);
    return found;
}
