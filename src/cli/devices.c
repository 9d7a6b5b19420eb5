/*
 * `einsumcl devices`: lists each backend with the device a context on it would use, or why it is
 * unavailable, and marks the one that the automatic choice (--backend auto) picks.
 */
#include <string.h>

#include "commands.h"
#include "options.h"

void ecl_cli_devices_usage(FILE *out)
{
    fputs("usage: einsumcl devices\n"
          "  Lists the backends and devices available; the automatic choice is marked [auto].\n",
          out);
}

/* Prints one backend line; returns 1 when the backend is available. */
static int list_backend(ecl_backend_kind kind, ecl_backend_kind auto_kind)
{
    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = kind;
    ecl_context *ctx = NULL;
    ecl_status status = ecl_context_create(&options, &ctx);
    if (status != ECL_SUCCESS) {
        const char *detail = ecl_last_create_error();
        printf("%s: unavailable (%s)\n", ecl_cli_backend_name(kind),
               detail && detail[0] ? detail : ecl_status_string(status));
        return 0;
    }
    const char *name = ecl_context_device_name(ctx);
    printf("%s: %s%s\n", ecl_cli_backend_name(kind), name ? name : "(unnamed device)",
           kind == auto_kind ? " [auto]" : "");
    ecl_context_destroy(ctx);
    return 1;
}

int ecl_cli_devices(int argc, char **argv)
{
    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            ecl_cli_devices_usage(stdout);
            return ECL_CLI_OK;
        }
        return ecl_cli_usage_error("devices", "unexpected argument '%s' (see 'einsumcl devices --help')",
                                   argv[1]);
    }
    /* The automatic choice is whatever backend an AUTO context lands on. */
    ecl_backend_kind auto_kind = ECL_BACKEND_AUTO;
    ecl_context *auto_ctx = NULL;
    if (ecl_context_create(NULL, &auto_ctx) == ECL_SUCCESS) {
        auto_kind = ecl_context_backend(auto_ctx);
        ecl_context_destroy(auto_ctx);
    }
    int available = list_backend(ECL_BACKEND_CPU, auto_kind);
    available += list_backend(ECL_BACKEND_OPENCL, auto_kind);
    if (fflush(stdout) != 0) {
        ecl_cli_error("cannot write to standard output");
        return ECL_CLI_ERROR;
    }
    if (!available) {
        ecl_cli_error("no backend is available");
        return ECL_CLI_ERROR;
    }
    return ECL_CLI_OK;
}
