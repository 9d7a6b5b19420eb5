/*
 * Tests of the binder (src/bind.c): for each accepted form (implicit and explicit output, "..."
 * anywhere and covering 0 dims, diagonals, size-1 broadcasting, 0-d operands, zero-size dims,
 * explicit and negative strides, mixed dtypes) the bound labels, sizes, strides and output are
 * compared with values worked out by hand from numpy's rules; every rejection is checked for its
 * status and for what the message names. A table of equations and shapes, with output shapes and
 * accept/reject decisions recorded from numpy 2.4, is checked too (accepted rows also against the
 * test oracle in tests/support/reference.c).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "reference.h"

#define MAXN 8

typedef struct spec {
    int ndim;
    int64_t dim[ECL_MAX_DIMS];
} spec;

/* Parses and binds text against float64 row-major operands of the given shapes. */
static ecl_status bind_descs(const char *text, int n, const ecl_tensor_desc *d, ecl_bound *b,
                             ecl_error *err)
{
    ecl_equation eq;
    ecl_error_clear(err);
    ecl_status st = ecl_equation_parse(text, &eq, err);
    cr_assert_eq(st, ECL_SUCCESS, "\"%s\" does not parse: %s", text, err->message);
    return ecl_bind(&eq, n, d, b, err);
}

static ecl_status bind_specs(const char *text, int n, const spec *s, ecl_bound *b, ecl_error *err)
{
    ecl_tensor_desc d[MAXN];
    memset(d, 0, sizeof d);
    for (int i = 0; i < n; i++)
        d[i] = (ecl_tensor_desc){ECL_F64, s[i].ndim, s[i].dim, NULL};
    return bind_descs(text, n, d, b, err);
}

static ecl_bound bind_ok(const char *text, int n, const spec *s)
{
    ecl_bound b;
    ecl_error err;
    ecl_status st = bind_specs(text, n, s, &b, &err);
    cr_assert_eq(st, ECL_SUCCESS, "\"%s\" rejected: %s", text, err.message);
    return b;
}

/* Label names joined by spaces: "i j ...0". */
static const char *names(const ecl_bound *b, const int *ids, int n, char *buf)
{
    char one[16];
    buf[0] = '\0';
    for (int k = 0; k < n; k++) {
        if (k)
            strcat(buf, " ");
        strcat(buf, ecl_label_name(b, ids[k], one));
    }
    return buf;
}

static int label_id(const ecl_bound *b, const char *name)
{
    char one[16];
    for (int id = 0; id < b->nlabels; id++)
        if (strcmp(ecl_label_name(b, id, one), name) == 0)
            return id;
    cr_assert_fail("no label %s", name);
    return -1;
}

static void expect_size(const ecl_bound *b, const char *name, int64_t size)
{
    int64_t got = b->size[label_id(b, name)];
    cr_expect_eq(got, size, "label %s has size %lld, want %lld", name, (long long)got,
                 (long long)size);
}

static void expect_operand(const ecl_bound *b, int i, const char *labels, const int64_t *strides)
{
    char buf[8 * ECL_MAX_DIMS];
    const ecl_operand *op = &b->op[i];
    cr_expect_str_eq(names(b, op->label, op->ndim, buf), labels, "operand %d labels", i);
    for (int k = 0; k < op->ndim; k++)
        cr_expect_eq(op->stride[k], strides[k], "operand %d dim %d stride %lld, want %lld", i, k,
                     (long long)op->stride[k], (long long)strides[k]);
}

static void expect_output(const ecl_bound *b, const char *labels, const int64_t *shape)
{
    char buf[8 * ECL_MAX_DIMS];
    cr_expect_str_eq(names(b, b->out_label, b->out_ndim, buf), labels, "output labels");
    for (int k = 0; k < b->out_ndim; k++)
        cr_expect_eq(b->out_shape[k], shape[k], "output dim %d is %lld, want %lld", k,
                     (long long)b->out_shape[k], (long long)shape[k]);
}

Test(bind, matrix_product)
{
    ecl_bound b = bind_ok("ij,jk->ik", 2, (spec[]){{2, {2, 3}}, {2, {3, 4}}});
    cr_expect_eq(b.nlabels, 3);
    cr_expect_eq(b.nops, 2);
    expect_size(&b, "i", 2);
    expect_size(&b, "j", 3);
    expect_size(&b, "k", 4);
    expect_operand(&b, 0, "i j", (int64_t[]){3, 1});
    expect_operand(&b, 1, "j k", (int64_t[]){4, 1});
    expect_output(&b, "i k", (int64_t[]){2, 4});
    cr_expect_eq(b.name[label_id(&b, "i")], 'i');
}

Test(bind, implicit_output_sorts_single_letters_in_ascii_order)
{
    ecl_bound b = bind_ok("Ba", 1, (spec[]){{2, {2, 3}}});
    expect_output(&b, "B a", (int64_t[]){2, 3});
    b = bind_ok("aB", 1, (spec[]){{2, {2, 3}}});
    expect_output(&b, "B a", (int64_t[]){3, 2});
    b = bind_ok("zZ,Za", 2, (spec[]){{2, {2, 3}}, {2, {3, 4}}});
    expect_output(&b, "a z", (int64_t[]){4, 2});
    b = bind_ok("ij,jk", 2, (spec[]){{2, {2, 3}}, {2, {3, 4}}});
    expect_output(&b, "i k", (int64_t[]){2, 4});
    /* a letter repeated inside one operand counts twice, so it is summed */
    b = bind_ok("iij", 1, (spec[]){{3, {2, 2, 3}}});
    expect_output(&b, "j", (int64_t[]){3});
}

Test(bind, whitespace_does_not_change_the_binding)
{
    ecl_bound b = bind_ok(" j i ,\ti\nk -> k  j", 2, (spec[]){{2, {2, 3}}, {2, {3, 4}}});
    expect_operand(&b, 0, "j i", (int64_t[]){3, 1});
    expect_operand(&b, 1, "i k", (int64_t[]){4, 1});
    expect_output(&b, "k j", (int64_t[]){4, 2});
}

