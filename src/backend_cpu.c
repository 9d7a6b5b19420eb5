/*
 * The CPU backend: creation (thread counts for OpenMP and OpenBLAS, the device description), and
 * its memory, which is plain host memory: buffers are 64-byte aligned heap blocks, wrapped host
 * pointers are used as they are, and reads/writes are memcpy. Work runs synchronously, so finish
 * has nothing to wait for. Large buffers ask for transparent huge pages (as numpy does): streaming
 * kernels then miss the TLB far less, which matters most in virtual machines. The primitives live
 * in cpu_ops.c, cpu_gemm.c and cpu_softmax.c.
 */
#define _DEFAULT_SOURCE /* madvise */

#include "cpu_internal.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "alloc.h"

#define CPU_ALIGNMENT 64
#define CPU_HUGE_PAGE ((uintptr_t)2 << 20)
#define CPU_HUGE_MIN ((size_t)4 << 20)

static void advise_huge_pages(void *mem, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t lo = ((uintptr_t)mem + CPU_HUGE_PAGE - 1) & ~(CPU_HUGE_PAGE - 1);
    uintptr_t hi = ((uintptr_t)mem + bytes) & ~(CPU_HUGE_PAGE - 1);
    if (bytes >= CPU_HUGE_MIN && hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);  /* a hint: failure changes nothing */
#else
    (void)mem, (void)bytes;
#endif
}

static void cpu_destroy(ecl_backend *be) { ecl_free(be); }

static ecl_status cpu_alloc(ecl_backend *be, size_t bytes, void **mem)
{
    if (!mem)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "cpu alloc: output pointer is NULL");
    *mem = NULL;
    size_t rounded = bytes == 0 ? CPU_ALIGNMENT : bytes;
    if (rounded > SIZE_MAX - (CPU_ALIGNMENT - 1))
        return ecl_fail(be->err, ECL_ERROR_OUT_OF_MEMORY,
                        "cpu alloc: cannot allocate %zu bytes", bytes);
    rounded = (rounded + CPU_ALIGNMENT - 1) / CPU_ALIGNMENT * CPU_ALIGNMENT;
    /* Linux overcommits: a block larger than the machine's memory may be granted and the process
     * killed later when it is touched, so such requests are refused up front. */
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0 && rounded / (size_t)page > (size_t)pages)
        return ecl_fail(be->err, ECL_ERROR_OUT_OF_MEMORY,
                        "cpu alloc: %zu bytes exceed the machine's memory (%llu bytes)", bytes,
                        (unsigned long long)pages * (unsigned long long)page);
    *mem = ecl_aligned_alloc(CPU_ALIGNMENT, rounded);
    if (!*mem)
        return ecl_fail(be->err, ECL_ERROR_OUT_OF_MEMORY,
                        "cpu alloc: cannot allocate %zu bytes", bytes);
    advise_huge_pages(*mem, rounded);
    return ECL_SUCCESS;
}

static void cpu_free(ecl_backend *be, void *mem)
{
    (void)be;
    ecl_aligned_free(mem);
}

static ecl_status cpu_wrap_host(ecl_backend *be, void *host, size_t bytes, void **mem)
{
    if (!mem || (!host && bytes > 0))
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                        "cpu wrap_host: %s pointer is NULL", !mem ? "output" : "host");
    *mem = host;
    return ECL_SUCCESS;
}

static void cpu_unwrap(ecl_backend *be, void *mem)
{
    (void)be;
    (void)mem;
}

static ecl_status check_transfer(ecl_backend *be, const char *op, const void *mem,
                                 const void *host, size_t bytes)
{
    if (bytes > 0 && (!mem || !host))
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                        "cpu %s: %s pointer is NULL for %zu bytes", op, !mem ? "buffer" : "host",
                        bytes);
    return ECL_SUCCESS;
}

