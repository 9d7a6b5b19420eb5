/*
 * einsumcl public API: Einstein summation (numpy.einsum syntax and semantics) on OpenCL devices and
 * on the CPU (OpenBLAS). Opaque handles with create/destroy pairs (context, tensor, plan); every
 * fallible call returns an ecl_status and writes its results through out-pointers; a failed create
 * leaves *out == NULL and leaks nothing. The library never prints (unless ECL_VERBOSE=1 is set) and
 * never exits or aborts on user input.
 *
 * Thread safety: a context and everything created from it (tensors, plans) may be used by one
 * thread at a time; different contexts may be used from different threads concurrently.
 * ecl_status_string() and ecl_dtype_size() are thread-safe.
 */
#ifndef EINSUMCL_H
#define EINSUMCL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility; everything declared here is its exported API. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#define ECL_VERSION_MAJOR 0
#define ECL_VERSION_MINOR 1
#define ECL_VERSION_PATCH 0
#define ECL_VERSION_STRING "0.1.0"

/* Limits of the einsum syntax and of tensors (numpy 2: 64 dimensions). */
#define ECL_MAX_DIMS 64
#define ECL_MAX_OPERANDS 64

typedef enum ecl_status {
    ECL_SUCCESS = 0,
    ECL_ERROR_INVALID_ARGUMENT,  /* NULL pointer, bad option value, wrong operand count, ... */
    ECL_ERROR_PARSE,             /* malformed equation; last error holds the byte position */
    ECL_ERROR_SHAPE,             /* operand shapes inconsistent with the equation or each other */
    ECL_ERROR_DTYPE,             /* unsupported or mismatched element type */
    ECL_ERROR_OVERFLOW,          /* a size, element count or byte count overflows 64 bits */
    ECL_ERROR_OUT_OF_MEMORY,     /* host or device allocation failed */
    ECL_ERROR_IO,                /* file could not be opened, read or written */
    ECL_ERROR_FORMAT,            /* corrupt or unsupported file contents (.npy) */
    ECL_ERROR_BACKEND,           /* the backend (BLAS, OpenCL, CLBlast) reported a failure */
    ECL_ERROR_UNAVAILABLE,       /* the requested backend or device is not available */
    ECL_ERROR_MEMORY_LIMIT       /* no contraction order fits the requested memory limit */
} ecl_status;

/* Static English text for a status; never NULL. Thread-safe. */
const char *ecl_status_string(ecl_status status);

/* Element types. Host data of the 16-bit types is raw 16-bit values in host byte order: ECL_F16 is
 * IEEE 754 binary16 (numpy's float16), ECL_BF16 is bfloat16 (the top 16 bits of a float32).
 * Einsums over 16-bit tensors compute in float32 and round the result to the output's type
 * (round to nearest even; NaN stays NaN). Result dtype (numpy's promotion, torch's for bfloat16):
 * anything with float64 -> float64; else anything with float32 -> float32; float16 alone ->
 * float16; bfloat16 alone -> bfloat16; float16 with bfloat16 -> float32. */
typedef enum ecl_dtype {
    ECL_F32 = 1,
    ECL_F64 = 2,
    ECL_F16 = 3,
    ECL_BF16 = 4
} ecl_dtype;

/* Bytes per element (4, 8 or 2), 0 for an unknown dtype. Thread-safe. */
size_t ecl_dtype_size(ecl_dtype dtype);
/* "float32" / "float64" / "float16" / "bfloat16" / "unknown". Thread-safe. */
const char *ecl_dtype_name(ecl_dtype dtype);
/* Host conversions for 16-bit data: float32 to float16 / bfloat16 rounding to nearest even
 * (float16: beyond 65504 becomes inf, below 2^-24 subnormal or zero), NaN stays NaN (quiet), and
 * back (exact). Thread-safe. */
