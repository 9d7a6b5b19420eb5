/*
 * The binder: applies numpy.einsum's (optimize=False) rules to a parsed equation and the operands'
 * descriptors. It checks operand count, dtypes and how many dimensions each term covers; gives
 * every broadcast ("...") dimension and every letter a label id (broadcast dims first, numbered
 * left to right, so id k is "...k"; then letters in order of first appearance); merges repeated
 * labels of an operand into one diagonal dimension; broadcasts size-1 dimensions (stride 0); and
 * computes the output labels and shape. Like numpy, at most ECL_MAX_DIMS distinct labels are
 * accepted in one equation, and the product of all label sizes must fit in int64.
 */
#include "bind.h"

#include <stdio.h>
#include <string.h>

#include "tensor.h"

typedef struct binder {
    const ecl_equation *eq;
    const ecl_tensor_desc *in;
    ecl_bound *b;
    ecl_error *err;
    int nbroadcast;                                  /* dims covered by the widest "..." */
    int letter_id[128];                              /* label id of each letter, -1 if none yet */
    int size_from[ECL_MAX_LABELS];                   /* operand that fixed the label's size */
    int64_t op_size[ECL_MAX_OPERANDS][ECL_MAX_DIMS]; /* each operand's own size per label */
} binder;

static int is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The term as text ("ij...k") for messages. buf holds ECL_MAX_DIMS + 4 bytes. */
static const char *term_text(const ecl_term *t, char *buf)
{
    int n = 0;
    for (int i = 0; i <= t->nlabels; i++) {
        if (i == t->ellipsis) {
            memcpy(buf + n, "...", 3);
            n += 3;
        }
        if (i < t->nlabels)
            buf[n++] = t->labels[i];
    }
    buf[n] = '\0';
    return buf;
}

/* "label 'i'" or "broadcast dimension ...0", for messages. */
static const char *label_text(const ecl_bound *b, int id, char *buf, size_t size)
{
    char name[16];
    ecl_label_name(b, id, name);
    snprintf(buf, size, b->name[id] ? "label '%s'" : "broadcast dimension %s", name);
    return buf;
}

/* Guards against hand-built equations that ecl_equation_parse would never produce. */
static int term_is_valid(const ecl_term *t)
{
    if (t->nlabels < 0 || t->nlabels > ECL_MAX_DIMS)
        return 0;
    if (t->ellipsis != ECL_NO_ELLIPSIS && (t->ellipsis < 0 || t->ellipsis > t->nlabels))
        return 0;
    for (int i = 0; i < t->nlabels; i++)
        if (!is_letter(t->labels[i]))
            return 0;
    return 1;
}

static ecl_status check_arguments(const ecl_equation *eq, int n, const ecl_tensor_desc *inputs,
                                  ecl_bound *b, ecl_error *err)
{
    if (!eq || !b || (n > 0 && !inputs))
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_bind: %s is NULL",
                        !eq ? "equation" : !b ? "result" : "inputs");
    if (eq->nops < 1 || eq->nops > ECL_MAX_OPERANDS)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_bind: equation has %d terms",
                        eq->nops);
    for (int i = 0; i < eq->nops; i++)
        if (!term_is_valid(&eq->in[i]))
            return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_bind: term %d is malformed", i);
    if (eq->has_output && !term_is_valid(&eq->out))
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_bind: output term is malformed");
    if (n != eq->nops)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "the equation has %d input term%s but %d operand%s given", eq->nops,
                        eq->nops == 1 ? "" : "s", n, n == 1 ? " was" : "s were");
    return ECL_SUCCESS;
}

/* The planner multiplies strides by sizes and adds them up (merged strides, leading dimensions,
 * byte offsets): each operand's reach, the sum of |stride| * size, must leave room for that. */
#define ECL_MAX_REACH (INT64_MAX / 16)

