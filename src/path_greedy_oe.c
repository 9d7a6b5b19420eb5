/*
 * opt_einsum's greedy exactly as opt_einsum runs it (paths.ssa_greedy_optimize, opt_einsum 3.4):
 * the operands' full label sets as keys (one live operand per key: equal keys are multiplied at
 * once), a priority queue of candidates ordered by (memory removed, larger id, smaller id) whose
 * costs are computed when pushed and never refreshed, one candidate pushed per new operand (its
 * best partner), stale candidates skipped when popped, outer products of what is left smallest
 * first. path.c runs it next to path_greedy.c's variant (always-current costs) and keeps the
 * cheaper order, so `greedy` is never worse than opt_einsum's greedy.
 */
#include "path_cost.h"

#include <stdlib.h>
#include <string.h>
#include "alloc.h"

typedef struct cand {
    double cost;
    int hi, lo;                 /* SSA ids, lo < hi; lo is A */
    ecl_lset k1, k2, k12;       /* k1 has id lo */
} cand;

typedef struct state {
    const ecl_path_ctx *c;
    ecl_lset out;               /* output labels plus labels every input has */
    int live;
    ecl_lset key[ECL_MAX_OPERANDS];
    int id[ECL_MAX_OPERANDS];
    ecl_label_counts counts;    /* over live keys, labels outside `out` only */
    cand *heap;
    int nheap, cap;
    int next_id;
    ecl_ssa *ssa;
} state;

static int cand_less(const cand *a, const cand *b)
{
    if (a->cost != b->cost)
        return a->cost < b->cost;
    return a->hi != b->hi ? a->hi < b->hi : a->lo < b->lo;
}

