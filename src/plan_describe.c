/*
 * Plan descriptions: a text report in the manner of numpy.einsum_path (totals, then one line per
 * step with its primitive, the labels it maps and the GEMM layout) and the same as a JSON object.
 * Both also give the contraction order: the algorithm that chose it, the path in numpy.einsum_path
 * form and one line per pairwise contraction (in the manner of opt_einsum's PathInfo).
 * Broadcast ("...") dimensions appear as the digits 0-9 (then '#') in the per-step contractions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path_cost.h"
#include "plan.h"
#include "dtype_internal.h"
#include "strbuf.h"
#include "alloc.h"

static const char *step_name(ecl_step_kind kind)
{
    switch (kind) {
    case ECL_STEP_COPY: return "permute";
    case ECL_STEP_REDUCE: return "reduce";
    case ECL_STEP_MUL: return "mul";
    case ECL_STEP_GEMM: return "gemm";
    case ECL_STEP_SCALE: return "scale";
    }
    return "?";
}

/* A finer name for MUL and COPY steps: what the primitive does here. */
static const char *step_role(const ecl_step *s)
{
    if (s->kind == ECL_STEP_MUL)
        return s->nsum ? "batched dot" : "broadcast multiply";
    if (s->kind == ECL_STEP_COPY && s->dst.dtype == ECL_F32_ROUND_TF32)
        return "round to tf32";
    if (s->kind == ECL_STEP_COPY && s->dst.dtype == ECL_F32_ROUND_F16)
        return "round to f16";
    if (s->kind == ECL_STEP_COPY && s->dst.dtype == ECL_F32_ROUND_BF16)
        return "round to bf16";
    if (s->kind == ECL_STEP_COPY && s->a.dtype != s->dst.dtype)
        return "convert";
    return step_name(s->kind);
}

static char label_char(const ecl_bound *b, int label)
{
    if (b->name[label])
        return b->name[label];
    int k = 0;
    for (int l = 0; l < label; l++)
        k += b->name[l] == 0;
    return k < 10 ? (char)('0' + k) : '#';
}

static void put_labels(ecl_strbuf *sb, const ecl_bound *b, const ecl_view *v, int ndim)
{
    for (int d = 0; d < ndim; d++)
        ecl_strbuf_printf(sb, "%c", label_char(b, v->label[d]));
}

/* "ab,bc->ac" for the step, with the summed labels of REDUCE/MUL omitted from the result. */
static void put_contraction(ecl_strbuf *sb, const ecl_bound *b, const ecl_step *s)
{
    if (s->kind != ECL_STEP_SCALE) {
        put_labels(sb, b, &s->a, s->a.ndim);
        if (s->kind == ECL_STEP_MUL || s->kind == ECL_STEP_GEMM) {
            ecl_strbuf_printf(sb, ",");
            put_labels(sb, b, &s->b, s->b.ndim);
        }
    }
    ecl_strbuf_printf(sb, "->");
    put_labels(sb, b, &s->dst, s->dst.ndim);
}

static void put_layout(ecl_strbuf *sb, const ecl_bound *b, const ecl_layout *l)
{
    for (int d = 0; d < l->n; d++)
        ecl_strbuf_printf(sb, "%c", label_char(b, l->label[d]));
}

/* The pairwise contractions of the plan's path; NULL when there are none (or no memory). */
static ecl_path_step *path_steps(const ecl_plan *plan)
{
    if (plan->path.npairs == 0)
        return NULL;
    ecl_path_ctx c;
    ecl_error err;
    ecl_path_step *steps = ecl_malloc(sizeof *steps * (size_t)plan->path.npairs);
    if (steps && ecl_path_ctx_init(&c, plan->bound, 0, &err) == ECL_SUCCESS) {
        ecl_path_steps(&c, &plan->path, steps);
        ecl_path_ctx_free(&c);
        return steps;
    }
    ecl_free(steps);
    return NULL;
}

static void put_step_contraction(ecl_strbuf *sb, const ecl_bound *b, const ecl_path_step *st)
{
    put_layout(sb, b, &st->a);
    ecl_strbuf_printf(sb, ",");
    put_layout(sb, b, &st->b);
    ecl_strbuf_printf(sb, "->");
    put_layout(sb, b, &st->result);
}

