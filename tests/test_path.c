/*
 * Contraction paths (src/path*.c): the optimal search against brute force over every pairwise order
 * (the FLOPs the real lowering counts, up to 6 operands) on opt_einsum's own test equations and on
 * seeded random ones; greedy, branch and auto never worse than left to right; the search's layout
 * simulation against what plan_build.c actually emits; memory limits (respected, and an error only
 * when brute force confirms that no order fits); explicit paths and their validation; orders whose
 * intermediates would exceed 64 dimensions. Numerical results per algorithm: test_path_exec.c.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path_cost.h"
#include "plan.h"
#include "random_einsum.h"
#include "rng.h"

#define MAX_OPS ECL_MAX_OPERANDS

/* opt_einsum/tests/test_contract.py (`tests`) and test_paths.py (test_memory_paths,
 * test_greedy_edge_cases, path_edge_tests, test_custom_dp_can_optimize_for_outer_products), opt_einsum
 * 3.4.0; sizes from opt_einsum.testing's default dimension dict. */
static const char *const opt_einsum_tests[] = {
    "a,->a", "ab,->ab", ",ab,->ab", ",,->", "a,ab,abc->abc", "a,b,ab->ab",
    "ea,fb,gc,hd,abcd->efgh", "ea,fb,abcd,gc,hd->efgh", "abcd,ea,fb,gc,hd->efgh",
    "abhe,hidj,jgba,hiab,gab", "bdhe,acad,hiab,agac,hibd",
    "ab,ab,c->", "ab,ab,c->c", "ab,ab,cd,cd->", "ab,ab,cd,cd->ac", "ab,ab,cd,cd->cd",
    "ab,ab,cd,cd,ef,ef->", "ab,cd,ef->abcdef", "ab,cd,ef->acdf", "ab,cd,de->abcde", "ab,cd,de->be",
    "ab,bcd,cd->abcd", "ab,bcd,cd->abd", "eb,cb,fb->cef", "dd,fb,be,cdb->cef", "bca,cdb,dbf,afc->",
    "dcc,fce,ea,dbf->ab", "fdf,cdd,ccd,afe->ae", "abcd,ad", "ed,fcd,ff,bcf->be", "baa,dcf,af,cde->be",
    "bd,db,eac->ace", "fff,fae,bef,def->abd", "efc,dbc,acf,fd->abe", "ab,ab", "ab,ba", "abc,abc",
    "abc,bac", "abc,cba", "ab,bc", "ab,cb", "ba,bc", "ba,cb", "abcd,cd", "abcd,ab", "abcd,cdef",
    "abcd,cdef->feba", "abcd,efdc", "aab,bc->ac", "ab,bcc->ac", "aab,bcc->ac", "baa,bcc->ac",
    "aab,ccb->ac", "aab,fa,df,ecc->bde", "ecb,fef,bad,ed->ac", "bcf,bbb,fbf,fc->", "bb,ff,be->e",
    "bcb,bb,fc,fff->", "fbb,dfd,fc,fc->", "afd,ba,cc,dc->bf", "adb,bc,fa,cfc->d", "bbd,bda,fc,db->acf",
    "dba,ead,cad->bce", "aef,fbc,dca->bde", "abc,bdef,fghj,cem,mhk,ljk->adgl", "abc,cfd,dbe,efa",
    "a,b,abc->c",
};

static int opt_einsum_size(char c)
{
    static const char chars[] = "abcdefghijklmopqABC";
    static const int sizes[] = {2, 3, 4, 5, 4, 3, 2, 6, 5, 4, 3, 2, 5, 7, 4, 3, 2, 3, 4};
    const char *p = strchr(chars, c);
    return p ? sizes[p - chars] : 2;
}

typedef struct problem {
    char eq[256];
    int n;
    int64_t shape[MAX_OPS][ECL_MAX_DIMS];
    ecl_tensor_desc desc[MAX_OPS];
    ecl_equation *parsed;
    ecl_bound *b;
} problem;

