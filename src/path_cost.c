/*
 * The search model of a bound equation (path_cost.h): the labels each input keeps after the
 * lowering sums the labels nobody else has, the path-independent work (those reductions, f32 to
 * f64 conversions), the input views as the lowering will see them, and the FLOP count of a pair.
 */
#include "path_cost.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

static int64_t numel_of(const ecl_bound *b, const ecl_operand *op)
{
    int64_t n = 1;
    for (int d = 0; d < op->ndim; d++)
        n *= b->size[op->label[d]];  /* bounded: the binder checks each operand's view */
    return n;
}

/* Elements of operand i once its own labels are summed: counted in integers, as the double product
 * of ecl_lset_size rounds INT64_MAX up to 2^63, which no int64 holds. */
static int64_t kept_numel(const ecl_path_ctx *c, int i)
{
    const ecl_operand *op = &c->b->op[i];
    ecl_lset seen = {{0, 0}};
    int64_t n = 1;
    for (int d = 0; d < op->ndim; d++) {
        int l = op->label[d];
        if (ecl_lset_has(c->in[i], l) && !ecl_lset_has(seen, l)) {
            ecl_lset_add(&seen, l);
            n *= c->b->size[l];  /* at most numel_of: a factor of the operand's view */
        }
    }
    return n;
}

/* The view the lowering contracts for input i: the operand itself, or a contiguous copy over its
 * kept labels when it had to be converted to the plan's dtype or reduced first. */
static void input_view(const ecl_path_ctx *c, int i, ecl_view *v)
{
    const ecl_bound *b = c->b;
    const ecl_operand *op = &b->op[i];
    memset(v, 0, sizeof *v);
    v->buf = i;
    v->dtype = op->dtype;
    int reduced = 0;
    for (int d = 0; d < op->ndim; d++) {
        int l = op->label[d];
        if (!ecl_lset_has(c->in[i], l)) {
            reduced = 1;
            continue;
        }
        v->label[v->ndim] = l;
        v->shape[v->ndim] = b->size[l];
        v->stride[v->ndim] = op->stride[d];
        v->ndim++;
    }
    if (!reduced && op->dtype == b->dtype)
        return;
    v->buf = ECL_BUF_WORKSPACE;
    v->dtype = b->dtype;
    int64_t stride = 1;
    for (int d = v->ndim - 1; d >= 0; d--) {
        v->stride[d] = stride;
        stride *= v->shape[d];
    }
}

static void path_independent_work(ecl_path_ctx *c)
{
    const ecl_bound *b = c->b;
    c->base_peak_op = -1;
    for (int i = 0; i < b->nops; i++) {
        const ecl_operand *op = &b->op[i];
        int64_t numel = numel_of(b, op), need = 0;
        if (op->dtype != b->dtype)
            need = numel;
        if (b->nops > 1 && ecl_lset_count(c->in[i]) < op->ndim) {
            c->base_flops += (double)numel;
            int64_t reduced = kept_numel(c, i);
            need = need > reduced ? need : reduced;
        }
        if (need > c->base_peak) {
            c->base_peak = need;
            c->base_peak_op = i;
        }
    }
}

ecl_status ecl_path_ctx_init(ecl_path_ctx *c, const ecl_bound *b, uint64_t memory_limit,
                             ecl_error *err)
{
    memset(c, 0, sizeof *c);
    c->b = b;
    c->nops = b->nops;
    c->planner.b = b;
    for (int l = 0; l < b->nlabels; l++) {
        c->size[l] = (double)b->size[l];
        if (b->size[l] == 0)
            c->trivial = 1;
    }
    if (b->nops == 1)
        c->trivial = 1;
    for (int d = 0; d < b->out_ndim; d++)
        ecl_lset_add(&c->out, b->out_label[d]);
    int count[ECL_MAX_LABELS] = {0};
    for (int i = 0; i < b->nops; i++)
        for (int d = 0; d < b->op[i].ndim; d++)
            count[b->op[i].label[d]]++;
    for (int i = 0; i < b->nops; i++)
        for (int d = 0; d < b->op[i].ndim; d++) {
            int l = b->op[i].label[d];
            if (count[l] > 1 || ecl_lset_has(c->out, l))
                ecl_lset_add(&c->in[i], l);
        }
    c->limit = ECL_PATH_MAX_ELEMS;
    if (memory_limit > 0) {
        double elems = floor((double)memory_limit / (double)ecl_dtype_size(b->dtype));
        c->limit = elems < c->limit ? elems : c->limit;
        c->limited = 1;
    }
    if (c->trivial)  /* one operand (its dtype is the plan's) or a zero-size einsum: no workspace */
        return ECL_SUCCESS;
    path_independent_work(c);
    c->view = ecl_malloc(sizeof *c->view * (size_t)b->nops);
    if (!c->view)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate the path search's views");
    for (int i = 0; i < b->nops; i++)
        input_view(c, i, &c->view[i]);
    return ECL_SUCCESS;
}

void ecl_path_ctx_free(ecl_path_ctx *c)
{
    ecl_free(c->view);
    c->view = NULL;
}

double ecl_lset_size(const ecl_path_ctx *c, ecl_lset s)
{
    double n = 1;
    for (int w = 0; w < 2; w++)
        for (uint64_t x = s.w[w]; x; x &= x - 1)
            n *= c->size[w * 64 + __builtin_ctzll(x)];
    return n;
}

double ecl_pair_flops(const ecl_path_ctx *c, ecl_lset a, ecl_lset b, ecl_lset r)
{
    double n = ecl_lset_size(c, ecl_lset_or(a, b));
    return ecl_lset_empty(ecl_lset_minus(ecl_lset_and(a, b), r)) ? n : 2 * n;
}

int ecl_result_fits(const ecl_path_ctx *c, ecl_lset r)
{
    return ecl_lset_count(r) <= ECL_MAX_DIMS && ecl_lset_size(c, r) <= c->limit;
}

void ecl_layout_input(const ecl_path_ctx *c, int i, ecl_layout *out)
{
    const ecl_view *v = &c->view[i];
    out->input = i;
    out->n = v->ndim;
    for (int d = 0; d < v->ndim; d++)
        out->label[d] = (unsigned char)v->label[d];
}

int ecl_flops_tie(double a, double b)
{
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= 1e-9 * m;
}

int ecl_path_cost_less(double flops_a, double bytes_a, double flops_b, double bytes_b)
{
    if (ecl_flops_tie(flops_a, flops_b))
        return bytes_a < bytes_b;
    return flops_a < flops_b;
}

void ecl_counts_add(ecl_label_counts *k, ecl_lset s, int delta)
{
    for (int w = 0; w < 2; w++)
        for (uint64_t x = s.w[w]; x; x &= x - 1) {
            int l = w * 64 + __builtin_ctzll(x);
            int n = k->count[l] += delta;
            uint64_t bit = (uint64_t)1 << (l & 63);
            k->multi.w[w] = n >= 2 ? k->multi.w[w] | bit : k->multi.w[w] & ~bit;
            k->triple.w[w] = n >= 3 ? k->triple.w[w] | bit : k->triple.w[w] & ~bit;
        }
}