static void put_path_text(ecl_strbuf *sb, const ecl_plan *plan)
{
    const ecl_path *path = &plan->path;
    ecl_strbuf_printf(sb, "        Path algorithm:  %s", ecl_path_algorithm_name(path->algorithm));
    if (path->requested == ECL_PATH_AUTO)
        ecl_strbuf_printf(sb, " (chosen by auto)");
    if (path->note)
        ecl_strbuf_printf(sb, "; %s", path->note);
    ecl_strbuf_printf(sb, "\n                  Path:  [");
    for (int s = 0; s < path->npairs; s++)
        ecl_strbuf_printf(sb, "%s(%d, %d)", s ? ", " : "", path->pair[s][0], path->pair[s][1]);
    ecl_strbuf_printf(sb, "]\n");
    ecl_path_step *steps = path_steps(plan);
    if (!steps)
        return;
    ecl_strbuf_printf(sb, "--------------------------------------------------------------------------------\n");
    ecl_strbuf_printf(sb, "  pair  positions  contraction                     flops         result elements\n");
    for (int s = 0; s < path->npairs; s++) {
        ecl_strbuf con = {0};
        put_step_contraction(&con, plan->bound, &steps[s]);
        char *c = ecl_strbuf_take(&con);
        char pos[32];
        snprintf(pos, sizeof pos, "(%d, %d)", path->pair[s][0], path->pair[s][1]);
        ecl_strbuf_printf(sb, "  %4d  %-9s  %-30s  %-12.4g  ", s, pos, c ? c : "?", steps[s].flops);
        if (s + 1 == path->npairs)
            ecl_strbuf_printf(sb, "(the output)\n");
        else
            ecl_strbuf_printf(sb, "%.0f\n", steps[s].elements);
        ecl_free(c);
    }
    ecl_free(steps);
}

static void put_path_json(ecl_strbuf *sb, const ecl_plan *plan)
{
    const ecl_path *path = &plan->path;
    ecl_strbuf_printf(sb, "\"path_algorithm\":\"%s\",\"path_requested\":\"%s\",\"path_note\":",
                      ecl_path_algorithm_name(path->algorithm), ecl_path_algorithm_name(path->requested));
    if (path->note)
        ecl_strbuf_json_string(sb, path->note);
    else
        ecl_strbuf_printf(sb, "null");
    ecl_strbuf_printf(sb, ",\"path\":[");
    for (int s = 0; s < path->npairs; s++)
        ecl_strbuf_printf(sb, "%s[%d,%d]", s ? "," : "", path->pair[s][0], path->pair[s][1]);
    ecl_strbuf_printf(sb, "],\"pairs\":[");
    ecl_path_step *steps = path_steps(plan);
    for (int s = 0; steps && s < path->npairs; s++) {
        ecl_strbuf con = {0};
        put_step_contraction(&con, plan->bound, &steps[s]);
        char *c = ecl_strbuf_take(&con);
        ecl_strbuf_printf(sb, "%s{\"positions\":[%d,%d],\"contraction\":", s ? "," : "",
                          path->pair[s][0], path->pair[s][1]);
        ecl_strbuf_json_string(sb, c ? c : "?");
        ecl_strbuf_printf(sb, ",\"flops\":%.17g,\"result_elements\":%.17g}", steps[s].flops,
                          steps[s].elements);
        ecl_free(c);
    }
    ecl_free(steps);
    ecl_strbuf_printf(sb, "],");
}

static void buffer_name(char *out, size_t cap, const ecl_view *v)
{
    if (v->buf >= 0)
        snprintf(out, cap, "in%d", v->buf);
    else if (v->buf == ECL_BUF_OUTPUT)
        snprintf(out, cap, "out");
    else
        snprintf(out, cap, "ws+%lld", (long long)v->offset);
}

static int64_t batch_count(const ecl_gemm_args *g)
{
    int64_t n = 1;
    for (int i = 0; i < g->nbatch; i++)
        n *= g->batch_shape[i];
    return n;
}

/* What the products compute in. The plan is device-independent: its rounding steps emulate the
 * mode everywhere, and where the context's device has working tensor-core kernels its GEMM steps
 * may run on them with the same operands (ecl_context_tensor_cores, `einsumcl devices`). */
