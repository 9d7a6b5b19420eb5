/*
 * Shared internals of the CPU backend (backend_cpu.c and the cpu_*.c kernels): the backend struct,
 * the simplified iteration space every strided kernel runs on (cpu_space.c), an odometer over a
 * range of its dimensions, thread-count and work-partition helpers, and the kernel entry points.
 */
#ifndef ECL_CPU_INTERNAL_H
#define ECL_CPU_INTERNAL_H

#include "backend.h"

#include <omp.h>

/* Most OpenMP threads the kernels use (bounds the per-chunk partial sums kept on the stack). */
#define CPU_MAX_THREADS 256

typedef struct ecl_cpu_backend {
    ecl_backend base;
    int threads;  /* OpenMP threads used by the kernels */
} ecl_cpu_backend;

/* Compute-bound loops (sums, small GEMMs) get an AVX2 clone picked at load time on x86-64, while
 * the library itself is built for the baseline ISA. Not under ThreadSanitizer: the clones' ifunc
 * resolvers run before the TSan runtime is initialised and crash in its instrumentation. */
#if defined(__x86_64__) && defined(__has_attribute) && !defined(ECL_NO_SIMD_CLONES)
#if __has_attribute(target_clones)
#define CPU_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef CPU_SIMD_CLONES
#define CPU_SIMD_CLONES
#endif

/* Operands of a space: 0 is the destination, 1 and 2 the sources (a, b). */
#define CPU_MAX_OPS 3

/* A loop nest over nd dimensions. Dimensions [0, nkeep) are the destination's; [nkeep, nd) are
 * summed (the destination's stride there is 0). Strides and offsets are in elements of each
 * operand. */
typedef struct cpu_space {
    int nops;
    int nd;
    int nkeep;
    int64_t shape[ECL_MAX_DIMS];
    int64_t stride[CPU_MAX_OPS][ECL_MAX_DIMS];
    int64_t offset[CPU_MAX_OPS];
} cpu_space;

/* Builds a space from views: views[0] is the destination (its ndim dims are kept), the others
 * have the full shape (kept dims followed by summed dims). Returns 0 when the space is empty (a
 * kept dim of size 0) and sets *empty_sum when only a summed dim is 0. */
int cpu_space_build(cpu_space *sp, int nops, const ecl_strided *const *views, int *empty_sum);
/* Drops size-1 dims, flips dims whose key stride is negative (destination's for kept dims, a's for
 * summed dims), orders each group by decreasing key stride and merges dims contiguous in every
 * operand. Leaves the innermost kept and innermost summed dims with the smallest key strides. */
void cpu_space_simplify(cpu_space *sp);
/* Product of shape[lo..hi). */
int64_t cpu_space_count(const cpu_space *sp, int lo, int hi);

/* Position in dims [lo, hi) of a space, with each operand's element offset from the start. */
typedef struct cpu_odo {
    int64_t idx[ECL_MAX_DIMS];
    int64_t off[CPU_MAX_OPS];
} cpu_odo;

static inline void cpu_odo_seek(cpu_odo *it, const cpu_space *sp, int lo, int hi, int64_t linear)
{
    for (int o = 0; o < sp->nops; o++)
        it->off[o] = 0;
    if (linear == 0) {
        for (int d = lo; d < hi; d++)
            it->idx[d] = 0;
        return;
    }
    for (int d = hi - 1; d >= lo; d--) {
        int64_t i = linear % sp->shape[d];
        linear /= sp->shape[d];
        it->idx[d] = i;
        for (int o = 0; o < sp->nops; o++)
            it->off[o] += i * sp->stride[o][d];
    }
}

static inline void cpu_odo_next(cpu_odo *it, const cpu_space *sp, int lo, int hi)
{
    for (int d = hi - 1; d >= lo; d--) {
        if (++it->idx[d] < sp->shape[d]) {
            for (int o = 0; o < sp->nops; o++)
                it->off[o] += sp->stride[o][d];
            return;
        }
        it->idx[d] = 0;
        for (int o = 0; o < sp->nops; o++)
            it->off[o] -= (sp->shape[d] - 1) * sp->stride[o][d];
    }
}

/* Work below this many elements is not worth a thread; parallel work is cut into chunks of at
 * least this size, handed out dynamically so that a thread delayed by other processes holds up
 * little. */
#define CPU_GRAIN 32768
#define CPU_CHUNKS_PER_THREAD 8
#define CPU_MAX_CHUNKS (CPU_CHUNKS_PER_THREAD * CPU_MAX_THREADS)

