/*
 * Layout simulation for the path search: replays what plan_build.c's lower_pair does with one pair
 * (classify labels into batch, M, N, K; a batched GEMM laid out by plan_gemm.c's own chooser, or a
 * broadcast multiply / batched dot) without emitting steps, to learn the pair's permute traffic, its
 * workspace tensors and the label order of its result. Also evaluates whole paths and converts SSA
 * trees to numpy.einsum_path's positions.
 */
#include "path_cost.h"

#include <string.h>

static void layout_view(const ecl_path_ctx *c, const ecl_layout *l, ecl_view *v)
{
    if (l->input >= 0) {
        *v = c->view[l->input];
        return;
    }
    v->buf = ECL_BUF_WORKSPACE;
    v->offset = 0;
    v->dtype = c->b->dtype;
    v->ndim = l->n;
    int64_t stride = 1;
    for (int d = l->n - 1; d >= 0; d--) {
        v->label[d] = l->label[d];
        v->shape[d] = c->b->size[l->label[d]];
        v->stride[d] = stride;
        stride *= v->shape[d];
    }
}

static void output_view(const ecl_bound *b, ecl_view *v)
{
    v->buf = ECL_BUF_OUTPUT;
    v->offset = 0;
    v->dtype = b->dtype;
    v->ndim = b->out_ndim;
    int64_t stride = 1;
    for (int d = b->out_ndim - 1; d >= 0; d--) {
        v->label[d] = b->out_label[d];
        v->shape[d] = b->size[b->out_label[d]];
        v->stride[d] = stride;
        stride *= v->shape[d];
    }
}

static int has(const ecl_view *v, int label)
{
    for (int d = 0; d < v->ndim; d++)
        if (v->label[d] == label)
            return 1;
    return 0;
}

void ecl_pair_simulate(const ecl_path_ctx *c, const ecl_layout *A, const ecl_layout *B, ecl_lset r,
                       int final, ecl_pair_sim *out)
{
    ecl_view va, vb, vo;
    layout_view(c, A, &va);
    layout_view(c, B, &vb);
    int batch[ECL_MAX_DIMS], m[ECL_MAX_DIMS], n[ECL_MAX_DIMS], k[ECL_MAX_DIMS];
    int nb = 0, nm = 0, nn = 0, nk = 0;
    ecl_lset all = {{0, 0}};
    for (int d = 0; d < va.ndim; d++) {
        int l = va.label[d];
        ecl_lset_add(&all, l);
        if (!has(&vb, l))
            m[nm++] = l;
        else if (ecl_lset_has(r, l))
            batch[nb++] = l;
        else
            k[nk++] = l;
    }
    for (int d = 0; d < vb.ndim; d++) {
        ecl_lset_add(&all, vb.label[d]);
        if (!has(&va, vb.label[d]))
            n[nn++] = vb.label[d];
    }
    out->flops = (nk ? 2 : 1) * ecl_lset_size(c, all);
    out->result.input = -1;
    out->result.n = 0;
    if (final)
        output_view(c->b, &vo);
    if (nk > 0 && (nm > 0 || nn > 0)) {
        ecl_gemm_estimate est;
        ecl_estimate_gemm(&c->planner, &va, &vb, batch, nb, m, nm, n, nn, k, nk,
                          final ? &vo : NULL, &est);
        out->bytes = est.permute_bytes;
        out->peak = est.largest_tmp;
        if (!final) {
            out->result.n = est.nlabels;
            for (int d = 0; d < est.nlabels; d++)
                out->result.label[d] = (unsigned char)est.label[d];
        }
        return;
    }
    out->bytes = 0;
    out->peak = 0;
    if (final)
        return;
    int *groups[3] = {batch, m, n}, counts[3] = {nb, nm, nn};
    int64_t numel = 1;
    for (int g = 0; g < 3; g++)
        for (int i = 0; i < counts[g]; i++) {
            out->result.label[out->result.n++] = (unsigned char)groups[g][i];
            numel *= c->b->size[groups[g][i]];
        }
    out->peak = numel;
}

typedef struct operand {
    ecl_layout layout;
    ecl_lset legs;
} operand;

/* Removes operands i and j from the list into *A and *B; returns the legs of those left. */
static ecl_lset take_pair(operand *list, int *count, int i, int j, operand *A, operand *B)
{
    *A = list[i];
    *B = list[j];
    int hi = i > j ? i : j, lo = i > j ? j : i;
    memmove(&list[hi], &list[hi + 1], sizeof *list * (size_t)(*count - hi - 1));
    memmove(&list[lo], &list[lo + 1], sizeof *list * (size_t)(*count - lo - 2));
    *count -= 2;
    ecl_lset others = {{0, 0}};
    for (int t = 0; t < *count; t++)
        others = ecl_lset_or(others, list[t].legs);
    return others;
}