static ecl_status check_reach(binder *bd, int i, const ecl_tensor_desc *d)
{
    if (!d->strides)
        return ECL_SUCCESS;
    int64_t reach = 0, term;
    for (int k = 0; k < d->ndim; k++) {
        int64_t s = d->strides[k];
        if (s < -ECL_MAX_REACH || s > ECL_MAX_REACH || ecl_mul_overflow_i64(s < 0 ? -s : s, d->shape[k], &term) ||
            ecl_add_overflow_i64(reach, term, &reach) || reach > ECL_MAX_REACH)
            return ecl_fail(bd->err, ECL_ERROR_OVERFLOW,
                            "operand %d: stride %lld in dimension %d (size %lld) reaches beyond "
                            "2^59 elements",
                            i, (long long)s, k, (long long)d->shape[k]);
    }
    return ECL_SUCCESS;
}
/* dtype, ndim, sizes, and the number of dimensions the term's letters and "..." cover. */
static ecl_status check_operand(binder *bd, int i)
{
    const ecl_tensor_desc *d = &bd->in[i];
    const ecl_term *t = &bd->eq->in[i];
    char text[ECL_MAX_DIMS + 4];
    if (d->dtype != ECL_F32 && d->dtype != ECL_F64 && d->dtype != ECL_F16 && d->dtype != ECL_BF16)
        return ecl_fail(bd->err, ECL_ERROR_DTYPE,
                        "operand %d has unsupported dtype %d (expected float32, float64, float16 "
                        "or bfloat16)", i, (int)d->dtype);
    if (d->ndim < 0 || d->ndim > ECL_MAX_DIMS)
        return ecl_fail(bd->err, ECL_ERROR_SHAPE, "operand %d has %d dimensions (expected 0 to %d)",
                        i, d->ndim, ECL_MAX_DIMS);
    if (d->ndim > 0 && !d->shape)
        return ecl_fail(bd->err, ECL_ERROR_INVALID_ARGUMENT, "operand %d has a NULL shape", i);
    int64_t numel = 1;
    for (int k = 0; k < d->ndim; k++) {
        if (d->shape[k] < 0)
            return ecl_fail(bd->err, ECL_ERROR_SHAPE,
                            "operand %d has negative size %lld in dimension %d", i,
                            (long long)d->shape[k], k);
        if (d->shape[k] > 0 && ecl_mul_overflow_i64(numel, d->shape[k], &numel))
            return ecl_fail(bd->err, ECL_ERROR_OVERFLOW,
                            "operand %d: element count overflows int64 at dimension %d", i, k);
    }
    ecl_status st = check_reach(bd, i, d);
    if (st != ECL_SUCCESS)
        return st;
    if (t->ellipsis == ECL_NO_ELLIPSIS && t->nlabels != d->ndim)
        return ecl_fail(bd->err, ECL_ERROR_SHAPE,
                        "operand %d has %d dimension%s but its subscripts '%s' (position %d) name "
                        "%d%s",
                        i, d->ndim, d->ndim == 1 ? "" : "s", term_text(t, text), t->pos, t->nlabels,
                        t->nlabels < d->ndim ? "; use '...' to cover the extra dimensions" : "");
    if (t->nlabels > d->ndim)
        return ecl_fail(bd->err, ECL_ERROR_SHAPE,
                        "operand %d has %d dimension%s but its subscripts '%s' (position %d) name "
                        "%d besides '...'",
                        i, d->ndim, d->ndim == 1 ? "" : "s", term_text(t, text), t->pos,
                        t->nlabels);
    if (d->ndim - t->nlabels > bd->nbroadcast)
        bd->nbroadcast = d->ndim - t->nlabels;
    return ECL_SUCCESS;
}

static int new_label(ecl_bound *b, char name)
{
    b->name[b->nlabels] = name;
    b->size[b->nlabels] = -1;
    return b->nlabels++;
}

