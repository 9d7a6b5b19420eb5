/*
 * Row softmax in place along the last dim of a space (host: opencl_softmax.c): with
 * v = scale * x + mask, x = exp(v - max v) / sum exp(v - max v). Operand 0 of the space is the
 * tensor, operand 1 the mask (has_mask == 0: no mask; its offsets and strides are then 0). The
 * exponentials are computed in `real` after subtracting the row maximum (so they never
 * overflow) and summed in `acc`. A NaN in v is skipped by the maximum but makes the sum, and so
 * the row, NaN; a row of -inf (or one holding +inf) has max - max = NaN: the row becomes NaN.
 * Two shapes: ecl_softmax_rows (one work-item per row: short rows, CPU devices) and
 * ecl_softmax_group (one work-group per row, the maximum and the sum meeting in a tree in local
 * memory; work-groups of a power of two up to ECL_SOFTMAX_WG items; rows up to 8 elements per
 * item are read and written once).
 */
#define ECL_SOFTMAX_WG 256

real ecl_softmax_v(global const real *x, const long xi, global const real *mask, const long mi,
                   const real scale, const int has_mask)
{
    const real v = scale * x[xi];
    return has_mask ? v + mask[mi] : v;
}

kernel void ecl_softmax_rows(global real *x, global const real *mask, const ecl_space sp,
                             const real scale, const int has_mask)
{
    const int in = (int)sp.nd - 1;
    const long n = sp.shape[in], xs = sp.stride[0][in], ms = sp.stride[1][in];
    for (long row = (long)get_global_id(0); row < sp.nrows; row += (long)get_global_size(0)) {
        long xo, mo, unused;
        ecl_row_offsets(sp, row, &xo, &mo, &unused);
        global real *xr = x + xo;
        global const real *mr = mask + mo;
        real mx = -INFINITY;
        for (long i = 0; i < n; i++) {
            const real v = ecl_softmax_v(xr, i * xs, mr, i * ms, scale, has_mask);
            mx = v > mx ? v : mx;
        }
        acc sum = 0, comp = 0;
        for (long i = 0; i < n; i++) {
            const real e = exp(ecl_softmax_v(xr, i * xs, mr, i * ms, scale, has_mask) - mx);
            xr[i * xs] = e;
            ECL_ACC_ADD(sum, comp, (acc)e);
        }
        const real inv = (real)((acc)1 / sum);
        for (long i = 0; i < n; i++)
            xr[i * xs] *= inv;
    }
}

/* The maximum (max = 1) or the sum of the items' values meeting in a tree; every item gets it. */
acc ecl_softmax_tree(local acc *tree, const int lid, const int wg, const acc value, const int max)
{
    tree[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = wg / 2; w > 0; w /= 2) {
        if (lid < w)
            tree[lid] = max ? (tree[lid + w] > tree[lid] ? tree[lid + w] : tree[lid])
                            : tree[lid] + tree[lid + w];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const acc total = tree[0];
    barrier(CLK_LOCAL_MEM_FENCE); /* before the tree is used again */
    return total;
}

/* Rows of at most ECL_SOFTMAX_PER_ITEM * wg elements stay in registers between the passes (one
 * read and one write of global memory per element); longer rows are read three times. */
#define ECL_SOFTMAX_PER_ITEM 8

kernel void ecl_softmax_group(global real *x, global const real *mask, const ecl_space sp,
                              const real scale, const int has_mask)
{
    local acc tree[ECL_SOFTMAX_WG];
    const int lid = (int)get_local_id(0), wg = (int)get_local_size(0);
    const int in = (int)sp.nd - 1;
    const long n = sp.shape[in], xs = sp.stride[0][in], ms = sp.stride[1][in];
    const int cached = n <= (long)wg * ECL_SOFTMAX_PER_ITEM;
    for (long row = (long)get_group_id(0); row < sp.nrows; row += (long)get_num_groups(0)) {
        long xo, mo, unused;
        ecl_row_offsets(sp, row, &xo, &mo, &unused);
        global real *xr = x + xo;
        global const real *mr = mask + mo;
        real c[ECL_SOFTMAX_PER_ITEM];
        real mx = -INFINITY;
        if (cached) {
            for (int j = 0; j < ECL_SOFTMAX_PER_ITEM; j++) {
                const long i = lid + (long)j * wg;
                c[j] = i < n ? ecl_softmax_v(xr, i * xs, mr, i * ms, scale, has_mask) : -INFINITY;
                mx = c[j] > mx ? c[j] : mx;
            }
        } else {
            for (long i = lid; i < n; i += wg) {
                const real v = ecl_softmax_v(xr, i * xs, mr, i * ms, scale, has_mask);
                mx = v > mx ? v : mx;
            }
        }
        mx = (real)ecl_softmax_tree(tree, lid, wg, (acc)mx, 1);
        acc sum = 0, comp = 0;
        if (cached) {
            for (int j = 0; j < ECL_SOFTMAX_PER_ITEM; j++) {
                c[j] = lid + (long)j * wg < n ? exp(c[j] - mx) : (real)0;
                ECL_ACC_ADD(sum, comp, (acc)c[j]);
            }
        } else {
            for (long i = lid; i < n; i += wg) {
                const real e = exp(ecl_softmax_v(xr, i * xs, mr, i * ms, scale, has_mask) - mx);
                xr[i * xs] = e;
                ECL_ACC_ADD(sum, comp, (acc)e);
            }
        }
        const real inv = (real)((acc)1 / ecl_softmax_tree(tree, lid, wg, sum - comp, 0));
        if (cached) {
            for (int j = 0; j < ECL_SOFTMAX_PER_ITEM; j++) {
                const long i = lid + (long)j * wg;
                if (i < n)
                    xr[i * xs] = c[j] * inv;
            }
        } else {
            /* Each item scales the elements it wrote itself: no barrier on global memory needed. */
            for (long i = lid; i < n; i += wg)
                xr[i * xs] *= inv;
        }
    }
}