static void bind_problem(problem *p)
{
    ecl_error err;
    p->parsed = malloc(sizeof *p->parsed);
    p->b = malloc(sizeof *p->b);
    cr_assert(p->parsed && p->b);
    cr_assert_eq(ecl_equation_parse(p->eq, p->parsed, &err), ECL_SUCCESS, "%s: %s", p->eq, err.message);
    cr_assert_eq(ecl_bind(p->parsed, p->n, p->desc, p->b, &err), ECL_SUCCESS, "%s: %s", p->eq, err.message);
}

/* "eq 2x3 3x4:f32 scalar" for failure messages. */
static const char *describe(const problem *p)
{
    static char text[512];
    size_t len = (size_t)snprintf(text, sizeof text, "%s", p->eq);
    for (int i = 0; i < p->n && len < sizeof text; i++) {
        len += (size_t)snprintf(text + len, sizeof text - len, " ");
        if (p->desc[i].ndim == 0)
            len += (size_t)snprintf(text + len, sizeof text - len, "scalar");
        for (int d = 0; d < p->desc[i].ndim && len < sizeof text; d++)
            len += (size_t)snprintf(text + len, sizeof text - len, d ? "x%lld" : "%lld",
                                    (long long)p->desc[i].shape[d]);
        if (p->desc[i].dtype == ECL_F32 && len < sizeof text)
            len += (size_t)snprintf(text + len, sizeof text - len, ":f32");
    }
    return text;
}

static void free_problem(problem *p)
{
    free(p->parsed);
    free(p->b);
}

/* The equation with opt_einsum's test sizes, all float64 and contiguous. */
static void opt_einsum_problem(const char *eq, problem *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->eq, sizeof p->eq, "%s", eq);
    const char *c = eq;
    for (;; c++) {
        int nd = 0;
        for (; *c && *c != ',' && *c != '-'; c++)
            p->shape[p->n][nd++] = opt_einsum_size(*c);
        p->desc[p->n] = (ecl_tensor_desc){ECL_F64, nd, p->shape[p->n], NULL};
        p->n++;
        if (*c != ',')
            break;
    }
    bind_problem(p);
}

/* A seeded random problem: 3..max_ops operands over a small alphabet (shared, summed, output,
 * repeated and size-1 labels, 0-d operands, sometimes float32 and float64 mixed). */
static void random_problem(uint64_t seed, int max_ops, problem *p)
{
    ecl_rng rng;
    ecl_rng_seed(&rng, seed);
    memset(p, 0, sizeof *p);
    int nl = 3 + ecl_rng_below(&rng, 5), size[8];
    for (int l = 0; l < nl; l++)
        size[l] = 1 + ecl_rng_below(&rng, ecl_rng_chance(&rng, 0.2) ? 1 : 5);
    p->n = 3 + ecl_rng_below(&rng, max_ops - 2);
    int used[8] = {0}, len = 0, mixed = ecl_rng_chance(&rng, 0.2);
    for (int i = 0; i < p->n; i++) {
        int nd = ecl_rng_chance(&rng, 0.05) ? 0 : 1 + ecl_rng_below(&rng, 4);
        for (int d = 0; d < nd; d++) {
            int l = d > 0 && ecl_rng_chance(&rng, 0.08) ? p->eq[len - 1] - 'a' : ecl_rng_below(&rng, nl);
            p->eq[len++] = (char)('a' + l);
            used[l] = 1;
            p->shape[i][d] = size[l];
        }
        p->eq[len++] = i + 1 < p->n ? ',' : '\0';
        ecl_dtype dt = mixed && ecl_rng_chance(&rng, 0.5) ? ECL_F32 : ECL_F64;
        p->desc[i] = (ecl_tensor_desc){dt, nd, p->shape[i], NULL};
    }
    if (ecl_rng_chance(&rng, 0.6)) {
        len--;
        p->eq[len++] = '-';
        p->eq[len++] = '>';
        for (int l = 0; l < nl; l++)
            if (used[l] && ecl_rng_chance(&rng, 0.4))
                p->eq[len++] = (char)('a' + l);
        p->eq[len] = '\0';
    }
    bind_problem(p);
}

/* ---- brute force over every pairwise order ---------------------------------------------------- */

