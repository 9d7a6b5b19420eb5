/*
 * `einsumcl bench`: the options, and the run: a context on the chosen device, its measured
 * ceilings (a large GEMM and a large buffer copy), then each selected case (a suite from
 * bench/suites.def, or one --case) set up, timed, optionally checked against the CPU path, and
 * reported as a table row as it finishes (with a progress line on a terminal), and at the end in
 * the JSON and CSV files. The cases live in bench_cases.c, running and timing in bench_run.c, the
 * check in bench_check.c, the output in bench_report.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_report.h"
#include "commands.h"
#include "einsumcl.h"
#include "options.h"

typedef struct bench_options {
    ecl_dtype dtype;
    ecl_compute compute;
    int repeat, warmup, threads;
    double max_seconds;
    ecl_backend_kind backend;
    const char *device, *json_path, *csv_path, *only, *suites;
    int list, check, ceilings;
} bench_options;

static const char usage[] =
    "usage: einsumcl bench [--suite NAME[,NAME...]] [--only CASE[,CASE...]] [--list]\n"
    "                      [--case EQUATION SHAPE [SHAPE...]] [--dtype f32|f64|f16|bf16]\n"
    "                      [--compute default|tf32|f16|bf16] [--repeat N]\n"
    "                      [--warmup N] [--max-time SECONDS] [--check] [--no-ceilings]\n"
    "                      [--backend auto|cpu|opencl] [--device SPEC] [--threads N]\n"
    "                      [--json FILE] [--csv FILE]\n"
    "Benchmarks einsums on the device: the suites attention, gemm, contraction, network and\n"
    "memory (default: all of them), or one ad-hoc --case (shapes like 8x16x64, 'scalar' for 0-d).\n"
    "Measures the device's GEMM rate and copy bandwidth first (--no-ceilings skips that), then per\n"
    "case: plan once, random inputs, --warmup runs (default 2, and at least 0.25 s unless 0), then\n"
    "the median of up to --repeat timed runs (default 10; at least 3, fewer once they take\n"
    "--max-time seconds, default 2). --check compares each result with the CPU path in float64.\n"
    "--list prints the selected cases and stops. Exit status 1 when a case fails or a check fails.\n";

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

static int parse_seconds(const char *option, const char *text, double *out)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !(v >= 0.0 && v <= 86400.0))
        return ecl_cli_usage_error("bench", "%s needs seconds from 0 to 86400, got '%s'", option,
                                   text);
    *out = v;
    return 0;
}

/* True when the comma-separated list contains name. */
static int list_contains(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
            return 1;
    return 0;
}

/* Every name of a --suite list is a suite. */
static int check_suites(const char *list)
{
    char name[64];
    for (const char *p = list; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        size_t len = strcspn(p, ",");
        snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), p);
        if (!ecl_bench_is_suite(name))
            return ecl_cli_usage_error("bench", "unknown suite '%s' in --suite (the suites: %s)",
                                       name, ecl_bench_suite_names());
    }
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
        else if (strcmp(v, "f16") == 0 || strcmp(v, "float16") == 0)
            o->dtype = ECL_F16;
        else if (strcmp(v, "bf16") == 0 || strcmp(v, "bfloat16") == 0)
            o->dtype = ECL_BF16;
        else
            return ecl_cli_usage_error("bench", "unknown --dtype '%s' (use f32, f64, f16 or bf16)", v);
    } else if (strcmp(name, "--compute") == 0) {
        ecl_compute compute;
        if (ecl_cli_parse_compute(v, &compute) != 0)
            return ecl_cli_usage_error("bench", "unknown --compute '%s' (use default, tf32, f16 or bf16)", v);
        o->compute = compute;
    } else if (strcmp(name, "--backend") == 0) {
        if (ecl_cli_parse_backend(v, &o->backend) != 0)
            return ecl_cli_usage_error("bench", "unknown --backend '%s' (use auto, cpu or opencl)", v);
    } else if (strcmp(name, "--repeat") == 0) {
        return parse_count(name, v, 1, &o->repeat);
    } else if (strcmp(name, "--warmup") == 0) {
        return parse_count(name, v, 0, &o->warmup);
    } else if (strcmp(name, "--threads") == 0) {
        return parse_count(name, v, 0, &o->threads);
    } else if (strcmp(name, "--max-time") == 0) {
        return parse_seconds(name, v, &o->max_seconds);
    } else if (strcmp(name, "--device") == 0) {
        o->device = v;
    } else if (strcmp(name, "--json") == 0) {
        o->json_path = v;
    } else if (strcmp(name, "--csv") == 0) {
        o->csv_path = v;
    } else if (strcmp(name, "--suite") == 0) {
        o->suites = v;
        return check_suites(v);
    } else {
        o->only = v;
    }
    return 0;
}

