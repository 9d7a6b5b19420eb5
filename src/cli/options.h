/*
 * Helpers shared by the einsumcl subcommands: one-line error messages on stderr, option matching
 * ("--name VALUE", "--name=VALUE", "-o VALUE", "-oVALUE"), --backend values, context creation with
 * a readable failure message, and the usage text of each subcommand.
 */
#ifndef ECL_CLI_OPTIONS_H
#define ECL_CLI_OPTIONS_H

#include <stdio.h>

#include "einsumcl.h"

enum { ECL_CLI_OK = 0, ECL_CLI_ERROR = 1, ECL_CLI_USAGE = 2 };

/* Prints "einsumcl: <message>" as one line on stderr (newlines in the message become spaces). */
void ecl_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports a usage problem of subcommand `command` on one line and returns ECL_CLI_USAGE. */
/* Splits a subcommand's positional arguments into the equation and its 1..ECL_MAX_OPERANDS
 * operands (what: "input files", "shapes"); returns ECL_CLI_OK or the exit status of a usage error. */
int ecl_cli_split_operands(const char *command, const char *what, int count, char **positional,
                           const char **equation, char ***operands, int *num_operands);
int ecl_cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The last detailed error of ctx, or the static text of status when there is none. */
const char *ecl_cli_error_text(const ecl_context *ctx, ecl_status status);

/* Reports a failed load/save of `path`, naming the file unless the library's message already does. */
void ecl_cli_file_error(const ecl_context *ctx, ecl_status status, const char *path);

/* True when arg is an option rather than an operand. "-" and equations such as "->" are operands. */
int ecl_cli_is_option(const char *arg);

/* Matches argv[*i] against an option that takes a value, long ("--backend") and/or short ("-o",
 * may be NULL). Returns 1 and sets *value (advancing *i past a separate value), 0 when argv[*i] is
 * another option, -1 when the value is missing. */
int ecl_cli_option_value(int argc, char **argv, int *i, const char *long_name,
                         const char *short_name, const char **value);

/* Parses a --backend value (auto, cpu, opencl); nonzero when unknown. */
int ecl_cli_parse_backend(const char *text, ecl_backend_kind *out);
const char *ecl_cli_backend_name(ecl_backend_kind kind);
/* Parses a --compute value (default, tf32, f16, bf16); nonzero when unknown. */
int ecl_cli_parse_compute(const char *text, ecl_compute *out);

/* Where a subcommand runs: --backend and --device (NULL = ECL_DEVICE or automatic). */
typedef struct ecl_cli_target {
    ecl_backend_kind backend;
    const char *device;
} ecl_cli_target;

/* Matches --backend / --device at argv[*i] for subcommand `command`: 1 when consumed (advancing
 * *i past a separate value), 0 when argv[*i] is another option, -1 after reporting a usage error. */
int ecl_cli_target_option(const char *command, int argc, char **argv, int *i, ecl_cli_target *target);

/* Creates a context on the target's backend and device; on failure prints the error and returns
 * NULL. */
ecl_context *ecl_cli_open_context(const ecl_cli_target *target);

/* Usage text of each subcommand (and of the whole command), printed to `out`. */
void ecl_cli_print_usage(FILE *out);
void ecl_cli_eval_usage(FILE *out);
void ecl_cli_path_usage(FILE *out);
void ecl_cli_devices_usage(FILE *out);

#endif /* ECL_CLI_OPTIONS_H */
