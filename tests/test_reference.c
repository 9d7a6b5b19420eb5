/*
 * Tests of the oracle itself (tests/support/reference.c) on small hand-computed cases: matrix
 * product, trace, diagonal, outer product, transposes (explicit and implicit), "..." broadcasting,
 * size-1 broadcasting of letters, 0-d and size-0 operands, strided operands, dtype promotion, the
 * per-element |term| sums, and rejection of invalid input. Broad agreement with numpy was checked
 * separately with generated cases (see tests/support/random_einsum.h).
 */
#include <criterion/criterion.h>
#include <math.h>

#include "reference.h"

#define MAX_OPS 4

typedef struct operand_spec {
    int ndim;
    int64_t shape[4];
    const double *data;
} operand_spec;

static ecl_ref_result run(const char *eq, int n, const operand_spec *specs)
{
    ecl_ref_operand ops[MAX_OPS];
    ecl_ref_result r;
    for (int k = 0; k < n; k++) {
        ops[k].dtype = ECL_F64;
        ops[k].ndim = specs[k].ndim;
        ops[k].shape = specs[k].shape;
        ops[k].strides = NULL;
        ops[k].data = specs[k].data;
    }
    int rc = ecl_ref_einsum(eq, n, ops, &r);
    cr_assert_eq(rc, 0, "reference rejected \"%s\": %s", eq, r.error);
    return r;
}

static void expect_values(const ecl_ref_result *r, int ndim, const int64_t *shape,
                          const double *want, int64_t numel)
{
    cr_assert_eq(r->ndim, ndim, "ndim %d, want %d", r->ndim, ndim);
    for (int d = 0; d < ndim; d++)
        cr_assert_eq(r->shape[d], shape[d], "dim %d: %lld, want %lld", d, (long long)r->shape[d],
                     (long long)shape[d]);
    cr_assert_eq(r->numel, numel);
    for (int64_t i = 0; i < numel; i++)
        cr_expect(fabsl(r->value[i] - (long double)want[i]) < 1e-12L, "element %lld: %Lg, want %g",
                  (long long)i, r->value[i], want[i]);
}

static const double A23[] = {1, 2, 3, 4, 5, 6};          /* 2 x 3 */
static const double B32[] = {7, 8, 9, 10, 11, 12};       /* 3 x 2 */
static const double M22[] = {1, 2, 3, 4};                /* 2 x 2 */

Test(reference, matrix_product_explicit_and_implicit)
{
    operand_spec in[] = {{2, {2, 3}, A23}, {2, {3, 2}, B32}};
    const double want[] = {58, 64, 139, 154};
    const char *eqs[] = {"ij,jk->ik", "ij,jk", " i j , j k -> i k "};
    for (int e = 0; e < 3; e++) {
        ecl_ref_result r = run(eqs[e], 2, in);
        expect_values(&r, 2, (int64_t[]){2, 2}, want, 4);
        cr_expect_eq(r.terms, 3, "\"%s\": terms %lld", eqs[e], (long long)r.terms);
        ecl_ref_result_free(&r);
    }
}

Test(reference, trace_and_diagonal)
{
    operand_spec in[] = {{2, {2, 2}, M22}};
    ecl_ref_result r = run("ii", 1, in);
    expect_values(&r, 0, NULL, (double[]){5}, 1);
    ecl_ref_result_free(&r);
    r = run("ii->i", 1, in);
    expect_values(&r, 1, (int64_t[]){2}, (double[]){1, 4}, 2);
    cr_expect_eq(r.terms, 1);
    ecl_ref_result_free(&r);
}

Test(reference, outer_product)
{
    operand_spec in[] = {{1, {2}, (double[]){1, 2}}, {1, {3}, (double[]){3, 4, 5}}};
    ecl_ref_result r = run("i,j", 2, in);
    expect_values(&r, 2, (int64_t[]){2, 3}, (double[]){3, 4, 5, 6, 8, 10}, 6);
    ecl_ref_result_free(&r);
}

Test(reference, transposes)
{
    operand_spec in[] = {{2, {2, 3}, A23}};
    const double want[] = {1, 4, 2, 5, 3, 6};
    ecl_ref_result r = run("ij->ji", 1, in);
    expect_values(&r, 2, (int64_t[]){3, 2}, want, 6);
    ecl_ref_result_free(&r);
    r = run("ba", 1, in);  /* implicit output sorts the letters: "ba->ab" */
    expect_values(&r, 2, (int64_t[]){3, 2}, want, 6);
    ecl_ref_result_free(&r);
    r = run("ij", 1, in);
    expect_values(&r, 2, (int64_t[]){2, 3}, A23, 6);
    ecl_ref_result_free(&r);
}

