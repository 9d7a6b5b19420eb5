/*
 * Random einsum cases (see random_einsum.h): the equation structure (terms, output), label sizes
 * capped to a small loop nest, the equation text, then per-operand shapes and dtypes; layouts and
 * data come from random_operand.c.
 */
#include "random_einsum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LETTERS 52
#define MAX_POOL 7
#define MAX_TERM 4
#define MAX_BCAST 3
#define ELLIPSIS_ITEM '.'

uint64_t ecl_rand_case_seed(uint64_t base_seed, int index)
{
    uint64_t state = base_seed ^ ((uint64_t)index * 0xd1342543de82ef95ULL);
    return ecl_splitmix64(&state);
}

/* The structure of a case before it becomes text and arrays. */
typedef struct spec {
    int nops;
    int term_len[ECL_RAND_MAX_OPERANDS];
    char term[ECL_RAND_MAX_OPERANDS][MAX_TERM + 1];  /* letters, ELLIPSIS_ITEM for "..." */
    int term_bcast[ECL_RAND_MAX_OPERANDS];           /* dims the operand's "..." covers */
    int one_letter[ECL_RAND_MAX_OPERANDS][LETTERS];  /* this operand sees the letter with size 1 */
    int one_bcast[ECL_RAND_MAX_OPERANDS][MAX_BCAST];
    int64_t letter_size[LETTERS];                    /* -1 for unused letters */
    int widest;                                      /* global broadcast dims */
    int64_t bcast_size[MAX_BCAST];
    int implicit;
    int out_len;
    char out[LETTERS + 1];                           /* explicit output items */
} spec;

static const char letter_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static int letter_index(char c) { return (int)(strchr(letter_chars, c) - letter_chars); }

/* Mostly 2..4, sometimes up to max_size (more often when max_size is large), some 1s and 0s. */
static int64_t pick_size(ecl_rng *rng, int max_size)
{
    int r = ecl_rng_below(rng, 100);
    if (r < 2)
        return 0;
    if (r < 20)
        return 1;
    if (r < (max_size > 7 ? 50 : 85) || max_size < 5)
        return 2 + ecl_rng_below(rng, max_size < 4 ? max_size - 1 : 3);
    return 5 + ecl_rng_below(rng, max_size - 4);
}

static int pick_nops(ecl_rng *rng)
{
    int r = ecl_rng_below(rng, 100);
    return r < 20 ? 1 : r < 55 ? 2 : r < 80 ? 3 : r < 92 ? 4 : 5;
}

static void make_terms(ecl_rng *rng, spec *s)
{
    char pool[MAX_POOL];
    char shuffled[LETTERS];
    int npool = 1 + ecl_rng_below(rng, MAX_POOL);
    memcpy(shuffled, letter_chars, LETTERS);
    for (int i = 0; i < npool; i++) {  /* partial Fisher-Yates: distinct letters */
        int j = i + ecl_rng_below(rng, LETTERS - i);
        char t = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = t;
        pool[i] = shuffled[i];
    }
    int use_ellipsis = ecl_rng_chance(rng, 0.3);
    s->widest = use_ellipsis ? ecl_rng_below(rng, MAX_BCAST + 1) : 0;
    s->nops = pick_nops(rng);
    for (int k = 0; k < s->nops; k++) {
        int len = ecl_rng_chance(rng, 0.08) ? 0 : 1 + ecl_rng_below(rng, MAX_TERM);
        for (int i = 0; i < len; i++) {
            if (i > 0 && ecl_rng_chance(rng, 0.12))
                s->term[k][i] = s->term[k][ecl_rng_below(rng, i)];  /* a diagonal */
            else
                s->term[k][i] = pool[ecl_rng_below(rng, npool)];
        }
        s->term_bcast[k] = 0;
        if (use_ellipsis && ecl_rng_chance(rng, 0.6)) {
            int at = ecl_rng_below(rng, len + 1);
            memmove(&s->term[k][at + 1], &s->term[k][at], (size_t)(len - at));
            s->term[k][at] = ELLIPSIS_ITEM;
            len++;
            s->term_bcast[k] = ecl_rng_chance(rng, 0.6) ? s->widest : ecl_rng_below(rng, s->widest + 1);
        }
        s->term_len[k] = len;
    }
}

