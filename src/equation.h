/*
 * The einsum equation as text structure: per input term the letters in order, where "..." stands
 * and the byte position of everything (for error messages); the explicit output term when "->" is
 * present. Parsing checks syntax only; sizes and semantics are the binder's (bind.h).
 */
#ifndef ECL_EQUATION_H
#define ECL_EQUATION_H

#include "status.h"

#define ECL_NO_ELLIPSIS (-1)

typedef struct ecl_term {
    int nlabels;                    /* letters in the term, "..." excluded */
    char labels[ECL_MAX_DIMS + 1];  /* the letters in order, NUL-terminated */
    int label_pos[ECL_MAX_DIMS];    /* byte offset of each letter in the equation */
    int ellipsis;                   /* index in labels[] before which "..." stands, or ECL_NO_ELLIPSIS */
    int ellipsis_pos;               /* byte offset of the "...", or -1 */
    int pos;                        /* byte offset where the term starts */
} ecl_term;

typedef struct ecl_equation {
    int nops;
    ecl_term in[ECL_MAX_OPERANDS];
    int has_output;  /* 1 when "->" was given (explicit mode) */
    ecl_term out;
} ecl_equation;

/* Parses text (numpy.einsum subscripts). Errors are ECL_ERROR_PARSE with the byte position. */
ecl_status ecl_equation_parse(const char *text, ecl_equation *eq, ecl_error *err);

#endif /* ECL_EQUATION_H */
