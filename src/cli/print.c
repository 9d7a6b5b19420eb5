/*
 * numpy-style array printing (numpy's str() with default print options), in two passes like
 * numpy's FloatingFormat: the first pass over the shown elements chooses positional or scientific
 * notation and the paddings, the second lays the elements out in nested brackets, wrapping rows at
 * 75 characters and eliding the middle of long dimensions when the array is summarised.
 */
#include "print.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "float_text.h"

#define LINE_WIDTH 75
#define THRESHOLD 1000
#define EDGE_ITEMS 3
#define PRECISION 8

typedef struct array_view {
    int is_f32;
    int ndim;
    const int64_t *shape;
    const void *data;
    int summarise;
} array_view;

typedef struct float_format {
    int exp_format;
    int pad_left;
    int pad_right;
    int exp_precision; /* digits after the point in scientific notation */
    int exp_digits;    /* minimal digits of the exponent */
} float_format;

typedef struct text {
    char *data;
    size_t len, cap;
    int failed;
} text;

static void text_append_n(text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        if (!grown) {
            t->failed = 1;
            return;
        }
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void text_append(text *t, const char *s) { text_append_n(t, s, strlen(s)); }

static double element(const array_view *a, int64_t flat)
{
    return a->is_f32 ? (double)((const float *)a->data)[flat] : ((const double *)a->data)[flat];
}

/* The indices shown along an axis: all, or the first and last EDGE_ITEMS when summarising. */
static int axis_elided(const array_view *a, int axis)
{
    return a->summarise && a->shape[axis] > 2 * EDGE_ITEMS;
}

static int64_t shown_index(const array_view *a, int axis, int64_t k)
{
    return axis_elided(a, axis) && k >= EDGE_ITEMS ? a->shape[axis] - 2 * EDGE_ITEMS + k : k;
}

static int64_t shown_count(const array_view *a, int axis)
{
    return axis_elided(a, axis) ? 2 * EDGE_ITEMS : a->shape[axis];
}

/* ---- First pass: statistics of the shown elements ---------------------------------------------- */

typedef struct shown_stats {
    double max_abs, min_abs; /* over finite non-zero values; min_abs < 0 when none */
    int any_finite, any_nonfinite, any_neg_inf;
} shown_stats;

typedef void (*element_fn)(const array_view *a, double value, void *state);

static void for_each_shown(const array_view *a, int axis, int64_t offset, element_fn fn, void *state)
{
    if (axis == a->ndim) {
        fn(a, element(a, offset), state);
        return;
    }
    int64_t inner = 1;
    for (int d = axis + 1; d < a->ndim; d++)
        inner *= a->shape[d];
    for (int64_t k = 0; k < shown_count(a, axis); k++)
        for_each_shown(a, axis + 1, offset + shown_index(a, axis, k) * inner, fn, state);
}

static void collect_stats(const array_view *a, double x, void *state)
{
    (void)a;
    shown_stats *s = state;
    if (!isfinite(x)) {
        s->any_nonfinite = 1;
        if (isinf(x) && x < 0)
            s->any_neg_inf = 1;
        return;
    }
    s->any_finite = 1;
    double ax = fabs(x);
    if (ax == 0)
        return;
    if (ax > s->max_abs)
        s->max_abs = ax;
    if (s->min_abs < 0 || ax < s->min_abs)
        s->min_abs = ax;
}

static int max_int(int a, int b) { return a > b ? a : b; }

static void measure(const array_view *a, double x, void *state)
{
    float_format *f = state;
    if (!isfinite(x))
        return;
    if (f->exp_format) {
        ecl_sci_text s;
        ecl_float_sci(x, a->is_f32, PRECISION, &s);
        f->pad_left = max_int(f->pad_left, (int)strlen(s.int_part));
        f->exp_precision = max_int(f->exp_precision, (int)strlen(s.frac_part));
        f->exp_digits = max_int(f->exp_digits, s.exp_digits);
    } else {
        ecl_pos_text p;
        ecl_float_positional(x, a->is_f32, PRECISION, &p);
        f->pad_left = max_int(f->pad_left, (int)strlen(p.int_part));
        f->pad_right = max_int(f->pad_right, (int)strlen(p.frac_part));
    }
}

static float_format choose_format(const array_view *a)
{
    shown_stats stats = {0, -1, 0, 0, 0};
    for_each_shown(a, 0, 0, collect_stats, &stats);
    float_format f = {0, 0, 0, 0, 0};
    if (stats.min_abs > 0)
        f.exp_format = stats.max_abs >= (a->is_f32 ? 1e6 : 1e8) || stats.min_abs < 1e-4 ||
                       stats.max_abs / stats.min_abs > 1000.0;
    if (stats.any_finite) {
        for_each_shown(a, 0, 0, measure, &f);
        if (f.exp_format)
            f.pad_right = f.exp_digits + 2 + f.exp_precision;
    }
    if (stats.any_nonfinite) {
        int offset = f.pad_right + 1;
        f.pad_left = max_int(f.pad_left, 3 - offset);
        f.pad_left = max_int(f.pad_left, 3 + stats.any_neg_inf - offset);
    }
    return f;
}

/* ---- Second pass: layout ----------------------------------------------------------------------- */

/* Writes one element padded to the common width; returns snprintf's count. */
static int format_element(const array_view *a, const float_format *f, double x, char *out,
                          size_t size)
{
    if (!isfinite(x)) {
        const char *word = isnan(x) ? "nan" : x < 0 ? "-inf" : "inf";
        return snprintf(out, size, "%*s", f->pad_left + f->pad_right + 1, word);
    }
    if (f->exp_format) {
        /* numpy's min_digits: past the shortest digits come the value's next true digits. */
        ecl_sci_text s;
        ecl_float_sci_digits(x, f->exp_precision, &s);
        return snprintf(out, size, "%*s.%se%c%0*d", f->pad_left, s.int_part, s.frac_part,
                        s.exponent < 0 ? '-' : '+', f->exp_digits, abs(s.exponent));
    } else {
        ecl_pos_text p;
        ecl_float_positional(x, a->is_f32, PRECISION, &p);
        return snprintf(out, size, "%*s.%-*s", f->pad_left, p.int_part, f->pad_right, p.frac_part);
    }
}

typedef struct layout {
    const array_view *a;
    const float_format *f;
    text *out;
} layout;

/* Appends word to the current row, wrapping first when it would not fit (numpy's _extendLine). */
static void extend_line(text *out, text *line, const char *word, size_t width, size_t indent_len)
{
    int wrap = line->len + strlen(word) > width && line->len > indent_len;
    if (wrap) {
        size_t keep = line->len;
        while (keep > 0 && line->data[keep - 1] == ' ')
            keep--;
        text_append_n(out, line->data, keep);
        text_append(out, "\n");
        line->len = 0;
        for (size_t i = 0; i < indent_len; i++)
            text_append_n(line, " ", 1);
    }
    text_append(line, word);
}

static void append_spaces(text *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        text_append_n(t, " ", 1);
}

/* numpy's _formatArray recursion; `indent` is the hanging indent in spaces, width the line width. */
static void layout_axis(const layout *l, int axis, int64_t offset, size_t indent, size_t width)
{
    const array_view *a = l->a;
    int64_t inner = 1;
    for (int d = axis + 1; d < a->ndim; d++)
        inner *= a->shape[d];
    int64_t count = shown_count(a, axis);
    int elided = axis_elided(a, axis);
    text_append(l->out, "[");
    if (axis == a->ndim - 1) {
        /* Like numpy, build the rows with the hanging indent on the first line too, then drop it. */
        text rows = {0}, line = {0};
        append_spaces(&line, indent);
        char word[sizeof(ecl_pos_text) + 8];
        for (int64_t k = 0; k < count; k++) {
            if (elided && k == EDGE_ITEMS) {
                extend_line(&rows, &line, "...", width - 1, indent);
                text_append(&line, " ");
            }
            format_element(a, l->f, element(a, offset + shown_index(a, axis, k) * inner), word,
                           sizeof word);
            extend_line(&rows, &line, word, width - 1, indent);
            if (k + 1 < count)
                text_append(&line, " ");
        }
        if (line.failed)
            rows.failed = 1;
        else
            text_append(&rows, line.data);
        if (rows.failed)
            l->out->failed = 1;
        else
            text_append(l->out, rows.data + indent);
        free(line.data);
        free(rows.data);
    } else {
        size_t blank_lines = (size_t)(a->ndim - axis - 1);
        for (int64_t k = 0; k < count; k++) {
            if (elided && k == EDGE_ITEMS) {
                append_spaces(l->out, indent);
                text_append(l->out, "...");
                for (size_t n = 0; n < blank_lines; n++)
                    text_append(l->out, "\n");
            }
            if (k > 0)
                append_spaces(l->out, indent);
            layout_axis(l, axis + 1, offset + shown_index(a, axis, k) * inner, indent + 1, width - 1);
            if (k + 1 < count) {
                for (size_t n = 0; n < blank_lines; n++)
                    text_append(l->out, "\n");
            }
        }
    }
    text_append(l->out, "]");
}

/* A 0-d array prints like a numpy scalar: shortest digits, positional in a moderate range. */
static void format_scalar(double x, int is_f32, text *out)
{
    char buf[512];
    if (isnan(x)) {
        text_append(out, "nan");
        return;
    }
    if (isinf(x)) {
        text_append(out, x < 0 ? "-inf" : "inf");
        return;
    }
    double ax = fabs(x);
    double cutoff = is_f32 ? 1e6 : 1e16;
    if (ax == 0 || (ax >= 1e-4 && ax < cutoff)) {
        ecl_pos_text p;
        ecl_float_positional(x, is_f32, -1, &p);
        snprintf(buf, sizeof buf, "%s.%s", p.int_part, p.frac_part[0] ? p.frac_part : "0");
    } else {
        ecl_sci_text s;
        ecl_float_sci(x, is_f32, -1, &s);
        snprintf(buf, sizeof buf, "%s%s%se%c%02d", s.int_part, s.frac_part[0] ? "." : "",
                 s.frac_part, s.exponent < 0 ? '-' : '+', abs(s.exponent));
    }
    text_append(out, buf);
}

char *ecl_cli_format_array(ecl_dtype dtype, int ndim, const int64_t *shape, const void *data)
{
    text out = {0};
    int64_t numel = 1;
    for (int d = 0; d < ndim; d++)
        numel *= shape[d];
    array_view a = {dtype == ECL_F32, ndim, shape, data, numel > THRESHOLD};
    if (ndim == 0) {
        format_scalar(element(&a, 0), a.is_f32, &out);
    } else if (numel == 0) {
        text_append(&out, "[]");
    } else {
        float_format f = choose_format(&a);
        layout l = {&a, &f, &out};
        layout_axis(&l, 0, 0, 1, LINE_WIDTH);
    }
    if (out.failed) {
        free(out.data);
        return NULL;
    }
    return out.data;
}

void ecl_cli_print_shape(FILE *out, int ndim, const int64_t *shape)
{
    fputc('(', out);
    for (int d = 0; d < ndim; d++)
        fprintf(out, d ? ", %lld" : "%lld", (long long)shape[d]);
    fputs(ndim == 1 ? ",)" : ")", out);
}