typedef struct brute {
    const ecl_bound *b;
    ecl_path path;
    int orientations;  /* also try (j, i) for every pair */
    double min_flops;
    int64_t min_peak;
    long orders;
} brute;

static void enumerate(brute *br, int count, int step)
{
    if (count == 1) {
        ecl_lowered low;
        ecl_error err;
        br->path.npairs = step;
        cr_assert_eq(ecl_plan_build(br->b, &br->path, &low, &err), ECL_SUCCESS, "%s", err.message);
        br->min_flops = fmin(br->min_flops, low.flops);
        if (low.largest_intermediate < br->min_peak)
            br->min_peak = low.largest_intermediate;
        br->orders++;
        ecl_lowered_free(&low);
        return;
    }
    for (int i = 0; i < count; i++)
        for (int j = br->orientations ? 0 : i + 1; j < count; j++) {
            if (i == j)
                continue;
            br->path.pair[step][0] = i;
            br->path.pair[step][1] = j;
            enumerate(br, count - 1, step + 1);
        }
}

static brute brute_force(const ecl_bound *b, int orientations)
{
    brute br = {.b = b, .orientations = orientations, .min_flops = HUGE_VAL, .min_peak = INT64_MAX};
    enumerate(&br, b->nops, 0);
    return br;
}

/* Plans b with an algorithm through ecl_path_find + ecl_plan_build: FLOPs and largest intermediate. */
static ecl_status plan_with(const ecl_bound *b, ecl_path_algorithm algo, uint64_t limit, ecl_lowered *low,
                            ecl_error *err)
{
    ecl_plan_options o;
    ecl_plan_options_init(&o);
    o.path = algo;
    o.memory_limit = limit;
    ecl_path path;
    ecl_status st = ecl_path_find(b, &o, &path, err);
    if (st == ECL_SUCCESS)
        st = ecl_plan_build(b, &path, low, err);
    return st;
}

static double flops_with(const problem *p, ecl_path_algorithm algo)
{
    ecl_lowered low;
    ecl_error err;
    cr_assert_eq(plan_with(p->b, algo, 0, &low, &err), ECL_SUCCESS, "%s (%s): %s", p->eq,
                 ecl_path_algorithm_name(algo), err.message);
    double f = low.flops;
    ecl_lowered_free(&low);
    return f;
}

static int same_flops(double a, double b) { return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b)); }

static void check_against_brute_force(const problem *p)
{
    brute br = brute_force(p->b, 0);
    double optimal = flops_with(p, ECL_PATH_OPTIMAL), left = flops_with(p, ECL_PATH_LEFT);
    cr_expect(same_flops(optimal, br.min_flops), "%s: optimal %.17g FLOPs, brute force over %ld orders %.17g",
              p->eq, optimal, br.orders, br.min_flops);
    const ecl_path_algorithm heuristics[] = {ECL_PATH_GREEDY, ECL_PATH_BRANCH, ECL_PATH_AUTO};
    for (int a = 0; a < 3; a++) {
        double f = flops_with(p, heuristics[a]);
        cr_expect(f <= left * (1 + 1e-9), "%s: %s %.17g FLOPs, worse than left to right %.17g", p->eq,
                  ecl_path_algorithm_name(heuristics[a]), f, left);
        cr_expect(f >= br.min_flops * (1 - 1e-9), "%s: %s %.17g FLOPs, below the optimum %.17g", p->eq,
                  ecl_path_algorithm_name(heuristics[a]), f, br.min_flops);
    }
}

Test(path, optimal_matches_brute_force_on_opt_einsum_tests)
{
    for (size_t k = 0; k < sizeof opt_einsum_tests / sizeof *opt_einsum_tests; k++) {
        problem p;
        opt_einsum_problem(opt_einsum_tests[k], &p);
        if (p.n <= 6)
            check_against_brute_force(&p);
        free_problem(&p);
    }
}

Test(path, optimal_matches_brute_force_on_random_equations, .timeout = 600)
{
    for (int k = 0; k < 120; k++) {
        problem p;
        random_problem(0xba5e0000u + (uint64_t)k, 6, &p);
        check_against_brute_force(&p);
        free_problem(&p);
    }
}

