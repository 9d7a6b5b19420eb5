/*
 * Tests of the tuned CLBlast parameters (clblast_tuning.c, clblast_tuning_file.c and the table
 * cmake/embed_clblast_tuning.cmake builds from data/clblast/): the best_parameters parser, the
 * tuner-family to kernel mapping, the built-in table, reading a tuner file, and applying entries
 * written for this machine's OpenCL device through ECL_CLBLAST_TUNING_FILE (CLBlast accepts them,
 * GEMMs stay right, the fastest entry per kernel wins), ECL_CLBLAST_TUNING=0, and an unknown
 * device (the built-in table has no entry for PoCL) keeping CLBlast's defaults.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "clblast_tuning.h"
#include "gemm_case.h"
#include "opencl_gemm_select.h"

Test(clblast_tuning, parses_best_parameters)
{
    ecl_tuning_params p;
    char why[256];
    cr_assert_eq(ecl_tuning_parse_params("GEMMK=0 KREG=1 KWG=32 KWI=2 MDIMA=16 MDIMC=16 MWG=128 "
                                         "NDIMB=8 NDIMC=16 NWG=128 PRECISION=32 SA=1 SB=1 STRM=0 "
                                         "STRN=1 VWM=4 VWN=4",
                                         &p, why, sizeof why),
                 0, "%s", why);
    cr_assert_eq(p.count, 16, "PRECISION must be dropped: %d parameters", p.count);
    cr_assert_str_eq(p.name[0], "GEMMK");
    cr_assert_eq(p.value[6], 128);
    cr_assert_str_eq(p.name[6], "MWG");
    cr_assert_str_eq(p.name[15], "VWN");
    cr_assert_eq(ecl_tuning_parse_params("  ", &p, why, sizeof why), 0);
    cr_assert_eq(p.count, 0);
    const char *bad[][2] = {{"GEMMK", "NAME=VALUE"},     {"GEMMK=x", "NAME=VALUE"},
                            {"gemmk=1", "NAME=VALUE"},   {"KWG=32 KWG=16", "KWG is given twice"},
                            {"ABCDEFGHIJKLMNOPQ=1", "NAME=VALUE"}, {"MWG=64,NWG=64", "NAME=VALUE"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(ecl_tuning_parse_params(bad[i][0], &p, why, sizeof why), -1, "%s", bad[i][0]);
        cr_assert(strstr(why, bad[i][1]), "%s: %s", bad[i][0], why);
    }
}

Test(clblast_tuning, kernel_names)
{
    cr_assert_str_eq(ecl_tuning_kernel_name("xgemm_11"), "Xgemm");
    cr_assert_str_eq(ecl_tuning_kernel_name("xgemm_2"), "Xgemm");
    cr_assert_str_eq(ecl_tuning_kernel_name("xgemm_direct_1"), "XgemmDirect");
    cr_assert_str_eq(ecl_tuning_kernel_name("padtranspose"), "Padtranspose");
    cr_assert_str_eq(ecl_tuning_kernel_name("copy"), "Copy");
    cr_assert_null(ecl_tuning_kernel_name("xdot_1"));
    cr_assert_null(ecl_tuning_kernel_name("xgemm_"));
}

/* Every shipped entry parses, names a kernel we apply, and the H100's Xgemm results are there. */
Test(clblast_tuning, built_in_table)
{
    int n = 0, h100 = 0;
    for (const ecl_clblast_tuning_entry *e = ecl_clblast_tuning_table; e->device_name; e++, n++) {
        ecl_tuning_params p;
        char why[256];
        cr_assert_eq(ecl_tuning_parse_params(e->best_parameters, &p, why, sizeof why), 0,
                     "%s: %s", e->source, why);
        cr_assert(ecl_tuning_kernel_name(e->kernel_family), "%s: family %s", e->source,
                  e->kernel_family);
        cr_assert(e->best_time > 0, "%s", e->source);
        h100 += strcmp(e->device_name, "NVIDIA H100 80GB HBM3") == 0 &&
                strcmp(e->device_vendor, "NVIDIA Corporation") == 0 && e->precision == 32 &&
                strcmp(ecl_tuning_kernel_name(e->kernel_family), "Xgemm") == 0;
    }
    cr_assert_eq(h100, 3, "H100 Xgemm entries: %d of %d", h100, n);
}

static void write_tuning(const char *path, const char *vendor, const char *device,
                         const char *family, const char *time, const char *params)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fprintf(f,
            "{\n  \"kernel_family\": \"%s\",\n  \"precision\": \"32\",\n  \"best_kernel\": \"X\",\n"
            "  \"best_time\": \"%s\",\n  \"best_parameters\": \"%s\",\n"
            "  \"clblast_device_name\": \"%s\",\n  \"device_vendor\": \"%s\",\n"
            "  \"results\": [ {\"kernel\": \"X\", \"time\": 1.0, \"parameters\": {\"KWG\": 1}} ]\n}\n",
            family, time, params, device, vendor);
    fclose(f);
}

