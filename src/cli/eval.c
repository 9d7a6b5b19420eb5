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
    fputs("usage: einsumcl eval [--backend auto|cpu|opencl] [--device SPEC] [--compute M]\n"
          "                     [-o OUT.npy] EQUATION IN.npy [IN.npy ...]\n"
          "  Evaluates EQUATION (numpy.einsum syntax, e.g. 'ij,jk->ik') on the .npy inputs\n"
          "  (float32, float64, float16 '<f2', bfloat16 '<V2'; the result dtype follows numpy's\n"
          "  promotion). With -o the result is written to OUT.npy, otherwise its shape, dtype\n"
          "  and values are printed.\n"
          "  --compute M      default (exact), tf32, f16 or bf16: round the operands of products\n"
          "                   to that format, sum in float32 (float32/16-bit inputs only)\n"
          "  --backend B      auto (default; the ECL_BACKEND variable may choose), cpu or opencl\n"
          "  --device SPEC    OpenCL device: P:D indices or a name substring (default: ECL_DEVICE,\n"
          "                   else automatic; 'einsumcl devices' lists them)\n"
          "  -o, --output F   write the result to the .npy file F\n",
          out);
}

typedef struct eval_args {
    ecl_cli_target target;
    const char *output;
    ecl_compute compute;
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
    args->compute = ECL_COMPUTE_DEFAULT;
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
        } else if ((found = ecl_cli_option_value(argc, argv, &i, "--compute", NULL, &value)) != 0) {
            if (found < 0 || ecl_cli_parse_compute(value, &args->compute) != 0)
                return ecl_cli_usage_error("eval", "--compute needs default, tf32, f16 or bf16");
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
    const int narrow = dtype == ECL_F16 || dtype == ECL_BF16;
    if (narrow) {  /* printed through float32, which holds every 16-bit value exactly */
        const size_t n = (size_t)ecl_tensor_numel(result);
        float *wide = malloc(n ? n * sizeof(float) : 1);
        for (size_t k = 0; wide && k < n; k++) {
            const uint16_t bits = ((const uint16_t *)data)[k];
            wide[k] = dtype == ECL_F16 ? ecl_f16_to_float(bits) : ecl_bf16_to_float(bits);
        }
        free(data);
        data = wide;
        if (!data) {
            ecl_cli_error("out of memory reading the result (%zu bytes)", n * sizeof(float));
            return ECL_CLI_ERROR;
        }
    }
    char *values = ecl_cli_format_array(narrow ? ECL_F32 : dtype, ndim, shape, data);
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

/* The one-shot call, or a plan with the requested compute mode. */
static ecl_status einsum(ecl_context *ctx, const eval_args *args, const ecl_tensor *const *inputs,
                         ecl_tensor **result)
{
    if (args->compute == ECL_COMPUTE_DEFAULT)
        return ecl_einsum_alloc(ctx, args->equation, args->num_inputs, inputs, result);
    ecl_tensor_desc descs[ECL_MAX_OPERANDS];
    for (int i = 0; i < args->num_inputs; i++)
        descs[i] = (ecl_tensor_desc){ecl_tensor_dtype(inputs[i]), ecl_tensor_ndim(inputs[i]),
                                     ecl_tensor_shape(inputs[i]), ecl_tensor_strides(inputs[i])};
    ecl_plan_options options;
    ecl_plan_options_init(&options);
    options.compute = args->compute;
    ecl_plan *plan;
    ecl_status st = ecl_plan_create(ctx, args->equation, args->num_inputs, descs, &options, &plan);
    if (st == ECL_SUCCESS)
        st = ecl_tensor_create(ctx, ecl_plan_output_dtype(plan), ecl_plan_output_ndim(plan),
                               ecl_plan_output_shape(plan), result);
    if (st == ECL_SUCCESS && (st = ecl_plan_execute(plan, inputs, *result, 1.0, 0.0)) != ECL_SUCCESS) {
        ecl_tensor_destroy(*result);
        *result = NULL;
    }
    ecl_plan_destroy(plan);
    return st;
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
    ecl_status status = einsum(ctx, args, (const ecl_tensor *const *)inputs, &result);
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
