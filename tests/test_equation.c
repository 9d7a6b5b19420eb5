/*
 * Tests of the equation parser (src/equation.c): the term structure (letters, "...", byte
 * positions) for every accepted form (implicit and explicit output, whitespace, "..." anywhere,
 * empty terms, the operand and letter limits), and every syntax error with its status, its byte
 * position and what the message names. Expected structures are written by hand from the text.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "equation.h"

static ecl_equation parse_ok(const char *text)
{
    ecl_equation eq;
    ecl_error err;
    ecl_error_clear(&err);
    ecl_status st = ecl_equation_parse(text, &eq, &err);
    cr_assert_eq(st, ECL_SUCCESS, "\"%s\" rejected: %s", text, err.message);
    return eq;
}

/* Checks one term: letters, "..." index, and positions (-1 = no ellipsis position). */
static void expect_term(const ecl_term *t, const char *what, const char *labels,
                        const int *positions, int ellipsis, int ellipsis_pos, int pos)
{
    int n = (int)strlen(labels);
    cr_expect_eq(t->nlabels, n, "%s: %d letters, want %d", what, t->nlabels, n);
    cr_expect_str_eq(t->labels, labels, "%s letters", what);
    for (int i = 0; i < n && i < t->nlabels; i++)
        cr_expect_eq(t->label_pos[i], positions[i], "%s letter %d at %d, want %d", what, i,
                     t->label_pos[i], positions[i]);
    cr_expect_eq(t->ellipsis, ellipsis, "%s ellipsis index %d, want %d", what, t->ellipsis,
                 ellipsis);
    cr_expect_eq(t->ellipsis_pos, ellipsis_pos, "%s ellipsis at %d, want %d", what, t->ellipsis_pos,
                 ellipsis_pos);
    cr_expect_eq(t->pos, pos, "%s starts at %d, want %d", what, t->pos, pos);
}

Test(equation, matrix_product_explicit)
{
    ecl_equation eq = parse_ok("ij,jk->ik");
    cr_assert_eq(eq.nops, 2);
    cr_expect_eq(eq.has_output, 1);
    expect_term(&eq.in[0], "in0", "ij", (int[]){0, 1}, ECL_NO_ELLIPSIS, -1, 0);
    expect_term(&eq.in[1], "in1", "jk", (int[]){3, 4}, ECL_NO_ELLIPSIS, -1, 3);
    expect_term(&eq.out, "out", "ik", (int[]){7, 8}, ECL_NO_ELLIPSIS, -1, 7);
}

Test(equation, implicit_output_has_no_output_term)
{
    ecl_equation eq = parse_ok("ij,jk");
    cr_assert_eq(eq.nops, 2);
    cr_expect_eq(eq.has_output, 0);
    expect_term(&eq.in[1], "in1", "jk", (int[]){3, 4}, ECL_NO_ELLIPSIS, -1, 3);
}

Test(equation, whitespace_is_skipped_and_positions_count_it)
{
    ecl_equation eq = parse_ok(" i j ,\tj k\n->  k i ");
    cr_assert_eq(eq.nops, 2);
    expect_term(&eq.in[0], "in0", "ij", (int[]){1, 3}, ECL_NO_ELLIPSIS, -1, 0);
    expect_term(&eq.in[1], "in1", "jk", (int[]){7, 9}, ECL_NO_ELLIPSIS, -1, 6);
    expect_term(&eq.out, "out", "ki", (int[]){15, 17}, ECL_NO_ELLIPSIS, -1, 13);
}

Test(equation, carriage_return_vertical_tab_form_feed_are_whitespace)
{
    ecl_equation eq = parse_ok("i\r\v\fj");
    expect_term(&eq.in[0], "in0", "ij", (int[]){0, 4}, ECL_NO_ELLIPSIS, -1, 0);
}

Test(equation, ellipsis_positions)
{
    ecl_equation eq = parse_ok("...ij,i...j,ij...->i...");
    cr_assert_eq(eq.nops, 3);
    expect_term(&eq.in[0], "in0", "ij", (int[]){3, 4}, 0, 0, 0);
    expect_term(&eq.in[1], "in1", "ij", (int[]){6, 10}, 1, 7, 6);
    expect_term(&eq.in[2], "in2", "ij", (int[]){12, 13}, 2, 14, 12);
    expect_term(&eq.out, "out", "i", (int[]){19}, 1, 20, 19);
}