uint16_t ecl_f16_from_float(float value);
float ecl_f16_to_float(uint16_t bits);
uint16_t ecl_bf16_from_float(float value);
float ecl_bf16_to_float(uint16_t bits);

typedef enum ecl_backend_kind {
    ECL_BACKEND_AUTO = 0,  /* an OpenCL GPU/accelerator if present, else the CPU path */
    ECL_BACKEND_CPU,       /* OpenBLAS + OpenMP on the host */
    ECL_BACKEND_OPENCL     /* OpenCL (any device type, including CPU devices such as PoCL) */
} ecl_backend_kind;

typedef struct ecl_context ecl_context;
typedef struct ecl_tensor ecl_tensor;
typedef struct ecl_plan ecl_plan;

/* ---- Context ---------------------------------------------------------------------------------- */

typedef struct ecl_context_options {
    ecl_backend_kind backend;  /* default ECL_BACKEND_AUTO; the ECL_BACKEND env var overrides AUTO */
    const char *device;        /* "P:D" or a name substring; NULL = ECL_DEVICE env var or automatic */
    int num_threads;           /* CPU threads; 0 = OpenMP/OpenBLAS default */
    size_t plan_cache_capacity; /* plans kept by ecl_einsum; 0 = default (64) */
} ecl_context_options;

/* Fills *options with defaults. */
void ecl_context_options_init(ecl_context_options *options);

/* Creates a context; options may be NULL for defaults. On failure *out is NULL. A failure message
 * for a context that could not be created is available from ecl_last_create_error(). */
ecl_status ecl_context_create(const ecl_context_options *options, ecl_context **out);
/* Destroys the context. All tensors and plans of the context must be destroyed first. NULL is a no-op. */
void ecl_context_destroy(ecl_context *ctx);

/* The detailed message of the last failed call on this context ("" if none). Owned by the context,
 * valid until the next call on it. */
const char *ecl_context_last_error(const ecl_context *ctx);
/* For parse errors: the byte offset in the equation of the bad token, else -1. */
long ecl_context_last_error_position(const ecl_context *ctx);
/* The message of the last failed ecl_context_create on this thread ("" if none). */
const char *ecl_last_create_error(void);

/* The backend the context runs on (never ECL_BACKEND_AUTO) and a printable device description. */
ecl_backend_kind ecl_context_backend(const ecl_context *ctx);
const char *ecl_context_device_name(const ecl_context *ctx);

/* Waits until all work enqueued on the context has finished. */
ecl_status ecl_finish(ecl_context *ctx);

/* ---- OpenCL devices --------------------------------------------------------------------------- */

typedef enum ecl_device_type {
    ECL_DEVICE_CPU = 1,
    ECL_DEVICE_GPU,
    ECL_DEVICE_ACCELERATOR,
    ECL_DEVICE_OTHER
} ecl_device_type;

/* One OpenCL device, or a platform that has none (device == -1; only the platform fields set). */
typedef struct ecl_device_info {
    int platform;               /* P of the "P:D" spec (ECL_DEVICE, ecl_context_options.device) */
    int device;                 /* D of the "P:D" spec; -1 for a platform without devices */
    ecl_device_type type;
    char platform_name[256];
    char platform_version[128];
    char name[256];
    char vendor[256];
    char version[128];          /* CL_DEVICE_VERSION, e.g. "OpenCL 3.0 ..." */
    char driver_version[128];
    unsigned compute_units;
    unsigned clock_mhz;
    uint64_t global_mem_bytes;
    uint64_t local_mem_bytes;
    uint64_t max_alloc_bytes;   /* largest single buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE) */
    int fp64;                   /* float64 supported (cl_khr_fp64) */
    int usable;                 /* 0: einsumcl cannot run on it; unusable_reason says why */
    char unusable_reason[96];
} ecl_device_info;