Test(clblast_tuning, reads_tuner_files)
{
    const char *path = ECL_TEST_TMPDIR "/tuning_read.json";
    write_tuning(path, "ACME", "Widget 9", "xgemm_direct_1", "0.25", "WGD=32 PRECISION=32");
    ecl_clblast_tuning_entry e;
    char *storage, why[512];
    cr_assert_eq(ecl_tuning_read_file(path, &e, &storage, why, sizeof why), 0, "%s", why);
    cr_assert_str_eq(e.device_vendor, "ACME");
    cr_assert_str_eq(e.device_name, "Widget 9");
    cr_assert_str_eq(e.kernel_family, "xgemm_direct_1");
    cr_assert_eq(e.precision, 32);
    cr_assert_float_eq(e.best_time, 0.25, 1e-12);
    cr_assert_str_eq(e.best_parameters, "WGD=32 PRECISION=32");
    cr_assert_str_eq(e.source, path);
    free(storage);
    FILE *f = fopen(path, "w");
    fputs("{\"kernel_family\": \"xgemm_1\", \"results\": [{\"best_parameters\": \"KWG=1\"}]}", f);
    fclose(f);
    cr_assert_eq(ecl_tuning_read_file(path, &e, &storage, why, sizeof why), -1);
    cr_assert(strstr(why, "no string field \"device_vendor\""), "%s", why);
    cr_assert_eq(ecl_tuning_read_file(ECL_TEST_TMPDIR "/no-such.json", &e, &storage, why,
                                      sizeof why), -1);
    cr_assert(strstr(why, "cannot open tuning file"), "%s", why);
}

/* ---- applied on this machine's OpenCL device ------------------------------------------------ */

static ecl_error err;
static ecl_backend *be;

static void teardown(void)
{
    if (be)
        be->ops->destroy(be);
}

/* Runs one small (XgemmDirect) and one large (Xgemm) product on CLBlast and returns the number
 * of overrides applied. */
static int run_gemms(void)
{
    setenv("ECL_GEMM", "clblast", 1);
    gcase small = gemm_plain(ECL_F32, 0, 1, 13, 17, 9, 1);
    gemm_place(&small);
    gemm_case_check(be, &err, &small, "small product after tuning");
    gcase large = gemm_plain(ECL_F32, 1, 0, 160, 150, 140, 0);
    gemm_place(&large);
    gemm_case_check(be, &err, &large, "large product after tuning");
    const ecl_ocl_gemm_state *state = ((ecl_ocl_backend *)be)->gemm;
    cr_assert(state && state->tuning_done, "tuning was not attempted");
    return state->tuning_applied;
}

/* Files for this device: valid Xgemm and XgemmDirect parameters, plus a slower Xgemm result
 * whose parameters CLBlast would refuse (one missing), which must lose to the faster one. */
static void device_files(void)
{
    be = ecl_test_opencl_backend(&err);
    const ecl_ocl_device_info *info = &((ecl_ocl_backend *)be)->info;
    const char *xgemm = ECL_TEST_TMPDIR "/tuning_xgemm.json";
    const char *direct = ECL_TEST_TMPDIR "/tuning_direct.json";
    const char *slow = ECL_TEST_TMPDIR "/tuning_slow.json";
    write_tuning(xgemm, info->vendor, info->name, "xgemm_1", "0.50",
                 "GEMMK=0 KREG=1 KWG=32 KWI=2 MDIMA=16 MDIMC=16 MWG=64 NDIMB=8 NDIMC=8 NWG=64 "
                 "PRECISION=32 SA=1 SB=1 STRM=0 STRN=0 VWM=4 VWN=4");
    write_tuning(direct, info->vendor, info->name, "xgemm_direct_1", "0.03",
                 "KWID=2 MDIMAD=16 MDIMCD=16 NDIMBD=16 NDIMCD=16 PADA=1 PADB=1 PRECISION=32 "
                 "VWMD=1 VWND=1 WGD=32");
    write_tuning(slow, info->vendor, info->name, "xgemm_2", "0.90", "GEMMK=0 KREG=1");
    setenv("ECL_CLBLAST_TUNING_FILE",
           ECL_TEST_TMPDIR "/tuning_slow.json:" ECL_TEST_TMPDIR "/tuning_xgemm.json:"
           ECL_TEST_TMPDIR "/tuning_direct.json", 1);
}

Test(clblast_tuning, applied_for_this_device, .fini = teardown)
{
    device_files();
    cr_assert_eq(run_gemms(), 2, "want Xgemm and XgemmDirect overridden");
}

Test(clblast_tuning, turned_off, .fini = teardown)
{
    device_files();
    setenv("ECL_CLBLAST_TUNING", "0", 1);
    cr_assert_eq(run_gemms(), 0);
}

Test(clblast_tuning, unknown_device_keeps_defaults, .fini = teardown)
{
    be = ecl_test_opencl_backend(&err);
    unsetenv("ECL_CLBLAST_TUNING_FILE");
    cr_assert_eq(run_gemms(), 0, "the built-in table matched %s", ((ecl_ocl_backend *)be)->info.name);
}