Test(equation, lone_ellipsis_terms)
{
    ecl_equation eq = parse_ok("...,...->...");
    cr_assert_eq(eq.nops, 2);
    expect_term(&eq.in[0], "in0", "", NULL, 0, 0, 0);
    expect_term(&eq.in[1], "in1", "", NULL, 0, 4, 4);
    expect_term(&eq.out, "out", "", NULL, 0, 9, 9);
}

Test(equation, ellipsis_with_spaces_around)
{
    ecl_equation eq = parse_ok("a ... b");
    expect_term(&eq.in[0], "in0", "ab", (int[]){0, 6}, 1, 2, 0);
}

Test(equation, empty_terms_are_scalars)
{
    ecl_equation eq = parse_ok("");
    cr_expect_eq(eq.nops, 1);
    cr_expect_eq(eq.has_output, 0);
    expect_term(&eq.in[0], "in0", "", NULL, ECL_NO_ELLIPSIS, -1, 0);

    eq = parse_ok("->");
    cr_expect_eq(eq.nops, 1);
    cr_expect_eq(eq.has_output, 1);
    expect_term(&eq.out, "out", "", NULL, ECL_NO_ELLIPSIS, -1, 2);

    eq = parse_ok(",->");
    cr_expect_eq(eq.nops, 2);
    expect_term(&eq.in[1], "in1", "", NULL, ECL_NO_ELLIPSIS, -1, 1);

    eq = parse_ok("i,->i");
    cr_expect_eq(eq.nops, 2);
    expect_term(&eq.in[0], "in0", "i", (int[]){0}, ECL_NO_ELLIPSIS, -1, 0);
    expect_term(&eq.in[1], "in1", "", NULL, ECL_NO_ELLIPSIS, -1, 2);
    expect_term(&eq.out, "out", "i", (int[]){4}, ECL_NO_ELLIPSIS, -1, 4);

    eq = parse_ok("i,");
    cr_expect_eq(eq.nops, 2);
    cr_expect_eq(eq.has_output, 0);

    eq = parse_ok("i->");
    cr_expect_eq(eq.has_output, 1);
    cr_expect_eq(eq.out.nlabels, 0);
}

Test(equation, repeated_input_letters_are_kept_for_the_binder)
{
    ecl_equation eq = parse_ok("iij,jii->j");
    expect_term(&eq.in[0], "in0", "iij", (int[]){0, 1, 2}, ECL_NO_ELLIPSIS, -1, 0);
    expect_term(&eq.in[1], "in1", "jii", (int[]){4, 5, 6}, ECL_NO_ELLIPSIS, -1, 4);
}

Test(equation, upper_and_lower_case_are_distinct)
{
    ecl_equation eq = parse_ok("aA,Aa->aA");
    expect_term(&eq.in[0], "in0", "aA", (int[]){0, 1}, ECL_NO_ELLIPSIS, -1, 0);
    expect_term(&eq.out, "out", "aA", (int[]){7, 8}, ECL_NO_ELLIPSIS, -1, 7);
}

/* "abc...": n letters cycling through the 52 letters. */
static void letters(char *buf, int n)
{
    static const char all[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int i = 0; i < n; i++)
        buf[i] = all[i % 52];
    buf[n] = '\0';
}

