/*
 * Planning time and path quality of one path algorithm, without process start-up: reads cases from
 * standard input, one per line ("EQUATION SHAPE [SHAPE ...]", shapes like 8x16x64 or 'scalar'),
 * plans each with ecl_plan_create (parse, bind, path search, lowering, workspace) repeatedly and
 * prints one JSON object per line: the FLOPs (ecl_plan_flops and numpy.einsum_path's naive count),
 * the largest intermediate, the path in numpy.einsum_path form, the median and minimum seconds
 * per ecl_plan_create + ecl_plan_destroy (everything a caller pays: parse, bind, path search,
 * lowering, workspace) and the median seconds of the path search alone (ecl_path_find, through the
 * library's internal headers, on an equation parsed and bound once). A last token "path=I,J;I,J;..." plans with that explicit
 * path instead (numpy.einsum_path positions), to cost another tool's order in this library's model.
 * bench/compare_paths.py drives it.
 *
 * usage: plan_paths [--optimize auto|optimal|greedy|branch|left] [--repeat N] [--memory-limit B]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "einsumcl.h"
#include "../src/path.h"
#include "bench_timing.h"

#define MAX_REPEAT 1000

static int parse_algorithm(const char *s, ecl_path_algorithm *out)
{
    static const char *names[] = {"auto", "left", "optimal", "greedy", "branch"};
    static const ecl_path_algorithm values[] = {ECL_PATH_AUTO, ECL_PATH_LEFT, ECL_PATH_OPTIMAL,
                                                ECL_PATH_GREEDY, ECL_PATH_BRANCH};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = values[i];
            return 0;
        }
    return -1;
}

/* "8x16x64" or "scalar" into shape; returns ndim or -1. */
static int parse_shape(const char *s, int64_t *shape)
{
    if (strcmp(s, "scalar") == 0)
        return 0;
    int n = 0;
    while (*s && n < ECL_MAX_DIMS) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || v < 0)
            return -1;
        shape[n++] = v;
        s = end;
        if (*s == 'x')
            s++;
        else if (*s)
            return -1;
    }
    return *s ? -1 : n;
}

typedef struct plan_case {
    char *equation;
    int n, npairs;
    int pairs[ECL_MAX_OPERANDS][2];
    int64_t shapes[ECL_MAX_OPERANDS][ECL_MAX_DIMS];
    ecl_tensor_desc descs[ECL_MAX_OPERANDS];
} plan_case;

static int parse_case(char *line, plan_case *c)
{
    char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save);
    if (!tok)
        return -1;
    c->equation = tok;
    c->n = 0;
    c->npairs = -1;
    while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
        if (strncmp(tok, "path=", 5) == 0) {
            c->npairs = 0;
            for (char *p = tok + 5; *p && c->npairs < ECL_MAX_OPERANDS; c->npairs++) {
                char *end;
                c->pairs[c->npairs][0] = (int)strtol(p, &end, 10);
                if (*end != ',')
                    return -1;
                c->pairs[c->npairs][1] = (int)strtol(end + 1, &end, 10);
                p = *end == ';' ? end + 1 : end;
            }
            continue;
        }
        if (c->n == ECL_MAX_OPERANDS)
            return -1;
        int ndim = parse_shape(tok, c->shapes[c->n]);
        if (ndim < 0)
            return -1;
        c->descs[c->n] = (ecl_tensor_desc){ECL_F64, ndim, c->shapes[c->n], NULL};
        c->n++;
    }
    return 0;
}

/* Times ecl_path_find alone, repeat times, into times (sorted). */
static int path_search_times(const plan_case *c, const ecl_plan_options *opts, int repeat, double *times)
{
    static ecl_equation eq;
    static ecl_bound bound;
    static ecl_error err;
    ecl_path path;
    if (ecl_equation_parse(c->equation, &eq, &err) != ECL_SUCCESS ||
        ecl_bind(&eq, c->n, c->descs, &bound, &err) != ECL_SUCCESS)
        return -1;
    for (int r = 0; r < repeat; r++) {
        double t0 = bench_now_seconds();
        ecl_status st = ecl_path_find(&bound, opts, &path, &err);
        times[r] = bench_now_seconds() - t0;
        if (st != ECL_SUCCESS)
            return -1;
    }
    qsort(times, (size_t)repeat, sizeof *times, bench_compare_doubles);
    return 0;
}

