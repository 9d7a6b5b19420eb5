/*
 * Path selection: dispatches on the plan options' algorithm (left to right, optimal, greedy, branch,
 * explicit pairs, or auto by operand count), keeps heuristic orders honest (greedy and branch never
 * return anything costlier than numpy's left-to-right order), and enforces the memory limit: when
 * the chosen order needs a workspace tensor over the limit, the order with the smallest peak is
 * taken if it fits, else the error names that smallest peak. Left to right is numpy's
 * optimize=False order: ((A, B), C), ... written as (0, 1) repeatedly in einsum_path form.
 */
#include "path.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "path_cost.h"

/* auto: exact search up to this many operands, bounded branch search up to the next, then greedy
 * (planning stays well under a millisecond up to about 14 operands; see bench/RESULTS.md). */
#define AUTO_OPTIMAL_MAX 10
#define AUTO_BRANCH_MAX 16
#define AUTO_BRANCH_BUDGET 8000
#define BRANCH_BUDGET 100000

const char *ecl_path_algorithm_name(ecl_path_algorithm algorithm)
{
    switch (algorithm) {
    case ECL_PATH_AUTO: return "auto";
    case ECL_PATH_LEFT: return "left";
    case ECL_PATH_OPTIMAL: return "optimal";
    case ECL_PATH_GREEDY: return "greedy";
    case ECL_PATH_BRANCH: return "branch";
    case ECL_PATH_EXPLICIT: return "explicit";
    }
    return "unknown";
}

static void left_to_right(int nops, ecl_path *out)
{
    out->npairs = nops - 1;
    for (int i = 0; i < out->npairs; i++) {
        out->pair[i][0] = 0;
        out->pair[i][1] = 1;
    }
}

static ecl_status explicit_pairs(const ecl_bound *b, const ecl_plan_options *o, ecl_path *out,
                                 ecl_error *err)
{
    if (o->num_pairs < 0 || o->num_pairs > ECL_MAX_OPERANDS || (o->num_pairs > 0 && !o->pairs))
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "explicit path: %d pairs given%s; %d operands need %d", o->num_pairs,
                        o->num_pairs > 0 && !o->pairs ? " but pairs is NULL" : "", b->nops, b->nops - 1);
    out->npairs = o->num_pairs;
    for (int s = 0; s < o->num_pairs; s++) {
        out->pair[s][0] = o->pairs[s][0];
        out->pair[s][1] = o->pairs[s][1];
    }
    return ecl_path_validate(out, b->nops, err);
}

static double flops_of(const ecl_path_ctx *c, const ecl_ssa *ssa)
{
    ecl_path p;
    ecl_path_eval ev;
    ecl_ssa_to_path(c->nops, ssa, &p);
    ecl_path_evaluate(c, &p, 0, &ev);
    return ev.bad_step < 0 ? ev.flops : HUGE_VAL;
}

/* Greedy: path_greedy.c's variant, or opt_einsum's own when that is cheaper (without a memory
 * limit, which only the first honours). */
static int greedy_order(const ecl_path_ctx *c, ecl_ssa *out)
{
    int found = ecl_path_greedy(c, out);
    if (found < 0 || c->limited)
        return found;
    ecl_ssa oe;
    if (ecl_path_greedy_oe(c, &oe) < 0)
        return -1;
    double f = flops_of(c, &oe);
    if (f < HUGE_VAL && (!found || f < flops_of(c, out) * (1 - 1e-12))) {
        *out = oe;
        found = 1;
    }
    return found;
}

/* Runs a search; 1 found, 0 nothing within the limit, -1 out of memory. */
static int search(const ecl_path_ctx *c, ecl_path_algorithm algo, ecl_path *out)
{
    ecl_ssa greedy, best;
    int found = greedy_order(c, &greedy);
    if (found < 0)
        return found;
    int from_auto = algo == ECL_PATH_AUTO;
    if (from_auto)
        algo = c->nops <= AUTO_OPTIMAL_MAX ? ECL_PATH_OPTIMAL
               : c->nops <= AUTO_BRANCH_MAX ? ECL_PATH_BRANCH : ECL_PATH_GREEDY;
    out->algorithm = algo;
    if (algo == ECL_PATH_OPTIMAL) {
        found = ecl_path_dp(c, 0, found ? flops_of(c, &greedy) - c->base_flops : HUGE_VAL, &best);
    } else if (algo == ECL_PATH_BRANCH) {
        long budget = from_auto ? AUTO_BRANCH_BUDGET : BRANCH_BUDGET;
        found = ecl_path_branch(c, found ? &greedy : NULL, budget, 2, &best);
    } else {
        best = greedy;
    }
    if (found > 0)
        ecl_ssa_to_path(c->nops, &best, out);
    return found;
}