static const char *compute_text(const ecl_plan *plan)
{
    const int f64 = plan->bound->dtype == ECL_F64;
    switch (plan->compute) {
    case ECL_COMPUTE_TF32:
        return "tf32 (emulated: product operands rounded to tf32, float32 sums; GEMMs on tensor "
               "cores where the device has them)";
    case ECL_COMPUTE_F16:
        return "f16 (emulated: product operands rounded to float16, float32 sums; GEMMs on tensor "
               "cores where the device has them)";
    case ECL_COMPUTE_BF16:
        return "bf16 (emulated: product operands rounded to bfloat16, float32 sums; GEMMs on "
               "tensor cores where the device has them)";
    default:
        return f64 ? "default (exact in float64)" : "default (exact in float32)";
    }
}

char *ecl_plan_describe_text(const ecl_plan *plan)
{
    const ecl_bound *b = plan->bound;
    const ecl_lowered *low = &plan->low;
    ecl_strbuf sb = {0};
    ecl_strbuf_printf(&sb, "  Complete contraction:  %s\n", plan->equation);
    ecl_strbuf_printf(&sb, "          Result dtype:  %s, shape (", ecl_dtype_name(b->out_dtype));
    for (int d = 0; d < b->out_ndim; d++)
        ecl_strbuf_printf(&sb, d ? ", %lld" : "%lld", (long long)b->out_shape[d]);
    ecl_strbuf_printf(&sb, b->out_ndim == 1 ? ",)\n" : ")\n");
    ecl_strbuf_printf(&sb, "               Compute:  %s\n", compute_text(plan));
    ecl_strbuf_printf(&sb, "      Naive FLOP count:  %.4g\n", low->naive_flops);
    ecl_strbuf_printf(&sb, "  Optimized FLOP count:  %.4g\n", low->flops);
    ecl_strbuf_printf(&sb, "   Theoretical speedup:  %.4g\n",
                      low->flops > 0 ? low->naive_flops / low->flops : 1.0);
    ecl_strbuf_printf(&sb, "  Largest intermediate:  %lld elements\n", (long long)low->largest_intermediate);
    ecl_strbuf_printf(&sb, "           Peak memory:  %llu bytes (workspace %llu bytes)\n",
                      (unsigned long long)ecl_plan_peak_bytes(plan),
                      (unsigned long long)ecl_plan_workspace_bytes(plan));
    put_path_text(&sb, plan);
    ecl_strbuf_printf(&sb, "--------------------------------------------------------------------------------\n");
    ecl_strbuf_printf(&sb, "  step  primitive           contraction          buffers                details\n");
    for (int i = 0; i < low->nsteps; i++) {
        const ecl_step *s = &low->steps[i];
        ecl_strbuf_printf(&sb, "  %4d  %-18s  ", i, step_role(s));
        ecl_strbuf con = {0};
        put_contraction(&con, b, s);
        char *c = ecl_strbuf_take(&con);
        ecl_strbuf_printf(&sb, "%-19s  ", c ? c : "?");
        ecl_free(c);
        char na[32] = "", nb[32] = "", nd[32];
        if (s->kind != ECL_STEP_SCALE)
            buffer_name(na, sizeof na, &s->a);
        if (s->kind == ECL_STEP_MUL || s->kind == ECL_STEP_GEMM)
            buffer_name(nb, sizeof nb, &s->b);
        buffer_name(nd, sizeof nd, &s->dst);
        char bufs[96];
        snprintf(bufs, sizeof bufs, "%s%s%s->%s", na, *nb ? "," : "", nb, nd);
        ecl_strbuf_printf(&sb, "%-21s  ", bufs);
        if (s->kind == ECL_STEP_GEMM) {
            const ecl_gemm_args *g = &s->gemm;
            ecl_strbuf_printf(&sb, "batch=%lld m=%lld n=%lld k=%lld trans=%c%c ld=%lld,%lld,%lld",
                              (long long)batch_count(g), (long long)g->m, (long long)g->n,
                              (long long)g->k, g->trans_a ? 'T' : 'N', g->trans_b ? 'T' : 'N',
                              (long long)g->lda, (long long)g->ldb, (long long)g->ldc);
        }
        if (s->flops > 0)
            ecl_strbuf_printf(&sb, "%sflops=%.4g", s->kind == ECL_STEP_GEMM ? " " : "", s->flops);
        if (s->final)
            ecl_strbuf_printf(&sb, " [alpha,beta]");
        ecl_strbuf_printf(&sb, "\n");
    }
    if (low->nsteps == 0)
        ecl_strbuf_printf(&sb, "  (no steps: the result is empty)\n");
    return ecl_strbuf_take(&sb);
}

