/*
 * Plan shape tests: which primitives an equation lowers to, and with what GEMM layout. These pin
 * the planner's promises (attention layouts need no permute copy, transposes become BLAS flags,
 * degenerate pairs get their own primitive) independently of the numerical tests.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "plan.h"

static ecl_context *ctx;

static void setup(void) { cr_assert_eq(ecl_context_create(NULL, &ctx), ECL_SUCCESS); }
static void teardown(void) { ecl_context_destroy(ctx); }

TestSuite(plan, .init = setup, .fini = teardown);

/* Plans eq for operands given as "2x3" strings ("" = scalar), optional strides, all f32. */
static ecl_plan *plan_for(const char *eq, int n, const char *const *shapes,
                          const int64_t (*strides)[ECL_MAX_DIMS], const ecl_dtype *dtypes)
{
    static int64_t dims[ECL_MAX_OPERANDS][ECL_MAX_DIMS];
    ecl_tensor_desc d[ECL_MAX_OPERANDS];
    for (int i = 0; i < n; i++) {
        int nd = 0;
        for (const char *p = shapes[i]; *p;) {
            char *end;
            dims[i][nd++] = strtoll(p, &end, 10);
            p = *end == 'x' ? end + 1 : end;
        }
        d[i] = (ecl_tensor_desc){dtypes ? dtypes[i] : ECL_F32, nd, dims[i], strides ? strides[i] : NULL};
    }
    ecl_plan *plan = NULL;
    ecl_status st = ecl_plan_create(ctx, eq, n, d, NULL, &plan);
    cr_assert_eq(st, ECL_SUCCESS, "%s: %s", eq, ecl_context_last_error(ctx));
    return plan;
}

static int count_kind(const ecl_plan *p, ecl_step_kind kind)
{
    int n = 0;
    for (int i = 0; i < p->low.nsteps; i++)
        n += p->low.steps[i].kind == kind;
    return n;
}

static const ecl_gemm_args *only_gemm(const ecl_plan *p)
{
    cr_assert_eq(p->low.nsteps, 1, "expected one step, got %d:\n%s", p->low.nsteps, ecl_plan_describe(p));
    cr_assert_eq(p->low.steps[0].kind, ECL_STEP_GEMM, "%s", ecl_plan_describe(p));
    cr_assert(p->low.steps[0].final);
    return &p->low.steps[0].gemm;
}

static int64_t batch_of(const ecl_gemm_args *g)
{
    int64_t n = 1;
    for (int i = 0; i < g->nbatch; i++)
        n *= g->batch_shape[i];
    return n;
}

Test(plan, attention_scores_one_batched_gemm_no_permute)
{
    const char *s[] = {"8x16x512x64", "8x16x512x64"};
    ecl_plan *p = plan_for("bhqd,bhkd->bhqk", 2, s, NULL, NULL);
    const ecl_gemm_args *g = only_gemm(p);
    cr_expect_eq(batch_of(g), 128);
    cr_expect_eq(g->nbatch, 1, "b and h merge into one batch stride");
    cr_expect_eq(g->m, 512);
    cr_expect_eq(g->n, 512);
    cr_expect_eq(g->k, 64);
    cr_expect(!g->trans_a && g->trans_b);
    cr_expect_eq(p->workspace_bytes, 0);
    cr_expect_eq(ecl_plan_flops(p), 2.0 * 128 * 512 * 512 * 64);
    ecl_plan_destroy(p);
}

Test(plan, attention_bnhd_layout_uses_strides_not_copies)
{
    const char *s[] = {"8x512x16x64", "8x512x16x64"};
    ecl_plan *p = plan_for("bqhd,bkhd->bhqk", 2, s, NULL, NULL);
    const ecl_gemm_args *g = only_gemm(p);
    cr_expect_eq(g->nbatch, 2, "b and h do not nest in (B,N,H,D): two batch strides");
    cr_expect_eq(g->lda, 16 * 64, "rows of q are H*D apart");
    cr_expect_eq(g->ldb, 16 * 64);
    cr_expect_eq(g->m * g->n * g->k * batch_of(g), 128LL * 512 * 512 * 64);
    ecl_plan_destroy(p);

    const char *s2[] = {"8x16x512x512", "8x512x16x64"};
    p = plan_for("bhqk,bkhd->bqhd", 2, s2, NULL, NULL);
    g = only_gemm(p);
    cr_expect_eq(g->ldc, 16 * 64, "AV writes straight into the (B,N,H,D) output");
    ecl_plan_destroy(p);
}

