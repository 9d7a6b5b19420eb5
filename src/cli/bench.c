/*
 * `einsumcl bench`: times the built-in suite (or one --case) on a context and prints one table row
 * per case (FLOPs, minimum bytes moved, median time, GFLOP/s, GB/s) plus, with --json, a JSON file
 * with the same numbers for bench/compare_numpy.py. The cases and the timing live in bench_cases.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_cases.h"
#include "commands.h"
#include "einsumcl.h"
#include "options.h"

typedef struct bench_options {
    ecl_dtype dtype;
    int repeat, warmup, threads;
    ecl_backend_kind backend;
    const char *device, *json_path, *only;
    int list;
} bench_options;

static const char usage[] =
    "usage: einsumcl bench [--dtype f32|f64] [--repeat N] [--warmup N] [--backend auto|cpu|opencl]\n"
    "                      [--device SPEC] [--threads N] [--json FILE] [--only NAME[,NAME...]]\n"
    "                      [--list] [--case EQUATION SHAPE [SHAPE...]]\n"
    "Times the built-in suite (or one ad-hoc --case; shapes like 8x16x64, 'scalar' for 0-d):\n"
    "plan once, random inputs, --warmup runs (default 2, and at least 0.25 s unless 0), then\n"
    "the median of --repeat runs (default 10). --list prints the selected cases and stops.\n";

static int parse_count(const char *option, const char *text, int min, int *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < min || v > 1000000)
        return ecl_cli_usage_error("bench", "%s needs a whole number from %d to 1000000, got '%s'",
                                   option, min, text);
    *out = (int)v;
    return 0;
}

/* Applies one option that takes a value; returns 0, or the exit status of a usage error. */
static int apply_option(const char *name, const char *v, bench_options *o)
{
    if (strcmp(name, "--dtype") == 0) {
        if (strcmp(v, "f32") == 0 || strcmp(v, "float32") == 0)
            o->dtype = ECL_F32;
        else if (strcmp(v, "f64") == 0 || strcmp(v, "float64") == 0)
            o->dtype = ECL_F64;
        else
            return ecl_cli_usage_error("bench", "unknown --dtype '%s' (use f32 or f64)", v);
    } else if (strcmp(name, "--backend") == 0) {
        if (ecl_cli_parse_backend(v, &o->backend) != 0)
            return ecl_cli_usage_error("bench", "unknown --backend '%s' (use auto, cpu or opencl)", v);
    } else if (strcmp(name, "--repeat") == 0) {
        return parse_count(name, v, 1, &o->repeat);
    } else if (strcmp(name, "--warmup") == 0) {
        return parse_count(name, v, 0, &o->warmup);
    } else if (strcmp(name, "--threads") == 0) {
        return parse_count(name, v, 0, &o->threads);
    } else if (strcmp(name, "--device") == 0) {
        o->device = v;
    } else if (strcmp(name, "--json") == 0) {
        o->json_path = v;
    } else {
        o->only = v;
    }
    return 0;
}

static const char *const value_options[] = {"--dtype", "--backend", "--repeat", "--warmup",
                                            "--threads", "--device", "--json", "--only"};

/* True when the comma-separated list contains name. */
static int list_contains(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
            return 1;
    return 0;
}

/* Fills the case list: the one --case, or the suite filtered by --only. */
static int collect_cases(char **argv, int case_at, int case_shapes,
                         const bench_options *o, ecl_bench_case **cases, size_t *num_cases)
{
    size_t n = case_at ? 1 : ecl_bench_suite_size();
    *cases = calloc(n, sizeof **cases);
    if (*cases == NULL) {
        ecl_cli_error("bench: out of memory");
        return ECL_CLI_ERROR;
    }
    if (case_at) {
        char err[256];
        if (ecl_bench_case_from_args(argv[case_at], case_shapes, argv + case_at + 1, *cases, err,
                                     sizeof err) != 0)
            return ecl_cli_usage_error("bench", "--case: %s", err);
        *num_cases = 1;
        return -1;
    }
    *num_cases = 0;
    for (size_t i = 0; i < n; i++) {
        ecl_bench_suite_case(i, &(*cases)[*num_cases]);
        if (o->only == NULL || list_contains(o->only, (*cases)[*num_cases].name))
            (*num_cases)++;
    }
    if (*num_cases == 0)
        return ecl_cli_usage_error("bench", "--only '%s' matches no case (see --list)", o->only);
    return -1;
}