/* An outer product first is optimal here (opt_einsum's dp misses it unless told to search outer
 * products): (a x b) then one contraction with abc. */
Test(path, optimal_finds_outer_products)
{
    problem p;
    opt_einsum_problem("a,b,abc->c", &p);
    ecl_path path;
    ecl_error err;
    ecl_plan_options o;
    ecl_plan_options_init(&o);
    o.path = ECL_PATH_OPTIMAL;
    cr_assert_eq(ecl_path_find(p.b, &o, &path, &err), ECL_SUCCESS, "%s", err.message);
    int first = path.pair[0][0] + path.pair[0][1];
    cr_expect_eq(first, 1, "first pair (%d, %d), want the outer product of operands 0 and 1",
                 path.pair[0][0], path.pair[0][1]);
    free_problem(&p);
}

/* ---- the layout simulation predicts the lowering ---------------------------------------------- */

/* Permute traffic of lowered steps: copies that do not convert dtypes, read and written. */
static double permute_bytes(const ecl_lowered *low, ecl_dtype dtype)
{
    double bytes = 0;
    for (int i = 0; i < low->nsteps; i++) {
        const ecl_step *s = &low->steps[i];
        if (s->kind == ECL_STEP_COPY && s->a.dtype == s->dst.dtype) {
            double n = 1;
            for (int d = 0; d < s->dst.ndim; d++)
                n *= (double)s->dst.shape[d];
            bytes += 2 * n * (double)ecl_dtype_size(dtype);
        }
    }
    return bytes;
}

static void random_order(ecl_rng *rng, int nops, ecl_path *path)
{
    path->npairs = nops - 1;
    for (int s = 0, count = nops; s < nops - 1; s++, count--) {
        int i = ecl_rng_below(rng, count), j = ecl_rng_below(rng, count - 1);
        path->pair[s][0] = i;
        path->pair[s][1] = j >= i ? j + 1 : j;
    }
}

/* Strided, diagonal, broadcast and mixed-dtype operands from the property-test generator, random
 * orders (both operand orientations): FLOPs, permute bytes and the largest workspace tensor the
 * search predicts are exactly what plan_build.c emits. */
Test(path, simulation_predicts_the_lowering)
{
    ecl_rng rng;
    ecl_rng_seed(&rng, 77);
    int checked = 0;
    for (int k = 0; k < 1000; k++) {
        ecl_rand_case c;
        cr_assert_eq(ecl_rand_case_generate(ecl_rand_case_seed(0x51a0, k), &c), 0);
        problem p = {.n = c.nops};
        snprintf(p.eq, sizeof p.eq, "%s", c.equation);
        for (int i = 0; i < c.nops; i++)
            p.desc[i] = (ecl_tensor_desc){c.op[i].dtype, c.op[i].ndim, c.op[i].shape, c.op[i].strides};
        bind_problem(&p);
        ecl_path_ctx ctx;
        ecl_error err;
        cr_assert_eq(ecl_path_ctx_init(&ctx, p.b, 0, &err), ECL_SUCCESS);
        if (!ctx.trivial) {
            ecl_path path;
            random_order(&rng, p.n, &path);
            ecl_path_eval ev, cheap;
            ecl_path_evaluate(&ctx, &path, 1, &ev);
            ecl_path_evaluate(&ctx, &path, 0, &cheap);
            ecl_lowered low;
            cr_assert_eq(ecl_plan_build(p.b, &path, &low, &err), ECL_SUCCESS, "%s", err.message);
            char d[2048];
            ecl_rand_case_describe(&c, d, sizeof d);
            cr_expect(same_flops(ev.flops, low.flops) && same_flops(cheap.flops, low.flops),
                      "FLOPs predicted %.17g (%.17g), lowered %.17g\n%s", ev.flops, cheap.flops, low.flops, d);
            cr_expect_eq(ev.peak, low.largest_intermediate, "largest workspace tensor predicted %lld, "
                         "lowered %lld\n%s", (long long)ev.peak, (long long)low.largest_intermediate, d);
            double bytes = permute_bytes(&low, p.b->dtype);
            cr_expect(ev.bytes == bytes, "permute bytes predicted %.17g, lowered %.17g\n%s", ev.bytes, bytes, d);
            ecl_lowered_free(&low);
            checked++;
        }
        ecl_path_ctx_free(&ctx);
        free_problem(&p);
        ecl_rand_case_free(&c);
    }
    cr_expect_gt(checked, 600, "only %d cases with two or more operands", checked);
}

