/*
 * Running the built einsumcl command (ECL_CLI_PATH) from a test: posix_spawn with the test's
 * environment plus optional extra variables, stdout and stderr captured through files in a
 * directory of the caller's, the exit status returned.
 */
#ifndef ECL_TEST_CLI_RUN_H
#define ECL_TEST_CLI_RUN_H

#include <stddef.h>

typedef struct ecl_cli_result {
    int status;  /* exit status, or -1 if the process did not exit normally */
    char *out;   /* captured stdout, NUL-terminated */
    char *err;   /* captured stderr */
} ecl_cli_result;

/* Runs einsumcl with args (NULL-terminated, without argv[0]), with extra_env (NULL-terminated
 * "NAME=value" strings, or NULL) added to the environment; capture files go into dir. Fails the
 * test when the command cannot be run. */
ecl_cli_result ecl_cli_run(const char *const *args, const char *const *extra_env, const char *dir);
void ecl_cli_result_free(ecl_cli_result *r);

/* A whole file as a NUL-terminated string (fails the test when it cannot be read). */
char *ecl_test_read_file(const char *path, size_t *size_out);

#endif /* ECL_TEST_CLI_RUN_H */
