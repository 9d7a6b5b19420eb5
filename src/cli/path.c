/*
 * `einsumcl path`: plans an einsum for operands described only by their shapes (no data) and
 * prints the plan's description — the contraction order, the steps and the FLOP / memory totals —
 * as text or JSON, with the path algorithm and memory limit given as options.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "options.h"
#include "shape_arg.h"

void ecl_cli_path_usage(FILE *out)
{
    fputs("usage: einsumcl path [--json] [--optimize ALGORITHM] [--memory-limit BYTES] [--compute M]\n"
          "                     [--backend auto|cpu|opencl] [--device SPEC] EQUATION SHAPE [SHAPE ...]\n"
          "  Prints the contraction plan of EQUATION for operands of the given shapes: the steps,\n"
          "  naive and optimised FLOPs and peak memory. SHAPE is like 8x16x64, or 'scalar' for a\n"
          "  0-d operand, optionally followed by :f32 (default), :f64, :f16 or :bf16.\n"
          "  --compute M      default (exact), tf32, f16 or bf16 (see README: compute modes)\n"
          "  --json           print the plan as a JSON object; its \"path\" is numpy.einsum_path's\n"
          "                   form: numpy.einsum_path(eq, *ops, optimize=['einsum_path', *path])\n"
          "  --optimize A     contraction order: auto (default), optimal, greedy, branch or left\n"
          "  --memory-limit B largest workspace tensor in bytes (suffixes k, M, G: powers of 1024);\n"
          "                   fails, naming the smallest reachable peak, when no order fits\n"
          "  --backend B      auto (default), cpu or opencl\n"
          "  --device SPEC    OpenCL device: P:D indices or a name substring (default: ECL_DEVICE,\n"
          "                   else automatic)\n",
          out);
}

typedef struct path_args {
    int json;
    ecl_plan_options options;
    ecl_cli_target target;
    const char *equation;
    int num_inputs;
    char **shape_texts;
} path_args;

static int parse_algorithm(const char *text, ecl_path_algorithm *out)
{
    static const char *const names[] = {"auto", "left", "optimal", "greedy", "branch"};
    static const ecl_path_algorithm values[] = {ECL_PATH_AUTO, ECL_PATH_LEFT, ECL_PATH_OPTIMAL,
                                                ECL_PATH_GREEDY, ECL_PATH_BRANCH};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
        if (strcmp(text, names[k]) == 0) {
            *out = values[k];
            return 0;
        }
    return -1;
}

/* "1000000", "64k", "64M", "2G" (powers of 1024); must be positive. */
static int parse_bytes(const char *text, uint64_t *out)
{
    if (*text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    int shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'M')
        shift = 20;
    else if (*end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (errno || *end || v == 0 || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static int parse_path_args(int argc, char **argv, path_args *args, int *done)
{
    *done = 0;
    args->json = 0;
    ecl_plan_options_init(&args->options);
    args->target.backend = ECL_BACKEND_AUTO;
    args->target.device = NULL;
    /* Options may come before or after the operands; operands are packed to the front of argv. */
    int num_operands = 0;
    int only_operands = 0;
    for (int i = 1; i < argc; i++) {
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
            ecl_cli_path_usage(stdout);
            *done = 1;
            return ECL_CLI_OK;
        }
        const char *value = NULL;
        if (strcmp(argv[i], "--json") == 0) {
            args->json = 1;
        } else if ((found = ecl_cli_option_value(argc, argv, &i, "--compute", NULL, &value)) != 0) {
            if (found < 0 || ecl_cli_parse_compute(value, &args->options.compute) != 0)
                return ecl_cli_usage_error("path", "--compute needs default, tf32, f16 or bf16");
        } else if ((found = ecl_cli_option_value(argc, argv, &i, "--optimize", NULL, &value)) != 0) {
            if (found < 0 || parse_algorithm(value, &args->options.path) != 0)
                return ecl_cli_usage_error("path", "--optimize needs auto, optimal, greedy, branch or "
                                                   "left%s%s%s", value ? " (got '" : "",
                                           value ? value : "", value ? "')" : "");
        } else if ((found = ecl_cli_option_value(argc, argv, &i, "--memory-limit", NULL, &value)) != 0) {
            if (found < 0 || parse_bytes(value, &args->options.memory_limit) != 0)
                return ecl_cli_usage_error("path", "--memory-limit needs a positive byte count such as "
                                                   "1000000 or 64M%s%s%s", value ? " (got '" : "",
                                           value ? value : "", value ? "')" : "");
        } else if ((found = ecl_cli_target_option("path", argc, argv, &i, &args->target)) != 0) {
            if (found < 0)
                return ECL_CLI_USAGE;
        } else {
            return ecl_cli_usage_error("path", "unknown option '%s' (see 'einsumcl path --help')",
                                       argv[i]);
        }
    }
    return ecl_cli_split_operands("path", "shapes", num_operands, argv + 1, &args->equation,
                                  &args->shape_texts, &args->num_inputs);
}

static int plan_and_print(ecl_context *ctx, const path_args *args, const ecl_cli_shape *shapes)
{
    ecl_tensor_desc descs[ECL_MAX_OPERANDS];
    for (int k = 0; k < args->num_inputs; k++) {
        descs[k].dtype = shapes[k].dtype;
        descs[k].ndim = shapes[k].ndim;
        descs[k].shape = shapes[k].dims;
        descs[k].strides = NULL;
    }
    ecl_plan *plan = NULL;
    ecl_status status = ecl_plan_create(ctx, args->equation, args->num_inputs, descs, &args->options,
                                        &plan);
    if (status != ECL_SUCCESS) {
        ecl_cli_error("%s", ecl_cli_error_text(ctx, status));
        return ECL_CLI_ERROR;
    }
    const char *text = args->json ? ecl_plan_describe_json(plan) : ecl_plan_describe(plan);
    int exit_code = ECL_CLI_OK;
    if (!text) {
        ecl_cli_error("the plan has no description");
        exit_code = ECL_CLI_ERROR;
    } else {
        size_t len = strlen(text);
        fputs(text, stdout);
        if (len == 0 || text[len - 1] != '\n')
            fputc('\n', stdout);
        if (fflush(stdout) != 0) {
            ecl_cli_error("cannot write to standard output");
            exit_code = ECL_CLI_ERROR;
        }
    }
    ecl_plan_destroy(plan);
    return exit_code;
}

int ecl_cli_path(int argc, char **argv)
{
    path_args args;
    int done = 0;
    int exit_code = parse_path_args(argc, argv, &args, &done);
    if (exit_code != ECL_CLI_OK || done)
        return exit_code;
    ecl_cli_shape *shapes = calloc((size_t)args.num_inputs, sizeof *shapes);
    if (!shapes) {
        ecl_cli_error("out of memory");
        return ECL_CLI_ERROR;
    }
    for (int k = 0; k < args.num_inputs; k++) {
        char why[128];
        if (ecl_cli_parse_shape(args.shape_texts[k], &shapes[k], why, sizeof why) != 0) {
            free(shapes);
            return ecl_cli_usage_error("path", "bad shape '%s' for operand %d: %s",
                                       args.shape_texts[k], k, why);
        }
    }
    ecl_context *ctx = ecl_cli_open_context(&args.target);
    if (ctx) {
        exit_code = plan_and_print(ctx, &args, shapes);
        ecl_context_destroy(ctx);
    } else {
        exit_code = ECL_CLI_ERROR;
    }
    free(shapes);
    return exit_code;
}
