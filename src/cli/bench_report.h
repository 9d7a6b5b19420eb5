/*
 * What `einsumcl bench` reports: the readable table (one row per case, as it finishes), and the
 * JSON and CSV files with every figure and the device description.
 */
#ifndef ECL_CLI_BENCH_REPORT_H
#define ECL_CLI_BENCH_REPORT_H

#include <stdio.h>

#include "bench_check.h"

/* One case's outcome. */
typedef struct ecl_bench_record {
    const ecl_bench_case *c;
    const char *error;  /* NULL on success, else the one-line reason */
    ecl_bench_timing timing;
    double flops, bytes;
    int out_ndim;
    int64_t out_shape[ECL_MAX_DIMS];
    ecl_bench_check check;
} ecl_bench_record;

/* What holds for the whole run. */
typedef struct ecl_bench_session {
    const char *device, *backend, *version;
    ecl_dtype dtype;
    ecl_compute compute;
    int repeat, warmup;
    double max_seconds;
    int have_ceilings;
    ecl_ceilings ceilings;
    char date[32];  /* UTC, ISO 8601 */
} ecl_bench_session;

/* The share of the measured ceilings a record reached (0 when unknown). */
double ecl_bench_pct_gemm(const ecl_bench_session *s, const ecl_bench_record *r);
double ecl_bench_pct_copy(const ecl_bench_session *s, const ecl_bench_record *r);

/* Table: the header (device, ceilings, column names sized for the cases), then a row per record. */
void ecl_bench_print_header(FILE *f, const ecl_bench_session *s, const ecl_bench_case *cases,
                            size_t n);
void ecl_bench_print_row(FILE *f, const ecl_bench_session *s, const ecl_bench_record *r);

/* Files: every record; return 0, or -1 when writing failed. */
int ecl_bench_write_json(FILE *f, const ecl_bench_session *s, const ecl_bench_record *r, size_t n);
int ecl_bench_write_csv(FILE *f, const ecl_bench_session *s, const ecl_bench_record *r, size_t n);

#endif /* ECL_CLI_BENCH_REPORT_H */
