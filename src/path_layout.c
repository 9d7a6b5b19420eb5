/*
 * The optimal search's second pass: from the top, each subset's FLOP-optimal split and up to
 * MAX_TIES others that tie on FLOPs are tried in both operand orders, each with the kept layouts of
 * its parts, by simulating the lowering (path_sim.c); a subset keeps its ECL_DP_KEEP cheapest
 * options (permute bytes) with distinct result layouts whose workspace fits the memory limit, since
 * the layout its parent contracts best is not always the cheapest one. When searching for the
 * smallest peak, every split is tried in increasing order of its largest result until none can
 * beat the best simulated peak, permute copies included.
 */
#include "path_dp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

#define MAX_TIES 2          /* tied splits compared per subset by simulation */
#define MAX_SPLITS_PEAK 64  /* splits simulated per subset when searching for the smallest peak */

/* Whether splitting s into s1 and its complement reaches s's least FLOPs. */
static int ties(const ecl_dp *t, uint32_t s, uint32_t s1)
{
    uint32_t s2 = s ^ s1;
    if (t->flops[s1] == HUGE_VAL || t->flops[s2] == HUGE_VAL)
        return 0;
    double f = t->flops[s1] + t->flops[s2] + ecl_dp_pair_flops(t, s1, s2, s);
    return ecl_flops_tie(f, t->flops[s]);
}

typedef struct split_bound {
    double bound;
    uint32_t s1;
} split_bound;

static int by_bound(const void *x, const void *y)
{
    const split_bound *a = x, *b = y;
    return (a->bound > b->bound) - (a->bound < b->bound);
}


static int same_layout(const ecl_layout *a, const ecl_layout *b)
{
    return a->input == b->input && a->n == b->n && memcmp(a->label, b->label, (size_t)a->n) == 0;
}

/* Options rank by permute bytes, or by peak and then bytes in by_peak mode. */
static int cheaper(const ecl_dp *t, const ecl_dp_option *a, const ecl_dp_option *b)
{
    if (t->by_peak && a->peak != b->peak)
        return a->peak < b->peak;
    return a->bytes < b->bytes;
}

static void keep_option(const ecl_dp *t, ecl_dp_choice *m, const ecl_dp_option *o)
{
    for (int i = 0; i < m->n; i++)
        if (same_layout(&m->opt[i].layout, &o->layout)) {
            if (!cheaper(t, o, &m->opt[i]))
                return;
            memmove(&m->opt[i], &m->opt[i + 1], sizeof *m->opt * (size_t)(m->n - i - 1));
            m->n--;  /* re-inserted below at its rank */
            break;
        }
    int at = m->n < ECL_DP_KEEP ? m->n : ECL_DP_KEEP;
    while (at > 0 && cheaper(t, o, &m->opt[at - 1]))
        at--;
    if (at == ECL_DP_KEEP)
        return;
    for (int i = (m->n < ECL_DP_KEEP ? m->n : ECL_DP_KEEP - 1); i > at; i--)
        m->opt[i] = m->opt[i - 1];
    m->opt[at] = *o;
    if (m->n < ECL_DP_KEEP)
        m->n++;
    m->state = 1;
}

/* Whether s's kept options cannot be improved on permute bytes any more: nothing cheaper than
 * free exists, and the top keeps all it can (one option: the top's result is the output). */
static int settled(const ecl_dp *t, uint32_t s, const ecl_dp_choice *m)
{
    int need = s == t->full ? 1 : ECL_DP_KEEP;
    return !t->by_peak && m->state == 1 && m->n >= need && m->opt[need - 1].bytes == 0;
}