/* Label id of the operand's dimension dim; *letter is the index in the term's letters, or -1. */
static int label_of_dim(binder *bd, int i, int dim, int *letter)
{
    const ecl_term *t = &bd->eq->in[i];
    int covered = bd->in[i].ndim - t->nlabels;
    int first = t->ellipsis == ECL_NO_ELLIPSIS ? t->nlabels : t->ellipsis;
    *letter = -1;
    if (dim >= first && dim < first + covered)
        return bd->nbroadcast - covered + (dim - first);  /* right-aligned "..." dims */
    *letter = dim < first ? dim : dim - covered;
    char c = t->labels[*letter];
    if (bd->letter_id[(int)c] < 0) {
        if (bd->b->nlabels == ECL_MAX_DIMS)
            return -1;
        bd->letter_id[(int)c] = new_label(bd->b, c);
    }
    return bd->letter_id[(int)c];
}

static ecl_status too_many_labels(binder *bd)
{
    return ecl_fail(bd->err, ECL_ERROR_SHAPE,
                    "the equation uses more than %d distinct labels (letters plus %d dimension%s "
                    "covered by '...'); numpy.einsum allows at most %d",
                    ECL_MAX_DIMS, bd->nbroadcast, bd->nbroadcast == 1 ? "" : "s", ECL_MAX_DIMS);
}

/* One operand's distinct labels, own sizes and strides; repeated labels become a diagonal. */
static ecl_status bind_operand(binder *bd, int i)
{
    const ecl_tensor_desc *d = &bd->in[i];
    const ecl_term *t = &bd->eq->in[i];
    ecl_operand *op = &bd->b->op[i];
    int64_t strides[ECL_MAX_DIMS];
    int letter_at[ECL_MAX_DIMS]; /* letter index of each distinct label, for messages */
    if (d->strides) {
        memcpy(strides, d->strides, sizeof strides[0] * (size_t)d->ndim);
    } else {
        int64_t numel;
        ecl_error local;
        ecl_error_clear(&local);
        if (ecl_contiguous_strides(d->ndim, d->shape, strides, &numel, &local) != ECL_SUCCESS)
            return ecl_fail(bd->err, local.status, "operand %d: %s", i, local.message);
    }
    op->dtype = d->dtype;
    op->ndim = 0;
    for (int dim = 0; dim < d->ndim; dim++) {
        int letter;
        int id = label_of_dim(bd, i, dim, &letter);
        if (id < 0)
            return too_many_labels(bd);
        int j = 0;
        while (j < op->ndim && op->label[j] != id)
            j++;
        if (j == op->ndim) {
            op->label[op->ndim] = id;
            op->stride[op->ndim] = strides[dim];
            bd->op_size[i][op->ndim] = d->shape[dim];
            letter_at[op->ndim++] = letter;
            continue;
        }
        if (bd->op_size[i][j] != d->shape[dim])
            return ecl_fail(bd->err, ECL_ERROR_SHAPE,
                            "operand %d repeats label '%c' (a diagonal) over dimensions of "
                            "different sizes: %lld at position %d, %lld at position %d",
                            i, t->labels[letter], (long long)bd->op_size[i][j],
                            t->label_pos[letter_at[j]], (long long)d->shape[dim],
                            t->label_pos[letter]);
        if (ecl_add_overflow_i64(op->stride[j], strides[dim], &op->stride[j]))
            return ecl_fail(bd->err, ECL_ERROR_OVERFLOW,
                            "operand %d: the diagonal stride of label '%c' overflows int64", i,
                            t->labels[letter]);
    }
    return ECL_SUCCESS;
}

