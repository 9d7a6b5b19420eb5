/*
 * `einsumcl devices`: the CPU path, then every OpenCL platform and device with its facts (type,
 * compute units, clock, global and local memory, largest allocation, fp64, versions), or why
 * OpenCL is unavailable. The backend an automatic context would use is marked [auto]; a line says
 * what the automatic choice is and why, and the last whether its compute modes (tf32, f16, bf16)
 * run on tensor cores there (NVIDIA GPUs: probed and self-checked by this command) or why not.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "options.h"

void ecl_cli_devices_usage(FILE *out)
{
    fputs("usage: einsumcl devices\n"
          "  Lists the CPU path and every OpenCL platform and device; the one an automatic\n"
          "  context would use is marked [auto]. Pick a device with --device P:D or a name\n"
          "  substring (or the ECL_DEVICE variable); CPU OpenCL devices are used automatically\n"
          "  only with --backend opencl (or ECL_BACKEND=opencl). The last line says whether the\n"
          "  compute modes run on tensor cores on that device (NVIDIA GPUs: probed and\n"
          "  self-checked here; ECL_MMA_SELFCHECK=full checks more shapes) or why not.\n",
          out);
}

/* "12.6 GiB"-style sizes. */
static const char *format_bytes(uint64_t bytes, char *buf, size_t cap)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        unit++;
    }
    snprintf(buf, cap, "%.4g %s", value, units[unit]);
    return buf;
}

static void print_device(const ecl_device_info *d, int is_auto)
{
    char global[32], local[32], alloc[32];
    printf("  %d:%d %s%s\n", d->platform, d->device, d->name, is_auto ? " [auto]" : "");
    printf("      %s, %u compute units, %u MHz, global memory %s, local memory %s, "
           "max allocation %s, fp64 %s\n",
           ecl_device_type_name(d->type), d->compute_units, d->clock_mhz,
           format_bytes(d->global_mem_bytes, global, sizeof global),
           format_bytes(d->local_mem_bytes, local, sizeof local),
           format_bytes(d->max_alloc_bytes, alloc, sizeof alloc), d->fp64 ? "yes" : "no");
    printf("      %s, driver %s, vendor %s\n", d->version, d->driver_version, d->vendor);
    if (!d->usable)
        printf("      not usable: %s\n", d->unusable_reason);
}

static void print_opencl(const ecl_device_info *devices, int count, int auto_device)
{
    int platforms = 0, real_devices = 0;
    for (int i = 0; i < count; i++) {
        platforms += i == 0 || devices[i].platform != devices[i - 1].platform;
        real_devices += devices[i].device >= 0;
    }
    printf("opencl: %d platform%s, %d device%s\n", platforms, platforms == 1 ? "" : "s",
           real_devices, real_devices == 1 ? "" : "s");
    for (int i = 0; i < count; i++) {
        const ecl_device_info *d = &devices[i];
        if (i == 0 || d->platform != devices[i - 1].platform)
            printf("platform %d: %s (%s)%s\n", d->platform, d->platform_name, d->platform_version,
                   d->device < 0 ? ": no devices" : "");
        if (d->device >= 0)
            print_device(d, i == auto_device);
    }
}

/* The automatic choice, described after the list. */
static void print_auto_line(ecl_backend_kind kind, const ecl_device_info *chosen,
                            const char *failure, int opencl_listed)
{
    const char *backend_env = getenv("ECL_BACKEND");
    if (failure)
        printf("auto: fails: %s\n", failure);
    else if (kind == ECL_BACKEND_OPENCL && chosen)
        printf("auto: OpenCL device %d:%d (%s)\n", chosen->platform, chosen->device, chosen->name);
    else if (backend_env && strcasecmp(backend_env, "cpu") == 0)
        printf("auto: the CPU path (ECL_BACKEND=cpu)\n");
    else if (!opencl_listed)
        printf("auto: the CPU path (OpenCL is unavailable)\n");
    else if (chosen)
        printf("auto: the CPU path (OpenCL device %d:%d could not be opened)\n", chosen->platform,
               chosen->device);
    else
        printf("auto: the CPU path (no usable OpenCL GPU or accelerator; CPU OpenCL devices are "
               "used only with --backend opencl or ECL_BACKEND=opencl)\n");
}