/* Tries s = s1 x (s - s1) in both operand orders with every kept layout of the parts. */
static void try_split(ecl_dp *t, uint32_t s, uint32_t s1, ecl_dp_choice *m)
{
    uint32_t parts[2] = {s1, s ^ s1};
    const ecl_dp_choice *c[2] = {ecl_dp_resolve(t, parts[0]), ecl_dp_resolve(t, parts[1])};
    if (c[0]->state != 1 || c[1]->state != 1)
        return;
    for (int first = 0; first < 2; first++) {
        const ecl_dp_choice *ca = c[first], *cb = c[1 - first];
        for (int ia = 0; ia < ca->n; ia++)
            for (int ib = 0; ib < cb->n && !settled(t, s, m); ib++) {
                ecl_pair_sim sim;
                ecl_pair_simulate(t->c, &ca->opt[ia].layout, &cb->opt[ib].layout, t->legs[s],
                                  s == t->full, &sim);
                t->sims--;
                if (!t->by_peak && (double)sim.peak > t->c->limit)
                    continue;
                double peak = ecl_max2(ecl_max2(ca->opt[ia].peak, cb->opt[ib].peak), (double)sim.peak);
                ecl_dp_option o = {ca->opt[ia].bytes + cb->opt[ib].bytes + sim.bytes, peak, parts[first],
                            (unsigned char)ia, (unsigned char)ib, sim.result};
                keep_option(t, m, &o);
            }
    }
}

/* The FLOP-optimal split and up to MAX_TIES others with equal FLOPs. */
static void resolve_ties(ecl_dp *t, uint32_t s, ecl_dp_choice *m)
{
    try_split(t, s, t->split[s], m);
    uint32_t low = s & -s, rest = s ^ low;
    int tried = 0;
    for (uint32_t sub = (rest - 1) & rest; t->sims > 0 && tried < MAX_TIES && !settled(t, s, m);
         sub = (sub - 1) & rest) {
        uint32_t s1 = low | sub;
        if (s1 != t->split[s] && ties(t, s, s1)) {
            try_split(t, s, s1, m);
            tried++;
        }
        if (sub == 0)
            break;
    }
}

/* Every split in increasing order of its largest result (a lower bound on its peak, which the
 * simulation completes with permute copies), until none can beat the best peak found. */
static void resolve_by_peak(ecl_dp *t, uint32_t s, ecl_dp_choice *m)
{
    uint32_t low = s & -s, rest = s ^ low;
    split_bound *sb = ecl_malloc(sizeof *sb << __builtin_popcount(rest));
    if (!sb) {
        try_split(t, s, t->split[s], m);
        return;
    }
    size_t n = 0;
    for (uint32_t sub = (rest - 1) & rest;; sub = (sub - 1) & rest) {
        uint32_t s1 = low | sub, s2 = s ^ s1;
        if (t->flops[s1] != HUGE_VAL && t->flops[s2] != HUGE_VAL)
            sb[n++] = (split_bound){ecl_max2(t->peak[s1], t->peak[s2]), s1};
        if (sub == 0)
            break;
    }
    qsort(sb, n, sizeof *sb, by_bound);
    for (size_t i = 0; i < n && i < MAX_SPLITS_PEAK; i++) {
        if (m->state == 1 && sb[i].bound >= m->opt[0].peak)
            break;
        try_split(t, s, sb[i].s1, m);
    }
    ecl_free(sb);
}

ecl_dp_choice *ecl_dp_resolve(ecl_dp *t, uint32_t s)
{
    ecl_dp_choice *m = &t->memo[s];
    if (m->state)
        return m;
    m->state = 2;
    if ((s & (s - 1)) == 0) {
        m->state = 1;
        m->n = 1;
        m->opt[0].bytes = m->opt[0].peak = 0;
        ecl_layout_input(t->c, __builtin_ctz(s), &m->opt[0].layout);
        return m;
    }
    if (t->flops[s] == HUGE_VAL)
        return m;
    if (t->by_peak)
        resolve_by_peak(t, s, m);
    else
        resolve_ties(t, s, m);
    return m;
}

void ecl_dp_emit(const ecl_dp *t, uint32_t s, int pick, int *next_id, ecl_ssa *out, int *id_out)
{
    if ((s & (s - 1)) == 0) {
        *id_out = __builtin_ctz(s);
        return;
    }
    const ecl_dp_option *o = &t->memo[s].opt[pick];
    int a, b;
    ecl_dp_emit(t, o->a, o->pick_a, next_id, out, &a);
    ecl_dp_emit(t, s ^ o->a, o->pick_b, next_id, out, &b);
    out->pair[out->npairs][0] = a;
    out->pair[out->npairs][1] = b;
    out->npairs++;
    *id_out = (*next_id)++;
}