Test(equation, limits_are_accepted)
{
    char text[4 * ECL_MAX_OPERANDS + 8];
    letters(text, ECL_MAX_DIMS);
    strcat(text, "...");
    ecl_equation eq = parse_ok(text);
    cr_expect_eq(eq.in[0].nlabels, ECL_MAX_DIMS);
    cr_expect_eq(eq.in[0].ellipsis, ECL_MAX_DIMS);
    cr_expect_eq(eq.in[0].label_pos[ECL_MAX_DIMS - 1], ECL_MAX_DIMS - 1);

    text[0] = '\0';
    for (int i = 0; i < ECL_MAX_OPERANDS; i++)
        strcat(text, i ? ",i" : "i");
    eq = parse_ok(text);
    cr_expect_eq(eq.nops, ECL_MAX_OPERANDS);
    cr_expect_eq(eq.in[ECL_MAX_OPERANDS - 1].pos, 2 * (ECL_MAX_OPERANDS - 1));
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void expect_error(const char *text, long position, const char *needle)
{
    ecl_equation eq;
    ecl_error err;
    ecl_error_clear(&err);
    ecl_status st = ecl_equation_parse(text, &eq, &err);
    cr_expect_eq(st, ECL_ERROR_PARSE, "\"%s\": status %d, want ECL_ERROR_PARSE", text, st);
    cr_expect_eq(err.status, ECL_ERROR_PARSE, "\"%s\": recorded status %d", text, err.status);
    cr_expect_eq(err.position, position, "\"%s\": position %ld, want %ld (%s)", text, err.position,
                 position, err.message);
    cr_expect(strstr(err.message, needle) != NULL, "\"%s\": message \"%s\" lacks \"%s\"", text,
              err.message, needle);
}

Test(equation_errors, invalid_characters_name_the_character_and_position)
{
    expect_error("i1", 1, "'1'");
    expect_error("i1", 1, "position 1");
    expect_error("ij,j$k", 4, "'$'");
    expect_error("ij_", 2, "'_'");
    expect_error("(i)", 0, "'('");
    expect_error("i\x01", 1, "0x01");
    expect_error("\xc3\xa9", 0, "0xc3");
    expect_error("i->j*", 4, "'*'");
}

Test(equation_errors, dots_that_are_not_one_ellipsis)
{
    expect_error(".", 0, "not part of an ellipsis");
    expect_error("..", 0, "not part of an ellipsis");
    expect_error("i.j", 1, "not part of an ellipsis");
    expect_error("i..j", 1, "operand 0");
    expect_error("i, j. .", 4, "operand 1");
    expect_error(". ..", 0, "position 0");
    expect_error("i....", 4, "not part of an ellipsis");
    expect_error("......", 3, "second '...'");
    expect_error("...i...", 4, "operand 0");
    expect_error("i,...j...", 6, "operand 1");
    expect_error("i->...i...", 7, "the output");
    expect_error("i->..", 3, "the output");
}

Test(equation_errors, arrows)
{
    expect_error("i->i->i", 4, "second '->'");
    expect_error("i->i->i", 4, "position 1");
    expect_error("i-i", 1, "'-'");
    expect_error("i- >i", 1, "not part of '->'");
    expect_error("i-", 1, "'-'");
    expect_error("i>i", 1, "'>'");
    expect_error("i->>i", 3, "'>'");
    expect_error("i->i-", 4, "'-'");
    expect_error("ij->i,j", 5, "','");
    expect_error("i->,", 3, "single term");
}

Test(equation_errors, output_letters)
{
    expect_error("i->ii", 4, "'i' appears more than once");
    expect_error("ij->jij", 6, "'j'");
    expect_error("i->j", 3, "'j'");
    expect_error("i->j", 3, "does not appear in any input");
    expect_error("i,j->ijk", 7, "'k'");
    expect_error("a->A", 3, "'A'");
    expect_error("...->...i", 8, "'i'");
}

Test(equation_errors, too_many_letters_in_a_term)
{
    char text[2 * ECL_MAX_DIMS + 8];
    letters(text, ECL_MAX_DIMS + 1);
    expect_error(text, ECL_MAX_DIMS, "operand 0");
    expect_error(text, ECL_MAX_DIMS, "64");

    strcpy(text, "a,");
    letters(text + 2, ECL_MAX_DIMS + 1);
    expect_error(text, 2 + ECL_MAX_DIMS, "operand 1");

    strcpy(text, "a->");
    letters(text + 3, ECL_MAX_DIMS + 1);
    expect_error(text, 3 + ECL_MAX_DIMS, "the output");
}

Test(equation_errors, too_many_operands)
{
    char text[3 * ECL_MAX_OPERANDS + 8] = "";
    for (int i = 0; i <= ECL_MAX_OPERANDS; i++)
        strcat(text, i ? ",i" : "i");
    /* the comma that starts operand 64 is at 2 * 64 - 1 */
    expect_error(text, 2 * ECL_MAX_OPERANDS - 1, "at most 64 operands");
}

Test(equation_errors, null_arguments)
{
    ecl_equation eq;
    ecl_error err;
    ecl_error_clear(&err);
    cr_expect_eq(ecl_equation_parse(NULL, &eq, &err), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(ecl_equation_parse("ij", NULL, &err), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(ecl_equation_parse("i$", &eq, NULL), ECL_ERROR_PARSE,
                 "a NULL error sink is allowed");
}
