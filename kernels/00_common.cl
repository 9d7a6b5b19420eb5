/*
 * Definitions shared by every kernel family. The program of one precision is the concatenation
 * of the .cl files in this directory in file-name order, so this file's name sorts first.
 * PRECISION (32 or 64) picks `real`, the element type; `acc`, the type sums accumulate in, is
 * double wherever the device has fp64, else float with Kahan-compensated loops (ECL_ACC_ADD).
 * ecl_space is the iteration space the host packs (opencl_space.c, the same layout of 64-bit
 * fields): up to ECL_SPACE_DIMS dims, row-major; dims [0, nkeep) are the destination's, the rest
 * summed; per operand (0 the destination, 1 and 2 the sources) an element offset and strides.
 * Every kernel walks its work with a loop over work-groups (or work-items), so the host can cap
 * the NDRange and launch one-dimensional ranges of any length.
 */
#if defined(cl_khr_fp64)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define ECL_HAS_FP64 1
#else
#define ECL_HAS_FP64 0
#endif

#if PRECISION == 64
#if !ECL_HAS_FP64
#error "float64 kernels need a device with cl_khr_fp64"
#endif
typedef double real;
#elif PRECISION == 32
typedef float real;
#else
#error "PRECISION must be 32 or 64"
#endif

#if ECL_HAS_FP64
typedef double acc;
#define ECL_ACC_ADD(sum, comp, x) ((sum) += (x))
#else
typedef float acc;
#define ECL_ACC_ADD(sum, comp, x)                 \
    do {                                          \
        const acc ecl_y_ = (x) - (comp);          \
        const acc ecl_t_ = (sum) + ecl_y_;        \
        (comp) = (ecl_t_ - (sum)) - ecl_y_;       \
        (sum) = ecl_t_;                           \
    } while (0)
#endif

#define ECL_SPACE_DIMS 8

typedef struct ecl_space {
    long shape[ECL_SPACE_DIMS];
    long stride[3][ECL_SPACE_DIMS];
    long offset[3];
    long nd, nkeep;
    long small; /* every linear index over the space fits in 31 bits: 32-bit division */
    long nrows; /* elements over all dims but the innermost */
} ecl_space;

/* Element offsets in operands 0, 1, 2 of the row-major multi-index `linear` over dims [lo, hi).
 * (Scalar accumulators and a loop bounded by the dims in use: long3 results and fully unrolled
 * predicated loops measured several times slower on PoCL.) */
void ecl_offsets(const ecl_space sp, const int lo, const int hi, const long linear, long *o0,
                 long *o1, long *o2)
{
    long a = 0, b = 0, c = 0;
    if (sp.small) {
        uint rest = (uint)linear;
        for (int d = hi - 1; d >= lo; d--) {
            const uint n = (uint)sp.shape[d], q = rest / n;
            const long i = (long)(rest - q * n);
            rest = q;
            a += sp.stride[0][d] * i;
            b += sp.stride[1][d] * i;
            c += sp.stride[2][d] * i;
        }
    } else {
        long rest = linear;
        for (int d = hi - 1; d >= lo; d--) {
            const long q = rest / sp.shape[d], i = rest - q * sp.shape[d];
            rest = q;
            a += sp.stride[0][d] * i;
            b += sp.stride[1][d] * i;
            c += sp.stride[2][d] * i;
        }
    }
    *o0 = a;
    *o1 = b;
    *o2 = c;
}

/* The elementwise kernels run on a two-dimensional range: dimension 0 walks the innermost dim of
 * the space (no index arithmetic; coalesced where that dim is contiguous), dimension 1 the other
 * dims flattened into rows (one decomposition per row); both loop where the host capped the
 * range. The host gives these spaces at least one dim. ecl_row_offsets: where row `row` starts in
 * each operand. */
void ecl_row_offsets(const ecl_space sp, const long row, long *o0, long *o1, long *o2)
{
    ecl_offsets(sp, 0, (int)sp.nd - 1, row, o0, o1, o2);
    *o0 += sp.offset[0];
    *o1 += sp.offset[1];
    *o2 += sp.offset[2];
}

/* x / n for non-negative x, n; 32-bit division where the space is small. */
long ecl_div(const long x, const long n, const long small)
{
    return small ? (long)((uint)x / (uint)n) : x / n;
}