static const char *const value_options[] = {"--dtype", "--compute", "--backend", "--repeat", "--warmup",
                                            "--threads", "--max-time", "--device", "--json",
                                            "--csv", "--suite", "--only"};

/* Fills the case list: the one --case, or the suites filtered by --suite and --only. */
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
        if (o->suites || o->only)
            return ecl_cli_usage_error("bench", "--case runs one ad-hoc case: no --suite or --only");
        if (ecl_bench_case_from_args(argv[case_at], case_shapes, argv + case_at + 1, *cases, err,
                                     sizeof err) != 0)
            return ecl_cli_usage_error("bench", "--case: %s", err);
        *num_cases = 1;
        return -1;
    }
    *num_cases = 0;
    for (size_t i = 0; i < n; i++) {
        ecl_bench_case *c = &(*cases)[*num_cases];
        ecl_bench_suite_case(i, c);
        if ((o->suites == NULL || list_contains(o->suites, c->suite)) &&
            (o->only == NULL || list_contains(o->only, c->name)))
            (*num_cases)++;
    }
    if (*num_cases == 0)
        return ecl_cli_usage_error("bench", "--only '%s' matches no case of the selected suites "
                                   "(see --list)", o->only);
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
        if (strcmp(a, "--check") == 0) {
            o->check = 1;
            continue;
        }
        if (strcmp(a, "--no-ceilings") == 0) {
            o->ceilings = 0;
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

/* --list: the selected cases, one line each: name, suite, equation, shapes. */
static void list_cases(const ecl_bench_case *cases, size_t n)
{
    char shapes[512];
    for (size_t i = 0; i < n; i++) {
        ecl_bench_format_shapes(&cases[i], shapes, sizeof shapes);
        printf("%-26s %-12s %-26s %s\n", cases[i].name, cases[i].suite, cases[i].equation, shapes);
    }
}

/* On a terminal, one line on stderr saying what runs now (erased before the next row). */
static void progress(const char *fmt, size_t i, size_t n, const char *name)
{
    if (!isatty(STDERR_FILENO))
        return;
    if (fmt == NULL)
        fputs("\r\033[K", stderr);
    else
        fprintf(stderr, fmt, i, n, name);
    fflush(stderr);
}

/* Sets up, times and (with --check) checks one case; fills the record. err holds the reason. */
static void run_case(ecl_context *ctx, ecl_context **cpu, const bench_options *o,
                     const ecl_bench_case *c, ecl_bench_record *r, char *err, size_t err_size)
{
    memset(r, 0, sizeof *r);
    r->c = c;
    ecl_bench_inputs in;
    if (ecl_bench_inputs_make(c, &in) != 0) {
        snprintf(err, err_size, "out of host memory for the inputs of '%s'", c->equation);
        r->error = err;
        return;
    }
    ecl_bench_work w;
    ecl_status st = ecl_bench_work_setup(ctx, c, o->dtype, o->compute, &in, &w, err, err_size);
    if (st == ECL_SUCCESS) {
        r->flops = w.flops;
        r->out_ndim = ecl_tensor_ndim(w.output);
        memcpy(r->out_shape, ecl_tensor_shape(w.output), (size_t)r->out_ndim * sizeof(int64_t));
        r->bytes = (double)ecl_dtype_size(o->dtype) *
                   ecl_bench_min_elements(c, (double)ecl_tensor_numel(w.output));
        st = ecl_bench_time(&w, o->warmup, o->repeat, o->max_seconds, &r->timing);
        if (st != ECL_SUCCESS) {
            const char *detail = ecl_context_last_error(ctx);
            snprintf(err, err_size, "executing '%s' failed: %s%s%s", c->equation,
                     ecl_status_string(st), detail[0] ? ": " : "", detail);
        }
        if (st == ECL_SUCCESS && o->check)
            st = ecl_bench_check_output(cpu, c, &in, &w, &r->check, err, err_size);
        ecl_bench_work_free(&w);
    }
    if (st != ECL_SUCCESS)
        r->error = err;
    ecl_bench_inputs_free(&in);
}

static int write_file(const char *path, const char *what, const ecl_bench_session *s,
                      const ecl_bench_record *r, size_t n,
                      int (*writer)(FILE *, const ecl_bench_session *, const ecl_bench_record *,
                                    size_t))
{
    FILE *f = fopen(path, "w");
    int bad = f == NULL || writer(f, s, r, n) != 0;
    if (f != NULL && fclose(f) != 0)
        bad = 1;
    if (bad)
        ecl_cli_error("bench: cannot write the %s file %s", what, path);
    return bad;
}

/* Runs every case, printing its row as it finishes; returns the exit status. */
static int run_cases(ecl_context *ctx, const bench_options *o, ecl_bench_session *s,
                     const ecl_bench_case *cases, size_t n)
{
    ecl_bench_record *records = calloc(n, sizeof *records);
    char (*errors)[1024] = calloc(n, sizeof *errors);
    if (records == NULL || errors == NULL) {
        free(records);
        free(errors);
        ecl_cli_error("bench: out of memory");
        return 1;
    }
    if (o->ceilings) {
        progress("[%zu/%zu] measuring the device's GEMM rate and copy bandwidth%s", 0, n, "");
        /* 16-bit tensors compute in float32, so their GEMM ceiling is float32's */
        const ecl_dtype gemm_dtype = o->dtype == ECL_F64 ? ECL_F64 : ECL_F32;
        s->have_ceilings = ecl_measure_ceilings(ctx, gemm_dtype, &s->ceilings) == ECL_SUCCESS;
        progress(NULL, 0, 0, NULL);
        if (!s->have_ceilings)
            ecl_cli_error("bench: measuring the ceilings failed (%s); going on without them",
                          ecl_context_last_error(ctx));
    }
    ecl_bench_print_header(stdout, s, cases, n);
    fflush(stdout);
    ecl_context *cpu = NULL;
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        progress("[%zu/%zu] %s", i + 1, n, cases[i].name);
        run_case(ctx, &cpu, o, &cases[i], &records[i], errors[i], sizeof errors[i]);
        progress(NULL, 0, 0, NULL);
        if (records[i].error)
            ecl_cli_error("bench: %s: %s", cases[i].name, records[i].error);
        failures += records[i].error != NULL || records[i].check.state == ECL_BENCH_CHECK_FAIL;
        ecl_bench_print_row(stdout, s, &records[i]);
        fflush(stdout);
    }
    ecl_context_destroy(cpu);
    if (failures)
        ecl_cli_error("bench: %d of %zu cases failed or did not pass the check", failures, n);
    if (o->json_path && write_file(o->json_path, "JSON", s, records, n, ecl_bench_write_json))
        failures++;
    if (o->csv_path && write_file(o->csv_path, "CSV", s, records, n, ecl_bench_write_csv))
        failures++;
    free(records);
    free(errors);
    return failures ? 1 : 0;
}

static void utc_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "unknown");
}

int ecl_cli_bench(int argc, char **argv)
{
    bench_options opts = {ECL_F32, ECL_COMPUTE_DEFAULT, 10, 2, 0, 2.0, ECL_BACKEND_AUTO, NULL, NULL, NULL,
                          NULL, NULL, 0, 0, 1};
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
    ecl_bench_session session = {ecl_context_device_name(ctx),
                                 ecl_cli_backend_name(ecl_context_backend(ctx)),
                                 ECL_VERSION_STRING, opts.dtype, opts.compute, opts.repeat,
                                 opts.warmup,
                                 opts.max_seconds, 0, {0, 0, 0, 0}, ""};
    utc_now(session.date, sizeof session.date);
    rc = run_cases(ctx, &opts, &session, cases, num_cases);
    ecl_context_destroy(ctx);
    free(cases);
    return rc;
}
