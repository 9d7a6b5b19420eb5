/*
 * The path search's model of a contraction: label sets as 128-bit sets, the problem as the searches
 * see it (each input's labels after the reductions the lowering does first, sizes, path-independent
 * costs), the FLOPs of one pairwise contraction exactly as plan_build.c counts them, and a layout
 * simulation of one pair (path_sim.c) that predicts the permute traffic, the workspace tensors and
 * the label order of the result, so orders with equal FLOPs rank by the transposes they cause.
 * Searches work in SSA form: inputs are ids 0..nops-1, the result of contraction s is nops + s.
 */
#ifndef ECL_PATH_COST_H
#define ECL_PATH_COST_H

#include <stdint.h>

#include "path.h"
#include "planner.h"

typedef struct ecl_lset {
    uint64_t w[2];
} ecl_lset;

_Static_assert(ECL_MAX_LABELS <= 128, "label sets hold 128 labels");
_Static_assert(ECL_MAX_OPERANDS <= 64, "operand sets are 64-bit masks");

static inline ecl_lset ecl_lset_or(ecl_lset a, ecl_lset b) { return (ecl_lset){{a.w[0] | b.w[0], a.w[1] | b.w[1]}}; }
static inline ecl_lset ecl_lset_and(ecl_lset a, ecl_lset b) { return (ecl_lset){{a.w[0] & b.w[0], a.w[1] & b.w[1]}}; }
static inline ecl_lset ecl_lset_minus(ecl_lset a, ecl_lset b) { return (ecl_lset){{a.w[0] & ~b.w[0], a.w[1] & ~b.w[1]}}; }
static inline int ecl_lset_empty(ecl_lset a) { return (a.w[0] | a.w[1]) == 0; }
static inline int ecl_lset_equal(ecl_lset a, ecl_lset b) { return a.w[0] == b.w[0] && a.w[1] == b.w[1]; }
static inline int ecl_lset_has(ecl_lset a, int l) { return (int)((a.w[l >> 6] >> (l & 63)) & 1u); }
static inline void ecl_lset_add(ecl_lset *a, int l) { a->w[l >> 6] |= (uint64_t)1 << (l & 63); }
static inline int ecl_lset_count(ecl_lset a) { return __builtin_popcountll(a.w[0]) + __builtin_popcountll(a.w[1]); }

/* Largest intermediate (elements) a search may create: keeps workspace offsets and byte counts far
 * from 64-bit overflow. */
#define ECL_PATH_MAX_ELEMS ((double)((int64_t)1 << 56))

typedef struct ecl_path_ctx {
    const ecl_bound *b;
    int nops;
    ecl_lset in[ECL_MAX_OPERANDS];  /* each input's labels that another operand or the output has */
    ecl_lset out;
    double size[ECL_MAX_LABELS];
    double base_flops;              /* the path-independent reductions of single-operand labels */
    int64_t base_peak;              /* largest path-independent temporary: conversions, reductions */
    int base_peak_op;               /* the operand that needs it, -1 if none */
    double limit;                   /* elements an intermediate may have (memory limit, overflow) */
    int limited;                    /* the caller gave a memory limit */
    int trivial;                    /* nothing to plan: a zero-size label, or one operand */
    ecl_view *view;                 /* nops input views as the lowering sees them (after the above) */
    ecl_planner planner;            /* only .b is set: for ecl_estimate_gemm */
} ecl_path_ctx;

/* Prepares the search model for b under memory_limit bytes (0 = none). */
ecl_status ecl_path_ctx_init(ecl_path_ctx *c, const ecl_bound *b, uint64_t memory_limit,
                             ecl_error *err);
void ecl_path_ctx_free(ecl_path_ctx *c);

/* Product of the sizes of the labels in s. */
double ecl_lset_size(const ecl_path_ctx *c, ecl_lset s);
/* FLOPs of contracting operands with labels a and b into a result with labels r (plan_build.c's
 * count: 2 per element of the joint loop when something is summed, else 1). */
double ecl_pair_flops(const ecl_path_ctx *c, ecl_lset a, ecl_lset b, ecl_lset r);
/* Whether a result with labels r may exist: at most ECL_MAX_DIMS labels, within the limit. */
int ecl_result_fits(const ecl_path_ctx *c, ecl_lset r);

/* The memory layout of an operand during the search: an input's view, or a contiguous
 * intermediate with its labels in this order. */
typedef struct ecl_layout {
    int input;  /* input index, or -1 for an intermediate */
    int n;
    unsigned char label[ECL_MAX_DIMS];
} ecl_layout;

void ecl_layout_input(const ecl_path_ctx *c, int i, ecl_layout *out);

typedef struct ecl_pair_sim {
    double flops, bytes;  /* FLOPs and permute bytes of the pair */
    int64_t peak;         /* largest workspace tensor the pair allocates (elements) */
    ecl_layout result;    /* the result's layout (unset for the final pair) */
} ecl_pair_sim;