/* Parses argv into o and the case list; returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, bench_options *o, ecl_bench_case **cases,
                      size_t *num_cases)
{
    int case_at = 0, case_shapes = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return ECL_CLI_OK;
        }
        if (strcmp(a, "--list") == 0) {
            o->list = 1;
            continue;
        }
        if (strcmp(a, "--case") == 0) {
            if (i + 1 >= argc || ecl_cli_is_option(argv[i + 1]))
                return ecl_cli_usage_error("bench", "--case needs an equation and its shapes");
            case_at = i + 1;
            for (i++; i + 1 < argc && !ecl_cli_is_option(argv[i + 1]); i++)
                case_shapes++;
            continue;
        }
        int matched = 0;
        for (size_t k = 0; k < sizeof value_options / sizeof *value_options && !matched; k++) {
            matched = ecl_cli_option_value(argc, argv, &i, value_options[k], NULL, &v);
            if (matched < 0)
                return ecl_cli_usage_error("bench", "%s needs a value", a);
            if (matched) {
                int rc = apply_option(value_options[k], v, o);
                if (rc != 0)
                    return rc;
            }
        }
        if (!matched)
            return ecl_cli_usage_error("bench", "unknown %s '%s' (see einsumcl bench --help)",
                                       ecl_cli_is_option(a) ? "option" : "argument", a);
    }
    return collect_cases(argv, case_at, case_shapes, o, cases, num_cases);
}

static void print_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void print_json_shape(FILE *f, int ndim, const int64_t *shape)
{
    fputc('[', f);
    for (int d = 0; d < ndim; d++)
        fprintf(f, d ? ", %lld" : "%lld", (long long)shape[d]);
    fputc(']', f);
}

static double rate(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0.0; }

static void print_json_case(FILE *f, const ecl_bench_case *c, const ecl_bench_result *r,
                            const char *error, const bench_options *o, const char *backend,
                            const char *device)
{
    fputs("    {\"name\": ", f);
    print_json_string(f, c->name);
    fputs(", \"equation\": ", f);
    print_json_string(f, c->equation);
    fputs(", \"shapes\": [", f);
    for (int i = 0; i < c->num_inputs; i++) {
        fputs(i ? ", " : "", f);
        print_json_shape(f, c->ndim[i], c->shape[i]);
    }
    fprintf(f, "], \"dtype\": \"%s\", \"backend\": \"%s\", \"device\": ", ecl_dtype_name(o->dtype),
            backend);
    print_json_string(f, device);
    fprintf(f, ", \"repeat\": %d, \"warmup\": %d", o->repeat, o->warmup);
    if (error != NULL) {
        fputs(", \"error\": ", f);
        print_json_string(f, error);
        fputs("}", f);
        return;
    }
    fputs(", \"output_shape\": ", f);
    print_json_shape(f, r->out_ndim, r->out_shape);
    fprintf(f, ", \"flops\": %.17g, \"bytes\": %.17g, \"median_s\": %.9g, \"min_s\": %.9g, "
               "\"gflops\": %.6g, \"gbps\": %.6g}",
            r->flops, r->bytes, r->median_s, r->min_s, rate(r->flops, r->median_s) * 1e-9,
            rate(r->bytes, r->median_s) * 1e-9);
}

/* Runs every case, printing a table row each, and writes the JSON file when asked. */
static int run_cases(ecl_context *ctx, const bench_options *o, const ecl_bench_case *cases,
                     size_t n, FILE *json)
{
    const char *backend = ecl_cli_backend_name(ecl_context_backend(ctx));
    const char *device = ecl_context_device_name(ctx);
    char shapes[512], err[1024];
    int name_w = 4, eq_w = 8, shape_w = 6, failures = 0;
    for (size_t i = 0; i < n; i++) {
        ecl_bench_format_shapes(&cases[i], shapes, sizeof shapes);
        name_w = name_w > (int)strlen(cases[i].name) ? name_w : (int)strlen(cases[i].name);
        eq_w = eq_w > (int)strlen(cases[i].equation) ? eq_w : (int)strlen(cases[i].equation);
        shape_w = shape_w > (int)strlen(shapes) ? shape_w : (int)strlen(shapes);
    }
    printf("device: %s (backend %s), dtype %s, median of %d runs after %s%d warm-up runs%s\n\n",
           device, backend, ecl_dtype_name(o->dtype), o->repeat, o->warmup ? ">= " : "", o->warmup,
           o->warmup ? " (>= 0.25 s)" : "");
    printf("%-*s  %-*s  %-*s  %10s  %9s  %10s  %9s  %8s\n", name_w, "case", eq_w, "equation",
           shape_w, "shapes", "GFLOP", "MB moved", "median ms", "GFLOP/s", "GB/s");
    if (json) {
        fputs("{\"version\": \"" ECL_VERSION_STRING "\", \"device\": ", json);
        print_json_string(json, device);
        fprintf(json, ", \"backend\": \"%s\", \"dtype\": \"%s\", \"cases\": [\n", backend,
                ecl_dtype_name(o->dtype));
    }
    for (size_t i = 0; i < n; i++) {
        const ecl_bench_case *c = &cases[i];
        ecl_bench_result r;
        ecl_bench_format_shapes(c, shapes, sizeof shapes);
        ecl_status st = ecl_bench_run_case(ctx, c, o->dtype, o->warmup, o->repeat, &r, err,
                                           sizeof err);
        if (st != ECL_SUCCESS) {
            failures++;
            ecl_cli_error("bench: %s: %s", c->name, err);
            printf("%-*s  %-*s  %-*s  FAILED (%s)\n", name_w, c->name, eq_w, c->equation, shape_w,
                   shapes, ecl_status_string(st));
        } else {
            char gflops[32] = "-";
            if (r.flops > 0)
                snprintf(gflops, sizeof gflops, "%.2f", rate(r.flops, r.median_s) * 1e-9);
            printf("%-*s  %-*s  %-*s  %10.4f  %9.1f  %10.4f  %9s  %8.2f\n", name_w, c->name, eq_w,
                   c->equation, shape_w, shapes, r.flops * 1e-9, r.bytes * 1e-6, r.median_s * 1e3,
                   gflops, rate(r.bytes, r.median_s) * 1e-9);
        }
        fflush(stdout);
        if (json) {
            print_json_case(json, c, &r, st == ECL_SUCCESS ? NULL : err, o, backend, device);
            fputs(i + 1 < n ? ",\n" : "\n", json);
        }
    }
    if (json)
        fputs("]}\n", json);
    return failures ? 1 : 0;
}

