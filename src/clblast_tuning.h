/*
 * Tuned CLBlast kernel parameters for known devices. The results of CLBlast's tuner (JSON files in
 * data/clblast/, turned into ecl_clblast_tuning_table at build time, or files named by
 * ECL_CLBLAST_TUNING_FILE) are matched against the device's vendor and name, and for each CLBlast
 * kernel (Xgemm, XgemmDirect, Copy, Pad, Transpose, Padtranspose) and precision the fastest
 * matching result is passed to CLBlastOverrideParameters before CLBlast's first GEMM on the
 * backend. Unknown devices keep CLBlast's own defaults; ECL_CLBLAST_TUNING=0 turns it all off.
 */
#ifndef ECL_CLBLAST_TUNING_H
#define ECL_CLBLAST_TUNING_H

#include "clblast_loader.h"
#include "opencl_backend.h"

typedef struct ecl_clblast_tuning_entry {
    const char *device_vendor; /* CL_DEVICE_VENDOR, e.g. "NVIDIA Corporation" */
    const char *device_name;   /* CL_DEVICE_NAME, e.g. "NVIDIA H100 80GB HBM3" */
    const char *kernel_family; /* the tuner's, e.g. "xgemm_2", "xgemm_direct_1" */
    int precision;             /* 16, 32, 64, 3232 or 6464 (CLBlastPrecision) */
    double best_time;          /* ms; among matching results for one kernel the lowest wins */
    const char *best_parameters; /* "GEMMK=0 KREG=1 ... PRECISION=32 ..." */
    const char *source;        /* file the entry came from, for messages */
} ecl_clblast_tuning_entry;

/* The built-in table (generated), ending with an entry whose device_name is NULL. */
extern const ecl_clblast_tuning_entry ecl_clblast_tuning_table[];

#define ECL_TUNING_MAX_PARAMS 32
#define ECL_TUNING_NAME_CAP 16

typedef struct ecl_tuning_params {
    int count;
    char name[ECL_TUNING_MAX_PARAMS][ECL_TUNING_NAME_CAP];
    size_t value[ECL_TUNING_MAX_PARAMS];
} ecl_tuning_params;

/* Parses a best_parameters string: NAME=VALUE pairs (upper-case names, decimal values) separated
 * by blanks. PRECISION is dropped (CLBlast takes it as an argument, not a parameter). Returns 0,
 * or -1 with a message in why naming the offending pair. */
int ecl_tuning_parse_params(const char *text, ecl_tuning_params *out, char *why, size_t why_cap);

/* The CLBlast kernel a tuner family tunes ("xgemm_11" -> "Xgemm", "xgemm_direct_1" ->
 * "XgemmDirect"), or NULL for a family einsumcl does not apply. */
const char *ecl_tuning_kernel_name(const char *family);

/* Reads one tuner JSON file (top-level string fields only) into *entry, whose strings point into
 * *storage (malloc'ed; the caller frees it). Returns 0, or -1 with why naming the file and field. */
int ecl_tuning_read_file(const char *path, ecl_clblast_tuning_entry *entry, char **storage,
                         char *why, size_t why_cap);

/* Applies the tuning for be's device (once per backend; later calls return at once). Failures
 * are not errors: that kernel keeps CLBlast's defaults (ECL_VERBOSE=1 says why). */
void ecl_clblast_apply_tuning(ecl_ocl_backend *be, const ecl_clblast_api *api);

#endif /* ECL_CLBLAST_TUNING_H */