/* Brute force over every order and operand orientation, through the simulation (checked against
 * the lowering above): the least permute bytes among the FLOP-optimal orders. */
typedef struct byte_search {
    const ecl_path_ctx *ctx;
    ecl_path path;
    double flops, bytes;
    int ties;
} byte_search;

static void least_bytes(byte_search *bs, int count, int step)
{
    if (count == 1) {
        ecl_path_eval ev;
        bs->path.npairs = step;
        ecl_path_evaluate(bs->ctx, &bs->path, 1, &ev);
        if (ev.flops < bs->flops * (1 - 1e-9)) {
            bs->flops = ev.flops;
            bs->bytes = ev.bytes;
            bs->ties = 1;
        } else if (same_flops(ev.flops, bs->flops)) {
            bs->bytes = fmin(bs->bytes, ev.bytes);
            bs->ties++;
        }
        return;
    }
    for (int i = 0; i < count; i++)
        for (int j = 0; j < count; j++)
            if (i != j) {
                bs->path.pair[step][0] = i;
                bs->path.pair[step][1] = j;
                least_bytes(bs, count - 1, step + 1);
            }
}

/* Orders with equal FLOPs rank by the transposes the lowering needs: for three operands (where the
 * search compares every tied split and orientation) the chosen order moves the fewest permute
 * bytes of all FLOP-optimal orders. */
Test(path, ties_on_flops_are_broken_by_permute_traffic)
{
    int with_choice = 0;
    for (int k = 0; k < 400; k++) {
        problem p;
        random_problem(0x7135u + (uint64_t)k, 3, &p);
        ecl_path_ctx ctx;
        ecl_error err;
        cr_assert_eq(ecl_path_ctx_init(&ctx, p.b, 0, &err), ECL_SUCCESS);
        if (!ctx.trivial) {
            ecl_plan_options o;
            ecl_plan_options_init(&o);
            o.path = ECL_PATH_OPTIMAL;
            ecl_path chosen;
            cr_assert_eq(ecl_path_find(p.b, &o, &chosen, &err), ECL_SUCCESS);
            ecl_path_eval ev;
            ecl_path_evaluate(&ctx, &chosen, 1, &ev);
            byte_search bs = {.ctx = &ctx, .flops = HUGE_VAL, .bytes = HUGE_VAL};
            least_bytes(&bs, p.n, 0);
            cr_expect(same_flops(ev.flops, bs.flops), "%s: %.17g FLOPs, optimum %.17g", p.eq, ev.flops, bs.flops);
            cr_expect(ev.bytes <= bs.bytes, "%s: the chosen order moves %.17g permute bytes, another "
                      "FLOP-optimal one %.17g", p.eq, ev.bytes, bs.bytes);
            with_choice += bs.ties > 1 && bs.bytes > 0;
        }
        ecl_path_ctx_free(&ctx);
        free_problem(&p);
    }
    cr_expect_gt(with_choice, 10, "only %d problems where permutes are at stake", with_choice);
}

/* ---- memory limits ----------------------------------------------------------------------------- */

static const ecl_path_algorithm searched[] = {ECL_PATH_OPTIMAL, ECL_PATH_GREEDY, ECL_PATH_BRANCH,
                                              ECL_PATH_AUTO};

/* The smallest peak named in a memory-limit message ("... is N bytes"), or -1. */
static long long named_peak(const char *message)
{
    const char *p = strstr(message, "smallest peak the planner finds is ");
    return p ? atoll(p + strlen("smallest peak the planner finds is ")) : -1;
}

/* Limits at, just under and above the smallest peak any order reaches (brute force over orders and
 * operand orientations): every algorithm fits when an order fits, and fails with
 * ECL_ERROR_MEMORY_LIMIT naming that smallest peak when none does. */