/* numpy broadcasting of each label across operands: sizes equal, or 1 (stride becomes 0). */
static ecl_status broadcast_sizes(binder *bd)
{
    ecl_bound *b = bd->b;
    char what[64];
    for (int i = 0; i < b->nops; i++) {
        for (int j = 0; j < b->op[i].ndim; j++) {
            int id = b->op[i].label[j];
            int64_t s = bd->op_size[i][j];
            if (b->size[id] < 0 || (b->size[id] == 1 && s != 1)) {
                b->size[id] = s;
                bd->size_from[id] = i;
            } else if (s != b->size[id] && s != 1) {
                return ecl_fail(bd->err, ECL_ERROR_SHAPE,
                                "%s has size %lld in operand %d but size %lld in operand %d (sizes "
                                "must be equal, or 1 to broadcast)",
                                label_text(b, id, what, sizeof what), (long long)b->size[id],
                                bd->size_from[id], (long long)s, i);
            }
        }
    }
    for (int i = 0; i < b->nops; i++)
        for (int j = 0; j < b->op[i].ndim; j++)
            if (bd->op_size[i][j] == 1 && b->size[b->op[i].label[j]] != 1)
                b->op[i].stride[j] = 0;
    return ECL_SUCCESS;
}

static void add_broadcast_outputs(binder *bd)
{
    for (int k = 0; k < bd->nbroadcast; k++)
        bd->b->out_label[bd->b->out_ndim++] = k;
}

/* No "->": the broadcast dims, then the letters used exactly once, in ASCII order. */
static void implicit_output(binder *bd)
{
    int count[128] = {0};
    for (int i = 0; i < bd->eq->nops; i++)
        for (int k = 0; k < bd->eq->in[i].nlabels; k++)
            count[(int)bd->eq->in[i].labels[k]]++;
    add_broadcast_outputs(bd);
    for (int c = 'A'; c <= 'z'; c++)
        if (is_letter((char)c) && count[c] == 1)
            bd->b->out_label[bd->b->out_ndim++] = bd->letter_id[c];
}

static ecl_status explicit_output(binder *bd)
{
    const ecl_term *t = &bd->eq->out;
    ecl_bound *b = bd->b;
    char text[ECL_MAX_DIMS + 4];
    if (t->ellipsis == ECL_NO_ELLIPSIS && bd->nbroadcast > 0)
        return ecl_fail(bd->err, ECL_ERROR_SHAPE,
                        "the output subscripts '%s' (position %d) have no '...' but the inputs' "
                        "'...' cover %d dimension%s, which would have to be summed; numpy rejects "
                        "this",
                        term_text(t, text), t->pos, bd->nbroadcast, bd->nbroadcast == 1 ? "" : "s");
    for (int k = 0; k <= t->nlabels; k++) {
        if (k == t->ellipsis)
            add_broadcast_outputs(bd);
        if (k == t->nlabels)
            break;
        int id = bd->letter_id[(int)t->labels[k]];
        if (id < 0)
            return ecl_fail_at(bd->err, ECL_ERROR_PARSE, t->label_pos[k],
                               "output subscript '%c' at position %d does not appear in any input",
                               t->labels[k], t->label_pos[k]);
        for (int o = 0; o < b->out_ndim; o++)
            if (b->out_label[o] == id)
                return ecl_fail_at(bd->err, ECL_ERROR_PARSE, t->label_pos[k],
                                   "output subscript '%c' appears more than once (position %d)",
                                   t->labels[k], t->label_pos[k]);
        b->out_label[b->out_ndim++] = id;
    }
    return ECL_SUCCESS;
}

/* The output (zero sizes counted as 1) must be addressable: its element and byte counts fit int64.
 * The whole iteration space need not: a network may sum over far more than 2^63 terms. */
static ecl_status check_output_size(binder *bd)
{
    const ecl_bound *b = bd->b;
    int64_t product = 1;
    char what[64];
    for (int o = 0; o < b->out_ndim; o++) {
        int id = b->out_label[o];
        if (b->size[id] > 1 && ecl_mul_overflow_i64(product, b->size[id], &product))
            return ecl_fail(bd->err, ECL_ERROR_OVERFLOW,
                            "the output's element count overflows int64 at %s (size %lld)",
                            label_text(b, id, what, sizeof what), (long long)b->size[id]);
    }
    if (ecl_mul_overflow_i64(product, (int64_t)ecl_dtype_size(b->dtype), &product))  /* >= out's */
        return ecl_fail(bd->err, ECL_ERROR_OVERFLOW, "the output's byte count overflows int64");
    return ECL_SUCCESS;
}