/* Whether the evaluated order keeps every workspace tensor within the limit. */
static int fits(const ecl_path_ctx *c, const ecl_path_eval *e)
{
    return e->bad_step < 0 && (double)e->peak <= c->limit;
}

/* Takes the left-to-right order instead of *out when it costs less (ties: by permute bytes). */
static void prefer_left_if_cheaper(const ecl_path_ctx *c, ecl_path *out, ecl_path_eval *ev)
{
    ecl_path left = *out;
    ecl_path_eval lev;
    left_to_right(c->nops, &left);
    ecl_path_evaluate(c, &left, c->limited, &lev);
    if (!fits(c, &lev) || (fits(c, ev) && !ecl_flops_tie(lev.flops, ev->flops) && ev->flops < lev.flops))
        return;
    if (ecl_flops_tie(lev.flops, ev->flops) && fits(c, ev)) {
        if (!c->limited) {
            ecl_path_evaluate(c, out, 1, ev);
            ecl_path_evaluate(c, &left, 1, &lev);
        }
        if (!(lev.bytes < ev->bytes))
            return;
    }
    *out = left;
    out->note = "the left-to-right order, which costs less";
    *ev = lev;
}

/* Saturates: intermediates of a bad order can exceed 2^64 bytes (an outer product of large sizes). */
static unsigned long long bytes_of(const ecl_path_ctx *c, double elems)
{
    double bytes = elems * (double)ecl_dtype_size(c->b->dtype);
    return bytes < 18446744073709549568.0 ? (unsigned long long)bytes : ULLONG_MAX;
}

/* The memory limit rules out the chosen order: take the order with the smallest peak if it fits
 * and the order was searched for (requested == NULL), else say what the smallest peak is. */
static ecl_status smallest_peak(const ecl_path_ctx *c, uint64_t limit, const ecl_path_eval *requested,
                                ecl_path *out, ecl_error *err)
{
    ecl_ssa ssa;
    ecl_path p = *out;
    ecl_path_eval ev = {.bad_step = 0};
    int found = ecl_path_smallest_peak(c, &ssa);
    if (found < 0)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate the path search's tables");
    if (found) {
        ecl_ssa_to_path(c->nops, &ssa, &p);
        ecl_path_evaluate(c, &p, 1, &ev);
    }
    int ok = fits(c, &ev);
    if (!requested && ok) {
        memcpy(out->pair, p.pair, sizeof p.pair);
        out->npairs = p.npairs;
        out->note = "the order with the smallest peak, to fit the memory limit";
        return ECL_SUCCESS;
    }
    char smallest[128] = "every order needs an intermediate too large to address";
    if (ev.bad_step < 0)
        snprintf(smallest, sizeof smallest, "the smallest peak the planner finds is %llu bytes%s",
                 bytes_of(c, (double)ev.peak), ok ? ", which fits" : "");
    if (requested)
        return ecl_fail(err, ECL_ERROR_MEMORY_LIMIT,
                        "the %s contraction order needs a workspace tensor of %llu bytes, over the "
                        "memory limit of %llu bytes; %s", ecl_path_algorithm_name(out->algorithm),
                        bytes_of(c, (double)requested->peak), (unsigned long long)limit, smallest);
    return ecl_fail(err, ECL_ERROR_MEMORY_LIMIT,
                    "no contraction order keeps every workspace tensor within the memory limit of "
                    "%llu bytes: %s", (unsigned long long)limit, smallest);
}