Test(path, memory_limit_is_respected_and_errors_name_the_smallest_peak, .timeout = 600)
{
    int fitted = 0, refused = 0;
    for (int k = 0; k < 60; k++) {
        problem p;
        random_problem(0x3e3000u + (uint64_t)k, 5, &p);
        brute br = brute_force(p.b, 1);
        uint64_t dsize = ecl_dtype_size(p.b->dtype), least = (uint64_t)br.min_peak * dsize;
        const uint64_t limits[] = {least, least - 1, least + least / 2 + 1, least * 4 + 64};
        for (int li = 0; li < 4; li++) {
            if (limits[li] == 0 || (least == 0 && li == 1))
                continue;
            for (int a = 0; a < 4; a++) {
                ecl_lowered low;
                ecl_error err;
                ecl_status st = plan_with(p.b, searched[a], limits[li], &low, &err);
                const char *name = ecl_path_algorithm_name(searched[a]);
                if (limits[li] >= least) {
                    cr_expect_eq(st, ECL_SUCCESS, "%s (%s): limit %llu >= smallest peak %llu: %s", describe(&p),
                                 name, (unsigned long long)limits[li], (unsigned long long)least, err.message);
                } else {
                    cr_expect_eq(st, ECL_ERROR_MEMORY_LIMIT, "%s (%s): limit %llu < smallest peak %llu",
                                 describe(&p), name, (unsigned long long)limits[li], (unsigned long long)least);
                    cr_expect_eq(named_peak(err.message), (long long)least, "%s (%s): %s (smallest %llu)",
                                 describe(&p), name, err.message, (unsigned long long)least);
                    refused++;
                }
                if (st == ECL_SUCCESS) {
                    cr_expect_leq((uint64_t)low.largest_intermediate * dsize, limits[li],
                                  "%s (%s): largest intermediate %lld elements over the limit %llu", describe(&p),
                                  name, (long long)low.largest_intermediate, (unsigned long long)limits[li]);
                    ecl_lowered_free(&low);
                    fitted++;
                }
            }
        }
        free_problem(&p);
    }
    cr_expect_gt(fitted, 100);
    cr_expect_gt(refused, 50);
}

/* Where the FLOP-optimal order's peak is above the smallest possible one, a limit at the smallest
 * peak makes the optimal search trade FLOPs for memory, and the result still fits. */
Test(path, memory_limit_trades_flops_for_peak, .timeout = 600)
{
    int traded = 0;
    for (int k = 0; k < 80; k++) {
        problem p;
        random_problem(0x7eade000u + (uint64_t)k, 5, &p);
        brute br = brute_force(p.b, 1);
        uint64_t dsize = ecl_dtype_size(p.b->dtype);
        ecl_lowered best, limited;
        ecl_error err;
        cr_assert_eq(plan_with(p.b, ECL_PATH_OPTIMAL, 0, &best, &err), ECL_SUCCESS, "%s", err.message);
        if (best.largest_intermediate > br.min_peak && br.min_peak > 0) {
            uint64_t limit = (uint64_t)br.min_peak * dsize;
            cr_assert_eq(plan_with(p.b, ECL_PATH_OPTIMAL, limit, &limited, &err), ECL_SUCCESS, "%s: %s",
                         describe(&p), err.message);
            cr_expect_leq((uint64_t)limited.largest_intermediate * dsize, limit, "%s", describe(&p));
            cr_expect_geq(limited.flops, best.flops * (1 - 1e-9), "%s", describe(&p));
            traded += limited.flops > best.flops;
            ecl_lowered_free(&limited);
        }
        ecl_lowered_free(&best);
        free_problem(&p);
    }
    cr_expect_gt(traded, 0, "no problem where the limit cost FLOPs");
}

/* Left to right and explicit orders are taken as given: over the limit is an error that also says
 * how small the peak could be. */
