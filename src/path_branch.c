/*
 * The branch path: opt_einsum's branch-and-bound, bounded. A depth-first search over pairwise
 * contractions that tries, at each level, the candidates greedy would rank first (memory removed),
 * as a limited discrepancy search (orders that leave the best candidate k times come after those
 * that leave it fewer times, so a budget is spread over every level),
 * skipping outer products while any pair shares a label; a branch is cut when its FLOPs already
 * exceed the best complete order, when it is doing 4x worse than the best partial order seen at
 * the same depth, or when an intermediate would exceed the memory limit. It starts from a complete
 * order (greedy's), so it never returns anything worse, and it stops after a budget of pair
 * evaluations. Complete orders that tie on FLOPs are ranked by simulated permute traffic.
 */
#include "path_cost.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

#define MAX_TIED_OFFERS 4

typedef struct level {
    int live;
    int id[ECL_MAX_OPERANDS];
    ecl_lset legs[ECL_MAX_OPERANDS];
    double size[ECL_MAX_OPERANDS];
    ecl_label_counts counts;
} level;

typedef struct cand {
    double heuristic, pair_flops, size, flops;
    int hi, lo, p, q;
    ecl_lset r;
} cand;

typedef struct search {
    const ecl_path_ctx *c;
    long budget;
    int nbranch;
    double best_flops, best_bytes;
    int have_best, tied_offers;
    ecl_ssa best, cur;
    double progress[ECL_MAX_OPERANDS];
    level *levels;  /* one per depth */
    cand *cands;    /* per depth, at offset start[depth] */
    size_t start[ECL_MAX_OPERANDS];
} search;

/* Offers a complete order reached with `flops`; keeps it when it is cheaper and fits. Simulating
 * an order costs about as much as assessing a few pairs per step, which the budget is charged; of
 * orders that only tie on FLOPs, the first MAX_TIED_OFFERS are simulated. */
static void offer(search *s, const ecl_ssa *ssa, double flops)
{
    int tie = s->have_best && !(flops < s->best_flops) ;
    if (tie && s->tied_offers++ >= MAX_TIED_OFFERS)
        return;
    s->budget -= 8L * s->c->nops;
    ecl_path path;
    ecl_path_eval ev;
    ecl_ssa_to_path(s->c->nops, ssa, &path);
    ecl_path_evaluate(s->c, &path, 1, &ev);
    if (ev.bad_step >= 0 || (double)ev.peak > s->c->limit)
        return;
    if (!s->have_best || ecl_path_cost_less(ev.flops, ev.bytes, s->best_flops, s->best_bytes)) {
        s->best = *ssa;
        s->best_flops = ev.flops;
        s->best_bytes = ev.bytes;
        s->have_best = 1;
    }
}

/* opt_einsum's order of candidates: memory removed, then the pair's FLOPs, the result's size and
 * the ids. */
static int cand_order(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->heuristic != b->heuristic)
        return a->heuristic < b->heuristic ? -1 : 1;
    if (a->pair_flops != b->pair_flops)
        return a->pair_flops < b->pair_flops ? -1 : 1;
    if (a->size != b->size)
        return a->size < b->size ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return (a->hi > b->hi) - (a->hi < b->hi);
}

static int assess(search *s, int depth, const level *L, double flops, int p, int q, cand *out)
{
    const ecl_path_ctx *c = s->c;
    s->budget--;
    ecl_lset r = ecl_counts_result(c, &L->counts, L->legs[p], L->legs[q]);
    double pf = ecl_pair_flops(c, L->legs[p], L->legs[q], r), nf = flops + pf;
    if (s->have_best && nf > s->best_flops * (1 + 1e-9))
        return 0;
    if (nf < s->progress[depth])
        s->progress[depth] = nf;
    else if (nf > 4 * s->progress[depth])
        return 0;
    double size = ecl_lset_size(c, r);
    if (L->live > 2 && !ecl_result_fits(c, r))
        return 0;
    int hi = L->id[p] > L->id[q] ? L->id[p] : L->id[q];
    *out = (cand){size - L->size[p] - L->size[q], pf, size, nf, hi, L->id[p] + L->id[q] - hi, p, q, r};
    return 1;
}

