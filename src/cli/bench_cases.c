/*
 * The `einsumcl bench` cases: the suites of bench/suites.def turned into case records, ad-hoc
 * cases from the command line, their printed shapes, and the minimum data each case moves.
 */
#include "bench_cases.h"

#include <stdio.h>
#include <string.h>

#include "shape_arg.h"

typedef struct suite_entry {
    const char *suite;
    const char *name;
    ecl_bench_kind kind;
    const char *equation;
    const char *shapes[ECL_BENCH_MAX_INPUTS + 1];
} suite_entry;

static const suite_entry table[] = {
#define ECL_BENCH_CASE(suite, name, kind, equation, ...)                                           \
    {suite, name, ECL_BENCH_##kind, equation, {__VA_ARGS__, NULL}},
#include "suites.def"
#undef ECL_BENCH_CASE
};

static const char suite_names[] = "attention,gemm,contraction,network,memory";

const char *ecl_bench_suite_names(void) { return suite_names; }

int ecl_bench_is_suite(const char *name)
{
    size_t len = strlen(name);
    for (const char *p = suite_names; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (len > 0 && strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
            return 1;
    return 0;
}

size_t ecl_bench_suite_size(void) { return sizeof table / sizeof table[0]; }

void ecl_bench_suite_case(size_t index, ecl_bench_case *out)
{
    const suite_entry *e = &table[index];
    int n = 0;
    while (n < ECL_BENCH_MAX_INPUTS && e->shapes[n] != NULL)
        n++;
    char err[128];
    /* The table is constant and valid; tests/test_bench_suites.c parses every entry. */
    if (ecl_bench_case_from_args(e->equation, n, (char *const *)e->shapes, out, err, sizeof err) != 0)
        out->num_inputs = 0;
    snprintf(out->suite, sizeof out->suite, "%s", e->suite);
    snprintf(out->name, sizeof out->name, "%s", e->name);
    out->kind = e->kind;
    if (e->kind == ECL_BENCH_ATTENTION)
        snprintf(out->equation, sizeof out->equation, "%s", "attention core");
}

int ecl_bench_case_from_args(const char *equation, int num_shapes, char *const *shapes,
                             ecl_bench_case *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    snprintf(out->suite, sizeof out->suite, "custom");
    snprintf(out->name, sizeof out->name, "custom");
    out->kind = ECL_BENCH_EINSUM;
    if (strlen(equation) >= sizeof out->equation) {
        snprintf(err, err_size, "equation longer than %zu characters", sizeof out->equation - 1);
        return -1;
    }
    snprintf(out->equation, sizeof out->equation, "%s", equation);
    if (num_shapes < 1 || num_shapes > ECL_BENCH_MAX_INPUTS) {
        snprintf(err, err_size, "need 1 to %d operand shapes, got %d", ECL_BENCH_MAX_INPUTS,
                 num_shapes);
        return -1;
    }
    out->num_inputs = num_shapes;
    for (int i = 0; i < num_shapes; i++) {
        ecl_cli_shape parsed;
        char why[128];
        if (ecl_cli_parse_shape(shapes[i], &parsed, why, sizeof why) != 0 || strchr(shapes[i], ':')) {
            snprintf(err, err_size, "bad shape '%s' of operand %d: %s", shapes[i], i,
                     strchr(shapes[i], ':') ? "no dtype suffix here (use --dtype)" : why);
            return -1;
        }
        out->ndim[i] = parsed.ndim;
        memcpy(out->shape[i], parsed.dims, (size_t)parsed.ndim * sizeof(int64_t));
    }
    return 0;
}

static void format_shape(int ndim, const int64_t *shape, char *buf, size_t size)
{
    if (ndim == 0) {
        snprintf(buf, size, "scalar");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int d = 0; d < ndim && used < size; d++) {
        int n = snprintf(buf + used, size - used, d ? "x%lld" : "%lld", (long long)shape[d]);
        if (n < 0)
            return;
        used += (size_t)n;
    }
}

void ecl_bench_format_shapes(const ecl_bench_case *bc, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < bc->num_inputs && used + 1 < size; i++) {
        if (i)
            buf[used++] = ',', buf[used] = '\0';
        format_shape(bc->ndim[i], bc->shape[i], buf + used, size - used);
        used += strlen(buf + used);
    }
}

int ecl_bench_operands(const ecl_bench_case *bc, int *ndim, const int64_t **shape)
{
    if (bc->kind == ECL_BENCH_ATTENTION) {
        for (int i = 0; i < 3; i++)
            ndim[i] = bc->ndim[0], shape[i] = bc->shape[0];
        return 3;
    }
    for (int i = 0; i < bc->num_inputs; i++)
        ndim[i] = bc->ndim[i], shape[i] = bc->shape[i];
    return bc->num_inputs;
}

/* Distinct elements an operand's term addresses: a label repeated in the term (a diagonal)
 * contributes its size once. The term is the operand's part of the equation; "..." stands for
 * the dims no letter names. */
static double distinct_elements(const char *term, size_t term_len, int ndim, const int64_t *shape)
{
    int letters = 0;
    for (size_t i = 0; i < term_len; i++)
        letters += (term[i] >= 'a' && term[i] <= 'z') || (term[i] >= 'A' && term[i] <= 'Z');
    int ellipsis_dims = ndim - letters > 0 ? ndim - letters : 0;
    char seen[128] = {0};
    double count = 1.0;
    int d = 0;
    for (size_t i = 0; i < term_len && d < ndim; i++) {
        unsigned char ch = (unsigned char)term[i];
        if (ch == '.') {
            for (; ellipsis_dims > 0 && d < ndim; ellipsis_dims--)
                count *= (double)shape[d++];
            continue;
        }
        if (ch >= 128 || !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            continue;
        if (!seen[ch])
            count *= (double)shape[d];
        seen[ch] = 1;
        d++;
    }
    return count;
}

double ecl_bench_min_elements(const ecl_bench_case *bc, double output_elements)
{
    int ndim[ECL_BENCH_MAX_INPUTS];
    const int64_t *shape[ECL_BENCH_MAX_INPUTS];
    int n = ecl_bench_operands(bc, ndim, shape);
    double total = output_elements;
    const char *term = bc->equation;
    for (int i = 0; i < n; i++) {
        if (bc->kind == ECL_BENCH_ATTENTION) {
            total += distinct_elements("bnhd", 4, ndim[i], shape[i]);
            continue;
        }
        size_t len = strcspn(term, ",-");
        total += distinct_elements(term, len, ndim[i], shape[i]);
        term += len + (term[len] == ',');
    }
    return total;
}
