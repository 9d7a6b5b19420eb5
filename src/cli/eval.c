/*
 * `einsumcl eval`: loads the .npy operands, evaluates the einsum with the library's one-shot call
 * and writes the result to a .npy file (-o) or prints its shape, dtype and values like numpy. The
 * output file is only written after the evaluation succeeded, and atomically by ecl_npy_save, so an
 * error never leaves a new or partly written file behind and never touches an existing one.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "options.h"
#include "print.h"

void ecl_cli_eval_usage(FILE *out)
{
    fputs("usage: einsumcl eval [--backend auto|cpu|opencl] [--device SPEC] [-o OUT.npy] EQUATION\n"
          "                     IN.npy [IN.npy ...]\n"
          "  Evaluates EQUATION (numpy.einsum syntax, e.g. 'ij,jk->ik') on the .npy inputs\n"
          "  (float32/float64; the result is float64 if any input is). With -o the result is\n"
          "  written to OUT.npy, otherwise its shape, dtype and values are printed.\n"
          "  --backend B      auto (default; the ECL_BACKEND variable may choose), cpu or opencl\n"
          "  --device SPEC    OpenCL device: P:D indices or a name substring (default: ECL_DEVICE,\n"
          "                   else automatic; 'einsumcl devices' lists them)\n"
          "  -o, --output F   write the result to the .npy file F\n",
          out);
}

typedef struct eval_args {
    ecl_cli_target target;
    const char *output;
    const char *equation;
    int num_inputs;
    char **inputs;
} eval_args;

/* Returns ECL_CLI_OK, or the exit status after printing help or a usage error. */
static int parse_eval_args(int argc, char **argv, eval_args *args, int *done)
{
    *done = 0;
    args->target.backend = ECL_BACKEND_AUTO;
    args->target.device = NULL;
    args->output = NULL;
    /* Options may come before or after the operands; operands are packed to the front of argv. */
    int num_operands = 0;
    int only_operands = 0;
    for (int i = 1; i < argc; i++) {
        const char *value = NULL;
        int found;
        if (only_operands || !ecl_cli_is_option(argv[i])) {
            argv[1 + num_operands++] = argv[i];
            continue;
        }
        if (strcmp(argv[i], "--") == 0) {
            only_operands = 1;
            continue;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            ecl_cli_eval_usage(stdout);
            *done = 1;
            return ECL_CLI_OK;
        }
        if ((found = ecl_cli_target_option("eval", argc, argv, &i, &args->target)) != 0) {
            if (found < 0)
                return ECL_CLI_USAGE;
        } else if ((found = ecl_cli_option_value(argc, argv, &i, "--output", "-o", &value)) != 0) {
            if (found < 0 || value[0] == '\0')
                return ecl_cli_usage_error("eval", "option -o needs a file name");
            args->output = value;
        } else {
            return ecl_cli_usage_error("eval", "unknown option '%s' (see 'einsumcl eval --help')",
                                       argv[i]);
        }
    }
    return ecl_cli_split_operands("eval", "input files", num_operands, argv + 1, &args->equation,
                                  &args->inputs, &args->num_inputs);
}

static int print_result(ecl_context *ctx, const ecl_tensor *result)
{
    ecl_dtype dtype = ecl_tensor_dtype(result);
    int ndim = ecl_tensor_ndim(result);
    const int64_t *shape = ecl_tensor_shape(result);
    size_t bytes = (size_t)ecl_tensor_numel(result) * ecl_dtype_size(dtype);
    void *data = malloc(bytes ? bytes : 1);
    if (!data) {
        ecl_cli_error("out of memory reading the result (%zu bytes)", bytes);
        return ECL_CLI_ERROR;
    }
    ecl_status status = ecl_tensor_read(result, data, bytes);
    if (status != ECL_SUCCESS) {
        ecl_cli_error("cannot read the result: %s", ecl_cli_error_text(ctx, status));
        free(data);
        return ECL_CLI_ERROR;
    }
    char *values = ecl_cli_format_array(dtype, ndim, shape, data);
    free(data);
    if (!values) {
        ecl_cli_error("out of memory formatting the result");
        return ECL_CLI_ERROR;
    }
    fputs("shape ", stdout);
    ecl_cli_print_shape(stdout, ndim, shape);
    printf(" %s\n%s\n", ecl_dtype_name(dtype), values);
    free(values);
    if (fflush(stdout) != 0) {
        ecl_cli_error("cannot write to standard output");
        return ECL_CLI_ERROR;
    }
    return ECL_CLI_OK;
}

/* Loads the inputs, evaluates and delivers the result; everything it creates is destroyed here. */
static int evaluate(ecl_context *ctx, const eval_args *args)
{
    ecl_tensor *inputs[ECL_MAX_OPERANDS] = {0};
    ecl_tensor *result = NULL;
    int exit_code = ECL_CLI_ERROR;
    int loaded = 0;
    for (; loaded < args->num_inputs; loaded++) {
        ecl_status status = ecl_npy_load(ctx, args->inputs[loaded], &inputs[loaded]);
        if (status != ECL_SUCCESS) {
            ecl_cli_file_error(ctx, status, args->inputs[loaded]);
            goto done;
        }
    }
    ecl_status status = ecl_einsum_alloc(ctx, args->equation, args->num_inputs,
                                         (const ecl_tensor *const *)inputs, &result);
    if (status != ECL_SUCCESS) {
        ecl_cli_error("%s", ecl_cli_error_text(ctx, status));
        goto done;
    }
    if (args->output) {
        status = ecl_npy_save(ctx, args->output, result);
        if (status != ECL_SUCCESS) {
            ecl_cli_file_error(ctx, status, args->output);
            goto done;
        }
        exit_code = ECL_CLI_OK;
    } else {
        exit_code = print_result(ctx, result);
    }
done:
    ecl_tensor_destroy(result);
    for (int i = 0; i < loaded; i++)
        ecl_tensor_destroy(inputs[i]);
    return exit_code;
}

int ecl_cli_eval(int argc, char **argv)
{
    eval_args args;
    int done = 0;
    int exit_code = parse_eval_args(argc, argv, &args, &done);
    if (exit_code != ECL_CLI_OK || done)
        return exit_code;
    ecl_context *ctx = ecl_cli_open_context(&args.target);
    if (!ctx)
        return ECL_CLI_ERROR;
    exit_code = evaluate(ctx, &args);
    ecl_context_destroy(ctx);
    return exit_code;
}