static const ecl_compute modes[3] = {ECL_COMPUTE_TF32, ECL_COMPUTE_F16, ECL_COMPUTE_BF16};

/* Per compute mode: "yes: ..." or "no: ..." for the automatic context (its device's tensor cores,
 * which the first query probes and self-checks). */
static void describe_tensor_cores(ecl_context *ctx, char lines[3][700])
{
    for (int i = 0; i < 3; i++) {
        int available = 0;
        char detail[640] = "";
        if (ecl_context_tensor_cores(ctx, modes[i], &available, detail, sizeof detail) != ECL_SUCCESS)
            snprintf(detail, sizeof detail, "%s", ecl_context_last_error(ctx));
        snprintf(lines[i], 700, "%s: %s", available ? "yes" : "no", detail);
    }
}

/* What the compute modes run on, after the auto line. */
static void print_tensor_cores(ecl_backend_kind kind, char lines[3][700])
{
    if (kind != ECL_BACKEND_OPENCL) {
        printf("tensor cores: none on the CPU path (compute modes tf32, f16, bf16 are emulated)\n");
        return;
    }
    if (strcmp(lines[0], lines[1]) == 0 && strcmp(lines[1], lines[2]) == 0) {
        printf("tensor cores (compute modes tf32, f16, bf16): %s%s\n", lines[0],
               strncmp(lines[0], "no", 2) == 0 ? "; the modes are emulated" : "");
        return;
    }
    printf("tensor cores (compute modes on the auto device; where not, the mode is emulated):\n");
    for (int i = 0; i < 3; i++)
        printf("  %s: %s\n", ecl_compute_name(modes[i]), lines[i]);
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
    ecl_device_info *devices = NULL;
    int count = 0, auto_device = -1;
    ecl_status listed = ecl_device_list(&devices, &count, &auto_device);
    char opencl_failure[1024] = "";
    if (listed != ECL_SUCCESS) /* copied now: the next create overwrites the message */
        snprintf(opencl_failure, sizeof opencl_failure, "%s",
                 ecl_last_create_error()[0] ? ecl_last_create_error() : ecl_status_string(listed));

    /* What an automatic context really opens (ECL_BACKEND and ECL_DEVICE apply). */
    ecl_backend_kind auto_kind = ECL_BACKEND_AUTO;
    char auto_failure[1024] = "", tensor_cores[3][700];
    ecl_context *ctx = NULL;
    if (ecl_context_create(NULL, &ctx) == ECL_SUCCESS) {
        auto_kind = ecl_context_backend(ctx);
        describe_tensor_cores(ctx, tensor_cores);
    } else {
        snprintf(auto_failure, sizeof auto_failure, "%s", ecl_last_create_error());
    }
    ecl_context_destroy(ctx);
    ctx = NULL;

    ecl_context_options options;
    ecl_context_options_init(&options);
    options.backend = ECL_BACKEND_CPU;
    int exit_code = ECL_CLI_OK;
    if (ecl_context_create(&options, &ctx) == ECL_SUCCESS) {
        printf("cpu: %s%s\n", ecl_context_device_name(ctx),
               auto_kind == ECL_BACKEND_CPU ? " [auto]" : "");
        ecl_context_destroy(ctx);
    } else {
        printf("cpu: unavailable (%s)\n", ecl_last_create_error());
    }
    if (listed == ECL_SUCCESS)
        print_opencl(devices, count, auto_kind == ECL_BACKEND_OPENCL ? auto_device : -1);
    else
        printf("opencl: unavailable (%s)\n", opencl_failure);
    print_auto_line(auto_kind, auto_device >= 0 ? &devices[auto_device] : NULL,
                    auto_failure[0] ? auto_failure : NULL, listed == ECL_SUCCESS);
    if (!auto_failure[0])
        print_tensor_cores(auto_kind, tensor_cores);
    ecl_device_list_free(devices);
    if (fflush(stdout) != 0) {
        ecl_cli_error("cannot write to standard output");
        exit_code = ECL_CLI_ERROR;
    }
    return exit_code;
}