static ecl_status cpu_write(ecl_backend *be, void *mem, size_t byte_offset, const void *src,
                            size_t bytes)
{
    ecl_status st = check_transfer(be, "write", mem, src, bytes);
    if (!st && bytes > 0)
        memcpy((char *)mem + byte_offset, src, bytes);
    return st;
}

static ecl_status cpu_read(ecl_backend *be, void *mem, size_t byte_offset, void *dst,
                           size_t bytes)
{
    ecl_status st = check_transfer(be, "read", mem, dst, bytes);
    if (!st && bytes > 0)
        memcpy(dst, (const char *)mem + byte_offset, bytes);
    return st;
}

static ecl_status cpu_fill_zero(ecl_backend *be, void *mem, size_t byte_offset, size_t bytes)
{
    ecl_status st = check_transfer(be, "fill_zero", mem, mem, bytes);
    if (!st && bytes > 0)
        memset((char *)mem + byte_offset, 0, bytes);
    return st;
}

/* memcpy in one contiguous chunk per OpenMP thread, so the copy uses every core's bandwidth. */
static ecl_status cpu_copy_bytes(ecl_backend *be, void *dst, const void *src, size_t bytes)
{
    ecl_status st = check_transfer(be, "copy_bytes", dst, src, bytes);
    if (st || bytes == 0)
        return st;
    const int threads = ((ecl_cpu_backend *)be)->threads;
    const size_t chunk = (bytes / (size_t)threads + 63) / 64 * 64;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int t = 0; t < threads; t++) {
        size_t start = (size_t)t * chunk;
        if (start < bytes)
            memcpy((char *)dst + start, (const char *)src + start,
                   bytes - start < chunk ? bytes - start : chunk);
    }
    return ECL_SUCCESS;
}

static ecl_status cpu_finish(ecl_backend *be)
{
    (void)be;
    return ECL_SUCCESS;
}

static const ecl_backend_ops cpu_ops = {
    .destroy = cpu_destroy,
    .alloc = cpu_alloc,
    .free = cpu_free,
    .wrap_host = cpu_wrap_host,
    .unwrap = cpu_unwrap,
    .write = cpu_write,
    .read = cpu_read,
    .fill_zero = cpu_fill_zero,
    .copy_bytes = cpu_copy_bytes,
    .copy = ecl_cpu_copy,
    .reduce = ecl_cpu_reduce,
    .mul = ecl_cpu_mul,
    .gemm = ecl_cpu_gemm,
    .scale = ecl_cpu_scale,
    .softmax = ecl_cpu_softmax,
    .finish = cpu_finish,
};

static void describe(ecl_cpu_backend *be)
{
    const char *config = openblas_get_config();
    size_t len = config ? strlen(config) : 0;
    while (len > 0 && config[len - 1] == ' ')
        len--;
    snprintf(be->base.device_name, sizeof be->base.device_name, "CPU (%.*s, %d thread%s)",
             (int)(len < 200 ? len : 200), config ? config : "", be->threads,
             be->threads == 1 ? "" : "s");
}

ecl_status ecl_backend_cpu_create(int num_threads, ecl_error *err, ecl_backend **out)
{
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "cpu backend: output pointer is NULL");
    *out = NULL;
    if (num_threads < 0)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "cpu backend: num_threads is %d (0 = default, or a positive count)",
                        num_threads);
    ecl_cpu_backend *be = ecl_calloc(1, sizeof *be);
    if (!be)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cpu backend: cannot allocate %zu bytes",
                        sizeof *be);
    be->base.ops = &cpu_ops;
    be->base.kind = ECL_BACKEND_CPU;
    be->base.err = err;
    if (num_threads > 0)
        openblas_set_num_threads(num_threads);
    be->threads = num_threads > 0 ? num_threads : omp_get_max_threads();
    if (be->threads > CPU_MAX_THREADS)
        be->threads = CPU_MAX_THREADS;
    if (be->threads < 1)
        be->threads = 1;
    describe(be);
    *out = &be->base;
    return ECL_SUCCESS;
}
