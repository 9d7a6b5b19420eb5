/*
 * Tests of `einsumcl bench` as a user runs it: suite selection and listing, an ad-hoc --case with
 * --check, the table, JSON and CSV outputs with every promised field, the measured ceilings, the
 * same on OpenCL (skipped visibly where there is no device), and each usage error.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_select.h"
#include "cli_run.h"

static char dir[4096];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "%s/bench-XXXXXX", ECL_TEST_TMPDIR);
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    const char *names[] = {"r.json", "r.csv", NULL};
    char path[4200];
    for (int i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

TestSuite(cli_bench, .init = make_dir, .fini = remove_dir);

static const char *path_in_dir(const char *name)
{
    static char paths[4][4200];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

static ecl_cli_result bench(const char *const *args)
{
    return ecl_cli_run(args, (const char *const[]){"ECL_BACKEND=cpu", NULL}, dir);
}

static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    for (const char *line = text; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "")
        n += strncmp(line, prefix, strlen(prefix)) == 0;
    return n;
}

static void assert_usage_error(const char *const *args, const char *needle)
{
    ecl_cli_result r = bench(args);
    cr_assert_eq(r.status, 2, "exit %d; stderr: %s", r.status, r.err);
    cr_assert_eq(strncmp(r.err, "einsumcl: ", 10), 0, "stderr: %s", r.err);
    cr_assert_eq(count_lines(r.err, ""), 1, "not one line: %s", r.err);
    cr_assert_not_null(strstr(r.err, needle), "'%s' not in: %s", needle, r.err);
    cr_assert_str_empty(r.out);
    ecl_cli_result_free(&r);
}

Test(cli_bench, list_selects_suites_and_cases)
{
    ecl_cli_result all = bench((const char *[]){"bench", "--list", NULL});
    cr_assert_eq(all.status, 0, "%s", all.err);
    const char *suites[] = {"attention", "gemm", "contraction", "network", "memory"};
    int total = 0;
    for (int s = 0; s < 5; s++) {
        ecl_cli_result one = bench((const char *[]){"bench", "--list", "--suite", suites[s], NULL});
        cr_assert_eq(one.status, 0, "%s", one.err);
        int lines = count_lines(one.out, "");
        cr_assert_geq(lines, 4, "suite %s lists %d cases", suites[s], lines);
        char column[32];
        snprintf(column, sizeof column, " %s ", suites[s]);
        for (const char *line = one.out; *line; line = strchr(line, '\n') + 1) {
            const char *end = strchr(line, '\n');
            const char *hit = strstr(line, column);
            cr_assert(hit != NULL && hit < end, "a case of another suite: %.*s", (int)(end - line),
                      line);
        }
        total += lines;
        ecl_cli_result_free(&one);
    }
    cr_assert_eq(count_lines(all.out, ""), total, "the suites do not add up to the whole list");
    cr_assert_not_null(strstr(all.out, "attn_core_n1024"));
    ecl_cli_result_free(&all);

    ecl_cli_result two = bench((const char *[]){"bench", "--list", "--suite", "gemm,memory",
                                                "--only", "gemm_2048,transpose_4096", NULL});
    cr_assert_eq(two.status, 0);
    cr_assert_eq(count_lines(two.out, ""), 2, "%s", two.out);
    ecl_cli_result_free(&two);
}

/* The JSON holds each promised field of the one case. */
static void assert_json_case(const char *json, const char *backend)
{
    const char *fields[] = {"\"name\": \"custom\"", "\"equation\": \"ij,jk->ik\"",
                            "\"shapes\": [[40, 30], [30, 20]]", "\"dtype\": \"float32\"",
                            "\"device\": ", "\"median_s\": ", "\"gflops\": ", "\"gbps\": ",
                            "\"check\": \"pass\"", "\"check_error\": ", "\"output_shape\": [40, 20]",
                            "\"flops\": 48000,", "\"bytes\": 10400,", "\"runs\": 3",
                            "\"kind\": \"einsum\"", "\"suite\": \"custom\""};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        cr_assert_not_null(strstr(json, fields[i]), "JSON lacks %s: %s", fields[i], json);
    char want[64];
    snprintf(want, sizeof want, "\"backend\": \"%s\"", backend);
    cr_assert_not_null(strstr(json, want), "JSON lacks %s: %s", want, json);
}

