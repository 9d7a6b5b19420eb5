/*
 * Entry point of the einsumcl command: --help, --version, and dispatch of the subcommands (eval,
 * path, devices, bench) to their own files. Exit status: 0 success, 1 error, 2 bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommand;

static const subcommand subcommands[] = {
    {"eval", ecl_cli_eval},
    {"path", ecl_cli_path},
    {"devices", ecl_cli_devices},
    {"bench", ecl_cli_bench},
};

void ecl_cli_print_usage(FILE *out)
{
    fputs("usage: einsumcl [--help | --version] SUBCOMMAND [ARGS...]\n"
          "\n"
          "Evaluates einsum expressions (numpy.einsum syntax) on OpenCL devices or the CPU.\n"
          "\n"
          "Subcommands:\n",
          out);
    ecl_cli_eval_usage(out);
    fputc('\n', out);
    ecl_cli_path_usage(out);
    fputc('\n', out);
    ecl_cli_devices_usage(out);
    fputs("\n"
          "usage: einsumcl bench [OPTIONS]\n"
          "  Benchmarks einsum cases; 'einsumcl bench --help' lists its options.\n"
          "\n"
          "'einsumcl SUBCOMMAND --help' prints the usage of one subcommand.\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        ecl_cli_print_usage(stderr);
        return ECL_CLI_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        ecl_cli_print_usage(stdout);
        return ECL_CLI_OK;
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        printf("einsumcl %s\n", ECL_VERSION_STRING);
        return ECL_CLI_OK;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        if (strcmp(first, subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    }
    ecl_cli_error("unknown %s '%s' (run 'einsumcl --help')",
                  first[0] == '-' ? "option" : "subcommand", first);
    ecl_cli_print_usage(stderr);
    return ECL_CLI_USAGE;
}