/* Operands (count) using each letter; marks used letters in letter_size with 0. */
static void count_letters(spec *s, int *ops_with)
{
    for (int l = 0; l < LETTERS; l++) {
        ops_with[l] = 0;
        s->letter_size[l] = -1;
    }
    for (int k = 0; k < s->nops; k++) {
        int seen[LETTERS] = {0};
        for (int i = 0; i < s->term_len[k]; i++) {
            if (s->term[k][i] == ELLIPSIS_ITEM)
                continue;
            int l = letter_index(s->term[k][i]);
            s->letter_size[l] = 0;
            if (!seen[l]++)
                ops_with[l]++;
        }
    }
}

static int covered_bcast(const spec *s)
{
    int w = 0;
    for (int k = 0; k < s->nops; k++)
        if (s->term_bcast[k] > w)
            w = s->term_bcast[k];
    return w;
}

/* Shrinks the largest sizes until the product of all label sizes is at most max_loop. */
static void cap_sizes(spec *s, int64_t max_loop)
{
    int first_bcast = s->widest - covered_bcast(s);
    for (;;) {
        int64_t product = 1, *largest = NULL;
        for (int l = 0; l < LETTERS; l++) {
            if (s->letter_size[l] < 0)
                continue;
            product *= s->letter_size[l];
            if (!largest || s->letter_size[l] > *largest)
                largest = &s->letter_size[l];
        }
        for (int j = first_bcast; j < s->widest; j++) {
            product *= s->bcast_size[j];
            if (!largest || s->bcast_size[j] > *largest)
                largest = &s->bcast_size[j];
        }
        if (product <= max_loop)
            return;
        (*largest)--;
    }
}

static void make_sizes(ecl_rng *rng, const ecl_rand_limits *limits, spec *s)
{
    int ops_with[LETTERS];
    count_letters(s, ops_with);
    for (int l = 0; l < LETTERS; l++)
        if (s->letter_size[l] == 0)
            s->letter_size[l] = pick_size(rng, limits->max_size);
    for (int j = 0; j < MAX_BCAST; j++)
        s->bcast_size[j] = pick_size(rng, limits->max_size);
    cap_sizes(s, limits->max_loop);
    for (int k = 0; k < s->nops; k++) {
        for (int l = 0; l < LETTERS; l++)
            s->one_letter[k][l] = ops_with[l] >= 2 && ecl_rng_chance(rng, 0.08);
        for (int j = 0; j < MAX_BCAST; j++)
            s->one_bcast[k][j] = ecl_rng_chance(rng, 0.2);
    }
}

static void make_output(ecl_rng *rng, spec *s)
{
    int total[LETTERS] = {0}, any_ellipsis = 0;
    for (int k = 0; k < s->nops; k++)
        for (int i = 0; i < s->term_len[k]; i++) {
            if (s->term[k][i] == ELLIPSIS_ITEM)
                any_ellipsis = 1;
            else
                total[letter_index(s->term[k][i])]++;
        }
    s->implicit = ecl_rng_chance(rng, 0.35);
    s->out_len = 0;
    if (s->implicit)
        return;
    for (int l = 0; l < LETTERS; l++)
        if (total[l] > 0 && ecl_rng_chance(rng, total[l] == 1 ? 0.7 : 0.35))
            s->out[s->out_len++] = letter_chars[l];
    for (int i = s->out_len - 1; i > 0; i--) {
        int j = ecl_rng_below(rng, i + 1);
        char t = s->out[i];
        s->out[i] = s->out[j];
        s->out[j] = t;
    }
    int with_ellipsis = covered_bcast(s) > 0 || (any_ellipsis ? ecl_rng_chance(rng, 0.5)
                                                               : ecl_rng_chance(rng, 0.05));
    if (with_ellipsis) {
        int at = ecl_rng_below(rng, s->out_len + 1);
        memmove(&s->out[at + 1], &s->out[at], (size_t)(s->out_len - at));
        s->out[at] = ELLIPSIS_ITEM;
        s->out_len++;
    }
}

/* Appends a token to the equation, sometimes followed by a space when spacing is on. */
static void emit(ecl_rng *rng, int spacing, char *eq, const char *token)
{
    strcat(eq, token);
    if (spacing && ecl_rng_chance(rng, 0.3))
        strcat(eq, " ");
}

