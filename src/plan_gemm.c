/*
 * Lowering a pairwise contraction to one batched GEMM. Labels fall into batch (both operands,
 * kept), M (A only), N (B only) and K (both, summed). Each group must collapse into a single
 * stride of its operand (labels ordered to match memory), and each operand must then be a
 * row-major matrix with a unit stride on one side (a transposition flag picks which) and a leading
 * dimension on the other. C is the output itself when its layout allows (computing C^T = B^T A^T
 * when M rather than N is the unit-stride side), else a workspace tensor followed by one final
 * permute. Where an operand cannot be addressed that way it is permuted into the workspace; the
 * choice (K order, C target, which operand to copy) minimises the bytes moved. When the M or N
 * labels do not nest in the output, C can still be the output if the labels that break the nesting
 * run as extra batch dims (stride 0 in the operand that lacks them): many smaller products instead
 * of a permute of the whole result, priced per extra product.
 */
#include "dtype_internal.h"
#include "planner.h"

#include <stdlib.h>
#include <string.h>

typedef struct group {
    int n;
    int label[ECL_MAX_DIMS];
} group;

typedef struct matrix_fit {
    int ok, trans;
    int64_t ld;
} matrix_fit;

typedef struct candidate {
    group korder, morder, norder;
    group dropm, dropn; /* M and N labels run as extra batch dims so that C can be the output */
    int direct, swap, copy_a, copy_b;
    double cost;
} candidate;

/* Running a label as a batch dim costs one more product per index: counted as this many bytes
 * of permute (about a microsecond of call and loop overhead at a few GB/s). */
#define DEMOTED_CALL_BYTES 8192.0
/* Products left with fewer rows or columns than this run too far below the GEMM rate. */
#define DEMOTED_MIN_EXTENT 8

static int64_t max1(int64_t v) { return v > 1 ? v : 1; }

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

/* The labels in v's memory order: descending |stride|, size-1 labels last, stable. */
static group order_by(const ecl_planner *p, const ecl_view *v, const int *labels, int n)
{
    group g = {.n = n};
    memcpy(g.label, labels, sizeof(int) * (size_t)n);
    for (int i = 1; i < n; i++) {
        for (int j = i; j > 0; j--) {
            int a = g.label[j - 1], b = g.label[j];
            int64_t sa = p->b->size[a] == 1 ? -1 : abs64(ecl_view_stride_of(v, a));
            int64_t sb = p->b->size[b] == 1 ? -1 : abs64(ecl_view_stride_of(v, b));
            if (sa >= sb)
                break;
            g.label[j - 1] = b;
            g.label[j] = a;
        }
    }
    return g;
}

/* Collapses the group (in its order) to one stride of v; 0 if the labels do not nest. */
static int merge(const ecl_planner *p, const ecl_view *v, const group *g, int64_t *stride,
                 int64_t *extent)
{
    int64_t expect = 0, ext = 1;
    int have = 0;
    *stride = 1;
    for (int i = g->n - 1; i >= 0; i--) {
        int64_t size = p->b->size[g->label[i]], s = ecl_view_stride_of(v, g->label[i]);
        ext *= size;
        if (size == 1)
            continue;
        if (have && s != expect)
            return 0;
        if (!have)
            *stride = s;
        have = 1;
        expect = s * size;
    }
    *extent = ext;
    return 1;
}

/* Splits g (in v's memory order) into a run of labels that nest in v, kept in g, and the others,
 * moved to drop. The run is the longest one, or with last_run the one that ends at the smallest
 * stride (C's columns need its unit stride); the run ending at the smaller stride wins ties. */