Test(reference, implicit_output_sorts_uppercase_first)
{
    /* "Ba,aA" keeps A (size 2) and B (size 3), in that order (ASCII). */
    operand_spec in[] = {{2, {3, 2}, B32}, {2, {2, 2}, M22}};
    ecl_ref_result r = run("Ba,aA", 2, in);
    /* out[A][B] = sum_a x[B][a] * y[a][A] */
    const double want[] = {7 * 1 + 8 * 3, 9 * 1 + 10 * 3, 11 * 1 + 12 * 3,
                           7 * 2 + 8 * 4, 9 * 2 + 10 * 4, 11 * 2 + 12 * 4};
    expect_values(&r, 2, (int64_t[]){2, 3}, want, 6);
    ecl_ref_result_free(&r);
}

Test(reference, ellipsis_broadcasting)
{
    /* Row-wise dot products: (2,3) with (3,), broadcast over the leading "..." dim. */
    operand_spec in[] = {{2, {2, 3}, A23}, {1, {3}, (double[]){1, 0, -1}}};
    ecl_ref_result r = run("...i,...i->...", 2, in);
    expect_values(&r, 1, (int64_t[]){2}, (double[]){1 - 3, 4 - 6}, 2);
    ecl_ref_result_free(&r);
    r = run("...i,...i", 2, in);  /* implicit: "..." dims first, then letters seen once (none) */
    expect_values(&r, 1, (int64_t[]){2}, (double[]){-2, -2}, 2);
    ecl_ref_result_free(&r);

    /* Batch dims (2,1) and (3,) broadcast to (2,3): out[p][q] = x[p] * y[q]. */
    operand_spec b[] = {{2, {2, 1}, (double[]){1, 2}}, {1, {3}, (double[]){3, 4, 5}}};
    r = run("...,...->...", 2, b);
    expect_values(&r, 2, (int64_t[]){2, 3}, (double[]){3, 4, 5, 6, 8, 10}, 6);
    ecl_ref_result_free(&r);

    /* "..." in the middle of a diagonal: out[i][e] = x[i][e][i]. */
    const double x[] = {1, 2, 3, 4, 5, 6, 7, 8};  /* 2 x 2 x 2 */
    operand_spec c[] = {{3, {2, 2, 2}, x}};
    r = run("i...i->i...", 1, c);
    expect_values(&r, 2, (int64_t[]){2, 2}, (double[]){1, 3, 6, 8}, 4);
    ecl_ref_result_free(&r);
}

Test(reference, size_one_letters_broadcast)
{
    /* j has size 1 in the first operand and 3 in the second: out[i][k] = x[i] * sum_j y[j][k]. */
    const double y[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};  /* 3 x 4 */
    operand_spec in[] = {{2, {2, 1}, (double[]){1, 2}}, {2, {3, 4}, y}};
    ecl_ref_result r = run("ij,jk", 2, in);
    expect_values(&r, 2, (int64_t[]){2, 4}, (double[]){15, 18, 21, 24, 30, 36, 42, 48}, 8);
    cr_expect_eq(r.terms, 3);
    ecl_ref_result_free(&r);
}

Test(reference, zero_d_operands)
{
    operand_spec in[] = {{0, {0}, (double[]){2}}, {0, {0}, (double[]){3}}};
    ecl_ref_result r = run(",->", 2, in);
    expect_values(&r, 0, NULL, (double[]){6}, 1);
    ecl_ref_result_free(&r);
    operand_spec s[] = {{1, {3}, (double[]){1, 2, 3}}, {0, {0}, (double[]){-2}}};
    r = run("i,", 2, s);
    expect_values(&r, 1, (int64_t[]){3}, (double[]){-2, -4, -6}, 3);
    ecl_ref_result_free(&r);
}

Test(reference, size_zero_dimensions)
{
    const double none[] = {0};
    operand_spec in[] = {{2, {2, 0}, none}, {2, {0, 2}, none}};
    ecl_ref_result r = run("ij,jk->ik", 2, in);
    expect_values(&r, 2, (int64_t[]){2, 2}, (double[]){0, 0, 0, 0}, 4);
    cr_expect_eq(r.terms, 0);
    ecl_ref_result_free(&r);
    operand_spec e[] = {{2, {0, 3}, none}};
    r = run("ij->ji", 1, e);
    expect_values(&r, 2, (int64_t[]){3, 0}, NULL, 0);
    ecl_ref_result_free(&r);
    r = run("ij->", 1, e);
    expect_values(&r, 0, NULL, (double[]){0}, 1);
    ecl_ref_result_free(&r);
}