/* Lists every OpenCL platform and device, in "P:D" order. On success *devices is a new array of
 * *count entries (release it with ecl_device_list_free) and *auto_index (may be NULL) is the entry
 * that a context with ECL_BACKEND_AUTO would open, given ECL_BACKEND and ECL_DEVICE, or -1 when it
 * would use the CPU path. Without OpenCL (no ICD loader, no platform) returns
 * ECL_ERROR_UNAVAILABLE with the reason in ecl_last_create_error(), *devices NULL and *count 0.
 *
 * Selection rules: the automatic choice is the largest usable GPU or accelerator (discrete before
 * integrated, then compute units x clock, then global memory); CPU OpenCL devices (PoCL) are used
 * only when OpenCL is asked for (ECL_BACKEND_OPENCL, ECL_BACKEND=opencl) or the device is named.
 * A device spec is "P:D" or a case-insensitive substring of the device name (the largest matching
 * device). May be called from any thread. */
ecl_status ecl_device_list(ecl_device_info **devices, int *count, int *auto_index);
void ecl_device_list_free(ecl_device_info *devices);
/* "CPU", "GPU", "accelerator", "other". Thread-safe. */
const char *ecl_device_type_name(ecl_device_type type);

/* ---- Tensors ---------------------------------------------------------------------------------- */

/* A tensor: dtype, shape, element strides (may be 0 or negative for views) and storage owned by the
 * context's device. Shape entries may be 0; ndim may be 0 (a scalar with one element). */

/* Creates a contiguous row-major tensor, zero-filled. */
ecl_status ecl_tensor_create(ecl_context *ctx, ecl_dtype dtype, int ndim, const int64_t *shape,
                             ecl_tensor **out);
/* Wraps caller-owned host memory without copying. strides may be NULL (row-major). The memory
 * must stay valid and cover every addressed element until the tensor is destroyed.
 * CPU backend: the tensor is the memory; reads and writes of either are seen by the other.
 * OpenCL backend: the memory backs a device buffer created with CL_MEM_USE_HOST_PTR (zero-copy
 * where the device shares host memory, such as CPU devices and integrated GPUs; elsewhere the
 * driver may keep a device copy). While the tensor exists, access its contents only through
 * ecl_tensor_read / ecl_tensor_write and do not touch the memory directly; when the tensor (and
 * every view of it) is destroyed, the memory holds the tensor's final contents. */
ecl_status ecl_tensor_wrap_host(ecl_context *ctx, ecl_dtype dtype, int ndim, const int64_t *shape,
                                const int64_t *strides, void *data, ecl_tensor **out);
/* A view sharing base's storage: element offset from base's first element, new shape and strides.
 * Every addressed element must lie inside base's storage. The storage lives until its last user is
 * destroyed. */
ecl_status ecl_tensor_view(const ecl_tensor *base, int64_t offset, int ndim, const int64_t *shape,
                           const int64_t *strides, ecl_tensor **out);
void ecl_tensor_destroy(ecl_tensor *tensor);

/* Copies bytes of row-major host data into the tensor (or out of it). bytes must equal
 * numel * dtype size. Works for any strides. */
ecl_status ecl_tensor_write(ecl_tensor *tensor, const void *src, size_t bytes);
ecl_status ecl_tensor_read(const ecl_tensor *tensor, void *dst, size_t bytes);

ecl_dtype ecl_tensor_dtype(const ecl_tensor *tensor);
int ecl_tensor_ndim(const ecl_tensor *tensor);
const int64_t *ecl_tensor_shape(const ecl_tensor *tensor);   /* ndim entries, owned by the tensor */
const int64_t *ecl_tensor_strides(const ecl_tensor *tensor); /* element strides, owned by the tensor */
int64_t ecl_tensor_numel(const ecl_tensor *tensor);

/* ---- Plans ------------------------------------------------------------------------------------ */

/* Describes an input for planning: strides NULL means contiguous row-major. */
typedef struct ecl_tensor_desc {
    ecl_dtype dtype;
    int ndim;
    const int64_t *shape;
    const int64_t *strides;
} ecl_tensor_desc;