/* Simulates the lowering of A (x) B into labels r (final: into the output). */
void ecl_pair_simulate(const ecl_path_ctx *c, const ecl_layout *A, const ecl_layout *B, ecl_lset r,
                       int final, ecl_pair_sim *out);

/* Costs of a whole path (path_sim.c). */
typedef struct ecl_path_eval {
    double flops, bytes;  /* totals, path-independent reductions included */
    int64_t peak;         /* largest workspace tensor (elements), path-independent ones included */
    int bad_step;         /* first step whose result cannot exist (dims, size), else -1 */
    int bad_dims;         /* that result's label count */
    double bad_size;      /* and its elements */
} ecl_path_eval;

/* Follows path (already validated) step by step; with simulate, through the layout simulation
 * (bytes, workspace peaks), else counting FLOPs and result sizes only (bytes 0). */
void ecl_path_evaluate(const ecl_path_ctx *c, const ecl_path *path, int simulate, ecl_path_eval *out);
/* One pairwise contraction of a path, for descriptions: the operands' labels (an input's are all
 * its distinct labels, intermediates' in memory order), the result's, its FLOPs and elements. */
typedef struct ecl_path_step {
    ecl_layout a, b, result;
    double flops, elements;  /* elements 0 for the final pair, which writes the output */
} ecl_path_step;

/* Fills path->npairs steps. */
void ecl_path_steps(const ecl_path_ctx *c, const ecl_path *path, ecl_path_step *steps);

/* Orders whole-path costs: FLOPs first (equal within rounding), then permute bytes. */
int ecl_path_cost_less(double flops_a, double bytes_a, double flops_b, double bytes_b);
int ecl_flops_tie(double a, double b);

/* A contraction tree in SSA form: pair s contracts ids pair[s][0] (as A) and pair[s][1] (as B). */
typedef struct ecl_ssa {
    int npairs;
    int pair[ECL_MAX_OPERANDS][2];
} ecl_ssa;

/* Converts SSA ids to numpy.einsum_path's positions in the current operand list. */
void ecl_ssa_to_path(int nops, const ecl_ssa *ssa, ecl_path *out);

/* Labels of the result of contracting labels a and b when `others` holds the labels of every other
 * remaining operand. */
static inline ecl_lset ecl_pair_result(const ecl_path_ctx *c, ecl_lset a, ecl_lset b, ecl_lset others)
{
    return ecl_lset_and(ecl_lset_or(a, b), ecl_lset_or(c->out, others));
}

/* How many live operands have each label, and as sets the labels that two or more (multi) and
 * three or more (triple) have, so a pair's result is a few bit operations. */
typedef struct ecl_label_counts {
    int count[ECL_MAX_LABELS];
    ecl_lset multi, triple;
} ecl_label_counts;

/* Adds delta to the count of every label in s. */
void ecl_counts_add(ecl_label_counts *k, ecl_lset s, int delta);

/* Labels of the result of contracting live operands a and b: those the output or a third live
 * operand still needs. */
static inline ecl_lset ecl_counts_result(const ecl_path_ctx *c, const ecl_label_counts *k, ecl_lset a,
                                         ecl_lset b)
{
    ecl_lset both = ecl_lset_and(a, b), one = ecl_lset_minus(ecl_lset_or(a, b), both);
    return ecl_lset_or(ecl_lset_and(ecl_lset_or(a, b), c->out),
                       ecl_lset_or(ecl_lset_and(both, k->triple), ecl_lset_and(one, k->multi)));
}

/* The searches (path_optimal.c + path_layout.c, path_greedy.c, path_greedy_oe.c, path_branch.c,
 * path_peak.c). Each returns 1 with *out set, 0 when no order keeps every intermediate within
 * c->limit, -1 when out of memory. */
#define ECL_OPTIMAL_MAX_OPERANDS 16
/* Dynamic programming over subsets (at most ECL_OPTIMAL_MAX_OPERANDS operands) for the least
 * FLOPs, or with by_peak for the smallest largest intermediate (c->limit ignored). cap: an upper
 * bound on the optimal FLOPs that prunes the search, or HUGE_VAL. */
int ecl_path_dp(const ecl_path_ctx *c, int by_peak, double cap, ecl_ssa *out);
int ecl_path_greedy(const ecl_path_ctx *c, ecl_ssa *out);
/* opt_einsum's greedy as opt_einsum runs it (stale queue costs included), ignoring c->limit. */
int ecl_path_greedy_oe(const ecl_path_ctx *c, ecl_ssa *out);
/* Starts from `seed` (a complete order, e.g. greedy's) and explores at most `budget` pair
 * evaluations, taking up to nbranch (>= 1) candidates at each level. */
int ecl_path_branch(const ecl_path_ctx *c, const ecl_ssa *seed, long budget, int nbranch, ecl_ssa *out);
/* The order with the smallest largest intermediate (exact over results for up to
 * ECL_OPTIMAL_MAX_OPERANDS operands, greedy beyond), ignoring c->limit. */
int ecl_path_smallest_peak(const ecl_path_ctx *c, ecl_ssa *out);

#endif /* ECL_PATH_COST_H */
