/*
 * Naive reference einsum for the tests (see reference.h): its own parser of numpy subscripts, a
 * binder that applies numpy's size rules, and one loop over every joint assignment of all labels.
 * Clarity over speed: callers keep the total loop nest small.
 */
#include "reference.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_LETTERS 52
#define REF_MAX_LABELS (REF_LETTERS + ECL_MAX_DIMS)
#define REF_ELLIPSIS (-1)

/* Letters get ids in ASCII order (A-Z, then a-z) so sorting ids sorts letters as numpy does;
 * broadcast ("...") dimension j of the widest ellipsis gets id REF_LETTERS + j. */
typedef struct ref_term {
    int n;                          /* items, the ellipsis counted as one */
    int item[ECL_MAX_DIMS + 1];     /* letter ids, REF_ELLIPSIS where "..." stands */
    int has_ellipsis;
    int nletters;
} ref_term;

static int fail(ecl_ref_result *out, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(out->error, sizeof out->error, fmt, args);
    va_end(args);
    return -1;
}

static int letter_id(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return 26 + (c - 'a');
    return -1;
}

/* Parses one term starting at *p; stops at ',', '-' or the end. */
static int parse_term(const char **p, ref_term *t, ecl_ref_result *out)
{
    const char *s = *p;
    memset(t, 0, sizeof *t);
    while (*s && *s != ',' && *s != '-') {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            s++;
        } else if (*s == '.') {
            if (s[1] != '.' || s[2] != '.' || t->has_ellipsis)
                return fail(out, "bad ellipsis at '%s'", s);
            t->has_ellipsis = 1;
            t->item[t->n++] = REF_ELLIPSIS;
            s += 3;
        } else {
            int id = letter_id(*s);
            if (id < 0 || t->n > ECL_MAX_DIMS)
                return fail(out, "bad subscript character '%c'", *s);
            t->item[t->n++] = id;
            t->nletters++;
            s++;
        }
    }
    *p = s;
    return 0;
}

typedef struct ref_problem {
    int nops;
    int ndim[ECL_MAX_OPERANDS];
    int label[ECL_MAX_OPERANDS][ECL_MAX_DIMS];  /* label id of each operand dimension */
    int64_t size[REF_MAX_LABELS];               /* -1 when the label is unused */
    int out_ndim;
    int out_label[ECL_MAX_DIMS];
} ref_problem;

/* Size of a label seen with size s: equal sizes agree, and 1 broadcasts against anything. */
static int merge_size(int64_t *size, int64_t s)
{
    if (*size < 0 || *size == 1)
        *size = s;
    else if (s != *size && s != 1)
        return -1;
    return 0;
}

static int bind_inputs(const ref_term *terms, int n, const ecl_ref_operand *ops, ref_problem *pb,
                       int *bcast_ndim, ecl_ref_result *out)
{
    int widest = 0;
    for (int k = 0; k < n; k++) {
        int extra = ops[k].ndim - terms[k].nletters;
        if (extra < 0 || (extra > 0 && !terms[k].has_ellipsis))
            return fail(out, "operand %d: %d dims for %d subscripts", k, ops[k].ndim,
                        terms[k].nletters);
        if (extra > widest)
            widest = extra;
    }
    for (int k = 0; k < n; k++) {
        int extra = ops[k].ndim - terms[k].nletters, d = 0;
        for (int i = 0; i < terms[k].n; i++) {
            if (terms[k].item[i] != REF_ELLIPSIS) {
                pb->label[k][d++] = terms[k].item[i];
                continue;
            }
            for (int j = 0; j < extra; j++)  /* right-aligned against the widest ellipsis */
                pb->label[k][d++] = REF_LETTERS + widest - extra + j;
        }
        pb->ndim[k] = d;
        for (d = 0; d < pb->ndim[k]; d++) {
            int64_t s = ops[k].shape[d];
            for (int e = 0; e < d; e++)
                if (pb->label[k][e] == pb->label[k][d] && ops[k].shape[e] != s)
                    return fail(out, "operand %d: repeated label sizes differ", k);
            if (merge_size(&pb->size[pb->label[k][d]], s) != 0)
                return fail(out, "operand %d dim %d: size %lld does not broadcast to %lld", k, d,
                            (long long)s, (long long)pb->size[pb->label[k][d]]);
        }
    }
    *bcast_ndim = widest;
    return 0;
}