Test(path, memory_limit_rejects_a_given_order_that_does_not_fit)
{
    problem p;
    opt_einsum_problem("abc,bdef,fghj,cem,mhk,ljk->adgl", &p);
    ecl_lowered low;
    ecl_error err;
    cr_assert_eq(plan_with(p.b, ECL_PATH_LEFT, 0, &low, &err), ECL_SUCCESS);
    uint64_t peak = (uint64_t)low.largest_intermediate * 8;
    ecl_lowered_free(&low);
    cr_assert_eq(plan_with(p.b, ECL_PATH_LEFT, peak - 1, &low, &err), ECL_ERROR_MEMORY_LIMIT);
    cr_expect_not_null(strstr(err.message, "left"), "%s", err.message);
    cr_expect_gt(named_peak(err.message), 0, "%s", err.message);
    cr_assert_eq(plan_with(p.b, ECL_PATH_LEFT, peak, &low, &err), ECL_SUCCESS, "%s", err.message);
    ecl_lowered_free(&low);
    free_problem(&p);
}

/* ---- explicit paths, dimension and size guards ------------------------------------------------- */

static ecl_status find_explicit(const ecl_bound *b, int num_pairs, const int (*pairs)[2], ecl_path *out,
                                ecl_error *err)
{
    ecl_plan_options o;
    ecl_plan_options_init(&o);
    o.path = ECL_PATH_EXPLICIT;
    o.num_pairs = num_pairs;
    o.pairs = pairs;
    return ecl_path_find(b, &o, out, err);
}