static void push(state *s, const cand *x)
{
    int i = s->nheap++;
    while (i > 0 && cand_less(x, &s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = *x;
}

static cand pop(state *s)
{
    cand top = s->heap[0], last = s->heap[--s->nheap];
    int i = 0;
    for (;;) {
        int child = 2 * i + 1;
        if (child >= s->nheap)
            break;
        if (child + 1 < s->nheap && cand_less(&s->heap[child + 1], &s->heap[child]))
            child++;
        if (!cand_less(&s->heap[child], &last))
            break;
        s->heap[i] = s->heap[child];
        i = child;
    }
    if (s->nheap > 0)
        s->heap[i] = last;
    return top;
}

static int find_key(const state *s, ecl_lset key)
{
    for (int t = 0; t < s->live; t++)
        if (ecl_lset_equal(s->key[t], key))
            return t;
    return -1;
}

static cand candidate(const state *s, int a, int b)
{
    ecl_lset k1 = s->key[a], k2 = s->key[b];
    ecl_lset both = ecl_lset_and(k1, k2), either = ecl_lset_or(k1, k2), one = ecl_lset_minus(either, both);
    ecl_lset k12 = ecl_lset_or(ecl_lset_and(either, s->out),
                               ecl_lset_or(ecl_lset_and(both, s->counts.triple), ecl_lset_and(one, s->counts.multi)));
    double cost = ecl_lset_size(s->c, k12) - ecl_lset_size(s->c, k1) - ecl_lset_size(s->c, k2);
    if (s->id[a] > s->id[b])
        return (cand){cost, s->id[a], s->id[b], k2, k1, k12};
    return (cand){cost, s->id[b], s->id[a], k1, k2, k12};
}

/* Pushes the best candidate pairing slot a with any live operand sharing a summed label. */
static void push_best(state *s, int a)
{
    cand best;
    int found = 0;
    for (int b = 0; b < s->live; b++) {
        if (b == a || ecl_lset_empty(ecl_lset_minus(ecl_lset_and(s->key[a], s->key[b]), s->out)))
            continue;
        cand x = candidate(s, a, b);
        if (!found || cand_less(&x, &best))
            best = x;
        found = 1;
    }
    if (found)
        push(s, &best);
}

static void remove_slot(state *s, int t)
{
    ecl_counts_add(&s->counts, ecl_lset_minus(s->key[t], s->out), -1);
    s->key[t] = s->key[s->live - 1];
    s->id[t] = s->id[--s->live];
}

/* Records the pair and makes the result live (multiplying it at once into a live equal key). */
static int add_result(state *s, int id1, int id2, ecl_lset k12)
{
    s->ssa->pair[s->ssa->npairs][0] = id1;
    s->ssa->pair[s->ssa->npairs++][1] = id2;
    int made = s->next_id++, same = find_key(s, k12);
    if (same >= 0) {
        s->ssa->pair[s->ssa->npairs][0] = s->id[same];
        s->ssa->pair[s->ssa->npairs++][1] = made;
        s->id[same] = s->next_id++;
        return same;
    }
    s->key[s->live] = k12;
    s->id[s->live] = made;
    ecl_counts_add(&s->counts, ecl_lset_minus(k12, s->out), 1);
    return s->live++;
}

/* opt_einsum's first candidates: per summed label, each operand having it paired with its best
 * partner among the later (higher id) operands having it. */
static void initial_candidates(state *s)
{
    for (int l = 0; l < ECL_MAX_LABELS; l++) {
        if (s->counts.count[l] < 2)
            continue;
        for (int a = 0; a < s->live; a++) {
            if (!ecl_lset_has(s->key[a], l))
                continue;
            cand best;
            int found = 0;
            for (int b = 0; b < s->live; b++)
                if (s->id[b] > s->id[a] && ecl_lset_has(s->key[b], l)) {
                    cand x = candidate(s, a, b);
                    if (!found || cand_less(&x, &best))
                        best = x;
                    found = 1;
                }
            if (found)
                push(s, &best);
        }
    }
}

static void run(state *s)
{
    initial_candidates(s);
    while (s->nheap > 0) {
        cand x = pop(s);
        int a = find_key(s, x.k1), b = find_key(s, x.k2);
        if (a < 0 || b < 0)
            continue;  /* stale */
        int ida = s->id[a], idb = s->id[b];
        remove_slot(s, a > b ? a : b);
        remove_slot(s, a > b ? b : a);
        push_best(s, add_result(s, ida, idb, x.k12));
    }
    /* Outer products of what is left: the two smallest (by their output part; ties: lower id). */
    while (s->live > 1) {
        int p[2] = {-1, -1};
        double best[2] = {0, 0};
        for (int e = 0; e < 2; e++)
            for (int t = 0; t < s->live; t++) {
                double k = ecl_lset_size(s->c, ecl_lset_and(s->key[t], s->out));
                if (t != p[0] && (p[e] < 0 || k < best[e] || (k == best[e] && s->id[t] < s->id[p[e]]))) {
                    p[e] = t;
                    best[e] = k;
                }
            }
        int lo = s->id[p[0]] < s->id[p[1]] ? s->id[p[0]] : s->id[p[1]], hi = s->id[p[0]] + s->id[p[1]] - lo;
        ecl_lset k12 = ecl_lset_and(ecl_lset_or(s->key[p[0]], s->key[p[1]]), s->out);
        s->ssa->pair[s->ssa->npairs][0] = lo;
        s->ssa->pair[s->ssa->npairs++][1] = hi;
        int keep = p[0] < p[1] ? p[0] : p[1];
        s->key[keep] = k12;
        s->id[keep] = s->next_id++;
        s->key[p[0] + p[1] - keep] = s->key[s->live - 1];
        s->id[p[0] + p[1] - keep] = s->id[--s->live];
    }
}

int ecl_path_greedy_oe(const ecl_path_ctx *c, ecl_ssa *out)
{
    state *s = ecl_calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->c = c;
    s->ssa = out;
    out->npairs = 0;
    s->next_id = c->nops;
    ecl_lset common = {{~(uint64_t)0, ~(uint64_t)0}};
    ecl_lset raw[ECL_MAX_OPERANDS];
    for (int i = 0; i < c->nops; i++) {
        raw[i] = (ecl_lset){{0, 0}};
        for (int d = 0; d < c->b->op[i].ndim; d++)
            ecl_lset_add(&raw[i], c->b->op[i].label[d]);
        common = ecl_lset_and(common, raw[i]);
    }
    s->out = ecl_lset_or(c->out, common);
    s->cap = 2 * c->nops + 8;  /* pushes: at most one per label of each input, one per contraction */
    for (int i = 0; i < c->nops; i++)
        s->cap += c->b->op[i].ndim;
    s->heap = ecl_malloc(sizeof *s->heap * (size_t)s->cap);
    if (!s->heap) {
        ecl_free(s);
        return -1;
    }
    for (int i = 0; i < c->nops; i++) {
        int same = find_key(s, raw[i]);
        if (same >= 0) {  /* equal keys: multiplied at once */
            out->pair[out->npairs][0] = s->id[same];
            out->pair[out->npairs++][1] = i;
            s->id[same] = s->next_id++;
            continue;
        }
        s->key[s->live] = raw[i];
        s->id[s->live++] = i;
        ecl_counts_add(&s->counts, ecl_lset_minus(raw[i], s->out), 1);
    }
    run(s);
    ecl_free(s->heap);
    ecl_free(s);
    return 1;
}