static void keep_nested_run(const ecl_planner *p, const ecl_view *v, group *g, group *drop,
                            int last_run)
{
    int best_lo = 0, best_hi = 0, lo = 0;
    int64_t best = 0, run = 1;
    drop->n = 0;
    for (int i = 0; i < g->n; i++) {
        const int64_t size = p->b->size[g->label[i]];
        if (i > lo) {
            const int prev = g->label[i - 1];
            if (ecl_view_stride_of(v, prev) != ecl_view_stride_of(v, g->label[i]) * size &&
                p->b->size[prev] > 1 && size > 1)
                lo = i, run = 1;
        }
        run *= size;
        if (run >= best || (last_run && i == g->n - 1))
            best = run, best_lo = lo, best_hi = i + 1;
    }
    group kept = {.n = 0};
    for (int i = 0; i < g->n; i++) {
        if (i >= best_lo && i < best_hi)
            kept.label[kept.n++] = g->label[i];
        else
            drop->label[drop->n++] = g->label[i];
    }
    *g = kept;
}

static double extent_of(const ecl_planner *p, const group *g)
{
    double e = 1;
    for (int i = 0; i < g->n; i++)
        e *= (double)p->b->size[g->label[i]];
    return e;
}

/* A rows x cols matrix at r * sr + c * sc as a row-major BLAS operand. */
static matrix_fit fit_matrix(int64_t sr, int64_t er, int64_t sc, int64_t ec)
{
    if ((ec <= 1 || sc == 1) && (er <= 1 || sr >= max1(ec)))
        return (matrix_fit){1, 0, er <= 1 ? max1(ec) : sr};
    if ((er <= 1 || sr == 1) && (ec <= 1 || sc >= max1(er)))
        return (matrix_fit){1, 1, ec <= 1 ? max1(er) : sc};
    return (matrix_fit){0, 0, 0};
}

static matrix_fit fit_groups(const ecl_planner *p, const ecl_view *v, const group *rows,
                             const group *cols, int64_t *er, int64_t *ec)
{
    int64_t sr, sc;
    if (!merge(p, v, rows, &sr, er) || !merge(p, v, cols, &sc, ec))
        return (matrix_fit){0, 0, 0};
    return fit_matrix(sr, *er, sc, *ec);
}

static double bytes_of(const ecl_planner *p, const ecl_view *v)
{
    return (double)ecl_view_numel(v) * (double)ecl_dtype_size(p->b->dtype);
}

/* Fills the cost of one candidate layout; cost < 0 marks it impossible. */
static void evaluate(const ecl_planner *p, const ecl_view *A, const ecl_view *B, const ecl_view *out,
                     candidate *c)
{
    int64_t er, ec;
    c->cost = 0;
    if (c->direct) {
        const group *rows = c->swap ? &c->norder : &c->morder;
        const group *cols = c->swap ? &c->morder : &c->norder;
        matrix_fit f = fit_groups(p, out, rows, cols, &er, &ec);
        if (!f.ok || f.trans) {
            c->cost = -1;
            return;
        }
        const double calls = extent_of(p, &c->dropm) * extent_of(p, &c->dropn);
        if (calls > 1) {
            if (extent_of(p, &c->morder) < DEMOTED_MIN_EXTENT ||
                extent_of(p, &c->norder) < DEMOTED_MIN_EXTENT) {
                c->cost = -1;
                return;
            }
            c->cost += calls * DEMOTED_CALL_BYTES;
        }
    } else if (out) {
        double cbytes = bytes_of(p, out);
        c->cost += 2 * cbytes;
    }
    c->copy_a = !fit_groups(p, A, &c->morder, &c->korder, &er, &ec).ok;
    c->copy_b = !fit_groups(p, B, &c->korder, &c->norder, &er, &ec).ok;
    c->cost += (c->copy_a ? 2 * bytes_of(p, A) : 0) + (c->copy_b ? 2 * bytes_of(p, B) : 0);
}