Test(path, explicit_paths_are_validated)
{
    problem p;
    opt_einsum_problem("ab,bc,cd,de->ae", &p);
    ecl_path path;
    ecl_error err;
    const int good[3][2] = {{2, 3}, {0, 1}, {1, 0}};
    cr_assert_eq(find_explicit(p.b, 3, good, &path, &err), ECL_SUCCESS, "%s", err.message);
    cr_expect_eq(path.npairs, 3);
    cr_expect(memcmp(path.pair, good, sizeof good) == 0, "the explicit pairs are used as given");
    const struct {
        int n;
        int pairs[4][2];
        const char *says;
    } bad[] = {
        {2, {{0, 1}, {0, 1}}, "needs 3"},
        {4, {{0, 1}, {0, 1}, {0, 1}, {0, 1}}, "needs 3"},
        {3, {{0, 4}, {0, 1}, {0, 1}}, "(0, 4)"},
        {3, {{0, 1}, {0, 3}, {0, 1}}, "(0, 3)"},
        {3, {{1, 1}, {0, 1}, {0, 1}}, "must differ"},
        {3, {{-1, 0}, {0, 1}, {0, 1}}, "(-1, 0)"},
        {-1, {{0, 1}}, "-1 pairs"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        cr_expect_eq(find_explicit(p.b, bad[k].n, bad[k].pairs, &path, &err), ECL_ERROR_INVALID_ARGUMENT,
                     "case %zu", k);
        cr_expect_not_null(strstr(err.message, bad[k].says), "case %zu: '%s' lacks '%s'", k, err.message,
                           bad[k].says);
    }
    cr_expect_eq(find_explicit(p.b, 3, NULL, &path, &err), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(err.message, "NULL"), "%s", err.message);
    ecl_plan_options o;
    ecl_plan_options_init(&o);
    o.path = (ecl_path_algorithm)99;
    cr_expect_eq(ecl_path_find(p.b, &o, &path, &err), ECL_ERROR_INVALID_ARGUMENT);
    free_problem(&p);
}

/* Every algorithm's order, read back with ecl_plan_path and replanned as an explicit path, gives the
 * same plan. */
Test(path, plan_path_round_trips_through_explicit_paths)
{
    ecl_context *ctx;
    cr_assert_eq(ecl_context_create(NULL, &ctx), ECL_SUCCESS);
    for (int k = 0; k < 30; k++) {
        problem p;
        random_problem(0xf00du + (uint64_t)k, 6, &p);
        for (int a = 0; a < 4; a++) {
            ecl_plan_options o;
            ecl_plan_options_init(&o);
            o.path = searched[a];
            ecl_plan *plan, *again;
            cr_assert_eq(ecl_plan_create(ctx, p.eq, p.n, p.desc, &o, &plan), ECL_SUCCESS, "%s",
                         ecl_context_last_error(ctx));
            int pairs[MAX_OPS][2];
            int np = ecl_plan_path(plan, pairs, MAX_OPS);
            cr_assert_eq(np, p.n - 1);
            o.path = ECL_PATH_EXPLICIT;
            o.num_pairs = np;
            o.pairs = (const int(*)[2])pairs;
            cr_assert_eq(ecl_plan_create(ctx, p.eq, p.n, p.desc, &o, &again), ECL_SUCCESS, "%s",
                         ecl_context_last_error(ctx));
            cr_expect_eq(ecl_plan_flops(again), ecl_plan_flops(plan), "%s", describe(&p));
            const char *steps = "  step  primitive";
            cr_expect_str_eq(strstr(ecl_plan_describe(again), steps), strstr(ecl_plan_describe(plan), steps));
            ecl_plan_destroy(plan);
            ecl_plan_destroy(again);
        }
        free_problem(&p);
    }
    ecl_context_destroy(ctx);
}

/* Left to right would build an intermediate of 2^60 elements (every label together; operands and
 * output have 2^30): refused as too large to address (over 2^56); the searches go around it. */
Test(path, intermediates_too_large_to_address_are_refused_or_avoided)
{
    problem p = {.n = 3};
    snprintf(p.eq, sizeof p.eq, "ab,cd,bd->ac");
    for (int i = 0; i < 3; i++) {
        p.shape[i][0] = p.shape[i][1] = (int64_t)1 << 15;
        p.desc[i] = (ecl_tensor_desc){ECL_F64, 2, p.shape[i], NULL};
    }
    bind_problem(&p);
    ecl_lowered low;
    ecl_error err;
    cr_expect_eq(plan_with(p.b, ECL_PATH_LEFT, 0, &low, &err), ECL_ERROR_OVERFLOW);
    cr_expect_not_null(strstr(err.message, "step 0"), "%s", err.message);
    for (int a = 0; a < 4; a++) {
        ecl_path path;
        ecl_plan_options o;
        ecl_plan_options_init(&o);
        o.path = searched[a];
        cr_assert_eq(ecl_path_find(p.b, &o, &path, &err), ECL_SUCCESS, "%s: %s",
                     ecl_path_algorithm_name(searched[a]), err.message);
        cr_expect_neq(path.pair[0][0] + path.pair[0][1], 1, "%s contracts ab with cd first",
                      ecl_path_algorithm_name(searched[a]));
    }
    free_problem(&p);
}

Test(path, optimal_refuses_more_than_16_operands_and_auto_scales)
{
    problem p = {.n = 40};
    size_t len = 0;
    for (int i = 0; i < p.n; i++) {  /* a ring of 40 matrices over 40 bond labels */
        char a = (char)(i < 26 ? 'a' + i : 'A' + i - 26), b = (char)(i + 1 < 26 ? 'a' + i + 1 : 'A' + (i + 1) % 40 - 26);
        if (i == p.n - 1)
            b = 'a';
        len += (size_t)snprintf(p.eq + len, sizeof p.eq - len, "%s%c%c", i ? "," : "", a, b);
        p.shape[i][0] = 2 + i % 3;
        p.shape[i][1] = 2 + (i + 1) % 3 * (i + 1 < p.n);
        p.desc[i] = (ecl_tensor_desc){ECL_F64, 2, p.shape[i], NULL};
    }
    for (int i = 0; i < p.n; i++)
        p.shape[i][1] = p.shape[(i + 1) % p.n][0];
    bind_problem(&p);
    ecl_lowered low;
    ecl_error err;
    cr_expect_eq(plan_with(p.b, ECL_PATH_OPTIMAL, 0, &low, &err), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(err.message, "16 operands"), "%s", err.message);
    const ecl_path_algorithm scalable[] = {ECL_PATH_GREEDY, ECL_PATH_BRANCH, ECL_PATH_AUTO};
    double left = flops_with(&p, ECL_PATH_LEFT);
    for (int a = 0; a < 3; a++) {
        double f = flops_with(&p, scalable[a]);
        cr_expect_leq(f, left, "%s: %g FLOPs, left to right %g", ecl_path_algorithm_name(scalable[a]), f, left);
    }
    free_problem(&p);
}