static void run_case(ecl_context *ctx, plan_case *c, const ecl_plan_options *options, int repeat)
{
    double times[MAX_REPEAT];
    ecl_plan_options explicit_options = *options, *opts = &explicit_options;
    if (c->npairs >= 0) {
        opts->path = ECL_PATH_EXPLICIT;
        opts->num_pairs = c->npairs;
        opts->pairs = (const int(*)[2])c->pairs;
    }
    ecl_plan *plan = NULL;
    printf("{\"equation\":\"%s\",\"operands\":%d,", c->equation, c->n);
    for (int r = 0; r < repeat; r++) {
        ecl_plan_destroy(plan);
        plan = NULL;
        double t0 = bench_now_seconds();
        ecl_status st = ecl_plan_create(ctx, c->equation, c->n, c->descs, opts, &plan);
        times[r] = bench_now_seconds() - t0;
        if (st != ECL_SUCCESS) {
            printf("\"error\":\"%s: %s\"}\n", ecl_status_string(st), ecl_context_last_error(ctx));
            return;
        }
    }
    qsort(times, (size_t)repeat, sizeof *times, bench_compare_doubles);
    double median = times[repeat / 2], fastest = times[0];
    if (path_search_times(c, opts, repeat, times) != 0) {
        printf("\"error\":\"the path search failed on its own\"}\n");
        ecl_plan_destroy(plan);
        return;
    }
    printf("\"flops\":%.17g,\"naive_flops\":%.17g,\"peak_bytes\":%llu,\"median_s\":%.6g,\"min_s\":%.6g,"
           "\"path_median_s\":%.6g,\"path\":[", ecl_plan_flops(plan), ecl_plan_naive_flops(plan),
           (unsigned long long)ecl_plan_peak_bytes(plan), median, fastest, times[repeat / 2]);
    int pairs[ECL_MAX_OPERANDS][2];
    int np = ecl_plan_path(plan, pairs, ECL_MAX_OPERANDS);
    for (int s = 0; s < np; s++)
        printf("%s[%d,%d]", s ? "," : "", pairs[s][0], pairs[s][1]);
    printf("]}\n");
    ecl_plan_destroy(plan);
}

int main(int argc, char **argv)
{
    ecl_plan_options opts;
    ecl_plan_options_init(&opts);
    int repeat = 21;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--optimize") == 0 && i + 1 < argc) {
            if (parse_algorithm(argv[++i], &opts.path) != 0) {
                fprintf(stderr, "plan_paths: unknown algorithm '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--memory-limit") == 0 && i + 1 < argc) {
            opts.memory_limit = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: plan_paths [--optimize auto|optimal|greedy|branch|left] "
                            "[--repeat N] [--memory-limit BYTES] < cases\n");
            return 2;
        }
    }
    if (repeat < 1 || repeat > MAX_REPEAT) {
        fprintf(stderr, "plan_paths: --repeat must be 1..%d\n", MAX_REPEAT);
        return 2;
    }
    ecl_context_options co;
    ecl_context_options_init(&co);
    co.backend = ECL_BACKEND_CPU;
    ecl_context *ctx;
    if (ecl_context_create(&co, &ctx) != ECL_SUCCESS) {
        fprintf(stderr, "plan_paths: %s\n", ecl_last_create_error());
        return 1;
    }
    char line[16384];
    static plan_case c;
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (parse_case(line, &c) != 0) {
            fprintf(stderr, "plan_paths: cannot parse a case line\n");
            ecl_context_destroy(ctx);
            return 2;
        }
        run_case(ctx, &c, &opts, repeat);
        fflush(stdout);
    }
    ecl_context_destroy(ctx);
    return 0;
}