Test(bind, diagonals_sum_strides)
{
    ecl_bound b = bind_ok("ii", 1, (spec[]){{2, {3, 3}}});
    cr_expect_eq(b.nlabels, 1);
    expect_operand(&b, 0, "i", (int64_t[]){4});
    cr_expect_eq(b.out_ndim, 0);

    b = bind_ok("ii->i", 1, (spec[]){{2, {3, 3}}});
    expect_output(&b, "i", (int64_t[]){3});

    b = bind_ok("iji", 1, (spec[]){{3, {2, 3, 2}}}); /* strides 6, 2, 1 */
    expect_operand(&b, 0, "i j", (int64_t[]){7, 2});
    expect_output(&b, "j", (int64_t[]){3});

    b = bind_ok("iii->i", 1, (spec[]){{3, {2, 2, 2}}}); /* strides 4, 2, 1 */
    expect_operand(&b, 0, "i", (int64_t[]){7});

    b = bind_ok("jii,ij->j", 2, (spec[]){{3, {4, 3, 3}}, {2, {3, 4}}});
    expect_operand(&b, 0, "j i", (int64_t[]){9, 4});
    expect_operand(&b, 1, "i j", (int64_t[]){4, 1});
}

Test(bind, diagonal_of_size_one_broadcasts_afterwards)
{
    ecl_bound b = bind_ok("ii,i->i", 2, (spec[]){{2, {1, 1}}, {1, {3}}});
    expect_size(&b, "i", 3);
    expect_operand(&b, 0, "i", (int64_t[]){0});
    expect_operand(&b, 1, "i", (int64_t[]){1});
}

Test(bind, explicit_and_negative_strides)
{
    int64_t shape[2] = {2, 3};
    int64_t column_major[2] = {1, 2};
    int64_t reversed[2] = {-3, 1};
    ecl_tensor_desc d[2] = {{ECL_F32, 2, shape, column_major}, {ECL_F32, 2, shape, reversed}};
    ecl_bound b;
    ecl_error err;
    cr_assert_eq(bind_descs("ij,ij->ji", 2, d, &b, &err), ECL_SUCCESS, "%s", err.message);
    expect_operand(&b, 0, "i j", (int64_t[]){1, 2});
    expect_operand(&b, 1, "i j", (int64_t[]){-3, 1});
    expect_output(&b, "j i", (int64_t[]){3, 2});

    int64_t square[2] = {3, 3};
    int64_t odd[2] = {-5, 2};
    d[0] = (ecl_tensor_desc){ECL_F64, 2, square, odd};
    cr_assert_eq(bind_descs("ii", 1, d, &b, &err), ECL_SUCCESS, "%s", err.message);
    expect_operand(&b, 0, "i", (int64_t[]){-3});
}

Test(bind, size_one_letters_broadcast_with_stride_zero)
{
    ecl_bound b = bind_ok("i,i->i", 2, (spec[]){{1, {3}}, {1, {1}}});
    expect_size(&b, "i", 3);
    expect_operand(&b, 0, "i", (int64_t[]){1});
    expect_operand(&b, 1, "i", (int64_t[]){0});
    expect_output(&b, "i", (int64_t[]){3});

    b = bind_ok("ij,jk", 2, (spec[]){{2, {2, 1}}, {2, {4, 5}}});
    expect_size(&b, "j", 4);
    expect_operand(&b, 0, "i j", (int64_t[]){1, 0});
    expect_output(&b, "i k", (int64_t[]){2, 5});

    /* all sizes 1: nothing is broadcast, strides stay */
    b = bind_ok("ij,j->i", 2, (spec[]){{2, {2, 1}}, {1, {1}}});
    expect_size(&b, "j", 1);
    expect_operand(&b, 0, "i j", (int64_t[]){1, 1});
    expect_operand(&b, 1, "j", (int64_t[]){1});

    /* 1 against 0 gives 0, in either order */
    b = bind_ok("i,i->i", 2, (spec[]){{1, {0}}, {1, {1}}});
    expect_size(&b, "i", 0);
    expect_operand(&b, 1, "i", (int64_t[]){0});
    expect_output(&b, "i", (int64_t[]){0});
    b = bind_ok("i,i,i->i", 3, (spec[]){{1, {1}}, {1, {0}}, {1, {1}}});
    expect_size(&b, "i", 0);
    expect_operand(&b, 0, "i", (int64_t[]){0});
    expect_operand(&b, 2, "i", (int64_t[]){0});
}

Test(bind, ellipsis_dims_are_right_aligned_and_broadcast)
{
    ecl_bound b = bind_ok("...,...", 2, (spec[]){{2, {2, 1}}, {1, {4}}});
    cr_expect_eq(b.nlabels, 2);
    cr_expect_eq(b.name[label_id(&b, "...0")], 0);
    expect_size(&b, "...0", 2);
    expect_size(&b, "...1", 4);
    expect_operand(&b, 0, "...0 ...1", (int64_t[]){1, 0});
    expect_operand(&b, 1, "...1", (int64_t[]){1});
    expect_output(&b, "...0 ...1", (int64_t[]){2, 4});

    b = bind_ok("...ij,...jk->...ik", 2, (spec[]){{4, {5, 1, 2, 3}}, {3, {4, 3, 6}}});
    expect_operand(&b, 0, "...0 ...1 i j", (int64_t[]){6, 0, 3, 1});
    expect_operand(&b, 1, "...1 j k", (int64_t[]){18, 6, 1});
    expect_output(&b, "...0 ...1 i k", (int64_t[]){5, 4, 2, 6});

    /* an operand whose "..." covers fewer dims takes the rightmost ones */
    b = bind_ok("...i,...->...", 2, (spec[]){{2, {3, 4}}, {3, {2, 1, 3}}});
    expect_operand(&b, 0, "...2 i", (int64_t[]){4, 1});
    expect_operand(&b, 1, "...0 ...1 ...2", (int64_t[]){3, 3, 1});
    expect_output(&b, "...0 ...1 ...2", (int64_t[]){2, 1, 3});
}