/* Threads worth using for work touching about `elements` elements. */
static inline int cpu_threads_for(const ecl_cpu_backend *be, int64_t elements)
{
    if (be->threads <= 1 || elements < 2 * CPU_GRAIN)
        return 1;
    return elements / CPU_GRAIN < be->threads ? (int)(elements / CPU_GRAIN) : be->threads;
}

/* Chunks to cut n items of about `cost` elements each into for nt threads (1 when nt == 1). */
static inline int64_t cpu_chunk_count(int64_t n, int64_t cost, int nt)
{
    if (nt <= 1 || n <= 1)
        return n > 0 ? 1 : 0;
    int64_t chunks = n / (CPU_GRAIN / (cost > 0 && cost < CPU_GRAIN ? cost : CPU_GRAIN));
    if (chunks < nt)
        chunks = nt;
    if (chunks > (int64_t)CPU_CHUNKS_PER_THREAD * nt)
        chunks = (int64_t)CPU_CHUNKS_PER_THREAD * nt;
    return chunks < n ? chunks : n;
}

/* Items [*begin, *end) of chunk c when n items are cut into nchunks nearly equal chunks. */
static inline void cpu_chunk_range(int64_t n, int64_t nchunks, int64_t c, int64_t *begin,
                                   int64_t *end)
{
    const int64_t q = n / nchunks, r = n % nchunks;
    *begin = c * q + (c < r ? c : r);
    *end = *begin + q + (c < r ? 1 : 0);
}

static inline double cpu_load(ecl_dtype dtype, const void *p)
{
    return dtype == ECL_F32 ? (double)*(const float *)p : *(const double *)p;
}

/* *p = alpha * value + beta * *p, not reading *p when beta == 0. */
static inline void cpu_store(ecl_dtype dtype, void *p, double value, double alpha, double beta)
{
    double v = beta == 0.0 ? alpha * value : alpha * value + beta * cpu_load(dtype, p);
    if (dtype == ECL_F32)
        *(float *)p = (float)v;
    else
        *(double *)p = v;
}

/* One row of an elementwise operation: n elements at element strides ds, as, bs. */
typedef void (*cpu_row_fn)(char *dp, int64_t ds, const char *ap, int64_t as, const char *bp,
                           int64_t bs, int64_t n, double alpha, double beta);
/* The copy row converting src_dtype to dtype where either is 16-bit or dtype rounds
 * (cpu_convert.c); NULL for other pairs (float32/float64, in cpu_elementwise.c) or unsupported. */
cpu_row_fn cpu_convert_row(ecl_dtype dtype, ecl_dtype src_dtype);

/* Elementwise engine (cpu_elementwise.c) on a simplified space with no summed dims:
 * nops 1: dst = beta * dst; nops 2: dst = alpha * a + beta * dst (a of a_dtype);
 * nops 3: dst = alpha * a * b + beta * dst. */
void cpu_elementwise(const ecl_cpu_backend *be, const cpu_space *sp, ecl_dtype dtype,
                     ecl_dtype a_dtype, void *const *mem, double alpha, double beta);
/* Cache-blocked copy for spaces where a source dim has unit stride and the destination's innermost
 * dim has not (cpu_transpose.c). Returns 0 (doing nothing) when the space is not of that kind. */
int cpu_transpose(const ecl_cpu_backend *be, const cpu_space *sp, ecl_dtype dtype,
                  ecl_dtype src_dtype, void *const *mem, double alpha, double beta);
/* Sum-of-products engine (cpu_reduce.c) on a simplified space with summed dims: nops 2 sums a,
 * nops 3 sums a * b; dst = alpha * sum + beta * dst, summing in double. */
void cpu_sum(const ecl_cpu_backend *be, const cpu_space *sp, ecl_dtype dtype,
                   void *const *mem, double alpha, double beta);

/* The backend operations (cpu_ops.c, cpu_gemm.c, cpu_softmax.c). */
ecl_status ecl_cpu_copy(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                        ecl_dtype src_dtype, const ecl_strided *src, double alpha, double beta);
ecl_status ecl_cpu_reduce(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                          const ecl_strided *src, double alpha, double beta);
ecl_status ecl_cpu_mul(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                       const ecl_strided *a, const ecl_strided *b, double alpha, double beta);
ecl_status ecl_cpu_scale(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double beta);
ecl_status ecl_cpu_softmax(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double scale,
                           const ecl_strided *mask); /* cpu_softmax.c */
ecl_status ecl_cpu_gemm(ecl_backend *be, ecl_dtype dtype, const ecl_gemm_args *g,
                        void *a, int64_t a_offset, void *b, int64_t b_offset,
                        void *c, int64_t c_offset, double alpha, double beta);

#endif /* ECL_CPU_INTERNAL_H */