static candidate choose(const ecl_planner *p, const ecl_view *A, const ecl_view *B, const int *m,
                        int nm, const int *n, int nn, const int *k, int nk, const ecl_view *out)
{
    group korders[2] = {order_by(p, A, k, nk), order_by(p, B, k, nk)};
    candidate best = {.cost = -1};
    for (int ki = 0; ki < 2; ki++) {
        for (int target = 0; target < 3; target++) {
            candidate c = {.korder = korders[ki]};
            if (target < 2) {  /* C written straight into the output (normal or transposed) */
                if (!out)
                    continue;
                c.direct = 1;
                c.swap = target == 1;
                c.morder = order_by(p, out, m, nm);
                c.norder = order_by(p, out, n, nn);
                evaluate(p, A, B, out, &c);
                if (c.cost >= 0 && (best.cost < 0 || c.cost < best.cost))
                    best = c;
                /* Or keep only the M and N labels that nest in the output and batch the rest. */
                keep_nested_run(p, out, &c.morder, &c.dropm, c.swap);
                keep_nested_run(p, out, &c.norder, &c.dropn, !c.swap);
                if (c.dropm.n + c.dropn.n == 0)
                    continue;
            } else {
                c.morder = order_by(p, A, m, nm);
                c.norder = order_by(p, B, n, nn);
            }
            evaluate(p, A, B, out, &c);
            if (c.cost >= 0 && (best.cost < 0 || c.cost < best.cost))
                best = c;
        }
    }
    return best;
}

/* Batch dims with their strides in the left operand, the right operand and C, merging
 * neighbours that nest in all three and dropping size-1 dims. */
static void fill_batch(const ecl_planner *p, const int *batch, int nbatch, const ecl_view *L,
                       const ecl_view *R, const ecl_view *C, ecl_gemm_args *g)
{
    g->nbatch = 0;
    for (int i = 0; i < nbatch; i++) {
        int l = batch[i];
        int64_t size = p->b->size[l];
        if (size == 1)
            continue;
        int64_t sl = ecl_view_stride_of(L, l), sr = ecl_view_stride_of(R, l), sc = ecl_view_stride_of(C, l);
        int j = g->nbatch - 1;
        if (j >= 0 && g->batch_stride_a[j] == sl * size && g->batch_stride_b[j] == sr * size &&
            g->batch_stride_c[j] == sc * size) {
            g->batch_shape[j] *= size;
            g->batch_stride_a[j] = sl;
            g->batch_stride_b[j] = sr;
            g->batch_stride_c[j] = sc;
            continue;
        }
        g->batch_shape[++j] = size;
        g->batch_stride_a[j] = sl;
        g->batch_stride_b[j] = sr;
        g->batch_stride_c[j] = sc;
        g->nbatch = j + 1;
    }
}

static int concat(int *dst, const int *a, int na, const group *b, const group *c)
{
    memcpy(dst, a, sizeof(int) * (size_t)na);
    memcpy(dst + na, b->label, sizeof(int) * (size_t)b->n);
    memcpy(dst + na + b->n, c->label, sizeof(int) * (size_t)c->n);
    return na + b->n + c->n;
}

void ecl_estimate_gemm(const ecl_planner *p, const ecl_view *A, const ecl_view *B, const int *batch,
                       int nbatch, const int *m, int nm, const int *n, int nn, const int *k, int nk,
                       const ecl_view *final_out, ecl_gemm_estimate *out)
{
    candidate c = choose(p, A, B, m, nm, n, nn, k, nk, final_out);
    out->permute_bytes = c.cost;
    out->direct = c.direct;
    out->largest_tmp = 0;
    if (c.copy_a)
        out->largest_tmp = ecl_view_numel(A);
    if (c.copy_b && ecl_view_numel(B) > out->largest_tmp)
        out->largest_tmp = ecl_view_numel(B);
    out->nlabels = 0;
    if (!c.direct) {
        out->nlabels = concat(out->label, batch, nbatch, &c.morder, &c.norder);
        int64_t numel = 1;
        for (int i = 0; i < out->nlabels; i++)
            numel *= p->b->size[out->label[i]];
        if (numel > out->largest_tmp)
            out->largest_tmp = numel;
    }
}

