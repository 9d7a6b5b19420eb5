/*
 * Running the einsumcl command from tests (see cli_run.h).
 */
#include "cli_run.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char *ecl_test_read_file(const char *path, size_t *size_out)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    size_t cap = 4096, len = 0, got;
    char *data = malloc(cap);
    cr_assert_not_null(data);
    while ((got = fread(data + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2) {
            cap *= 2;
            data = realloc(data, cap);
            cr_assert_not_null(data);
        }
    }
    fclose(f);
    data[len] = '\0';
    if (size_out)
        *size_out = len;
    return data;
}

ecl_cli_result ecl_cli_run(const char *const *args, const char *const *extra_env, const char *dir)
{
    char out_path[4200], err_path[4200];
    snprintf(out_path, sizeof out_path, "%s/.stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/.stderr", dir);
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)ECL_CLI_PATH;
    for (; args[argc - 1]; argc++) {
        cr_assert_lt(argc, 63);
        argv[argc] = (char *)args[argc - 1];
    }
    argv[argc] = NULL;

    char *envp[512];
    int envc = 0;
    for (char **e = environ; *e && envc < 500; e++)
        envp[envc++] = *e;
    for (int i = 0; extra_env && extra_env[i] && envc < 510; i++)
        envp[envc++] = (char *)extra_env[i];
    envp[envc] = NULL;

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawn(&pid, ECL_CLI_PATH, &actions, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    cr_assert_eq(rc, 0, "cannot run %s", ECL_CLI_PATH);
    int wstatus = 0;
    cr_assert_eq(waitpid(pid, &wstatus, 0), pid);

    ecl_cli_result r;
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    r.out = ecl_test_read_file(out_path, NULL);
    r.err = ecl_test_read_file(err_path, NULL);
    unlink(out_path);
    unlink(err_path);
    return r;
}

void ecl_cli_result_free(ecl_cli_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}