typedef enum ecl_path_algorithm {
    ECL_PATH_AUTO = 0,  /* chosen by operand count: optimal for few operands, else branch/greedy */
    ECL_PATH_LEFT,      /* contract operands left to right, as numpy's optimize=False */
    ECL_PATH_OPTIMAL,   /* dynamic programming over subsets: minimal cost */
    ECL_PATH_GREEDY,    /* opt_einsum's greedy heuristic */
    ECL_PATH_BRANCH,    /* bounded branch-and-bound search between greedy and optimal */
    ECL_PATH_EXPLICIT   /* the pairs given in ecl_plan_options.pairs */
} ecl_path_algorithm;

/* What the products of a plan compute in (torch's allow_tf32 and autocast, cuTENSOR's compute
 * types). DEFAULT is exact in the plan's precision (float32 for 16-bit tensors). The others are
 * opt-in, for float32 plans (float32, float16 or bfloat16 tensors; ECL_ERROR_DTYPE with float64):
 * both operands of every pairwise contraction are rounded to the compute type (round to nearest
 * even; an operand with labels only it has is summed over them first, in float32, then rounded),
 * products are exact and sums accumulate in float32; the result is stored in the output's
 * dtype. A single-operand einsum (a sum or permute, no products) is not rounded. Expected
 * relative error of a contraction of length K against exact float32, per mode, for operands of
 * one sign (cancellation makes it larger relative to the result, not to the terms):
 *   TF32 (10-bit mantissa): about 2^-11 per operand, so ~1e-3 of the terms' magnitude;
 *   F16 (10-bit mantissa, range +-65504, values beyond become inf): ~1e-3 likewise;
 *   BF16 (7-bit mantissa, float32 range): about 2^-8, ~4e-3 per operand.
 * Devices without tensor cores (the CPU path, PoCL, every device before the tensor-core kernels
 * land) emulate the mode: they round the operands exactly as described and compute in float32,
 * so their results match a tensor-core run within float32 accumulation-order differences. */
typedef enum ecl_compute {
    ECL_COMPUTE_DEFAULT = 0,
    ECL_COMPUTE_TF32,
    ECL_COMPUTE_F16,
    ECL_COMPUTE_BF16
} ecl_compute;

/* "default" / "tf32" / "f16" / "bf16" / "unknown". Thread-safe. */
const char *ecl_compute_name(ecl_compute compute);

/* Whether GEMM steps of plans with this compute mode may run on tensor cores on the context's
 * device: einsumcl's mma.sync kernels, on NVIDIA GPUs (sm_80 and later) through OpenCL. The first
 * call per context probes the device (a tiny program, NVIDIA devices only) and the first call per
 * mode runs the kernels' self-check (a few products against a host reference, well under a second
 * on a GPU), as the mode's first GEMM would; later calls return the kept answer. *available is 1
 * or 0 (always 0 for ECL_COMPUTE_DEFAULT, which stays exact, and on the CPU path); detail (may be
 * NULL) receives one line: why not, or what the self-check found. Where available, ECL_GEMM=auto
 * times the tensor-core kernels against CLBlast and the own kernel per GEMM shape; where not,
 * the mode is emulated with the same rounding. Returns ECL_SUCCESS either way;
 * ECL_ERROR_INVALID_ARGUMENT for NULL pointers or an unknown mode. */
ecl_status ecl_context_tensor_cores(ecl_context *ctx, ecl_compute compute, int *available,
                                    char *detail, size_t detail_size);

typedef struct ecl_plan_options {
    ecl_path_algorithm path;
    uint64_t memory_limit;     /* bytes for the largest intermediate; 0 = unlimited */
    int num_pairs;             /* ECL_PATH_EXPLICIT: number of pairs (operands - 1) */
    const int (*pairs)[2];     /* ECL_PATH_EXPLICIT: numpy.einsum_path order: positions in the
                                * current operand list; the result is appended at the end */
    ecl_compute compute;       /* ECL_COMPUTE_DEFAULT (exact) unless asked; see ecl_compute */
} ecl_plan_options;