static void emit_term(ecl_rng *rng, int spacing, char *eq, const char *items, int len)
{
    for (int i = 0; i < len; i++) {
        char letter[2] = {items[i], '\0'};
        emit(rng, spacing, eq, items[i] == ELLIPSIS_ITEM ? "..." : letter);
    }
}

static void make_equation(ecl_rng *rng, const spec *s, char *eq)
{
    int spacing = ecl_rng_chance(rng, 0.15);
    eq[0] = '\0';
    if (spacing && ecl_rng_chance(rng, 0.5))
        strcat(eq, " ");
    for (int k = 0; k < s->nops; k++) {
        if (k > 0)
            emit(rng, spacing, eq, ",");
        emit_term(rng, spacing, eq, s->term[k], s->term_len[k]);
    }
    if (!s->implicit) {
        emit(rng, spacing, eq, "->");
        emit_term(rng, spacing, eq, s->out, s->out_len);
    }
}

static void operand_shape(const spec *s, int k, ecl_rand_operand *op)
{
    op->ndim = 0;
    for (int i = 0; i < s->term_len[k]; i++) {
        char c = s->term[k][i];
        if (c != ELLIPSIS_ITEM) {
            int l = letter_index(c);
            op->shape[op->ndim++] = s->one_letter[k][l] ? 1 : s->letter_size[l];
            continue;
        }
        int e = s->term_bcast[k];
        for (int j = 0; j < e; j++) {
            int g = s->widest - e + j;
            op->shape[op->ndim++] = s->one_bcast[k][g] ? 1 : s->bcast_size[g];
        }
    }
}

int ecl_rand_case_generate(uint64_t seed, ecl_rand_case *c)
{
    const ecl_rand_limits limits = {ECL_RAND_MAX_LOOP, 7};
    return ecl_rand_case_generate_limited(seed, &limits, c);
}

int ecl_rand_case_generate_limited(uint64_t seed, const ecl_rand_limits *limits, ecl_rand_case *c)
{
    spec s;
    ecl_rng rng;
    memset(c, 0, sizeof *c);
    memset(&s, 0, sizeof s);
    ecl_rng_seed(&rng, seed);
    c->seed = seed;
    make_terms(&rng, &s);
    make_sizes(&rng, limits, &s);
    make_output(&rng, &s);
    make_equation(&rng, &s, c->equation);
    c->nops = s.nops;
    int dtype_mode = ecl_rng_below(&rng, 10);
    for (int k = 0; k < s.nops; k++) {
        ecl_rand_operand *op = &c->op[k];
        op->dtype = dtype_mode < 4 ? ECL_F32
                  : dtype_mode < 8 ? ECL_F64
                                   : (ecl_rng_chance(&rng, 0.5) ? ECL_F32 : ECL_F64);
        operand_shape(&s, k, op);
        ecl_rand_operand_layout(&rng, op);
        if (ecl_rand_operand_fill(&rng, op) != 0) {
            ecl_rand_case_free(c);
            return -1;
        }
    }
    return 0;
}

void ecl_rand_case_free(ecl_rand_case *c)
{
    for (int k = 0; k < c->nops; k++) {
        free(c->op[k].buffer);
        c->op[k].buffer = NULL;
    }
    c->nops = 0;
}

void ecl_rand_case_ref_operands(const ecl_rand_case *c, ecl_ref_operand *ops)
{
    for (int k = 0; k < c->nops; k++) {
        const ecl_rand_operand *op = &c->op[k];
        size_t elem = op->dtype == ECL_F32 ? sizeof(float) : sizeof(double);
        ops[k].dtype = op->dtype;
        ops[k].ndim = op->ndim;
        ops[k].shape = op->shape;
        ops[k].strides = op->strides;
        ops[k].data = (const char *)op->buffer + (size_t)op->offset * elem;
    }
}

void ecl_rand_case_describe(const ecl_rand_case *c, char *buf, size_t size)
{
    snprintf(buf, size, "case seed 0x%016llx equation \"%s\"\n", (unsigned long long)c->seed,
             c->equation);
    for (int k = 0; k < c->nops; k++) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "  operand %d: ", k);
        ecl_rand_operand_describe(&c->op[k], buf, size);
        len = strlen(buf);
        snprintf(buf + len, size - len, "\n");
    }
}