void ecl_path_evaluate(const ecl_path_ctx *c, const ecl_path *path, int simulate, ecl_path_eval *out)
{
    memset(out, 0, sizeof *out);
    out->bad_step = -1;
    out->flops = c->base_flops;
    out->peak = c->base_peak;
    if (c->trivial)
        return;
    operand list[ECL_MAX_OPERANDS];
    int count = c->nops;
    for (int i = 0; i < count; i++) {
        if (simulate)
            ecl_layout_input(c, i, &list[i].layout);
        list[i].legs = c->in[i];
    }
    for (int s = 0; s < path->npairs; s++) {
        int i = path->pair[s][0], j = path->pair[s][1];
        operand A, B;
        ecl_lset others = take_pair(list, &count, i, j, &A, &B);
        ecl_lset r = ecl_pair_result(c, A.legs, B.legs, others);
        int final = count == 0;
        double size = ecl_lset_size(c, r);
        if (!final && (ecl_lset_count(r) > ECL_MAX_DIMS || size > ECL_PATH_MAX_ELEMS)) {
            out->bad_step = s;
            out->bad_dims = ecl_lset_count(r);
            out->bad_size = size;
            return;
        }
        ecl_pair_sim sim;
        if (simulate) {
            ecl_pair_simulate(c, &A.layout, &B.layout, r, final, &sim);
        } else {  /* FLOPs and result sizes only */
            sim.flops = ecl_pair_flops(c, A.legs, B.legs, r);
            sim.bytes = 0;
            sim.peak = final ? 0 : (int64_t)size;
            sim.result.input = -1;
            sim.result.n = 0;
        }
        out->flops += sim.flops;
        out->bytes += sim.bytes;
        if (sim.peak > out->peak)
            out->peak = sim.peak;
        list[count].layout = sim.result;
        list[count].legs = r;
        count++;
    }
}

static void layout_of_set(ecl_lset s, ecl_layout *l)
{
    l->input = -1;
    l->n = 0;
    for (int w = 0; w < 2; w++)
        for (uint64_t x = s.w[w]; x; x &= x - 1)
            l->label[l->n++] = (unsigned char)(w * 64 + __builtin_ctzll(x));
}

void ecl_path_steps(const ecl_path_ctx *c, const ecl_path *path, ecl_path_step *steps)
{
    operand list[ECL_MAX_OPERANDS];
    int count = c->nops;
    for (int i = 0; i < count; i++) {
        const ecl_operand *op = &c->b->op[i];
        list[i].layout.input = i;
        list[i].layout.n = op->ndim;
        for (int d = 0; d < op->ndim; d++)
            list[i].layout.label[d] = (unsigned char)op->label[d];
        list[i].legs = c->in[i];
    }
    for (int s = 0; s < path->npairs; s++) {
        int i = path->pair[s][0], j = path->pair[s][1];
        operand A, B;
        ecl_lset others = take_pair(list, &count, i, j, &A, &B);
        ecl_lset r = ecl_pair_result(c, A.legs, B.legs, others);
        ecl_path_step *st = &steps[s];
        st->a = A.layout;
        st->b = B.layout;
        st->flops = ecl_pair_flops(c, A.legs, B.legs, r);
        st->elements = count == 0 ? 0 : ecl_lset_size(c, r);
        layout_of_set(r, &st->result);
        if (!c->trivial && count > 0) {
            ecl_layout la = A.layout, lb = B.layout;
            ecl_pair_sim sim;
            if (la.input >= 0)
                ecl_layout_input(c, la.input, &la);
            if (lb.input >= 0)
                ecl_layout_input(c, lb.input, &lb);
            ecl_pair_simulate(c, &la, &lb, r, 0, &sim);
            st->result = sim.result;
        } else if (count == 0) {
            st->result.n = c->b->out_ndim;
            for (int d = 0; d < c->b->out_ndim; d++)
                st->result.label[d] = (unsigned char)c->b->out_label[d];
        }
        list[count].layout = st->result;
        list[count].legs = r;
        count++;
    }
}

void ecl_ssa_to_path(int nops, const ecl_ssa *ssa, ecl_path *out)
{
    int ids[ECL_MAX_OPERANDS];
    int count = nops;
    for (int i = 0; i < nops; i++)
        ids[i] = i;
    out->npairs = ssa->npairs;
    for (int s = 0; s < ssa->npairs; s++) {
        int pos[2] = {-1, -1};
        for (int t = 0; t < count; t++)
            for (int e = 0; e < 2; e++)
                if (ids[t] == ssa->pair[s][e])
                    pos[e] = t;
        out->pair[s][0] = pos[0];
        out->pair[s][1] = pos[1];
        int hi = pos[0] > pos[1] ? pos[0] : pos[1], lo = pos[0] > pos[1] ? pos[1] : pos[0];
        memmove(&ids[hi], &ids[hi + 1], sizeof *ids * (size_t)(count - hi - 1));
        memmove(&ids[lo], &ids[lo + 1], sizeof *ids * (size_t)(count - lo - 2));
        count -= 2;
        ids[count++] = nops + s;
    }
}