Test(bind, ellipsis_in_the_middle_and_in_the_output)
{
    ecl_bound b = bind_ok("a...b,...b->...a", 2, (spec[]){{4, {2, 3, 4, 5}}, {1, {5}}});
    expect_operand(&b, 0, "a ...0 ...1 b", (int64_t[]){60, 20, 5, 1});
    expect_operand(&b, 1, "b", (int64_t[]){1});
    expect_output(&b, "...0 ...1 a", (int64_t[]){3, 4, 2});

    b = bind_ok("...a,b...->a...b", 2, (spec[]){{2, {2, 3}}, {2, {4, 1}}});
    expect_operand(&b, 0, "...0 a", (int64_t[]){3, 1});
    expect_operand(&b, 1, "b ...0", (int64_t[]){1, 0});
    expect_output(&b, "a ...0 b", (int64_t[]){3, 2, 4});

    b = bind_ok("i...i", 1, (spec[]){{3, {3, 4, 3}}}); /* strides 12, 3, 1 */
    expect_operand(&b, 0, "i ...0", (int64_t[]){13, 3});
    expect_output(&b, "...0", (int64_t[]){4});

    b = bind_ok("...i->i...", 1, (spec[]){{2, {2, 3}}});
    expect_output(&b, "i ...0", (int64_t[]){3, 2});
}

Test(bind, ellipsis_covering_no_dims)
{
    ecl_bound b = bind_ok("...i->i", 1, (spec[]){{1, {3}}});
    cr_expect_eq(b.nlabels, 1);
    expect_output(&b, "i", (int64_t[]){3});
    b = bind_ok("i...j->ij", 1, (spec[]){{2, {3, 3}}});
    expect_output(&b, "i j", (int64_t[]){3, 3});
    b = bind_ok("...->", 1, (spec[]){{0, {0}}});
    cr_expect_eq(b.nlabels, 0);
    cr_expect_eq(b.out_ndim, 0);
    b = bind_ok("i->i...", 1, (spec[]){{1, {3}}});
    expect_output(&b, "i", (int64_t[]){3});
}

Test(bind, scalars)
{
    ecl_bound b = bind_ok(",->", 2, (spec[]){{0, {0}}, {0, {0}}});
    cr_expect_eq(b.nlabels, 0);
    cr_expect_eq(b.op[0].ndim, 0);
    cr_expect_eq(b.op[1].ndim, 0);
    cr_expect_eq(b.out_ndim, 0);

    b = bind_ok("", 1, (spec[]){{0, {0}}});
    cr_expect_eq(b.out_ndim, 0);

    b = bind_ok("i,->i", 2, (spec[]){{1, {3}}, {0, {0}}});
    cr_expect_eq(b.op[1].ndim, 0);
    expect_output(&b, "i", (int64_t[]){3});

    b = bind_ok("...", 1, (spec[]){{0, {0}}});
    cr_expect_eq(b.out_ndim, 0);
}

Test(bind, zero_size_dims)
{
    ecl_bound b = bind_ok("ij,jk", 2, (spec[]){{2, {2, 0}}, {2, {0, 4}}});
    expect_size(&b, "j", 0);
    expect_output(&b, "i k", (int64_t[]){2, 4});

    b = bind_ok("i,j", 2, (spec[]){{1, {2}}, {1, {0}}});
    expect_output(&b, "i j", (int64_t[]){2, 0});

    b = bind_ok("ii->i", 1, (spec[]){{2, {0, 0}}});
    expect_output(&b, "i", (int64_t[]){0});

    b = bind_ok("ab...,b...->...a", 2, (spec[]){{3, {0, 2, 3}}, {2, {1, 3}}});
    expect_output(&b, "...0 a", (int64_t[]){3, 0});
}

Test(bind, result_dtype_promotes_to_float64)
{
    int64_t shape[1] = {3};
    ecl_tensor_desc d[2] = {{ECL_F32, 1, shape, NULL}, {ECL_F32, 1, shape, NULL}};
    ecl_bound b;
    ecl_error err;
    cr_assert_eq(bind_descs("i,i", 2, d, &b, &err), ECL_SUCCESS);
    cr_expect_eq(b.dtype, ECL_F32);
    cr_expect_eq(b.op[0].dtype, ECL_F32);
    d[1].dtype = ECL_F64;
    cr_assert_eq(bind_descs("i,i", 2, d, &b, &err), ECL_SUCCESS);
    cr_expect_eq(b.dtype, ECL_F64);
    cr_expect_eq(b.op[0].dtype, ECL_F32);
    cr_expect_eq(b.op[1].dtype, ECL_F64);
    d[0].dtype = ECL_F64;
    cr_assert_eq(bind_descs("i,i", 2, d, &b, &err), ECL_SUCCESS);
    cr_expect_eq(b.dtype, ECL_F64);
}

Test(bind, label_names)
{
    ecl_bound b = bind_ok("...aB,B...", 2, (spec[]){{4, {5, 6, 2, 3}}, {2, {3, 6}}});
    char buf[16];
    cr_expect_eq(b.nlabels, 4);
    cr_expect_str_eq(ecl_label_name(&b, 0, buf), "...0");
    cr_expect_str_eq(ecl_label_name(&b, 1, buf), "...1");
    int seen_a = 0, seen_B = 0;
    for (int id = 2; id < 4; id++) {
        seen_a += strcmp(ecl_label_name(&b, id, buf), "a") == 0;
        seen_B += strcmp(ecl_label_name(&b, id, buf), "B") == 0;
    }
    cr_expect(seen_a == 1 && seen_B == 1, "letters a and B each named once");
    cr_expect_str_eq(ecl_label_name(&b, 4, buf), "?");
    cr_expect_str_eq(ecl_label_name(&b, -1, buf), "?");
    expect_output(&b, "...0 ...1 a", (int64_t[]){5, 6, 2});
}