static void case_with_check(const char *backend)
{
    const char *json = path_in_dir("r.json"), *csv = path_in_dir("r.csv");
    ecl_cli_result r = bench((const char *[]){"bench", "--backend", backend, "--no-ceilings",
                                              "--check", "--repeat", "3", "--warmup", "1",
                                              "--json", json, "--csv", csv, "--case", "ij,jk->ik",
                                              "40x30", "30x20", NULL});
    cr_assert_eq(r.status, 0, "exit %d; stderr: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.out, "custom"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "pass"), "%s", r.out);
    cr_assert_null(strstr(r.out, "ceilings:"), "ceilings measured despite --no-ceilings");
    char *text = ecl_test_read_file(json, NULL);
    assert_json_case(text, backend);
    cr_assert_null(strstr(text, "\"ceilings\""));
    free(text);
    text = ecl_test_read_file(csv, NULL);
    cr_assert_eq(strncmp(text, "suite,name,kind,equation,shapes,dtype,backend,device,runs,median_s",
                         66), 0, "%s", text);
    cr_assert_eq(count_lines(text, ""), 2, "%s", text);
    cr_assert_not_null(strstr(text, "\"custom\",\"custom\",einsum,\"ij,jk->ik\",\"40x30,30x20\""),
                       "%s", text);
    cr_assert_not_null(strstr(text, ",pass,"), "%s", text);
    free(text);
    ecl_cli_result_free(&r);
}

Test(cli_bench, case_with_check_json_and_csv) { case_with_check("cpu"); }

Test(cli_bench, case_with_check_on_opencl)
{
    ecl_context_destroy(ecl_test_context(ECL_BACKEND_OPENCL)); /* skips without a device */
    case_with_check("opencl");
}

Test(cli_bench, suite_case_with_ceilings_and_percentages)
{
    const char *json = path_in_dir("r.json");
    ecl_cli_result r = bench((const char *[]){"bench", "--suite", "network", "--only", "net_chain4",
                                              "--check", "--repeat", "3", "--json", json, NULL});
    cr_assert_eq(r.status, 0, "exit %d; stderr: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.out, "ceilings: GEMM "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "%gemm"), "%s", r.out);
    char *text = ecl_test_read_file(json, NULL);
    const char *fields[] = {"\"ceilings\": {\"gemm_gflops\": ", "\"copy_gbps\": ",
                            "\"pct_gemm_ceiling\": ", "\"pct_copy_ceiling\": ",
                            "\"suite\": \"network\"", "\"name\": \"net_chain4\"",
                            "\"check\": \"pass\""};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        cr_assert_not_null(strstr(text, fields[i]), "JSON lacks %s: %s", fields[i], text);
    free(text);
    ecl_cli_result_free(&r);
}

Test(cli_bench, usage_errors)
{
    assert_usage_error((const char *[]){"bench", "--suite", "gemm,nosuch", NULL}, "'nosuch'");
    assert_usage_error((const char *[]){"bench", "--only", "nosuch", NULL}, "'nosuch'");
    assert_usage_error((const char *[]){"bench", "--suite", "gemm", "--case", "ij->j", "3x4", NULL},
                       "--case");
    assert_usage_error((const char *[]){"bench", "--case", "ij->j", "3x4:f64", NULL}, "3x4:f64");
    assert_usage_error((const char *[]){"bench", "--case", "ij->j", "3xq", NULL}, "3xq");
    assert_usage_error((const char *[]){"bench", "--max-time", "-1", NULL}, "--max-time");
    assert_usage_error((const char *[]){"bench", "--repeat", "0", NULL}, "--repeat");
    assert_usage_error((const char *[]){"bench", "--dtype", "f8", NULL}, "'f8'");
    assert_usage_error((const char *[]){"bench", "--compute", "fp8", NULL}, "'fp8'");
    assert_usage_error((const char *[]){"bench", "--csv", NULL}, "--csv");
    assert_usage_error((const char *[]){"bench", "--frobnicate", NULL}, "--frobnicate");
}

Test(cli_bench, failures_exit_1_and_name_the_case)
{
    ecl_cli_result r = bench((const char *[]){"bench", "--no-ceilings", "--case", "ij,jk->ik",
                                              "3x4", "5x6", NULL});
    cr_assert_eq(r.status, 1, "exit %d", r.status);
    cr_assert_not_null(strstr(r.err, "label 'j'"), "%s", r.err);
    cr_assert_not_null(strstr(r.out, "FAILED"), "%s", r.out);
    ecl_cli_result_free(&r);

    r = bench((const char *[]){"bench", "--no-ceilings", "--repeat", "1", "--json",
                               "/nonexistent-dir/r.json", "--case", "i->", "5", NULL});
    cr_assert_eq(r.status, 1, "exit %d", r.status);
    cr_assert_not_null(strstr(r.err, "/nonexistent-dir/r.json"), "%s", r.err);
    ecl_cli_result_free(&r);
}
