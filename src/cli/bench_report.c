/*
 * `einsumcl bench` output: the table on stdout, the JSON and CSV files.
 */
#include "bench_report.h"

#include <math.h>
#include <string.h>

static double rate(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0.0; }

double ecl_bench_pct_gemm(const ecl_bench_session *s, const ecl_bench_record *r)
{
    if (!s->have_ceilings || s->ceilings.gemm_flops_per_s <= 0 || r->error)
        return 0.0;
    return 100.0 * rate(r->flops, r->timing.median_s) / s->ceilings.gemm_flops_per_s;
}

double ecl_bench_pct_copy(const ecl_bench_session *s, const ecl_bench_record *r)
{
    if (!s->have_ceilings || s->ceilings.copy_bytes_per_s <= 0 || r->error)
        return 0.0;
    return 100.0 * rate(r->bytes, r->timing.median_s) / s->ceilings.copy_bytes_per_s;
}

/* ---- table ---------------------------------------------------------------------------------- */

static int name_width = 4, shape_width = 6;

void ecl_bench_print_header(FILE *f, const ecl_bench_session *s, const ecl_bench_case *cases,
                            size_t n)
{
    char shapes[512];
    name_width = 4, shape_width = 6;
    for (size_t i = 0; i < n; i++) {
        ecl_bench_format_shapes(&cases[i], shapes, sizeof shapes);
        name_width = name_width > (int)strlen(cases[i].name) ? name_width : (int)strlen(cases[i].name);
        shape_width = shape_width > (int)strlen(shapes) ? shape_width : (int)strlen(shapes);
    }
    fprintf(f, "device: %s (backend %s), dtype %s, compute %s, %s\n", s->device, s->backend,
            ecl_dtype_name(s->dtype), ecl_compute_name(s->compute), s->date);
    if (s->repeat <= 3 || s->max_seconds <= 0)
        fprintf(f, "timing: median of %d runs", s->repeat);
    else
        fprintf(f, "timing: median of up to %d runs (at least 3; fewer once they take %.3g s)",
                s->repeat, s->max_seconds);
    fprintf(f, " after %s%d warm-up runs%s\n", s->warmup ? ">= " : "", s->warmup,
            s->warmup ? " (>= 0.25 s)" : "");
    if (s->have_ceilings)
        fprintf(f, "ceilings: GEMM %.1f GFLOP/s (%lld^3), copy %.1f GB/s (%lld MiB, read + write)\n",
                s->ceilings.gemm_flops_per_s * 1e-9, (long long)s->ceilings.gemm_n,
                s->ceilings.copy_bytes_per_s * 1e-9, (long long)(s->ceilings.copy_bytes >> 20));
    fprintf(f, "\n%-*s  %-*s  %9s  %9s  %10s  %9s  %8s  %6s  %6s  %s\n", name_width, "case",
            shape_width, "shapes", "GFLOP", "MB moved", "median ms", "GFLOP/s", "GB/s", "%gemm",
            "%copy", "check");
}

void ecl_bench_print_row(FILE *f, const ecl_bench_session *s, const ecl_bench_record *r)
{
    char shapes[512];
    ecl_bench_format_shapes(r->c, shapes, sizeof shapes);
    if (r->error) {
        fprintf(f, "%-*s  %-*s  FAILED: %s\n", name_width, r->c->name, shape_width, shapes,
                r->error);
        return;
    }
    char gflops[32] = "-", pct_gemm[16] = "-", pct_copy[16] = "-";
    if (r->flops > 0)
        snprintf(gflops, sizeof gflops, "%.2f", rate(r->flops, r->timing.median_s) * 1e-9);
    if (r->flops > 0 && s->have_ceilings)
        snprintf(pct_gemm, sizeof pct_gemm, "%.0f%%", ecl_bench_pct_gemm(s, r));
    if (s->have_ceilings)
        snprintf(pct_copy, sizeof pct_copy, "%.0f%%", ecl_bench_pct_copy(s, r));
    fprintf(f, "%-*s  %-*s  %9.3f  %9.1f  %10.4f  %9s  %8.2f  %6s  %6s  %s\n", name_width,
            r->c->name, shape_width, shapes, r->flops * 1e-9, r->bytes * 1e-6,
            r->timing.median_s * 1e3, gflops, rate(r->bytes, r->timing.median_s) * 1e-9, pct_gemm,
            pct_copy, ecl_bench_check_name(r->check.state));
}

/* ---- JSON ----------------------------------------------------------------------------------- */