void ecl_plan_options_init(ecl_plan_options *options);

/* Parses, binds and plans the einsum for inputs of the given descriptors. options may be NULL.
 * Detailed errors (operand, label, sizes, byte position) go to ecl_context_last_error(ctx). */
ecl_status ecl_plan_create(ecl_context *ctx, const char *equation, int num_inputs,
                           const ecl_tensor_desc *inputs, const ecl_plan_options *options,
                           ecl_plan **out);
void ecl_plan_destroy(ecl_plan *plan);

/* output = alpha * einsum(inputs) + beta * output. Inputs must match the descriptors given at plan
 * time (dtype, shape, strides); output must have the plan's output dtype and shape and be contiguous
 * and not overlap an input. With beta == 0 the output's previous contents are ignored (NaN too).
 * May run asynchronously on a device: ecl_tensor_read or ecl_finish waits. */
ecl_status ecl_plan_execute(ecl_plan *plan, const ecl_tensor *const *inputs, ecl_tensor *output,
                            double alpha, double beta);

ecl_dtype ecl_plan_output_dtype(const ecl_plan *plan);
int ecl_plan_output_ndim(const ecl_plan *plan);
const int64_t *ecl_plan_output_shape(const ecl_plan *plan);  /* owned by the plan */
/* FLOPs of the planned steps (a multiply-add counts 2), and numpy.einsum_path's naive count. */
double ecl_plan_flops(const ecl_plan *plan);
double ecl_plan_naive_flops(const ecl_plan *plan);
/* The contraction order the plan uses, in numpy.einsum_path's convention. Writes up to capacity
 * pairs and returns the number of pairs (operands - 1). */
int ecl_plan_path(const ecl_plan *plan, int (*pairs)[2], int capacity);
/* Bytes of device workspace the plan keeps for intermediates; peak bytes of intermediates and
 * output alive at once. */
uint64_t ecl_plan_workspace_bytes(const ecl_plan *plan);
uint64_t ecl_plan_peak_bytes(const ecl_plan *plan);
/* Human-readable (text) or machine-readable (JSON object) description of the plan. Owned by the
 * plan, valid until it is destroyed. */
const char *ecl_plan_describe(const ecl_plan *plan);
const char *ecl_plan_describe_json(const ecl_plan *plan);

/* ---- One-shot --------------------------------------------------------------------------------- */

/* output = einsum(inputs), planning through a bounded cache of plans in the context (keyed by
 * equation, dtypes, shapes and strides). output must already have the result's shape and dtype. */
ecl_status ecl_einsum(ecl_context *ctx, const char *equation, int num_inputs,
                      const ecl_tensor *const *inputs, ecl_tensor *output);
/* Like ecl_einsum but creates the output tensor (contiguous) and returns it in *out. */
ecl_status ecl_einsum_alloc(ecl_context *ctx, const char *equation, int num_inputs,
                            const ecl_tensor *const *inputs, ecl_tensor **out);

/* ---- Operations beside einsum (attention) ----------------------------------------------------- */

/* In place: tensor = alpha * tensor, on the tensor's device, any strides. alpha == 0 sets every
 * element to 0 without reading it (NaN and inf too, the BLAS convention of the plans' beta). The
 * tensor must not address one element twice (no stride 0 on a dimension longer than 1, no
 * overlapping strides). May run asynchronously: ecl_tensor_read or ecl_finish waits.
 * Same thread rules as the rest of the context. */
ecl_status ecl_scale(ecl_context *ctx, ecl_tensor *tensor, double alpha);