/* --list: the selected cases (the suite, filtered by --only), one line each. */
static void list_cases(const ecl_bench_case *cases, size_t n)
{
    char shapes[512];
    for (size_t i = 0; i < n; i++) {
        ecl_bench_format_shapes(&cases[i], shapes, sizeof shapes);
        printf("%-24s %-16s %s\n", cases[i].name, cases[i].equation, shapes);
    }
}

int ecl_cli_bench(int argc, char **argv)
{
    bench_options opts = {ECL_F32, 10, 2, 0, ECL_BACKEND_AUTO, NULL, NULL, NULL, 0};
    ecl_bench_case *cases = NULL;
    size_t num_cases = 0;
    int rc = parse_args(argc, argv, &opts, &cases, &num_cases);
    if (rc >= 0 || opts.list) {
        if (rc < 0)
            list_cases(cases, num_cases);
        free(cases);
        return rc >= 0 ? rc : 0;
    }

    ecl_context_options copts;
    ecl_context_options_init(&copts);
    copts.backend = opts.backend;
    copts.device = opts.device;
    copts.num_threads = opts.threads;
    ecl_context *ctx = NULL;
    ecl_status st = ecl_context_create(&copts, &ctx);
    if (st != ECL_SUCCESS) {
        const char *detail = ecl_last_create_error();
        ecl_cli_error("bench: cannot create a context for backend '%s': %s",
                      ecl_cli_backend_name(opts.backend), detail[0] ? detail : ecl_status_string(st));
        free(cases);
        return 1;
    }
    FILE *json = NULL;
    if (opts.json_path != NULL && (json = fopen(opts.json_path, "w")) == NULL) {
        ecl_cli_error("bench: cannot write %s", opts.json_path);
        rc = 1;
    } else {
        rc = run_cases(ctx, &opts, cases, num_cases, json);
        if (json != NULL && fclose(json) != 0) {
            ecl_cli_error("bench: error writing %s", opts.json_path);
            rc = 1;
        }
    }
    ecl_context_destroy(ctx);
    free(cases);
    return rc;
}