static int bind_output(const ref_term *terms, int n, const ref_term *out_term, int has_output,
                       int widest, ref_problem *pb, ecl_ref_result *out)
{
    pb->out_ndim = 0;
    if (!has_output) {
        int count[REF_LETTERS] = {0};
        for (int k = 0; k < n; k++)
            for (int i = 0; i < terms[k].n; i++)
                if (terms[k].item[i] != REF_ELLIPSIS)
                    count[terms[k].item[i]]++;
        for (int j = 0; j < widest; j++)
            pb->out_label[pb->out_ndim++] = REF_LETTERS + j;
        for (int id = 0; id < REF_LETTERS; id++)
            if (count[id] == 1)
                pb->out_label[pb->out_ndim++] = id;
        return 0;
    }
    if (widest > 0 && !out_term->has_ellipsis)
        return fail(out, "broadcast dimensions need '...' in the output");
    for (int i = 0; i < out_term->n; i++) {
        int id = out_term->item[i];
        if (id == REF_ELLIPSIS) {
            for (int j = 0; j < widest; j++)
                pb->out_label[pb->out_ndim++] = REF_LETTERS + j;
            continue;
        }
        if (pb->size[id] < 0)
            return fail(out, "output label %d not in any input", id);
        for (int e = 0; e < pb->out_ndim; e++)
            if (pb->out_label[e] == id)
                return fail(out, "output label repeated");
        pb->out_label[pb->out_ndim++] = id;
    }
    return 0;
}

static int parse_and_bind(const char *equation, int n, const ecl_ref_operand *ops, ref_problem *pb,
                          ecl_ref_result *out)
{
    ref_term terms[ECL_MAX_OPERANDS];
    ref_term out_term = {0};
    const char *p = equation;
    int count = 0, has_output = 0, widest = 0;
    for (;;) {
        if (count == ECL_MAX_OPERANDS)
            return fail(out, "too many operands");
        if (parse_term(&p, &terms[count++], out) != 0)
            return -1;
        if (*p == ',') {
            p++;
            continue;
        }
        break;
    }
    if (*p == '-') {
        if (p[1] != '>')
            return fail(out, "'-' without '>'");
        p += 2;
        has_output = 1;
        if (parse_term(&p, &out_term, out) != 0)
            return -1;
        if (*p)
            return fail(out, "junk after output");
    }
    if (count != n)
        return fail(out, "equation has %d operands, %d given", count, n);
    for (int l = 0; l < REF_MAX_LABELS; l++)
        pb->size[l] = -1;
    pb->nops = n;
    if (bind_inputs(terms, n, ops, pb, &widest, out) != 0)
        return -1;
    return bind_output(terms, n, &out_term, has_output, widest, pb, out);
}

/* float16 decoded arithmetically (not by the library's bit code, so the two check each other). */
static long double from_f16(uint16_t h)
{
    const int exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    long double v;
    if (exp == 0x1f)
        v = man ? NAN : INFINITY;
    else if (exp == 0)
        v = ldexpl((long double)man, -24);
    else
        v = ldexpl((long double)(man + 1024), exp - 25);
    return (h & 0x8000) ? -v : v;
}

static long double from_bf16(uint16_t h)
{
    const uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return (long double)f;
}

static long double load(const ecl_ref_operand *op, int64_t offset)
{
    switch (op->dtype) {
    case ECL_F32: return (long double)((const float *)op->data)[offset];
    case ECL_F16: return from_f16(((const uint16_t *)op->data)[offset]);
    case ECL_BF16: return from_bf16(((const uint16_t *)op->data)[offset]);
    default: return (long double)((const double *)op->data)[offset];
    }
}