Test(plan, transposes_become_blas_flags)
{
    struct { const char *eq, *a, *b; int ta, tb; } cases[] = {
        {"ij,jk->ik", "3x4", "4x5", 0, 0}, {"ij,kj->ik", "3x4", "5x4", 0, 1},
        {"ji,jk->ik", "4x3", "4x5", 1, 0}, {"ji,kj->ik", "4x3", "5x4", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s[] = {cases[i].a, cases[i].b};
        ecl_plan *p = plan_for(cases[i].eq, 2, s, NULL, NULL);
        const ecl_gemm_args *g = only_gemm(p);
        cr_expect_eq(g->m * g->n, 15, "%s", cases[i].eq);
        cr_expect_eq(g->k, 4, "%s", cases[i].eq);
        cr_expect_eq(g->trans_a, cases[i].ta, "%s", cases[i].eq);
        cr_expect_eq(g->trans_b, cases[i].tb, "%s", cases[i].eq);
        ecl_plan_destroy(p);
    }
}

Test(plan, transposed_output_is_computed_as_c_transpose)
{
    const char *s[] = {"30x40", "40x50"};
    ecl_plan *p = plan_for("ik,kj->ji", 2, s, NULL, NULL);
    const ecl_gemm_args *g = only_gemm(p);
    cr_expect_eq(g->m, 50, "C^T = B^T A^T: rows are j");
    cr_expect_eq(g->n, 30);
    ecl_plan_destroy(p);
}

/* dega,gfbc->abcdef: neither {d,e,a} nor {f,b,c} nests in the output, so one large GEMM would need
 * a permute of the whole result; instead a, b, c run as batch dims (stride 0 in the operand that
 * lacks them), the small inputs are permuted and C is the output itself. */
Test(plan, labels_that_break_the_output_nesting_become_batch_dims)
{
    const char *s[] = {"16x16x16x16", "16x16x16x16"};
    ecl_plan *p = plan_for("dega,gfbc->abcdef", 2, s, NULL, NULL);
    cr_assert_eq(count_kind(p, ECL_STEP_GEMM), 1, "%s", ecl_plan_describe(p));
    cr_expect_eq(count_kind(p, ECL_STEP_COPY), 2, "the inputs only:\n%s", ecl_plan_describe(p));
    const ecl_step *gs = &p->low.steps[p->low.nsteps - 1];
    cr_assert_eq(gs->kind, ECL_STEP_GEMM);
    cr_expect(gs->final, "C is the output");
    cr_expect_eq(batch_of(&gs->gemm), 16 * 16 * 16);
    cr_expect_eq(gs->gemm.m * gs->gemm.n, 256 * 16);
    cr_expect_eq(gs->gemm.k, 16);
    cr_expect_eq(p->workspace_bytes, 2 * 65536 * 4, "two input copies, no 2^24-element intermediate");
    ecl_plan_destroy(p);

    const char *small[] = {"4x4x16x4", "16x4x4x4"};  /* kept (d,e) and f under 8: one GEMM + permute */
    p = plan_for("dega,gfbc->abcdef", 2, small, NULL, NULL);
    cr_expect_eq(p->low.steps[p->low.nsteps - 1].kind, ECL_STEP_COPY, "%s", ecl_plan_describe(p));
    ecl_plan_destroy(p);
}

Test(plan, strided_input_view_needs_no_copy)
{
    const char *s[] = {"30x40", "40x50"};
    const int64_t strides[2][ECL_MAX_DIMS] = {{1, 30}, {50, 1}};  /* A stored column-major */
    ecl_plan *p = plan_for("ij,jk->ik", 2, s, strides, NULL);
    const ecl_gemm_args *g = only_gemm(p);
    cr_expect(g->trans_a);
    cr_expect_eq(g->lda, 30);
    ecl_plan_destroy(p);
}

Test(plan, single_operand_primitives)
{
    struct { const char *eq, *shape; ecl_step_kind kind; } cases[] = {
        {"ij->ji", "64x32", ECL_STEP_COPY}, {"ii->i", "16x16", ECL_STEP_COPY},
        {"ijk->", "4x5x6", ECL_STEP_REDUCE}, {"ijk->j", "4x5x6", ECL_STEP_REDUCE},
        {"ii", "16x16", ECL_STEP_REDUCE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s[] = {cases[i].shape};
        ecl_plan *p = plan_for(cases[i].eq, 1, s, NULL, NULL);
        cr_expect_eq(p->low.nsteps, 1, "%s:\n%s", cases[i].eq, ecl_plan_describe(p));
        cr_expect_eq(p->low.steps[0].kind, cases[i].kind, "%s", cases[i].eq);
        cr_expect_eq(p->workspace_bytes, 0, "%s", cases[i].eq);
        ecl_plan_destroy(p);
    }
    const char *s[] = {"16x16"};
    ecl_plan *p = plan_for("ii->i", 1, s, NULL, NULL);
    cr_expect_eq(p->low.steps[0].a.stride[0], 17, "the diagonal is a strided view");
    ecl_plan_destroy(p);
}

Test(plan, degenerate_pairs_get_their_own_primitive)
{
    const char *outer[] = {"300", "400"};
    ecl_plan *p = plan_for("i,j->ij", 2, outer, NULL, NULL);
    cr_expect_eq(p->low.nsteps, 1);
    cr_expect_eq(p->low.steps[0].kind, ECL_STEP_MUL, "outer product: broadcast multiply");
    cr_expect_eq(p->low.steps[0].nsum, 0);
    ecl_plan_destroy(p);

    const char *dot[] = {"8x30x40", "8x30x40"};
    p = plan_for("bij,bij->bi", 2, dot, NULL, NULL);
    cr_expect_eq(p->low.nsteps, 1);
    cr_expect_eq(p->low.steps[0].kind, ECL_STEP_MUL, "batched dot");
    cr_expect_eq(p->low.steps[0].nsum, 1);
    ecl_plan_destroy(p);

    p = plan_for("bij,bij->bij", 2, dot, NULL, NULL);
    cr_expect_eq(count_kind(p, ECL_STEP_MUL), 1, "elementwise");
    cr_expect_eq(p->low.nsteps, 1);
    ecl_plan_destroy(p);
}

Test(plan, permutes_the_smaller_operand_when_k_orders_disagree)
{
    const char *s[] = {"8x8x8x8", "8x8x8x64"};
    ecl_plan *p = plan_for("abcd,dcbe->ae", 2, s, NULL, NULL);
    cr_expect_eq(p->low.nsteps, 2, "%s", ecl_plan_describe(p));
    cr_expect_eq(p->low.steps[0].kind, ECL_STEP_COPY);
    cr_expect_eq(p->low.steps[0].a.buf, 0, "operand 0 is 8x smaller: it is the one permuted");
    cr_expect_eq(p->low.steps[1].kind, ECL_STEP_GEMM);
    cr_expect_eq(p->low.steps[1].gemm.k, 512, "b, c, d merge into one K of 512");
    ecl_plan_destroy(p);
}

Test(plan, summed_label_only_in_one_operand_is_reduced_first)
{
    const char *s[] = {"10x20x30", "30x40"};
    ecl_plan *p = plan_for("aij,jk->ik", 2, s, NULL, NULL);
    cr_expect_eq(p->low.steps[0].kind, ECL_STEP_REDUCE, "%s", ecl_plan_describe(p));
    cr_expect_eq(count_kind(p, ECL_STEP_GEMM), 1);
    ecl_plan_destroy(p);
}

Test(plan, chain_keeps_intermediates_in_the_workspace)
{
    const char *s[] = {"20x30", "30x40", "40x50"};
    ecl_plan *p = plan_for("ij,jk,kl->il", 3, s, NULL, NULL);
    cr_expect_eq(count_kind(p, ECL_STEP_GEMM), 2, "%s", ecl_plan_describe(p));
    cr_expect_eq(p->low.nsteps, 2);
    cr_expect_geq(p->workspace_bytes, 20 * 40 * sizeof(float));
    cr_expect_eq(ecl_plan_naive_flops(p), 20.0 * 30 * 40 * 50 * 3, "numpy.einsum_path's naive count");
    cr_expect_eq(ecl_plan_flops(p), 2.0 * (20 * 30 * 40 + 20 * 40 * 50));
    cr_expect_eq(ecl_plan_peak_bytes(p), p->workspace_bytes + 20 * 50 * sizeof(float));
    ecl_plan_destroy(p);
}

Test(plan, mixed_precision_converts_the_f32_operand)
{
    const char *s[] = {"3x4", "4x5"};
    ecl_dtype dt[] = {ECL_F32, ECL_F64};
    ecl_plan *p = plan_for("ij,jk->ik", 2, s, NULL, dt);
    cr_expect_eq(ecl_plan_output_dtype(p), ECL_F64);
    cr_expect_eq(p->low.steps[0].kind, ECL_STEP_COPY);
    cr_expect_eq(p->low.steps[0].a.dtype, ECL_F32);
    cr_expect_eq(p->low.steps[0].dst.dtype, ECL_F64);
    ecl_plan_destroy(p);
}

Test(plan, zero_size_labels)
{
    const char *s[] = {"3x0", "0x5"};
    ecl_plan *p = plan_for("ij,jk->ik", 2, s, NULL, NULL);
    cr_expect_eq(p->low.nsteps, 1);
    cr_expect_eq(p->low.steps[0].kind, ECL_STEP_SCALE, "an empty sum: out = beta * out");
    ecl_plan_destroy(p);
    const char *e[] = {"0x4", "4x5"};
    p = plan_for("ij,jk->ik", 2, e, NULL, NULL);
    cr_expect_eq(p->low.nsteps, 0, "an empty result needs no step");
    ecl_plan_destroy(p);
}

Test(plan, descriptions_name_the_steps)
{
    const char *s[] = {"8x16x64x32", "8x16x64x32"};
    ecl_plan *p = plan_for("bhqd,bhkd->bhqk", 2, s, NULL, NULL);
    const char *text = ecl_plan_describe(p), *json = ecl_plan_describe_json(p);
    cr_expect(strstr(text, "gemm") && strstr(text, "Naive FLOP count") && strstr(text, "Peak memory"), "%s", text);
    cr_expect(strstr(text, "batch=128 m=64 n=64 k=32"), "%s", text);
    cr_expect(json[0] == '{' && json[strlen(json) - 1] == '}', "%s", json);
    cr_expect(strstr(json, "\"naive_flops\"") && strstr(json, "\"optimized_flops\"") &&
              strstr(json, "\"peak_bytes\"") && strstr(json, "\"steps\":[{"), "%s", json);
    ecl_plan_destroy(p);
}