ecl_dtype ecl_result_dtype(int n, const ecl_tensor_desc *inputs)
{
    int f64 = 0, f32 = 0, f16 = 0, bf16 = 0;
    for (int i = 0; i < n; i++) {
        f64 |= inputs[i].dtype == ECL_F64;
        f32 |= inputs[i].dtype == ECL_F32;
        f16 |= inputs[i].dtype == ECL_F16;
        bf16 |= inputs[i].dtype == ECL_BF16;
    }
    if (f64)
        return ECL_F64;
    if (f32 || (f16 && bf16))
        return ECL_F32;
    return f16 ? ECL_F16 : bf16 ? ECL_BF16 : ECL_F32;
}

/* Same for each operand as the planner sees it: a size-1 dimension broadcast against a larger size
 * takes that size (with stride 0), so an operand can span more than its own element count. */
static ecl_status check_operand_views(binder *bd)
{
    const ecl_bound *b = bd->b;
    char what[64];
    for (int i = 0; i < b->nops; i++) {
        int64_t product = 1;
        for (int d = 0; d < b->op[i].ndim; d++) {
            int id = b->op[i].label[d];
            if (b->size[id] > 1 && ecl_mul_overflow_i64(product, b->size[id], &product))
                return ecl_fail(bd->err, ECL_ERROR_OVERFLOW,
                                "operand %d, broadcast against the others, has more elements than "
                                "int64 counts (at %s, size %lld)",
                                i, label_text(b, id, what, sizeof what), (long long)b->size[id]);
        }
    }
    return ECL_SUCCESS;
}

ecl_status ecl_bind(const ecl_equation *eq, int n, const ecl_tensor_desc *inputs, ecl_bound *b,
                    ecl_error *err)
{
    ecl_status st = check_arguments(eq, n, inputs, b, err);
    if (st != ECL_SUCCESS)
        return st;
    binder bd;
    memset(&bd, 0, sizeof bd);
    bd.eq = eq;
    bd.in = inputs;
    bd.b = b;
    bd.err = err;
    memset(bd.letter_id, -1, sizeof bd.letter_id);
    memset(b, 0, sizeof *b);
    b->nops = n;
    for (int i = 0; i < n && st == ECL_SUCCESS; i++)
        st = check_operand(&bd, i);
    if (st != ECL_SUCCESS)
        return st;
    b->out_dtype = ecl_result_dtype(n, inputs);
    b->dtype = b->out_dtype == ECL_F64 ? ECL_F64 : ECL_F32;
    b->round = ECL_F32;
    for (int k = 0; k < bd.nbroadcast; k++)
        new_label(b, 0);
    for (int i = 0; i < n && st == ECL_SUCCESS; i++)
        st = bind_operand(&bd, i);
    if (st == ECL_SUCCESS)
        st = broadcast_sizes(&bd);
    if (st == ECL_SUCCESS) {
        if (eq->has_output)
            st = explicit_output(&bd);
        else
            implicit_output(&bd);
    }
    if (st == ECL_SUCCESS)
        st = check_output_size(&bd);
    if (st == ECL_SUCCESS)
        st = check_operand_views(&bd);
    if (st != ECL_SUCCESS)
        return st;
    for (int k = 0; k < b->out_ndim; k++)
        b->out_shape[k] = b->size[b->out_label[k]];
    return ECL_SUCCESS;
}

const char *ecl_label_name(const ecl_bound *b, int label, char *buf)
{
    if (!b || label < 0 || label >= b->nlabels) {
        snprintf(buf, 16, "?");
        return buf;
    }
    if (b->name[label]) {
        buf[0] = b->name[label];
        buf[1] = '\0';
        return buf;
    }
    int k = 0;
    for (int id = 0; id < label; id++)
        k += b->name[id] == 0;
    snprintf(buf, 16, "...%d", k);
    return buf;
}
