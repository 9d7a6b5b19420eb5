/*
 * The planner's driver: turns a bound equation into steps. Operands are contracted pairwise in the
 * order of a path (path.c chooses it); each pair first sums labels that only one
 * side has and nobody needs later, then becomes a broadcast multiply (nothing contracted), a batched
 * dot (nothing kept on either side alone) or a batched GEMM (plan_gemm.c). A single operand becomes
 * one copy or reduction straight into the output. Diagonals and broadcasts are strided views
 * (bind.c) and cost no step of their own.
 */
#include "planner.h"

#include "dtype_internal.h"

#include <stdlib.h>
#include <string.h>
#include "alloc.h"

ecl_step *ecl_planner_add_step(ecl_planner *p, ecl_step_kind kind)
{
    ecl_lowered *low = p->low;
    if (low->nsteps == low->cap) {
        int cap = low->cap ? low->cap * 2 : 8;
        ecl_step *s = ecl_realloc(low->steps, sizeof *s * (size_t)cap);
        if (!s) {
            ecl_fail(p->err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate plan steps");
            return NULL;
        }
        low->steps = s;
        low->cap = cap;
    }
    ecl_step *s = &low->steps[low->nsteps++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    return s;
}

int64_t ecl_ws_alloc(ecl_planner *p, int64_t len)
{
    len = (len + 15) & ~(int64_t)15;  /* 64-byte aligned blocks for f32 */
    if (len == 0)
        len = 16;
    if (p->nlive == p->live_cap) {
        int cap = p->live_cap ? p->live_cap * 2 : 8;
        ecl_ws_block *l = ecl_realloc(p->live, sizeof *l * (size_t)cap);
        if (!l)
            return -1;
        p->live = l;
        p->live_cap = cap;
    }
    int64_t at = 0;
    int i = 0;
    for (; i < p->nlive; i++) {
        if (p->live[i].offset - at >= len)
            break;
        at = p->live[i].offset + p->live[i].len;
    }
    memmove(&p->live[i + 1], &p->live[i], sizeof *p->live * (size_t)(p->nlive - i));
    if (at > ECL_MAX_INTERMEDIATE * 64 - len)
        return -2;
    p->live[i] = (ecl_ws_block){at, len};
    p->nlive++;
    if (at + len > p->low->workspace_elems)
        p->low->workspace_elems = at + len;
    return at;
}

void ecl_ws_release(ecl_planner *p, const ecl_view *v)
{
    if (v->buf != ECL_BUF_WORKSPACE)
        return;
    for (int i = 0; i < p->nlive; i++) {
        if (p->live[i].offset == v->offset) {
            memmove(&p->live[i], &p->live[i + 1], sizeof *p->live * (size_t)(p->nlive - i - 1));
            p->nlive--;
            return;
        }
    }
}

int64_t ecl_view_numel(const ecl_view *v)
{
    int64_t n = 1;
    for (int d = 0; d < v->ndim; d++)
        n *= v->shape[d];
    return n;
}

int ecl_view_find(const ecl_view *v, int label)
{
    for (int d = 0; d < v->ndim; d++)
        if (v->label[d] == label)
            return d;
    return -1;
}

int64_t ecl_view_stride_of(const ecl_view *v, int label)
{
    int d = ecl_view_find(v, label);
    return d < 0 ? 0 : v->stride[d];
}

ecl_status ecl_planner_new_tmp(ecl_planner *p, const int *labels, int n, ecl_view *out)
{
    memset(out, 0, sizeof *out);
    out->buf = ECL_BUF_WORKSPACE;
    out->dtype = p->b->dtype;
    out->ndim = n;
    int64_t numel = 1;
    for (int d = n - 1; d >= 0; d--) {
        out->label[d] = labels[d];
        out->shape[d] = p->b->size[labels[d]];
        out->stride[d] = numel;
        /* An intermediate can outgrow every operand and the output (an outer product of labels
         * from different operands); the cap keeps workspace offsets and byte counts in range. */
        if (ecl_mul_overflow_i64(numel, out->shape[d], &numel) || numel > ECL_MAX_INTERMEDIATE) {
            char name[16];
            return ecl_fail(p->err, ECL_ERROR_OVERFLOW,
                            "an intermediate of this contraction order has more than 2^56 elements "
                            "(at label %s, size %lld)",
                            ecl_label_name(p->b, labels[d], name), (long long)out->shape[d]);
        }
    }
    if (numel > p->low->largest_intermediate)
        p->low->largest_intermediate = numel;
    out->offset = ecl_ws_alloc(p, numel);
    if (out->offset < 0)
        return ecl_fail(p->err, out->offset == -2 ? ECL_ERROR_OVERFLOW : ECL_ERROR_OUT_OF_MEMORY,
                        out->offset == -2 ? "the workspace of this contraction order exceeds 2^62 elements"
                                          : "cannot allocate the workspace table");
    return ECL_SUCCESS;
}

void ecl_view_select(const ecl_planner *p, const ecl_view *src, const int *labels, int n,
                     ecl_view *out)
{
    ecl_view v = *src;
    v.ndim = n;
    for (int d = 0; d < n; d++) {
        int at = ecl_view_find(src, labels[d]);
        v.label[d] = labels[d];
        v.shape[d] = p->b->size[labels[d]];
        v.stride[d] = at < 0 ? 0 : src->stride[at];
    }
    *out = v;
}

ecl_status ecl_planner_copy_to_tmp(ecl_planner *p, const ecl_view *src, const int *labels, int n,
                                   ecl_view *out)
{
    ecl_view tmp;
    ecl_status st = ecl_planner_new_tmp(p, labels, n, &tmp);
    if (st != ECL_SUCCESS)
        return st;
    ecl_step *s = ecl_planner_add_step(p, ECL_STEP_COPY);
    if (!s)
        return ECL_ERROR_OUT_OF_MEMORY;
    s->dst = tmp;
    ecl_view_select(p, src, labels, n, &s->a);
    *out = tmp;
    return ECL_SUCCESS;
}

/* The output buffer as a view: contiguous, in output label order. */
static void output_view(const ecl_bound *b, ecl_view *out)
{
    memset(out, 0, sizeof *out);
    out->buf = ECL_BUF_OUTPUT;
    out->dtype = b->dtype;
    out->ndim = b->out_ndim;
    int64_t stride = 1;
    for (int d = b->out_ndim - 1; d >= 0; d--) {
        out->label[d] = b->out_label[d];
        out->shape[d] = b->size[b->out_label[d]];
        out->stride[d] = stride;
        stride *= out->shape[d];
    }
}

/* Emits dst = sum over `sum` labels of a (* b when b is given), into dst (a prepared view). */
static ecl_status emit_sum_product(ecl_planner *p, const ecl_view *dst, const ecl_view *a,
                                   const ecl_view *b, const int *sum, int nsum, int final)
{
    int labels[ECL_MAX_DIMS * 2];
    int n = dst->ndim;
    memcpy(labels, dst->label, sizeof(int) * (size_t)n);
    memcpy(labels + n, sum, sizeof(int) * (size_t)nsum);
    ecl_step_kind kind = b ? ECL_STEP_MUL : nsum ? ECL_STEP_REDUCE : ECL_STEP_COPY;
    ecl_step *s = ecl_planner_add_step(p, kind);
    if (!s)
        return ECL_ERROR_OUT_OF_MEMORY;
    s->final = final;
    s->nsum = nsum;
    s->dst = *dst;
    ecl_view_select(p, a, labels, n + nsum, &s->a);
    if (b)
        ecl_view_select(p, b, labels, n + nsum, &s->b);
    double total = (double)ecl_view_numel(&s->a);
    s->flops = b ? (nsum ? 2.0 : 1.0) * total : (nsum ? total : 0.0);
    return ECL_SUCCESS;
}

/* Sums the labels of *v that are not in keep[] into a fresh workspace view (order preserved). */
static ecl_status reduce_unneeded(ecl_planner *p, ecl_view *v, const unsigned char *keep)
{
    int kept[ECL_MAX_DIMS], sum[ECL_MAX_DIMS], nk = 0, ns = 0;
    for (int d = 0; d < v->ndim; d++) {
        if (keep[v->label[d]])
            kept[nk++] = v->label[d];
        else
            sum[ns++] = v->label[d];
    }
    if (ns == 0)
        return ECL_SUCCESS;
    ecl_view tmp;
    ecl_status st = ecl_planner_new_tmp(p, kept, nk, &tmp);
    if (st == ECL_SUCCESS)
        st = emit_sum_product(p, &tmp, v, NULL, sum, ns, 0);
    ecl_ws_release(p, v);
    *v = tmp;
    return st;
}

static int has(const ecl_view *v, int label) { return ecl_view_find(v, label) >= 0; }

/* Whether *v has labels outside keep[] (reduce_unneeded would sum them). */
static int needs_sum(const ecl_view *v, const unsigned char *keep)
{
    for (int d = 0; d < v->ndim; d++)
        if (!keep[v->label[d]])
            return 1;
    return 0;
}

static ecl_status to_plan_dtype(ecl_planner *p, ecl_view *v);
static ecl_status to_product_operand(ecl_planner *p, ecl_view *v);

/* Contracts A and B into *result, keeping the labels marked in keep[]. final: result is the
 * output (and the step applies alpha and beta). */
static ecl_status lower_pair(ecl_planner *p, ecl_view *A, ecl_view *B, const unsigned char *keep,
                             int final, ecl_view *result)
{
    unsigned char need_a[ECL_MAX_LABELS], need_b[ECL_MAX_LABELS];
    for (int l = 0; l < p->b->nlabels; l++) {
        need_a[l] = keep[l] || has(B, l);
        need_b[l] = keep[l] || has(A, l);
    }
    /* Product operands in the plan's dtype, rounded to the compute mode's format; an operand with
     * labels to sum first is rounded after the sum, so that every GEMM operand holds values exact
     * in that format (what the tensor-core kernels take without rounding again). */
    const int sum_a = needs_sum(A, need_a), sum_b = needs_sum(B, need_b);
    ecl_status st = sum_a ? to_plan_dtype(p, A) : to_product_operand(p, A);
    if (st == ECL_SUCCESS)
        st = sum_b ? to_plan_dtype(p, B) : to_product_operand(p, B);
    if (st == ECL_SUCCESS)
        st = reduce_unneeded(p, A, need_a);
    if (st == ECL_SUCCESS)
        st = reduce_unneeded(p, B, need_b);
    if (st == ECL_SUCCESS && sum_a)
        st = to_product_operand(p, A);
    if (st == ECL_SUCCESS && sum_b)
        st = to_product_operand(p, B);
    if (st != ECL_SUCCESS)
        return st;

    int batch[ECL_MAX_DIMS], m[ECL_MAX_DIMS], n[ECL_MAX_DIMS], k[ECL_MAX_DIMS];
    int nb = 0, nm = 0, nn = 0, nk = 0;
    for (int d = 0; d < A->ndim; d++) {
        int l = A->label[d];
        if (!has(B, l))
            m[nm++] = l;
        else if (keep[l])
            batch[nb++] = l;
        else
            k[nk++] = l;
    }
    for (int d = 0; d < B->ndim; d++)
        if (!has(A, B->label[d]))
            n[nn++] = B->label[d];

    ecl_view out;
    if (final)
        output_view(p->b, &out);
    if (nk > 0 && (nm > 0 || nn > 0)) {
        st = ecl_lower_gemm(p, A, B, batch, nb, m, nm, n, nn, k, nk, final ? &out : NULL, result);
    } else {
        if (!final) {
            int labels[ECL_MAX_DIMS * 3], nl = 0;
            memcpy(labels, batch, sizeof(int) * (size_t)nb), nl += nb;
            memcpy(labels + nl, m, sizeof(int) * (size_t)nm), nl += nm;
            memcpy(labels + nl, n, sizeof(int) * (size_t)nn), nl += nn;
            if ((st = ecl_planner_new_tmp(p, labels, nl, &out)) != ECL_SUCCESS)
                return st;
        }
        st = emit_sum_product(p, &out, A, B, k, nk, final);
        *result = out;
    }
    ecl_ws_release(p, A);
    ecl_ws_release(p, B);
    return st;
}

/* numpy.einsum_path's naive cost: one loop nest over all labels. */
static double naive_flops(const ecl_bound *b)
{
    double size = 1;
    unsigned char in_out[ECL_MAX_LABELS] = {0};
    for (int d = 0; d < b->out_ndim; d++)
        in_out[b->out_label[d]] = 1;
    int inner = 0;
    for (int l = 0; l < b->nlabels; l++) {
        size *= (double)b->size[l];
        inner |= !in_out[l];
    }
    double factor = b->nops > 1 ? b->nops - 1 : 1;
    return size * (factor + inner);
}

static void operand_view(const ecl_bound *b, int i, ecl_view *v)
{
    memset(v, 0, sizeof *v);
    v->buf = i;
    v->dtype = b->op[i].dtype;
    v->ndim = b->op[i].ndim;
    for (int d = 0; d < v->ndim; d++) {
        v->label[d] = b->op[i].label[d];
        v->shape[d] = b->size[v->label[d]];
        v->stride[d] = b->op[i].stride[d];
    }
}

/* An operand in the plan's dtype: f32 inputs of an f64 plan are converted into the workspace. */
static ecl_status to_plan_dtype(ecl_planner *p, ecl_view *v)
{
    if (v->dtype == p->b->dtype)
        return ECL_SUCCESS;
    ecl_view src = *v;
    return ecl_planner_copy_to_tmp(p, &src, src.label, src.ndim, v);
}

/* An operand of a pairwise product in the plan's dtype and, under a compute mode, rounded to it
 * (a copy into the workspace, unless the operand's dtype already fits the mode exactly). */
static ecl_status to_product_operand(ecl_planner *p, ecl_view *v)
{
    const ecl_dtype r = p->b->round;
    const int exact = r == ECL_F32 ||
                      (v->dtype == ECL_F16 && (r == ECL_F32_ROUND_F16 || r == ECL_F32_ROUND_TF32)) ||
                      (v->dtype == ECL_BF16 && (r == ECL_F32_ROUND_BF16 || r == ECL_F32_ROUND_TF32));
    if (exact)
        return to_plan_dtype(p, v);
    ecl_view src = *v;
    ecl_status st = ecl_planner_copy_to_tmp(p, &src, src.label, src.ndim, v);
    if (st != ECL_SUCCESS)
        return st;
    p->low->steps[p->low->nsteps - 1].dst.dtype = r;
    ecl_ws_release(p, &src);
    return ECL_SUCCESS;
}

/* Removes entry i of the operand list. */
static void list_remove(ecl_view *list, int *count, int i)
{
    memmove(&list[i], &list[i + 1], sizeof *list * (size_t)(*count - i - 1));
    (*count)--;
}

/* Contracts the operand list in path order; list has room for nops views. */
static ecl_status contract_path(ecl_planner *p, const ecl_path *path, ecl_view *list,
                                const unsigned char *in_out)
{
    int count = p->b->nops;
    for (int s = 0; s < path->npairs; s++) {
        int i = path->pair[s][0], j = path->pair[s][1];
        ecl_view A = list[i], B = list[j], result;
        list_remove(list, &count, i > j ? i : j);
        list_remove(list, &count, i > j ? j : i);
        unsigned char keep[ECL_MAX_LABELS];
        memcpy(keep, in_out, sizeof keep);
        for (int k = 0; k < count; k++)
            for (int d = 0; d < list[k].ndim; d++)
                keep[list[k].label[d]] = 1;
        ecl_status st = lower_pair(p, &A, &B, keep, count == 0, &result);
        if (st != ECL_SUCCESS)
            return st;
        list[count++] = result;
    }
    return ECL_SUCCESS;
}

static ecl_status build_steps(ecl_planner *p, const ecl_path *path)
{
    const ecl_bound *b = p->b;
    ecl_view out;
    output_view(b, &out);
    int64_t out_numel = ecl_view_numel(&out);
    if (out_numel == 0)
        return ECL_SUCCESS;
    for (int l = 0; l < b->nlabels; l++) {
        if (b->size[l] == 0) {  /* a summed label of size 0: the einsum is all zeros */
            ecl_step *s = ecl_planner_add_step(p, ECL_STEP_SCALE);
            if (!s)
                return ECL_ERROR_OUT_OF_MEMORY;
            s->final = 1;
            s->dst = out;
            return ECL_SUCCESS;
        }
    }
    unsigned char in_out[ECL_MAX_LABELS] = {0};
    for (int d = 0; d < b->out_ndim; d++)
        in_out[b->out_label[d]] = 1;

    ecl_view *list = ecl_malloc(sizeof *list * (size_t)b->nops);
    if (!list)
        return ecl_fail(p->err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate the operand list");
    for (int i = 0; i < b->nops; i++)
        operand_view(b, i, &list[i]);
    ecl_status st;
    if (b->nops == 1) {
        int sum[ECL_MAX_DIMS], ns = 0;
        for (int d = 0; d < list[0].ndim; d++)
            if (!in_out[list[0].label[d]])
                sum[ns++] = list[0].label[d];
        st = to_plan_dtype(p, &list[0]);
        if (st == ECL_SUCCESS)
            st = emit_sum_product(p, &out, &list[0], NULL, sum, ns, 1);
    } else {
        st = contract_path(p, path, list, in_out);
    }
    ecl_free(list);
    return st;
}

/* A 16-bit result: the steps compute into a float32 copy of the output placed after the rest of
 * the workspace (alive throughout), and one last converting copy rounds it into the output,
 * applying alpha and beta there. */
static ecl_status narrow_output(ecl_planner *p)
{
    const ecl_bound *b = p->b;
    ecl_lowered *low = p->low;
    if (b->out_dtype == b->dtype || low->nsteps == 0)
        return ECL_SUCCESS;
    ecl_view out;
    output_view(b, &out);
    const int64_t numel = ecl_view_numel(&out);
    const int64_t at = (low->workspace_elems + 15) & ~(int64_t)15;
    low->workspace_elems = at + numel;
    if (numel > low->largest_intermediate)
        low->largest_intermediate = numel;
    for (int i = 0; i < low->nsteps; i++) {
        ecl_step *s = &low->steps[i];
        ecl_view *views[3] = {&s->dst, &s->a, &s->b};
        for (int v = 0; v < 3; v++) {
            if (views[v]->buf == ECL_BUF_OUTPUT) {
                views[v]->buf = ECL_BUF_WORKSPACE;
                views[v]->offset += at;
            }
        }
        s->final = 0;
    }
    ecl_step *s = ecl_planner_add_step(p, ECL_STEP_COPY);
    if (!s)
        return ECL_ERROR_OUT_OF_MEMORY;
    s->final = 1;
    s->a = out;
    s->a.buf = ECL_BUF_WORKSPACE;
    s->a.offset = at;
    s->dst = out;
    s->dst.dtype = b->out_dtype;
    return ECL_SUCCESS;
}

ecl_status ecl_plan_build(const ecl_bound *b, const ecl_path *path, ecl_lowered *out,
                          ecl_error *err)
{
    memset(out, 0, sizeof *out);
    ecl_status st = ecl_path_validate(path, b->nops, err);
    if (st != ECL_SUCCESS)
        return st;
    ecl_planner p = {.b = b, .low = out, .err = err};
    st = build_steps(&p, path);
    if (st == ECL_SUCCESS)
        st = narrow_output(&p);
    ecl_free(p.live);
    if (st != ECL_SUCCESS) {
        ecl_lowered_free(out);
        return st;
    }
    out->naive_flops = naive_flops(b);
    for (int i = 0; i < out->nsteps; i++)
        out->flops += out->steps[i].flops;
    return ECL_SUCCESS;
}

void ecl_lowered_free(ecl_lowered *low)
{
    ecl_free(low->steps);
    memset(low, 0, sizeof *low);
}
