/*
 * The einsum equation parser: turns numpy.einsum subscripts text into per-term letter lists with
 * the byte position of every letter and "...", and the explicit output term after "->". It checks
 * syntax only (characters, "...", "->", term and letter limits, the output's letters); sizes and
 * operand counts are the binder's. Whitespace (space, tab, newline, CR, VT, FF) is skipped between
 * tokens, an extension over numpy, which skips spaces only; "..." and "->" must be unbroken.
 */
#include "equation.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

typedef struct parser {
    const char *text;
    ecl_equation *eq;
    ecl_term *term;  /* the term being read */
    ecl_error *err;
} parser;

static int is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void start_term(ecl_term *term, long pos)
{
    memset(term, 0, sizeof *term);
    term->ellipsis = ECL_NO_ELLIPSIS;
    term->ellipsis_pos = -1;
    term->pos = (int)pos;
}

/* "operand 3" or "the output", for messages about the current term. */
static const char *term_name(const parser *p, char *buf, size_t size)
{
    if (p->term == &p->eq->out)
        return "the output";
    snprintf(buf, size, "operand %d", (int)(p->term - p->eq->in));
    return buf;
}

static ecl_status add_letter(parser *p, long pos)
{
    char name[32];
    ecl_term *t = p->term;
    if (t->nlabels == ECL_MAX_DIMS)
        return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                           "subscripts of %s have more than %d letters (letter '%c' at position "
                           "%ld)",
                           term_name(p, name, sizeof name), ECL_MAX_DIMS, p->text[pos], pos);
    t->label_pos[t->nlabels] = (int)pos;
    t->labels[t->nlabels++] = p->text[pos];
    t->labels[t->nlabels] = '\0';
    return ECL_SUCCESS;
}

/* A '.' at pos: either the start of this term's only "...", or an error. */
static ecl_status add_ellipsis(parser *p, long pos)
{
    char name[32];
    ecl_term *t = p->term;
    if (p->text[pos + 1] != '.' || p->text[pos + 2] != '.')
        return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                           "'.' at position %ld in %s is not part of an ellipsis '...'", pos,
                           term_name(p, name, sizeof name));
    if (t->ellipsis != ECL_NO_ELLIPSIS)
        return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                           "second '...' at position %ld in %s (the first is at position %d); "
                           "'...' may appear once per term",
                           pos, term_name(p, name, sizeof name), t->ellipsis_pos);
    t->ellipsis = t->nlabels;
    t->ellipsis_pos = (int)pos;
    return ECL_SUCCESS;
}

static ecl_status next_input(parser *p, long pos)
{
    ecl_equation *eq = p->eq;
    if (eq->has_output)
        return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                           "',' at position %ld comes after '->': the output is a single term",
                           pos);
    if (eq->nops == ECL_MAX_OPERANDS)
        return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                           "',' at position %ld starts operand %d; at most %d operands are "
                           "supported",
                           pos, eq->nops, ECL_MAX_OPERANDS);
    p->term = &eq->in[eq->nops++];
    start_term(p->term, pos + 1);
    return ECL_SUCCESS;
}

/* A '-' at pos: must start the one "->". */
static ecl_status start_output(parser *p, long pos)
{
    ecl_equation *eq = p->eq;
    if (p->text[pos + 1] != '>')
        return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                           "'-' at position %ld is not part of '->'", pos);
    if (eq->has_output)
        return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                           "second '->' at position %ld (the first is at position %d)", pos,
                           eq->out.pos - 2);
    eq->has_output = 1;
    p->term = &eq->out;
    start_term(p->term, pos + 2);
    return ECL_SUCCESS;
}

static ecl_status bad_character(parser *p, long pos)
{
    unsigned char c = (unsigned char)p->text[pos];
    if (c == '>')
        return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                           "'>' at position %ld is not part of '->'", pos);
    if (c >= 0x21 && c <= 0x7e)
        return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                           "invalid character '%c' at position %ld: subscripts must be letters "
                           "a-z or A-Z", (char)c, pos);
    return ecl_fail_at(p->err, ECL_ERROR_PARSE, pos,
                       "invalid byte 0x%02x at position %ld: subscripts must be letters a-z or A-Z",
                       c, pos);
}

/* Output letters: each at most once and each present in some input (numpy's rules). */
static ecl_status check_output(const parser *p)
{
    const ecl_equation *eq = p->eq;
    const ecl_term *out = &eq->out;
    for (int i = 0; i < out->nlabels; i++) {
        char c = out->labels[i];
        const char *again = memchr(out->labels + i + 1, c, (size_t)(out->nlabels - i - 1));
        if (again)
            return ecl_fail_at(p->err, ECL_ERROR_PARSE, out->label_pos[again - out->labels],
                               "output subscript '%c' appears more than once (positions %d and %d)",
                               c, out->label_pos[i], out->label_pos[again - out->labels]);
        int found = 0;
        for (int k = 0; k < eq->nops && !found; k++)
            found = strchr(eq->in[k].labels, c) != NULL;
        if (!found)
            return ecl_fail_at(p->err, ECL_ERROR_PARSE, out->label_pos[i],
                               "output subscript '%c' at position %d does not appear in any input",
                               c, out->label_pos[i]);
    }
    return ECL_SUCCESS;
}

ecl_status ecl_equation_parse(const char *text, ecl_equation *eq, ecl_error *err)
{
    if (!text || !eq)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_equation_parse: %s is NULL",
                        !text ? "equation" : "result");
    memset(eq, 0, sizeof *eq);
    start_term(&eq->out, -1);
    parser p = {text, eq, &eq->in[0], err};
    eq->nops = 1;
    start_term(p.term, 0);
    for (long pos = 0; text[pos] != '\0'; pos++) {
        char c = text[pos];
        ecl_status st = ECL_SUCCESS;
        if (pos > INT_MAX - 3)
            return ecl_fail_at(err, ECL_ERROR_PARSE, pos, "equation longer than %d bytes",
                               INT_MAX - 3);
        if (is_space(c))
            continue;
        if (is_letter(c))
            st = add_letter(&p, pos);
        else if (c == '.') {
            st = add_ellipsis(&p, pos);
            pos += 2;
        } else if (c == ',')
            st = next_input(&p, pos);
        else if (c == '-') {
            st = start_output(&p, pos);
            pos += 1;
        } else
            st = bad_character(&p, pos);
        if (st != ECL_SUCCESS)
            return st;
    }
    return eq->has_output ? check_output(&p) : ECL_SUCCESS;
}