char *ecl_plan_describe_json_text(const ecl_plan *plan)
{
    const ecl_bound *b = plan->bound;
    const ecl_lowered *low = &plan->low;
    ecl_strbuf sb = {0};
    ecl_strbuf_printf(&sb, "{\"equation\":");
    ecl_strbuf_json_string(&sb, plan->equation);
    ecl_strbuf_printf(&sb, ",\"dtype\":\"%s\",\"compute\":\"%s\",\"compute_dtype\":\"%s\",\"output_shape\":[",
                      ecl_dtype_name(b->out_dtype), ecl_compute_name(plan->compute),
                      ecl_dtype_name(b->dtype));
    for (int d = 0; d < b->out_ndim; d++)
        ecl_strbuf_printf(&sb, d ? ",%lld" : "%lld", (long long)b->out_shape[d]);
    ecl_strbuf_printf(&sb, "],\"naive_flops\":%.17g,\"optimized_flops\":%.17g,\"speedup\":%.17g,",
                      low->naive_flops, low->flops, low->flops > 0 ? low->naive_flops / low->flops : 1.0);
    ecl_strbuf_printf(&sb, "\"largest_intermediate\":%lld,\"workspace_bytes\":%llu,\"peak_bytes\":%llu,",
                      (long long)low->largest_intermediate,
                      (unsigned long long)ecl_plan_workspace_bytes(plan),
                      (unsigned long long)ecl_plan_peak_bytes(plan));
    put_path_json(&sb, plan);
    ecl_strbuf_printf(&sb, "\"steps\":[");
    for (int i = 0; i < low->nsteps; i++) {
        const ecl_step *s = &low->steps[i];
        ecl_strbuf con = {0};
        put_contraction(&con, b, s);
        char *c = ecl_strbuf_take(&con);
        ecl_strbuf_printf(&sb, "%s{\"primitive\":\"%s\",\"role\":\"%s\",\"contraction\":", i ? "," : "",
                          step_name(s->kind), step_role(s));
        ecl_strbuf_json_string(&sb, c ? c : "?");
        ecl_free(c);
        char na[32], nb[32], nd[32];
        buffer_name(nd, sizeof nd, &s->dst);
        ecl_strbuf_printf(&sb, ",\"inputs\":[");
        if (s->kind != ECL_STEP_SCALE) {
            buffer_name(na, sizeof na, &s->a);
            ecl_strbuf_printf(&sb, "\"%s\"", na);
        }
        if (s->kind == ECL_STEP_MUL || s->kind == ECL_STEP_GEMM) {
            buffer_name(nb, sizeof nb, &s->b);
            ecl_strbuf_printf(&sb, ",\"%s\"", nb);
        }
        ecl_strbuf_printf(&sb, "],\"output\":\"%s\",\"final\":%s,\"flops\":%.17g,\"shape\":[", nd,
                          s->final ? "true" : "false", s->flops);
        for (int d = 0; d < s->dst.ndim; d++)
            ecl_strbuf_printf(&sb, d ? ",%lld" : "%lld", (long long)s->dst.shape[d]);
        ecl_strbuf_printf(&sb, "]");
        if (s->kind == ECL_STEP_GEMM) {
            const ecl_gemm_args *g = &s->gemm;
            ecl_strbuf_printf(&sb, ",\"gemm\":{\"batch\":%lld,\"batch_dims\":%d,\"m\":%lld,\"n\":%lld,"
                              "\"k\":%lld,\"trans_a\":%s,\"trans_b\":%s,\"lda\":%lld,\"ldb\":%lld,\"ldc\":%lld}",
                              (long long)batch_count(g), g->nbatch, (long long)g->m, (long long)g->n,
                              (long long)g->k, g->trans_a ? "true" : "false", g->trans_b ? "true" : "false",
                              (long long)g->lda, (long long)g->ldb, (long long)g->ldc);
        }
        ecl_strbuf_printf(&sb, "}");
    }
    ecl_strbuf_printf(&sb, "]}");
    return ecl_strbuf_take(&sb);
}