static void json_string(FILE *f, const char *str)
{
    fputc('"', f);
    for (; *str; str++) {
        unsigned char ch = (unsigned char)*str;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void json_shape(FILE *f, int ndim, const int64_t *shape)
{
    fputc('[', f);
    for (int d = 0; d < ndim; d++)
        fprintf(f, d ? ", %lld" : "%lld", (long long)shape[d]);
    fputc(']', f);
}

/* A finite number, or null (JSON has no inf or NaN). */
static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.9g", v);
    else
        fputs("null", f);
}

static void json_record(FILE *f, const ecl_bench_session *s, const ecl_bench_record *r)
{
    const ecl_bench_case *c = r->c;
    fputs("    {\"suite\": ", f);
    json_string(f, c->suite);
    fputs(", \"name\": ", f);
    json_string(f, c->name);
    fprintf(f, ", \"kind\": \"%s\", \"equation\": ",
            c->kind == ECL_BENCH_ATTENTION ? "attention_core" : "einsum");
    json_string(f, c->equation);
    fputs(", \"shapes\": [", f);
    for (int i = 0; i < c->num_inputs; i++) {
        fputs(i ? ", " : "", f);
        json_shape(f, c->ndim[i], c->shape[i]);
    }
    fprintf(f, "], \"dtype\": \"%s\", \"backend\": \"%s\", \"device\": ", ecl_dtype_name(s->dtype),
            s->backend);
    json_string(f, s->device);
    if (r->error) {
        fputs(", \"error\": ", f);
        json_string(f, r->error);
        fputs(", \"check\": \"-\"}", f);
        return;
    }
    fputs(", \"output_shape\": ", f);
    json_shape(f, r->out_ndim, r->out_shape);
    fprintf(f, ", \"runs\": %d, \"flops\": %.17g, \"bytes\": %.17g, \"median_s\": %.9g, "
               "\"min_s\": %.9g, \"gflops\": %.6g, \"gbps\": %.6g",
            r->timing.runs, r->flops, r->bytes, r->timing.median_s, r->timing.min_s,
            rate(r->flops, r->timing.median_s) * 1e-9, rate(r->bytes, r->timing.median_s) * 1e-9);
    if (s->have_ceilings)
        fprintf(f, ", \"pct_gemm_ceiling\": %.4g, \"pct_copy_ceiling\": %.4g",
                ecl_bench_pct_gemm(s, r), ecl_bench_pct_copy(s, r));
    fprintf(f, ", \"check\": \"%s\"", ecl_bench_check_name(r->check.state));
    if (r->check.state == ECL_BENCH_CHECK_PASS || r->check.state == ECL_BENCH_CHECK_FAIL) {
        fputs(", \"check_error\": ", f);
        json_number(f, r->check.error);
        fprintf(f, ", \"check_tolerance\": %.6g", r->check.tolerance);
    }
    fputc('}', f);
}

int ecl_bench_write_json(FILE *f, const ecl_bench_session *s, const ecl_bench_record *r, size_t n)
{
    fprintf(f, "{\"version\": \"%s\", \"date\": \"%s\", \"device\": ", s->version, s->date);
    json_string(f, s->device);
    fprintf(f, ", \"backend\": \"%s\", \"dtype\": \"%s\", \"compute\": \"%s\", \"repeat\": %d, "
               "\"warmup\": %d, \"max_seconds\": %.6g",
            s->backend, ecl_dtype_name(s->dtype), ecl_compute_name(s->compute), s->repeat,
            s->warmup, s->max_seconds);
    if (s->have_ceilings)
        fprintf(f, ", \"ceilings\": {\"gemm_gflops\": %.6g, \"gemm_n\": %lld, \"copy_gbps\": %.6g, "
                   "\"copy_bytes\": %lld}",
                s->ceilings.gemm_flops_per_s * 1e-9, (long long)s->ceilings.gemm_n,
                s->ceilings.copy_bytes_per_s * 1e-9, (long long)s->ceilings.copy_bytes);
    fputs(", \"cases\": [\n", f);
    for (size_t i = 0; i < n; i++) {
        json_record(f, s, &r[i]);
        fputs(i + 1 < n ? ",\n" : "\n", f);
    }
    fputs("]}\n", f);
    return ferror(f) ? -1 : 0;
}

/* ---- CSV ------------------------------------------------------------------------------------ */

/* A CSV field, quoted (the equations hold commas). */
static void csv_field(FILE *f, const char *str)
{
    fputc('"', f);
    for (; *str; str++) {
        if (*str == '"')
            fputc('"', f);
        fputc(*str, f);
    }
    fputc('"', f);
}

int ecl_bench_write_csv(FILE *f, const ecl_bench_session *s, const ecl_bench_record *r, size_t n)
{
    fputs("suite,name,kind,equation,shapes,dtype,backend,device,runs,median_s,min_s,flops,bytes,"
          "gflops,gbps,pct_gemm_ceiling,pct_copy_ceiling,check,check_error,error\n", f);
    char shapes[512];
    for (size_t i = 0; i < n; i++) {
        const ecl_bench_record *x = &r[i];
        ecl_bench_format_shapes(x->c, shapes, sizeof shapes);
        csv_field(f, x->c->suite);
        fputc(',', f);
        csv_field(f, x->c->name);
        fprintf(f, ",%s,", x->c->kind == ECL_BENCH_ATTENTION ? "attention_core" : "einsum");
        csv_field(f, x->c->equation);
        fputc(',', f);
        csv_field(f, shapes);
        fprintf(f, ",%s,%s,", ecl_dtype_name(s->dtype), s->backend);
        csv_field(f, s->device);
        if (x->error) {
            fputs(",,,,,,,,,,-,,", f);
            csv_field(f, x->error);
            fputc('\n', f);
            continue;
        }
        fprintf(f, ",%d,%.9g,%.9g,%.17g,%.17g,%.6g,%.6g,", x->timing.runs, x->timing.median_s,
                x->timing.min_s, x->flops, x->bytes, rate(x->flops, x->timing.median_s) * 1e-9,
                rate(x->bytes, x->timing.median_s) * 1e-9);
        if (s->have_ceilings)
            fprintf(f, "%.4g,%.4g", ecl_bench_pct_gemm(s, x), ecl_bench_pct_copy(s, x));
        else
            fputc(',', f);
        fprintf(f, ",%s,", ecl_bench_check_name(x->check.state));
        if (x->check.state == ECL_BENCH_CHECK_PASS || x->check.state == ECL_BENCH_CHECK_FAIL)
            fprintf(f, "%.6g", x->check.error);
        fputs(",\n", f);
    }
    return ferror(f) ? -1 : 0;
}