ecl_status ecl_lower_gemm(ecl_planner *p, const ecl_view *A, const ecl_view *B, const int *batch,
                          int nbatch, const int *m, int nm, const int *n, int nn, const int *k, int nk,
                          const ecl_view *final_out, ecl_view *result)
{
    candidate c = choose(p, A, B, m, nm, n, nn, k, nk, final_out);
    int labels[ECL_MAX_DIMS], batch_a[ECL_MAX_DIMS], batch_b[ECL_MAX_DIMS], batch_all[ECL_MAX_DIMS];
    const group none = {.n = 0};
    const int nbatch_a = concat(batch_a, batch, nbatch, &c.dropm, &none);
    const int nbatch_b = concat(batch_b, batch, nbatch, &c.dropn, &none);
    const int nbatch_all = concat(batch_all, batch, nbatch, &c.dropm, &c.dropn);
    ecl_view a = *A, b = *B, C;
    ecl_status st = ECL_SUCCESS;
    if (c.copy_a)
        st = ecl_planner_copy_to_tmp(p, A, labels, concat(labels, batch_a, nbatch_a, &c.morder, &c.korder), &a);
    if (st == ECL_SUCCESS && c.copy_b)
        st = ecl_planner_copy_to_tmp(p, B, labels, concat(labels, batch_b, nbatch_b, &c.korder, &c.norder), &b);
    if (st == ECL_SUCCESS) {
        if (c.direct)
            C = *final_out;
        else
            st = ecl_planner_new_tmp(p, labels, concat(labels, batch, nbatch, &c.morder, &c.norder), &C);
    }
    if (st != ECL_SUCCESS)
        return st;

    /* Orient: left operand rows x K, right operand K x cols, C rows x cols. */
    const ecl_view *L = c.swap ? &b : &a, *R = c.swap ? &a : &b;
    const group *rows = c.swap ? &c.norder : &c.morder, *cols = c.swap ? &c.morder : &c.norder;
    int64_t er, ek, ec, ek2;
    matrix_fit fl = fit_groups(p, L, rows, &c.korder, &er, &ek);
    matrix_fit fr = fit_groups(p, R, &c.korder, cols, &ek2, &ec);
    matrix_fit fc = fit_groups(p, &C, rows, cols, &er, &ec);
    if (!fl.ok || !fr.ok || !fc.ok || fc.trans)
        return ecl_fail(p->err, ECL_ERROR_INVALID_ARGUMENT, "internal planner error: GEMM layout");

    ecl_step *s = ecl_planner_add_step(p, ECL_STEP_GEMM);
    if (!s)
        return ECL_ERROR_OUT_OF_MEMORY;
    s->a = *L;
    s->b = *R;
    s->dst = C;
    s->final = c.direct;
    ecl_gemm_args *g = &s->gemm;
    *g = (ecl_gemm_args){.trans_a = fl.trans, .trans_b = fr.trans,
                         .compute = (int)ecl_rounding_compute(p->b->round), .m = er, .n = ec,
                         .k = ek, .lda = fl.ld, .ldb = fr.ld, .ldc = fc.ld};
    fill_batch(p, batch_all, nbatch_all, L, R, &C, g);
    double count = 1;
    for (int i = 0; i < g->nbatch; i++)
        count *= (double)g->batch_shape[i];
    s->flops = 2.0 * count * (double)er * (double)ec * (double)ek;

    if (c.copy_a)
        ecl_ws_release(p, &a);
    if (c.copy_b)
        ecl_ws_release(p, &b);
    if (final_out && !c.direct) {
        ecl_step *f = ecl_planner_add_step(p, ECL_STEP_COPY);
        if (!f)
            return ECL_ERROR_OUT_OF_MEMORY;
        f->final = 1;
        f->dst = *final_out;
        ecl_view_select(p, &C, final_out->label, final_out->ndim, &f->a);
        ecl_ws_release(p, &C);
        C = *final_out;
    }
    *result = C;
    return ECL_SUCCESS;
}
