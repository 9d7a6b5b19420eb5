/*
 * What `einsumcl bench` runs: the built-in suites (the table in bench/suites.def), ad-hoc cases
 * from the command line (shapes written like 8x16x64), and what each case costs at least: its
 * FLOPs come from the plan, its minimum bytes from the operands (each distinct element read once,
 * the output written once).
 */
#ifndef ECL_CLI_BENCH_CASES_H
#define ECL_CLI_BENCH_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "einsumcl.h"

#define ECL_BENCH_MAX_INPUTS 8
#define ECL_BENCH_NAME_MAX 64
#define ECL_BENCH_EQUATION_MAX 256

typedef enum ecl_bench_kind {
    ECL_BENCH_EINSUM,    /* one einsum over the operands */
    ECL_BENCH_ATTENTION  /* the attention core on q, k, v of the one shape (B, N, H, D) */
} ecl_bench_kind;

typedef struct ecl_bench_case {
    char suite[16];  /* "attention", "gemm", ..., or "custom" */
    char name[ECL_BENCH_NAME_MAX];
    ecl_bench_kind kind;
    char equation[ECL_BENCH_EQUATION_MAX];
    int num_inputs;  /* shapes given (ATTENTION: 1) */
    int ndim[ECL_BENCH_MAX_INPUTS];
    int64_t shape[ECL_BENCH_MAX_INPUTS][ECL_MAX_DIMS];
} ecl_bench_case;

/* The attention core's two einsums. */
#define ECL_BENCH_ATTENTION_SCORES "bqhd,bkhd->bhqk"
#define ECL_BENCH_ATTENTION_VALUES "bhqk,bkhd->bqhd"

/* The suites in table order, for --suite and the help text: "attention,gemm,...". */
const char *ecl_bench_suite_names(void);
int ecl_bench_is_suite(const char *name);

/* Number of cases in the table, and case i of it. */
size_t ecl_bench_suite_size(void);
void ecl_bench_suite_case(size_t index, ecl_bench_case *out);

/* Builds an ad-hoc case named "custom" from an equation and one shape argument per input
 * (shape_arg.h syntax without a dtype suffix: the dtype is chosen for the whole run). Returns 0 on
 * success, else writes a one-line reason into err. */
int ecl_bench_case_from_args(const char *equation, int num_shapes, char *const *shapes,
                             ecl_bench_case *out, char *err, size_t err_size);

/* Writes the case's input shapes as "2048x2048,2048x2048" ("scalar" for 0-d) into buf. */
void ecl_bench_format_shapes(const ecl_bench_case *bc, char *buf, size_t size);

/* The least data the case must move, in elements: every distinct input element it reads once (a
 * repeated label reads only the diagonal) plus the output's elements. For ATTENTION q, k, v and
 * O (the scores need never reach memory in a fused kernel). */
double ecl_bench_min_elements(const ecl_bench_case *bc, double output_elements);

/* The operand shapes the case's work takes: EINSUM its own; ATTENTION q, k, v. */
int ecl_bench_operands(const ecl_bench_case *bc, int *ndim, const int64_t **shape);

#endif /* ECL_CLI_BENCH_CASES_H */