Test(bind, sixty_four_dims_are_accepted)
{
    spec s = {ECL_MAX_DIMS, {0}};
    for (int k = 0; k < ECL_MAX_DIMS; k++)
        s.dim[k] = 1 + k % 2;
    ecl_bound b = bind_ok("...", 1, &s);
    cr_expect_eq(b.out_ndim, ECL_MAX_DIMS);
    cr_expect_eq(b.out_shape[ECL_MAX_DIMS - 1], 2);
    cr_expect_eq(b.op[0].stride[0], (int64_t)1 << 32);
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void expect_error(ecl_status got, const ecl_error *err, ecl_status want, const char *needle)
{
    cr_expect_eq(got, want, "status %d, want %d (%s)", got, want, err->message);
    cr_expect_eq(err->status, want, "recorded status %d, want %d", err->status, want);
    cr_expect(strstr(err->message, needle) != NULL, "message \"%s\" lacks \"%s\"", err->message,
              needle);
}

static void expect_bind_error(const char *text, int n, const spec *s, ecl_status want,
                              const char *needle)
{
    ecl_bound b;
    ecl_error err;
    expect_error(bind_specs(text, n, s, &b, &err), &err, want, needle);
}

Test(bind_errors, operand_count)
{
    spec s[3] = {{1, {3}}, {1, {3}}, {1, {3}}};
    expect_bind_error("i,i", 1, s, ECL_ERROR_INVALID_ARGUMENT, "2 input terms but 1 operand was");
    expect_bind_error("i", 2, s, ECL_ERROR_INVALID_ARGUMENT, "1 input term but 2 operands were");
    expect_bind_error("i,i", 3, s, ECL_ERROR_INVALID_ARGUMENT, "3 operands");
    expect_bind_error("i", 0, s, ECL_ERROR_INVALID_ARGUMENT, "0 operands");
}

Test(bind_errors, dtype_names_the_operand)
{
    int64_t shape[1] = {3};
    ecl_tensor_desc d[2] = {{ECL_F32, 1, shape, NULL}, {(ecl_dtype)7, 1, shape, NULL}};
    ecl_bound b;
    ecl_error err;
    expect_error(bind_descs("i,i", 2, d, &b, &err), &err, ECL_ERROR_DTYPE, "operand 1");
    d[1].dtype = (ecl_dtype)0;
    expect_error(bind_descs("i,i", 2, d, &b, &err), &err, ECL_ERROR_DTYPE, "dtype 0");
}

Test(bind_errors, bad_descriptors)
{
    int64_t shape[2] = {3, -2};
    ecl_tensor_desc d[1] = {{ECL_F64, 2, shape, NULL}};
    ecl_bound b;
    ecl_error err;
    expect_error(bind_descs("ij", 1, d, &b, &err), &err, ECL_ERROR_SHAPE, "negative size -2");
    d[0] = (ecl_tensor_desc){ECL_F64, ECL_MAX_DIMS + 1, shape, NULL};
    expect_error(bind_descs("...", 1, d, &b, &err), &err, ECL_ERROR_SHAPE, "65 dimensions");
    d[0] = (ecl_tensor_desc){ECL_F64, -1, shape, NULL};
    expect_error(bind_descs("...", 1, d, &b, &err), &err, ECL_ERROR_SHAPE, "operand 0");
    d[0] = (ecl_tensor_desc){ECL_F64, 2, NULL, NULL};
    expect_error(bind_descs("ij", 1, d, &b, &err), &err, ECL_ERROR_INVALID_ARGUMENT, "NULL shape");

    ecl_equation eq;
    cr_assert_eq(ecl_equation_parse("ij", &eq, &err), ECL_SUCCESS);
    expect_error(ecl_bind(&eq, 1, NULL, &b, &err), &err, ECL_ERROR_INVALID_ARGUMENT, "NULL");
    expect_error(ecl_bind(NULL, 1, d, &b, &err), &err, ECL_ERROR_INVALID_ARGUMENT, "NULL");
    expect_error(ecl_bind(&eq, 1, d, NULL, &err), &err, ECL_ERROR_INVALID_ARGUMENT, "NULL");
}

Test(bind_errors, subscript_count_against_ndim)
{
    expect_bind_error("ij", 1, (spec[]){{1, {3}}}, ECL_ERROR_SHAPE, "operand 0 has 1 dimension");
    expect_bind_error("ij", 1, (spec[]){{1, {3}}}, ECL_ERROR_SHAPE, "'ij'");
    expect_bind_error("...ij", 1, (spec[]){{1, {3}}}, ECL_ERROR_SHAPE, "besides '...'");
    expect_bind_error("i", 1, (spec[]){{2, {3, 4}}}, ECL_ERROR_SHAPE, "use '...'");
    expect_bind_error("i,jk", 2, (spec[]){{1, {3}}, {1, {4}}}, ECL_ERROR_SHAPE,
                      "operand 1 has 1 dimension but its subscripts 'jk' (position 2) name 2");
    expect_bind_error("", 1, (spec[]){{1, {4}}}, ECL_ERROR_SHAPE, "operand 0");
    expect_bind_error("i", 1, (spec[]){{0, {0}}}, ECL_ERROR_SHAPE, "0 dimensions");
}

Test(bind_errors, diagonal_sizes_must_match_exactly)
{
    expect_bind_error("ii", 1, (spec[]){{2, {3, 1}}}, ECL_ERROR_SHAPE,
                      "operand 0 repeats label 'i'");
    expect_bind_error("ii", 1, (spec[]){{2, {3, 1}}}, ECL_ERROR_SHAPE,
                      "3 at position 0, 1 at position 1");
    /* numpy's single-operand path accepts (0, 3) for "ii->i" and reads past the array; its
     * general path and this library reject it */
    expect_bind_error("ii->i", 1, (spec[]){{2, {0, 3}}}, ECL_ERROR_SHAPE, "0 at position 0");
    expect_bind_error("j,jii", 2, (spec[]){{1, {2}}, {3, {2, 3, 4}}}, ECL_ERROR_SHAPE,
                      "operand 1 repeats label 'i'");
}

Test(bind_errors, broadcast_mismatch_names_label_sizes_and_operands)
{
    expect_bind_error("i,i", 2, (spec[]){{1, {2}}, {1, {3}}}, ECL_ERROR_SHAPE,
                      "label 'i' has size 2 in operand 0 but size 3 in operand 1");
    expect_bind_error("i,i,i", 3, (spec[]){{1, {1}}, {1, {3}}, {1, {4}}}, ECL_ERROR_SHAPE,
                      "size 3 in operand 1 but size 4 in operand 2");
    expect_bind_error("i,i", 2, (spec[]){{1, {0}}, {1, {2}}}, ECL_ERROR_SHAPE,
                      "size 0 in operand 0");
    expect_bind_error("...,...", 2, (spec[]){{2, {2, 3}}, {1, {2}}}, ECL_ERROR_SHAPE,
                      "broadcast dimension ...1 has size 3 in operand 0 but size 2 in operand 1");
}

Test(bind_errors, output_without_ellipsis_while_inputs_broadcast)
{
    expect_bind_error("i...j->ij", 1, (spec[]){{3, {3, 4, 3}}}, ECL_ERROR_SHAPE,
                      "cover 1 dimension,");
    expect_bind_error("...->", 1, (spec[]){{2, {2, 3}}}, ECL_ERROR_SHAPE, "cover 2 dimensions");
    expect_bind_error("i...,j->ij", 2, (spec[]){{2, {3, 1}}, {1, {4}}}, ECL_ERROR_SHAPE,
                      "no '...'");
}

Test(bind_errors, hand_built_output_is_checked)
{
    spec s = {1, {3}};
    ecl_tensor_desc d = {ECL_F64, 1, s.dim, NULL};
    ecl_equation eq;
    ecl_bound b;
    ecl_error err;
    cr_assert_eq(ecl_equation_parse("i->i", &eq, &err), ECL_SUCCESS);
    eq.out.labels[0] = 'j';
    expect_error(ecl_bind(&eq, 1, &d, &b, &err), &err, ECL_ERROR_PARSE, "'j'");
    cr_expect_eq(err.position, 3);

    cr_assert_eq(ecl_equation_parse("ij->ij", &eq, &err), ECL_SUCCESS);
    eq.out.labels[1] = 'i';
    int64_t sq[2] = {2, 2};
    d = (ecl_tensor_desc){ECL_F64, 2, sq, NULL};
    expect_error(ecl_bind(&eq, 1, &d, &b, &err), &err, ECL_ERROR_PARSE, "more than once");
    cr_expect_eq(err.position, 5);

    cr_assert_eq(ecl_equation_parse("ij", &eq, &err), ECL_SUCCESS);
    eq.in[0].nlabels = ECL_MAX_DIMS + 1;
    expect_error(ecl_bind(&eq, 1, &d, &b, &err), &err, ECL_ERROR_INVALID_ARGUMENT, "malformed");
    cr_assert_eq(ecl_equation_parse("ij", &eq, &err), ECL_SUCCESS);
    eq.in[0].labels[0] = '#';
    expect_error(ecl_bind(&eq, 1, &d, &b, &err), &err, ECL_ERROR_INVALID_ARGUMENT, "malformed");
}

Test(bind_errors, more_than_64_distinct_labels)
{
    /* numpy 2.4 rejects "...,abcdefghij" on a 64-d and a 10-d operand ("too many distinct
     * labels"), and more than 64 labels in all ("too many subscripts in einsum") */
    spec s[2] = {{ECL_MAX_DIMS, {0}}, {10, {0}}};
    for (int k = 0; k < ECL_MAX_DIMS; k++)
        s[0].dim[k] = 1;
    for (int k = 0; k < 10; k++)
        s[1].dim[k] = 1;
    expect_bind_error("...,abcdefghij", 2, s, ECL_ERROR_SHAPE, "more than 64 distinct labels");
    expect_bind_error("abcdefghij,...->...", 2, (spec[]){s[1], s[0]}, ECL_ERROR_SHAPE,
                      "more than 64");
}

Test(bind, iteration_space_beyond_int64_is_fine_when_the_output_fits)
{
    /* 2^25 per label, five labels: 2^125 terms in the naive loop nest, a 2^50-element output. */
    int64_t big = (int64_t)1 << 25;
    spec s[4] = {{2, {big, big}}, {2, {big, big}}, {2, {big, big}}, {2, {big, big}}};
    ecl_tensor_desc d[4];
    for (int i = 0; i < 4; i++)
        d[i] = (ecl_tensor_desc){ECL_F32, 2, s[i].dim, NULL};
    ecl_bound b;
    ecl_error err;
    cr_assert_eq(bind_descs("ij,jk,kl,lm->im", 4, d, &b, &err), ECL_SUCCESS, "%s", err.message);
    cr_expect_eq(b.out_shape[0] * b.out_shape[1], big * big);
}

Test(bind_errors, overflow)
{
    int64_t big = (int64_t)1 << 32;
    expect_bind_error("i,j", 2, (spec[]){{1, {big}}, {1, {big}}}, ECL_ERROR_OVERFLOW, "label 'j'");
    expect_bind_error("i,j,k", 3, (spec[]){{1, {0}}, {1, {big}}, {1, {big}}}, ECL_ERROR_OVERFLOW,
                      "output's element count");
    expect_bind_error("ij", 1, (spec[]){{2, {big, big}}}, ECL_ERROR_OVERFLOW, "operand 0");
    expect_bind_error("...", 1, (spec[]){{3, {big, 0, big}}}, ECL_ERROR_OVERFLOW, "operand 0");

    int64_t shape[2] = {2, 2};
    int64_t strides[2] = {INT64_MAX, 1};
    ecl_tensor_desc d = {ECL_F64, 2, shape, strides};
    ecl_bound b;
    ecl_error err;
    /* refused by the reach check (sum of |stride| * size) before the diagonal's strides are summed */
    expect_error(bind_descs("ii", 1, &d, &b, &err), &err, ECL_ERROR_OVERFLOW,
                 "operand 0: stride 9223372036854775807 in dimension 0 (size 2)");
}

/* ---- numpy table ----------------------------------------------------------------------------- */

typedef struct numpy_case {
    const char *eq;
    int n;
    spec in[3];
    ecl_status status;  /* ECL_SUCCESS when numpy accepts */
    int out_ndim;
    int64_t out[4];
} numpy_case;

#define S0() {0, {0}}
#define S1(a) {1, {a}}
#define S2(a, b) {2, {a, b}}
#define S3(a, b, c) {3, {a, b, c}}
#define S4(a, b, c, d) {4, {a, b, c, d}}
#define OK ECL_SUCCESS

/* Output shapes and accept/reject decisions recorded from numpy 2.4.6,
 * np.einsum(eq, *[np.zeros(s) for s in shapes], optimize=False); the status for a rejection is
 * this library's category for numpy's ValueError (its message is quoted). */
static const numpy_case numpy_cases[] = {
    {"ij,jk->ik", 2, {S2(2, 3), S2(3, 4)}, OK, 2, {2, 4}},
    {"ij,jk", 2, {S2(2, 3), S2(3, 4)}, OK, 2, {2, 4}},
    {"ij,kj", 2, {S2(2, 3), S2(4, 3)}, OK, 2, {2, 4}},
    {"ii", 1, {S2(3, 3)}, OK, 0, {0}},
    {"ii->i", 1, {S2(3, 3)}, OK, 1, {3}},
    {"iij", 1, {S3(2, 2, 3)}, OK, 1, {3}},
    {"iji->ij", 1, {S3(2, 3, 2)}, OK, 2, {2, 3}},
    {"ij->ji", 1, {S2(2, 3)}, OK, 2, {3, 2}},
    {"ji", 1, {S2(2, 3)}, OK, 2, {3, 2}},
    {"Ba", 1, {S2(2, 3)}, OK, 2, {2, 3}},
    {"aB", 1, {S2(2, 3)}, OK, 2, {3, 2}},
    {"zZ,Za", 2, {S2(2, 3), S2(3, 4)}, OK, 2, {4, 2}},
    {"i,i", 2, {S1(3), S1(3)}, OK, 0, {0}},
    {"i,i->i", 2, {S1(3), S1(1)}, OK, 1, {3}},
    {"i,i", 2, {S1(0), S1(1)}, OK, 0, {0}},
    {"i,j", 2, {S1(2), S1(0)}, OK, 2, {2, 0}},
    {"i,j->", 2, {S1(2), S1(0)}, OK, 0, {0}},
    {"", 1, {S0()}, OK, 0, {0}},
    {",", 2, {S0(), S0()}, OK, 0, {0}},
    {"->", 1, {S0()}, OK, 0, {0}},
    {",->", 2, {S0(), S0()}, OK, 0, {0}},
    {"i,->i", 2, {S1(3), S0()}, OK, 1, {3}},
    {"...", 1, {S2(2, 3)}, OK, 2, {2, 3}},
    {"...->", 1, {S0()}, OK, 0, {0}},
    /* output has more dimensions than subscripts given in einstein sum, but no '...' ... */
    {"...->", 1, {S2(2, 3)}, ECL_ERROR_SHAPE, 0, {0}},
    {"...i->i", 1, {S1(3)}, OK, 1, {3}},
    {"...i->...", 1, {S2(2, 3)}, OK, 1, {2}},
    {"i...->i", 1, {S1(3)}, OK, 1, {3}},
    {"i...j->...", 1, {S4(3, 4, 5, 3)}, OK, 2, {4, 5}},
    {"i...i", 1, {S3(3, 4, 3)}, OK, 1, {4}},
    {"...ii", 1, {S3(2, 3, 3)}, OK, 1, {2}},
    {"...,...", 2, {S2(2, 1), S1(4)}, OK, 2, {2, 4}},
    /* operands could not be broadcast together with remapped shapes */
    {"...,...", 2, {S2(2, 3), S1(2)}, ECL_ERROR_SHAPE, 0, {0}},
    {"a...b,...b->...a", 2, {S4(2, 3, 4, 5), S1(5)}, OK, 3, {3, 4, 2}},
    {"...a,b...->...ab", 2, {S2(2, 3), S2(4, 1)}, OK, 3, {2, 3, 4}},
    {"...ij,...jk->...ik", 2, {S4(5, 1, 2, 3), S3(4, 3, 6)}, OK, 4, {5, 4, 2, 6}},
    {"bhqd,bhkd->bhqk", 2, {S4(2, 4, 5, 8), S4(2, 4, 7, 8)}, OK, 4, {2, 4, 5, 7}},
    {"i j -> j i", 1, {S2(2, 3)}, OK, 2, {3, 2}},
    {"ij,jk,kl->il", 3, {S2(2, 3), S2(3, 4), S2(4, 5)}, OK, 2, {2, 5}},
    /* operands could not be broadcast together with remapped shapes */
    {"ij,jk", 2, {S2(2, 3), S2(4, 5)}, ECL_ERROR_SHAPE, 0, {0}},
    {"ij,jk", 2, {S2(2, 1), S2(4, 5)}, OK, 2, {2, 5}},
    /* dimensions in operand 0 for collapsing index 'i' don't match (3 != 1) */
    {"ii", 1, {S2(3, 1)}, ECL_ERROR_SHAPE, 0, {0}},
    /* operand has more dimensions than subscripts given in einstein sum, but no '...' ... */
    {"i", 1, {S2(3, 4)}, ECL_ERROR_SHAPE, 0, {0}},
    /* einstein sum subscripts string contains too many subscripts for operand 0 */
    {"ij", 1, {S1(3)}, ECL_ERROR_SHAPE, 0, {0}},
    {"...ij", 1, {S1(3)}, ECL_ERROR_SHAPE, 0, {0}},
    /* more operands provided to einstein sum function than specified in the subscripts string */
    {"i,i", 1, {S1(3)}, ECL_ERROR_INVALID_ARGUMENT, 0, {0}},
    /* fewer operands provided to einstein sum function than specified in the subscripts string */
    {"i", 2, {S1(3), S1(3)}, ECL_ERROR_INVALID_ARGUMENT, 0, {0}},
    /* einstein sum subscripts string included output subscript 'j' which never appeared ... */
    {"i->j", 1, {S1(3)}, ECL_ERROR_PARSE, 0, {0}},
    /* einstein sum subscripts string includes output subscript 'i' multiple times */
    {"i->ii", 1, {S1(3)}, ECL_ERROR_PARSE, 0, {0}},
    /* einstein sum subscripts string contains a '.' that is not part of an ellipsis ('...') */
    {"i..j", 1, {S2(3, 3)}, ECL_ERROR_PARSE, 0, {0}},
    /* (numpy splits at '-') operand has more dimensions than subscripts given ... */
    {"i-j", 1, {S2(3, 3)}, ECL_ERROR_PARSE, 0, {0}},
    /* invalid subscript '>' in einstein sum subscripts string, subscripts must be letters */
    {"i>j", 1, {S2(3, 3)}, ECL_ERROR_PARSE, 0, {0}},
    /* invalid subscript ',' in einstein sum subscripts string, subscripts must be letters */
    {"ij->i,j", 1, {S2(3, 3)}, ECL_ERROR_PARSE, 0, {0}},
    /* output has more dimensions than subscripts given in einstein sum, but no '...' ... */
    {"i...j->ij", 1, {S3(3, 4, 3)}, ECL_ERROR_SHAPE, 0, {0}},
    {"i...j->ij", 1, {S2(3, 3)}, OK, 2, {3, 3}},
    /* invalid subscript '1' in einstein sum subscripts string, subscripts must be letters */
    {"i1", 1, {S2(3, 3)}, ECL_ERROR_PARSE, 0, {0}},
    {"ab...,b...->...a", 2, {S3(0, 2, 3), S2(1, 3)}, OK, 2, {3, 0}},
    {"...i,...i->...i", 2, {S3(0, 1, 3), S2(5, 3)}, OK, 3, {0, 5, 3}},
};

/* The oracle's output shape for an accepted case, on zero-filled operands. */
static void expect_reference_shape(const numpy_case *c, const ecl_bound *b)
{
    ecl_ref_operand ops[3];
    double *data[3] = {NULL, NULL, NULL};
    for (int i = 0; i < c->n; i++) {
        int64_t numel = 1;
        for (int k = 0; k < c->in[i].ndim; k++)
            numel *= c->in[i].dim[k];
        data[i] = calloc((size_t)numel + 1, sizeof(double));
        ops[i] = (ecl_ref_operand){ECL_F64, c->in[i].ndim, c->in[i].dim, NULL, data[i]};
    }
    ecl_ref_result r;
    int rc = ecl_ref_einsum(c->eq, c->n, ops, &r);
    cr_expect_eq(rc, 0, "\"%s\": the oracle rejects it: %s", c->eq, r.error);
    if (rc == 0) {
        cr_expect_eq(r.ndim, b->out_ndim, "\"%s\": oracle ndim %d, bound %d", c->eq, r.ndim,
                     b->out_ndim);
        for (int k = 0; k < r.ndim && k < b->out_ndim; k++)
            cr_expect_eq(r.shape[k], b->out_shape[k], "\"%s\": oracle dim %d differs", c->eq, k);
        ecl_ref_result_free(&r);
    }
    for (int i = 0; i < c->n; i++)
        free(data[i]);
}

Test(bind, numpy_table)
{
    int ncases = (int)(sizeof numpy_cases / sizeof numpy_cases[0]);
    cr_assert_geq(ncases, 40);
    for (int t = 0; t < ncases; t++) {
        const numpy_case *c = &numpy_cases[t];
        ecl_tensor_desc d[3];
        for (int i = 0; i < c->n; i++)
            d[i] = (ecl_tensor_desc){ECL_F64, c->in[i].ndim, c->in[i].dim, NULL};
        ecl_equation eq;
        ecl_bound b;
        ecl_error err;
        ecl_error_clear(&err);
        ecl_status st = ecl_equation_parse(c->eq, &eq, &err);
        if (st == ECL_SUCCESS)
            st = ecl_bind(&eq, c->n, d, &b, &err);
        cr_expect_eq(st, c->status, "case %d \"%s\": status %d, want %d (%s)", t, c->eq, st,
                     c->status, err.message);
        if (st != ECL_SUCCESS || c->status != ECL_SUCCESS)
            continue;
        cr_expect_eq(b.out_ndim, c->out_ndim, "case %d \"%s\": output ndim %d, want %d", t, c->eq,
                     b.out_ndim, c->out_ndim);
        for (int k = 0; k < c->out_ndim && k < b.out_ndim; k++)
            cr_expect_eq(b.out_shape[k], c->out[k],
                         "case %d \"%s\": output dim %d is %lld, want %lld", t, c->eq, k,
                         (long long)b.out_shape[k], (long long)c->out[k]);
        expect_reference_shape(c, &b);
    }
}

/* ---- random equations against the oracle ----------------------------------------------------- */

typedef struct rng {
    uint64_t state;
} rng;

static int rnd(rng *r, int n)
{
    r->state = r->state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((r->state >> 33) % (uint64_t)n);
}

typedef struct random_case {
    char eq[64];
    int n;
    spec in[3];
    int64_t strides[3][ECL_MAX_DIMS];
    int has_strides[3];
    double *buffer[3];
    const double *base[3]; /* element [0, ..., 0] of each operand */
} random_case;

/* A valid equation over "abcAB" and "...", sizes consistent by numpy's rules (with size-1 dims
 * sprinkled in to broadcast), implicit or explicit output. */
static void random_equation(rng *r, random_case *c)
{
    static const char letters[] = "abcAB";
    int64_t size[5], bsize[3];
    int nb = rnd(r, 3), used[5] = {0}, any_ellipsis = 0, len = 0;
    for (int l = 0; l < 5; l++)
        size[l] = 1 + rnd(r, 3);
    for (int k = 0; k < nb; k++)
        bsize[k] = 1 + rnd(r, 3);
    c->n = 1 + rnd(r, 3);
    for (int i = 0; i < c->n; i++) {
        int nl = rnd(r, 4), ell = rnd(r, 3) == 0 ? rnd(r, nl + 1) : -1;
        int64_t own[5] = {0}; /* this operand's size of each letter (repeats must agree) */
        spec *s = &c->in[i];
        s->ndim = 0;
        if (i)
            c->eq[len++] = ',';
        for (int k = 0; k <= nl; k++) {
            if (k == ell) {
                int covered = rnd(r, nb + 1);
                len += sprintf(c->eq + len, "...");
                any_ellipsis = 1;
                for (int b = nb - covered; b < nb; b++)
                    s->dim[s->ndim++] = rnd(r, 4) == 0 ? 1 : bsize[b];
            }
            if (k == nl)
                break;
            int l = rnd(r, 5);
            used[l] = 1;
            c->eq[len++] = letters[l];
            if (!own[l])
                own[l] = rnd(r, 5) == 0 ? 1 : size[l];
            s->dim[s->ndim++] = own[l];
        }
    }
    if (rnd(r, 2)) {
        len += sprintf(c->eq + len, "->");
        int ell = any_ellipsis ? rnd(r, 6) : -1, rotate = rnd(r, 5);
        for (int k = 0; k <= 5; k++) {
            if (k == ell)
                len += sprintf(c->eq + len, "...");
            int l = (k + rotate) % 5;
            if (k < 5 && used[l] && rnd(r, 2))
                c->eq[len++] = letters[l];
        }
    }
    c->eq[len] = '\0';
}

/* Stores each operand row-major, column-major or row-major with the first axis reversed, filled
 * with small integers so that every sum is exact. */
static void random_operands(rng *r, random_case *c)
{
    for (int i = 0; i < c->n; i++) {
        const spec *s = &c->in[i];
        int layout = rnd(r, 3);
        int64_t numel = 1, step = 1, origin = 0, *st = c->strides[i];
        for (int k = 0; k < s->ndim; k++)
            numel *= s->dim[k];
        for (int k = 0; k < s->ndim; k++) {
            int d = layout == 1 ? k : s->ndim - 1 - k;
            st[d] = step;
            step *= s->dim[d];
        }
        if (layout == 2 && s->ndim > 0) {
            origin = (s->dim[0] - 1) * st[0];
            st[0] = -st[0];
        }
        c->has_strides[i] = layout != 0;
        c->buffer[i] = calloc((size_t)numel + 1, sizeof(double));
        c->base[i] = c->buffer[i] + origin;
        int64_t idx[ECL_MAX_DIMS] = {0};
        for (int64_t e = 0; e < numel; e++) {
            int64_t at = 0;
            for (int k = 0; k < s->ndim; k++)
                at += idx[k] * st[k];
            c->buffer[i][origin + at] = rnd(r, 7) - 3;
            for (int k = s->ndim - 1; k >= 0 && ++idx[k] == s->dim[k]; k--)
                idx[k] = 0;
        }
    }
}

/* einsum through the bound structure alone: every label assignment, operand offsets from the
 * bound strides. Returns a calloc'ed row-major output. */
static double *evaluate_bound(const ecl_bound *b, const double *const *base)
{
    int64_t numel = 1, idx[ECL_MAX_LABELS] = {0};
    for (int k = 0; k < b->out_ndim; k++)
        numel *= b->out_shape[k];
    double *out = calloc((size_t)numel + 1, sizeof(double));
    for (int l = 0; l < b->nlabels; l++)
        if (b->size[l] == 0)
            return out;
    for (;;) {
        double term = 1;
        for (int i = 0; i < b->nops; i++) {
            int64_t at = 0;
            for (int k = 0; k < b->op[i].ndim; k++)
                at += idx[b->op[i].label[k]] * b->op[i].stride[k];
            term *= base[i][at];
        }
        int64_t at = 0;
        for (int k = 0; k < b->out_ndim; k++)
            at = at * b->out_shape[k] + idx[b->out_label[k]];
        out[at] += term;
        int l = b->nlabels - 1;
        for (; l >= 0 && ++idx[l] == b->size[l]; l--)
            idx[l] = 0;
        if (l < 0)
            return out;
    }
}

static void check_random_case(const random_case *c, int number)
{
    ecl_tensor_desc d[3];
    ecl_ref_operand ops[3];
    for (int i = 0; i < c->n; i++) {
        const int64_t *st = c->has_strides[i] ? c->strides[i] : NULL;
        d[i] = (ecl_tensor_desc){ECL_F64, c->in[i].ndim, c->in[i].dim, st};
        ops[i] = (ecl_ref_operand){ECL_F64, c->in[i].ndim, c->in[i].dim, st, c->base[i]};
    }
    ecl_bound b;
    ecl_error err;
    ecl_status st = bind_descs(c->eq, c->n, d, &b, &err);
    cr_assert_eq(st, ECL_SUCCESS, "case %d \"%s\" rejected: %s", number, c->eq, err.message);
    ecl_ref_result ref;
    cr_assert_eq(ecl_ref_einsum(c->eq, c->n, ops, &ref), 0, "case %d \"%s\": oracle: %s", number,
                 c->eq, ref.error);
    cr_assert_eq(b.out_ndim, ref.ndim, "case %d \"%s\": output ndim", number, c->eq);
    for (int k = 0; k < ref.ndim; k++)
        cr_assert_eq(b.out_shape[k], ref.shape[k], "case %d \"%s\": output dim %d", number,
                     c->eq, k);
    double *got = evaluate_bound(&b, c->base);
    for (int64_t e = 0; e < ref.numel; e++)
        cr_assert_eq(got[e], (double)ref.value[e], "case %d \"%s\": element %lld is %g, want %g",
                     number, c->eq, (long long)e, got[e], (double)ref.value[e]);
    free(got);
    ecl_ref_result_free(&ref);
}

Test(bind, random_equations_evaluate_like_the_oracle)
{
    const uint64_t seed = 20240611;
    rng r = {seed};
    for (int t = 0; t < 3000; t++) {
        random_case c;
        memset(&c, 0, sizeof c);
        random_equation(&r, &c);
        random_operands(&r, &c);
        check_random_case(&c, t);
        for (int i = 0; i < c.n; i++)
            free(c.buffer[i]);
    }
}
