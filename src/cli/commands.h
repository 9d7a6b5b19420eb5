/*
 * The einsumcl subcommands. Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns the process exit status: 0 success, 1 error, 2 bad usage. Errors are one
 * line on stderr starting with "einsumcl: ".
 */
#ifndef ECL_CLI_COMMANDS_H
#define ECL_CLI_COMMANDS_H

int ecl_cli_eval(int argc, char **argv);
int ecl_cli_path(int argc, char **argv);
int ecl_cli_bench(int argc, char **argv);
int ecl_cli_devices(int argc, char **argv);

#endif /* ECL_CLI_COMMANDS_H */