/* In place, along the last axis: tensor = softmax(scale * tensor + mask), that is, per row
 * x = exp(v - max(v)) / sum(exp(v - max(v))) with v = scale * x + mask. The maximum is subtracted
 * before exponentiating, so large values do not overflow; the CPU computes in float64 for both
 * dtypes, OpenCL devices compute exponentials in the tensor's precision and sum in float64 where
 * the device has it (else float32 with compensated sums).
 * mask: NULL, or an additive mask of the tensor's dtype and context that broadcasts numpy-style
 * against the tensor (its shape, right-aligned, has each size equal to the tensor's or 1, and at
 * most the tensor's dims): e.g. (N, N) or (B, 1, N, N) against scores of shape (B, H, N, N). Use
 * -INFINITY for positions to exclude (causal or padding masks). The mask is only read; it must
 * not overlap the tensor.
 * A row whose v are all -inf (every position masked) becomes NaN, as in numpy and torch; so does
 * a row where some v is NaN or +inf. Rows of length 0 and tensors without rows are fine (nothing
 * to do); a 0-d tensor is a row of one element. Any strides, including negative, as long as the
 * tensor does not address one element twice (see ecl_scale). Errors: ECL_ERROR_SHAPE for a mask
 * that does not broadcast, ECL_ERROR_DTYPE for a mask of another dtype, ECL_ERROR_INVALID_ARGUMENT
 * for NULL arguments, tensors of another context, overlapping mask or self-overlapping tensor;
 * the tensor is unchanged on error. May run asynchronously: ecl_tensor_read or ecl_finish waits.
 * float16 / bfloat16 tensors (and masks, of the tensor's dtype) are converted through float32
 * temporaries on the device and rounded back. Same thread rules as the rest of the context. */
ecl_status ecl_softmax(ecl_context *ctx, ecl_tensor *tensor, double scale, const ecl_tensor *mask);

/* ---- Device ceilings ------------------------------------------------------------------------- */

/* What the context's device measurably reaches, to read benchmark figures against. */
typedef struct ecl_ceilings {
    double gemm_flops_per_s;  /* a square GEMM of gemm_n (multiply-add = 2 FLOPs) */
    int64_t gemm_n;
    double copy_bytes_per_s;  /* a buffer copy of copy_bytes, counting bytes read + written */
    int64_t copy_bytes;
} ecl_ceilings;

/* Measures the GEMM rate (in dtype) and the copy bandwidth of the context's device through its
 * backend: a square GEMM grown from 2048 (up to 8192) until one run takes 50 ms, and a buffer
 * copy grown from 64 MiB (up to 1 GiB) likewise; the fastest of 8 runs after 0.25 s of
 * warm-up each. Takes a few seconds on a CPU, allocates up to 3 GEMM matrices or 2 copy buffers on the device, and
 * blocks until done. Errors (allocation, device) leave *out zeroed. */
ecl_status ecl_measure_ceilings(ecl_context *ctx, ecl_dtype dtype, ecl_ceilings *out);

/* ---- .npy files ------------------------------------------------------------------------------- */

/* Reads a .npy file (format 1.0/2.0/3.0, C or Fortran order) into a new contiguous tensor of the
 * context. dtypes: '<f4' float32, '<f8' float64, '<f2' float16, and bfloat16 as '<V2' or '|V2'
 * (2-byte void: what numpy writes for ml_dtypes.bfloat16, which it cannot name) or 'bfloat16'.
 * Little-endian only. */
ecl_status ecl_npy_load(ecl_context *ctx, const char *path, ecl_tensor **out);
/* Writes the tensor as a .npy file (format 1.0, or 2.0 when the header needs it), atomically
 * (bfloat16 with descr '<V2': read it in numpy as np.load(path).view(ml_dtypes.bfloat16)):
 * the data goes to a temporary file in the same directory, which is renamed over path. */
ecl_status ecl_npy_save(ecl_context *ctx, const char *path, const ecl_tensor *tensor);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* EINSUMCL_H */