/* Element strides of an operand: given ones, or row-major. */
static void operand_strides(const ecl_ref_operand *op, int64_t *strides)
{
    int64_t step = 1;
    for (int d = op->ndim - 1; d >= 0; d--) {
        strides[d] = op->strides ? op->strides[d] : step;
        step *= op->shape[d] > 0 ? op->shape[d] : 1;
    }
}

static void accumulate(const ref_problem *pb, const ecl_ref_operand *ops, int nlabels,
                       const int *labels, ecl_ref_result *out)
{
    int64_t strides[ECL_MAX_OPERANDS][ECL_MAX_DIMS];
    int64_t idx[REF_MAX_LABELS] = {0};
    for (int k = 0; k < pb->nops; k++)
        operand_strides(&ops[k], strides[k]);
    for (int l = 0; l < nlabels; l++)
        if (pb->size[labels[l]] == 0)
            return;
    for (;;) {
        long double term = 1.0L;
        for (int k = 0; k < pb->nops; k++) {
            int64_t offset = 0;
            for (int d = 0; d < pb->ndim[k]; d++)
                if (ops[k].shape[d] != 1)  /* size-1 dims broadcast */
                    offset += idx[pb->label[k][d]] * strides[k][d];
            term *= load(&ops[k], offset);
        }
        int64_t at = 0;
        for (int d = 0; d < pb->out_ndim; d++)
            at = at * pb->size[pb->out_label[d]] + idx[pb->out_label[d]];
        out->value[at] += term;
        out->abs_sum[at] += fabsl(term);
        int l = nlabels - 1;
        for (; l >= 0; l--) {
            if (++idx[labels[l]] < pb->size[labels[l]])
                break;
            idx[labels[l]] = 0;
        }
        if (l < 0)
            return;
    }
}

int ecl_ref_einsum(const char *equation, int n, const ecl_ref_operand *ops, ecl_ref_result *out)
{
    ref_problem pb;
    int labels[REF_MAX_LABELS], nlabels = 0;
    memset(out, 0, sizeof *out);
    memset(&pb, 0, sizeof pb);
    if (!equation || n < 1 || n > ECL_MAX_OPERANDS || !ops)
        return fail(out, "bad arguments");
    if (parse_and_bind(equation, n, ops, &pb, out) != 0)
        return -1;
    int has[5] = {0};
    for (int k = 0; k < n; k++)
        if (ops[k].dtype >= ECL_F32 && ops[k].dtype <= ECL_BF16)
            has[ops[k].dtype] = 1;
    out->dtype = has[ECL_F64]                    ? ECL_F64
                 : has[ECL_F32]                  ? ECL_F32
                 : has[ECL_F16] && has[ECL_BF16] ? ECL_F32
                 : has[ECL_F16]                  ? ECL_F16
                 : has[ECL_BF16]                 ? ECL_BF16
                                                 : ECL_F32;
    out->ndim = pb.out_ndim;
    out->numel = 1;
    for (int d = 0; d < pb.out_ndim; d++) {
        out->shape[d] = pb.size[pb.out_label[d]];
        out->numel *= out->shape[d];
    }
    out->terms = 1;
    for (int l = 0; l < REF_MAX_LABELS; l++) {
        if (pb.size[l] < 0)
            continue;
        labels[nlabels++] = l;
        int kept = 0;
        for (int d = 0; d < pb.out_ndim; d++)
            kept |= pb.out_label[d] == l;
        if (!kept)
            out->terms *= pb.size[l];
    }
    size_t count = out->numel > 0 ? (size_t)out->numel : 1;
    out->value = calloc(count, sizeof *out->value);
    out->abs_sum = calloc(count, sizeof *out->abs_sum);
    if (!out->value || !out->abs_sum) {
        ecl_ref_result_free(out);
        return fail(out, "out of memory");
    }
    accumulate(&pb, ops, nlabels, labels, out);
    return 0;
}

void ecl_ref_result_free(ecl_ref_result *result)
{
    if (!result)
        return;
    free(result->value);
    free(result->abs_sum);
    result->value = NULL;
    result->abs_sum = NULL;
}