/* Explores the orders below this level that spend at most `spare` discrepancies: taking the k-th
 * best candidate instead of the best spends k. */
static void descend(search *s, int depth, double flops, int spare)
{
    const level *L = &s->levels[depth];
    if (L->live == 1) {
        offer(s, &s->cur, flops);
        return;
    }
    cand *cands = s->cands + s->start[depth];
    int nc = 0;
    for (int outer = 0; outer < 2 && nc == 0; outer++)
        for (int p = 0; p < L->live; p++)
            for (int q = p + 1; q < L->live; q++)
                if (outer || !ecl_lset_empty(ecl_lset_and(L->legs[p], L->legs[q])))
                    nc += assess(s, depth, L, flops, p, q, &cands[nc]);
    qsort(cands, (size_t)nc, sizeof *cands, cand_order);
    for (int k = 0; k < nc && k <= spare && k < s->nbranch && s->budget > 0; k++) {
        const cand *cd = &cands[k];
        level *next = &s->levels[depth + 1];
        int a = L->id[cd->p] < L->id[cd->q] ? cd->p : cd->q, b = cd->p + cd->q - a;
        next->counts = L->counts;
        ecl_counts_add(&next->counts, L->legs[a], -1);
        ecl_counts_add(&next->counts, L->legs[b], -1);
        ecl_counts_add(&next->counts, cd->r, 1);
        next->live = 0;
        for (int t = 0; t < L->live; t++) {
            if (t == a || t == b)
                continue;
            next->id[next->live] = L->id[t];
            next->legs[next->live] = L->legs[t];
            next->size[next->live++] = L->size[t];
        }
        next->id[next->live] = s->c->nops + depth;
        next->legs[next->live] = cd->r;
        next->size[next->live++] = ecl_lset_size(s->c, cd->r);
        s->cur.pair[depth][0] = L->id[a];
        s->cur.pair[depth][1] = L->id[b];
        s->cur.npairs = depth + 1;
        descend(s, depth + 1, cd->flops, spare - k);
    }
}

int ecl_path_branch(const ecl_path_ctx *c, const ecl_ssa *seed, long budget, int nbranch, ecl_ssa *out)
{
    search *s = ecl_calloc(1, sizeof *s);
    if (!s)
        return -1;
    int n = c->nops;
    size_t total = 0;
    for (int d = 0; d < n; d++) {
        s->start[d] = total;
        total += (size_t)(n - d) * (size_t)(n - d - 1) / 2;
    }
    s->levels = ecl_malloc(sizeof *s->levels * (size_t)n);
    s->cands = ecl_malloc(sizeof *s->cands * (total ? total : 1));
    if (!s->levels || !s->cands) {
        ecl_free(s->levels);
        ecl_free(s->cands);
        ecl_free(s);
        return -1;
    }
    s->c = c;
    s->budget = budget;
    s->nbranch = nbranch;
    for (int d = 0; d < n; d++)
        s->progress[d] = HUGE_VAL;
    if (seed)
        offer(s, seed, HUGE_VAL);
    level *L = &s->levels[0];
    memset(&L->counts, 0, sizeof L->counts);
    L->live = n;
    for (int i = 0; i < n; i++) {
        L->id[i] = i;
        L->legs[i] = c->in[i];
        L->size[i] = ecl_lset_size(c, c->in[i]);
        ecl_counts_add(&L->counts, c->in[i], 1);
    }
    /* Limited discrepancy search: first the best candidate everywhere, then orders that deviate
     * from it once, twice, ... so the budget is spread over every level instead of being spent
     * on the last few contractions of the first branches. */
    for (int spare = 0; spare <= (n - 1) * (nbranch - 1) && s->budget > 0; spare++)
        descend(s, 0, c->base_flops, spare);
    int found = s->have_best;
    if (found)
        *out = s->best;
    ecl_free(s->levels);
    ecl_free(s->cands);
    ecl_free(s);
    return found;
}
