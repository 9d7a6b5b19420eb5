/*
 * Shared plumbing of the einsumcl subcommands: one-line "einsumcl: ..." error messages, matching
 * options with values, --backend names, the --backend / --device pair and context creation that
 * explains its failure.
 */
#include "options.h"

#include <stdarg.h>
#include <string.h>

static void print_error_line(const char *prefix, const char *fmt, va_list args)
{
    char message[2048];
    vsnprintf(message, sizeof message, fmt, args);
    for (char *c = message; *c; c++) {
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    }
    fprintf(stderr, "einsumcl: %s%s\n", prefix, message);
}

void ecl_cli_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    print_error_line("", fmt, args);
    va_end(args);
}

int ecl_cli_usage_error(const char *command, const char *fmt, ...)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s: ", command);
    va_list args;
    va_start(args, fmt);
    print_error_line(prefix, fmt, args);
    va_end(args);
    return ECL_CLI_USAGE;
}

const char *ecl_cli_error_text(const ecl_context *ctx, ecl_status status)
{
    const char *detail = ctx ? ecl_context_last_error(ctx) : NULL;
    return detail && detail[0] ? detail : ecl_status_string(status);
}

void ecl_cli_file_error(const ecl_context *ctx, ecl_status status, const char *path)
{
    const char *text = ecl_cli_error_text(ctx, status);
    if (strstr(text, path))
        ecl_cli_error("%s", text);
    else
        ecl_cli_error("%s: %s", path, text);
}

int ecl_cli_is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] != '\0' && arg[1] != '>';
}

int ecl_cli_option_value(int argc, char **argv, int *i, const char *long_name,
                         const char *short_name, const char **value)
{
    const char *arg = argv[*i];
    const char *names[2] = {long_name, short_name};
    for (int n = 0; n < 2; n++) {
        const char *name = names[n];
        if (!name)
            continue;
        size_t len = strlen(name);
        if (strncmp(arg, name, len) != 0)
            continue;
        if (arg[len] == '\0') {
            if (*i + 1 >= argc)
                return -1;
            *value = argv[++*i];
            return 1;
        }
        if (n == 0 && arg[len] == '=') { /* --name=value */
            *value = arg + len + 1;
            return 1;
        }
        if (n == 1) { /* -oVALUE */
            *value = arg + len;
            return 1;
        }
    }
    return 0;
}

static const struct {
    const char *name;
    ecl_backend_kind kind;
} backend_names[] = {
    {"auto", ECL_BACKEND_AUTO},
    {"cpu", ECL_BACKEND_CPU},
    {"opencl", ECL_BACKEND_OPENCL},
};

int ecl_cli_parse_compute(const char *text, ecl_compute *out)
{
    const ecl_compute all[4] = {ECL_COMPUTE_DEFAULT, ECL_COMPUTE_TF32, ECL_COMPUTE_F16,
                                ECL_COMPUTE_BF16};
    for (int i = 0; i < 4; i++) {
        if (strcmp(text, ecl_compute_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

int ecl_cli_parse_backend(const char *text, ecl_backend_kind *out)
{
    for (size_t i = 0; i < sizeof backend_names / sizeof backend_names[0]; i++) {
        if (strcmp(text, backend_names[i].name) == 0) {
            *out = backend_names[i].kind;
            return 0;
        }
    }
    return -1;
}

const char *ecl_cli_backend_name(ecl_backend_kind kind)
{
    for (size_t i = 0; i < sizeof backend_names / sizeof backend_names[0]; i++) {
        if (backend_names[i].kind == kind)
            return backend_names[i].name;
    }
    return "unknown";
}

int ecl_cli_target_option(const char *command, int argc, char **argv, int *i, ecl_cli_target *target)
{
    const char *value = NULL;
    int found = ecl_cli_option_value(argc, argv, i, "--backend", NULL, &value);
    if (found != 0) {
        if (found < 0) {
            ecl_cli_usage_error(command, "option --backend needs a value");
            return -1;
        }
        if (ecl_cli_parse_backend(value, &target->backend) != 0) {
            ecl_cli_usage_error(command, "unknown backend '%s' (use auto, cpu or opencl)", value);
            return -1;
        }
        return 1;
    }
    found = ecl_cli_option_value(argc, argv, i, "--device", NULL, &value);
    if (found != 0) {
        if (found < 0 || value[0] == '\0') {
            ecl_cli_usage_error(command, "option --device needs a value (P:D or a device name)");
            return -1;
        }
        target->device = value;
        return 1;
    }
    return 0;
}

ecl_context *ecl_cli_open_context(const ecl_cli_target *target)
{
    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = target->backend;
    options.device = target->device;
    ecl_context *ctx = NULL;
    ecl_status status = ecl_context_create(&options, &ctx);
    if (status != ECL_SUCCESS) {
        const char *detail = ecl_last_create_error();
        ecl_cli_error("cannot create a context for backend '%s': %s",
                      ecl_cli_backend_name(target->backend),
                      detail && detail[0] ? detail : ecl_status_string(status));
        return NULL;
    }
    return ctx;
}

int ecl_cli_split_operands(const char *command, const char *what, int count, char **positional,
                           const char **equation, char ***operands, int *num_operands)
{
    if (count == 0)
        return ecl_cli_usage_error(command, "missing EQUATION and %s (see 'einsumcl %s --help')", what,
                                   command);
    *equation = positional[0];
    if (count == 1)
        return ecl_cli_usage_error(command, "missing %s after the equation '%s'", what, *equation);
    if (count - 1 > ECL_MAX_OPERANDS)
        return ecl_cli_usage_error(command, "%d %s given; at most %d are supported", count - 1, what,
                                   ECL_MAX_OPERANDS);
    *operands = positional + 1;
    *num_operands = count - 1;
    return ECL_CLI_OK;
}