/* A given order whose intermediate would be too large to address (over 2^56 elements). */
static ecl_status check_result_sizes(const ecl_path_eval *ev, const ecl_path *path, ecl_error *err)
{
    if (ev->bad_step < 0)
        return ECL_SUCCESS;
    return ecl_fail(err, ECL_ERROR_OVERFLOW,
                    "%s path step %d creates an intermediate of %.4g elements in %d dimensions, too "
                    "large to address", ecl_path_algorithm_name(path->algorithm), ev->bad_step,
                    ev->bad_size, ev->bad_dims);
}

static ecl_status find(const ecl_path_ctx *c, ecl_path_algorithm algo, const ecl_plan_options *o,
                       ecl_path *out, ecl_error *err)
{
    const ecl_bound *b = c->b;
    uint64_t limit = o ? o->memory_limit : 0;
    out->algorithm = algo == ECL_PATH_AUTO ? ECL_PATH_LEFT : algo;  /* search() refines it */
    if (algo == ECL_PATH_EXPLICIT) {
        ecl_status st = explicit_pairs(b, o, out, err);
        if (st != ECL_SUCCESS)
            return st;
    } else if (c->trivial || algo == ECL_PATH_LEFT) {
        left_to_right(b->nops, out);
    }
    if (c->trivial)
        return ECL_SUCCESS;
    const char *why = c->base_peak_op >= 0 && b->op[c->base_peak_op].dtype != b->dtype
                          ? "conversion to the plan's dtype" : "summing its own labels";
    if ((double)c->base_peak > ECL_PATH_MAX_ELEMS)
        return ecl_fail(err, ECL_ERROR_OVERFLOW,
                        "operand %d alone needs a workspace copy of %lld elements (%s) before any "
                        "contraction, too large to address (the limit is 2^56)", c->base_peak_op,
                        (long long)c->base_peak, why);
    if (c->limited && (double)c->base_peak > c->limit)
        return ecl_fail(err, ECL_ERROR_MEMORY_LIMIT,
                        "no contraction order fits the memory limit of %llu bytes: the smallest peak "
                        "the planner finds is %llu bytes, as operand %d alone needs a workspace copy "
                        "that large (%s) before any contraction", (unsigned long long)limit,
                        bytes_of(c, (double)c->base_peak), c->base_peak_op, why);
    int searched = algo != ECL_PATH_EXPLICIT && algo != ECL_PATH_LEFT;
    if (algo == ECL_PATH_OPTIMAL && b->nops > ECL_OPTIMAL_MAX_OPERANDS)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "the optimal path search handles up to %d operands and this einsum has %d; "
                        "use branch or greedy", ECL_OPTIMAL_MAX_OPERANDS, b->nops);
    ecl_path_eval ev;
    if (searched && b->nops == 2) {
        left_to_right(2, out);
        out->algorithm = algo == ECL_PATH_AUTO ? ECL_PATH_LEFT : algo;
        ecl_path_evaluate(c, out, c->limited, &ev);
    } else if (searched) {
        int found = search(c, algo, out);
        if (found < 0)
            return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate the path search's tables");
        if (!found)
            return smallest_peak(c, limit, NULL, out, err);
        ecl_path_evaluate(c, out, c->limited, &ev);
        if (out->algorithm != ECL_PATH_OPTIMAL)
            prefer_left_if_cheaper(c, out, &ev);
    } else {
        ecl_path_evaluate(c, out, c->limited, &ev);
        ecl_status st = check_result_sizes(&ev, out, err);
        if (st != ECL_SUCCESS)
            return st;
    }
    if (!fits(c, &ev))
        return smallest_peak(c, limit, searched ? NULL : &ev, out, err);
    return ECL_SUCCESS;
}

ecl_status ecl_path_find(const ecl_bound *b, const ecl_plan_options *options, ecl_path *out,
                         ecl_error *err)
{
    memset(out, 0, sizeof *out);
    ecl_path_algorithm algo = options ? options->path : ECL_PATH_AUTO;
    if ((int)algo < (int)ECL_PATH_AUTO || (int)algo > (int)ECL_PATH_EXPLICIT)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "unknown path algorithm %d", (int)algo);
    ecl_path_ctx c;
    ecl_status st = ecl_path_ctx_init(&c, b, options ? options->memory_limit : 0, err);
    if (st == ECL_SUCCESS)
        st = find(&c, algo, options, out, err);
    out->requested = algo;
    ecl_path_ctx_free(&c);
    return st;
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