Test(reference, strided_operand)
{
    /* A23 stored column-major with a NaN-free gap after every element: x[i][j] at 2i + 4j. */
    const double storage[] = {1, -9, 4, -9, 2, -9, 5, -9, 3, -9, 6};
    ecl_ref_operand op = {ECL_F64, 2, (int64_t[]){2, 3}, (int64_t[]){2, 4}, storage};
    ecl_ref_result r;
    cr_assert_eq(ecl_ref_einsum("ij->ij", 1, &op, &r), 0, "%s", r.error);
    expect_values(&r, 2, (int64_t[]){2, 3}, A23, 6);
    ecl_ref_result_free(&r);
    /* A zero stride on a size-1 dim and a size-1 dim broadcast against 2. */
    ecl_ref_operand pair[2] = {
        {ECL_F64, 2, (int64_t[]){1, 2}, (int64_t[]){0, 1}, (double[]){3, 4}},
        {ECL_F64, 1, (int64_t[]){2}, NULL, (double[]){10, 20}},
    };
    cr_assert_eq(ecl_ref_einsum("ij,i->ij", 2, pair, &r), 0, "%s", r.error);
    expect_values(&r, 2, (int64_t[]){2, 2}, (double[]){30, 40, 60, 80}, 4);
    ecl_ref_result_free(&r);
}

Test(reference, dtype_promotion)
{
    const float f[] = {1.5f, 2.5f};
    const double d[] = {2, 4};
    ecl_ref_operand ops[2] = {{ECL_F32, 1, (int64_t[]){2}, NULL, f},
                              {ECL_F64, 1, (int64_t[]){2}, NULL, d}};
    ecl_ref_result r;
    cr_assert_eq(ecl_ref_einsum("i,i", 2, ops, &r), 0, "%s", r.error);
    cr_expect_eq(r.dtype, ECL_F64);
    cr_expect(r.value[0] == 13.0L);
    ecl_ref_result_free(&r);
    ops[1] = ops[0];
    cr_assert_eq(ecl_ref_einsum("i,i", 2, ops, &r), 0, "%s", r.error);
    cr_expect_eq(r.dtype, ECL_F32);
    cr_expect(r.value[0] == 1.5L * 1.5L + 2.5L * 2.5L);
    ecl_ref_result_free(&r);
}

Test(reference, absolute_term_sums)
{
    operand_spec in[] = {{1, {2}, (double[]){1, -2}}, {1, {2}, (double[]){3, 4}}};
    ecl_ref_result r = run("i,i", 2, in);
    expect_values(&r, 0, NULL, (double[]){-5}, 1);
    cr_expect(r.abs_sum[0] == 11.0L, "abs_sum %Lg", r.abs_sum[0]);
    cr_expect_eq(r.terms, 2);
    ecl_ref_result_free(&r);
}

Test(reference, rejects_invalid_input)
{
    const double x[] = {1, 2, 3, 4, 5, 6};
    ecl_ref_operand vec = {ECL_F64, 1, (int64_t[]){3}, NULL, x};
    ecl_ref_operand mat = {ECL_F64, 2, (int64_t[]){2, 3}, NULL, x};
    ecl_ref_operand two = {ECL_F64, 1, (int64_t[]){2}, NULL, x};
    ecl_ref_result r;
    cr_expect_neq(ecl_ref_einsum("ij", 1, &vec, &r), 0, "too few dims accepted");
    cr_expect_neq(ecl_ref_einsum("ii", 1, &mat, &r), 0, "unequal diagonal accepted");
    cr_expect_neq(ecl_ref_einsum("i,i", 2, (ecl_ref_operand[]){vec, two}, &r), 0,
                  "3 vs 2 accepted");
    cr_expect_neq(ecl_ref_einsum("...i->i", 1, &mat, &r), 0, "dropped broadcast dims accepted");
    cr_expect_neq(ecl_ref_einsum("i->j", 1, &vec, &r), 0, "unknown output label accepted");
    cr_expect_neq(ecl_ref_einsum("i->ii", 1, &vec, &r), 0, "repeated output label accepted");
    cr_expect_neq(ecl_ref_einsum("i,i", 1, &vec, &r), 0, "operand count mismatch accepted");
    cr_expect_neq(ecl_ref_einsum("i..j", 1, &mat, &r), 0, "broken ellipsis accepted");
}
