/*
 * The .npy header dictionary, a Python literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }, parsed as the small subset of
 * Python that numpy's files use: keys in any order, either quote style, optional trailing commas,
 * free whitespace. Whatever numpy's reader rejects is rejected here too, and so are duplicate keys;
 * descr must be '<f4' or '<f8'. Element and byte counts are overflow-checked.
 */
#include "npy.h"

#include <string.h>

typedef struct scanner {
    const char *text;
    size_t len;
    size_t pos;
    ecl_error *err;
} scanner;

typedef struct span {
    const char *text;
    size_t len;
} span;

static int at_end(const scanner *s) { return s->pos >= s->len; }
static int peek(const scanner *s) { return at_end(s) ? -1 : (unsigned char)s->text[s->pos]; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_word_char(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static void skip_space(scanner *s)
{
    for (int c = peek(s); c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; c = peek(s))
        s->pos++;
}

/* Printable excerpt of text for messages: at most 40 characters, others shown as '?'. */
static void excerpt(const char *text, size_t len, char out[48])
{
    size_t n = len < 40 ? len : 40;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    strcpy(out + n, len > n ? "..." : "");
}

static ecl_status expected(scanner *s, const char *what)
{
    if (at_end(s))
        return ecl_fail(s->err, ECL_ERROR_FORMAT,
                        ".npy header: expected %s at byte %zu, found the end of the header", what,
                        s->pos);
    char found[48];
    excerpt(s->text + s->pos, s->len - s->pos < 12 ? s->len - s->pos : 12, found);
    return ecl_fail(s->err, ECL_ERROR_FORMAT, ".npy header: expected %s at byte %zu, found \"%s\"",
                    what, s->pos, found);
}

static ecl_status scan_string(scanner *s, span *out)
{
    int quote = peek(s);
    if (quote != '\'' && quote != '"')
        return expected(s, "a quoted string");
    size_t start = ++s->pos;
    for (int c = peek(s); c != quote; c = peek(s)) {
        if (c < 0 || c == '\n' || c == '\r')
            return ecl_fail(s->err, ECL_ERROR_FORMAT,
                            ".npy header: unterminated string starting at byte %zu", start - 1);
        if (c == '\\')
            return ecl_fail(s->err, ECL_ERROR_FORMAT,
                            ".npy header: unsupported escape sequence in string at byte %zu", s->pos);
        s->pos++;
    }
    out->text = s->text + start;
    out->len = s->pos - start;
    s->pos++;
    return ECL_SUCCESS;
}

/* Skips one value of any form (used for descr values that are not strings, so that the message
 * can quote them): brackets must balance; stops at a top-level ',' or the closing '}'. */
static ecl_status skip_value(scanner *s, span *out)
{
    size_t start = s->pos;
    int depth = 0;
    for (int c = peek(s); c >= 0; c = peek(s)) {
        if (c == '\'' || c == '"') {
            span ignored;
            ecl_status st = scan_string(s, &ignored);
            if (st != ECL_SUCCESS)
                return st;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            if (depth == 0)
                break;
            depth--;
        } else if (c == ',' && depth == 0) {
            break;
        }
        s->pos++;
    }
    if (depth != 0 || s->pos == start)
        return expected(s, depth != 0 ? "a closing bracket" : "a value");
    out->text = s->text + start;
    out->len = s->pos - start;
    while (out->len > 0 && (out->text[out->len - 1] == ' ' || out->text[out->len - 1] == '\n'))
        out->len--;
    return ECL_SUCCESS;
}

static ecl_status scan_bool(scanner *s, int *out)
{
    size_t start = s->pos;
    while (is_word_char(peek(s)))
        s->pos++;
    size_t n = s->pos - start;
    if (n == 4 && memcmp(s->text + start, "True", 4) == 0) {
        *out = 1;
        return ECL_SUCCESS;
    }
    if (n == 5 && memcmp(s->text + start, "False", 5) == 0) {
        *out = 0;
        return ECL_SUCCESS;
    }
    s->pos = start;
    return expected(s, "True or False for 'fortran_order'");
}

/* One dimension of the shape tuple: a Python integer literal (digits, '_' between digits, an
 * optional Python 2 'L' suffix as numpy accepts), possibly signed. */
static ecl_status scan_dim(scanner *s, int index, int64_t *out)
{
    size_t start = s->pos;
    int negative = 0;
    if (peek(s) == '-' || peek(s) == '+') {
        negative = peek(s) == '-';
        s->pos++;
        skip_space(s);
    }
    size_t digits_start = s->pos;
    uint64_t value = 0;
    int overflow = 0;
    while (is_digit(peek(s)) || (peek(s) == '_' && s->pos > digits_start && s->pos + 1 < s->len &&
                                 is_digit((unsigned char)s->text[s->pos + 1]))) {
        int c = peek(s);
        s->pos++;
        if (c == '_')
            continue;
        if (value > ((uint64_t)INT64_MAX - (uint64_t)(c - '0')) / 10)
            overflow = 1;
        else
            value = value * 10 + (uint64_t)(c - '0');
    }
    int have_digits = s->pos > digits_start;
    /* Python rejects "01"; "0" and "00" are fine. */
    int leading_zero = have_digits && s->text[digits_start] == '0' && value != 0;
    if (have_digits && peek(s) == 'L')
        s->pos++;
    int trailing_junk = 0;
    while (is_word_char(peek(s)) || peek(s) == '.') {
        s->pos++;
        trailing_junk = 1;
    }
    if (s->pos == start)
        return expected(s, "an integer dimension in 'shape'");
    char token[48];
    excerpt(s->text + start, s->pos - start, token);
    if (!have_digits || leading_zero || trailing_junk)
        return ecl_fail(s->err, ECL_ERROR_FORMAT,
                        ".npy header: dimension %d of 'shape' is not an integer: \"%s\"", index,
                        token);
    if (negative && (value != 0 || overflow))
        return ecl_fail(s->err, ECL_ERROR_FORMAT,
                        ".npy header: dimension %d of 'shape' is negative (%s)", index, token);
    if (overflow)
        return ecl_fail(s->err, ECL_ERROR_OVERFLOW,
                        ".npy header: dimension %d of 'shape' (%s) does not fit in 64 bits", index,
                        token);
    *out = (int64_t)value;
    return ECL_SUCCESS;
}

static ecl_status scan_shape(scanner *s, ecl_npy_header *h)
{
    if (peek(s) != '(')
        return expected(s, "a tuple such as (2, 3) for 'shape'");
    s->pos++;
    skip_space(s);
    int n = 0;
    int trailing_comma = 0;
    while (peek(s) != ')') {
        if (n == ECL_MAX_DIMS)
            return ecl_fail(s->err, ECL_ERROR_FORMAT,
                            ".npy header: 'shape' has more than %d dimensions", ECL_MAX_DIMS);
        ecl_status st = scan_dim(s, n, &h->shape[n]);
        if (st != ECL_SUCCESS)
            return st;
        n++;
        skip_space(s);
        trailing_comma = peek(s) == ',';
        if (trailing_comma) {
            s->pos++;
            skip_space(s);
        } else if (peek(s) != ')') {
            return expected(s, "',' or ')' in 'shape'");
        }
    }
    if (n == 1 && !trailing_comma)
        return ecl_fail(s->err, ECL_ERROR_FORMAT,
                        ".npy header: 'shape' (%lld) is a number, not a tuple; a 1-d shape is "
                        "written (%lld,)",
                        (long long)h->shape[0], (long long)h->shape[0]);
    s->pos++;
    h->ndim = n;
    return ECL_SUCCESS;
}

enum { KEY_DESCR, KEY_FORTRAN_ORDER, KEY_SHAPE, KEY_COUNT };
static const char *const key_names[KEY_COUNT] = {"descr", "fortran_order", "shape"};

static ecl_status scan_key(scanner *s, int *key)
{
    span name;
    ecl_status st = scan_string(s, &name);
    if (st != ECL_SUCCESS)
        return st;
    for (int k = 0; k < KEY_COUNT; k++) {
        if (strlen(key_names[k]) == name.len && memcmp(key_names[k], name.text, name.len) == 0) {
            *key = k;
            return ECL_SUCCESS;
        }
    }
    char text[48];
    excerpt(name.text, name.len, text);
    return ecl_fail(s->err, ECL_ERROR_FORMAT,
                    ".npy header: unknown key '%s' (expected 'descr', 'fortran_order' and 'shape')",
                    text);
}

/* descr is kept as text (quoted or not) and judged once the whole dictionary parsed, so that a
 * corrupt header is reported as corrupt rather than as an unsupported dtype. */
static ecl_status scan_descr(scanner *s, span *descr, int *is_string)
{
    *is_string = peek(s) == '\'' || peek(s) == '"';
    return *is_string ? scan_string(s, descr) : skip_value(s, descr);
}

static ecl_status check_descr(const span *descr, int is_string, ecl_npy_header *h, ecl_error *err)
{
    char text[48];
    excerpt(descr->text, descr->len, text);
    if (!is_string)
        return ecl_fail(err, descr->text[0] == '[' ? ECL_ERROR_DTYPE : ECL_ERROR_FORMAT,
                        ".npy header: descr %s is %s; only '<f4' (float32), '<f8' (float64), "
                        "'<f2' (float16) and '<V2' (bfloat16) are supported",
                        text,
                        descr->text[0] == '[' ? "a structured dtype" : "not a dtype descriptor");
    /* bfloat16 has no numpy dtype: ml_dtypes' np.save writes it as 2-byte void ('<V2'; numpy's
     * own spelling of void is '|V2'), and writing str(dtype) by hand gives 'bfloat16'. */
    static const struct { const char *descr; ecl_dtype dtype; } known[] = {
        {"<f4", ECL_F32}, {"<f8", ECL_F64}, {"<f2", ECL_F16},
        {"<V2", ECL_BF16}, {"|V2", ECL_BF16}, {"bfloat16", ECL_BF16},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (descr->len == strlen(known[i].descr) &&
            memcmp(descr->text, known[i].descr, descr->len) == 0) {
            h->dtype = known[i].dtype;
            return ECL_SUCCESS;
        }
    }
    return ecl_fail(err, ECL_ERROR_DTYPE,
                    ".npy header: unsupported dtype '%s'%s; only '<f4' (float32), '<f8' "
                    "(float64), '<f2' (float16) and '<V2' or 'bfloat16' (bfloat16) are supported",
                    text, descr->len > 0 && descr->text[0] == '>' ? " (big-endian)" : "");
}

static ecl_status compute_sizes(ecl_npy_header *h, ecl_error *err)
{
    int64_t numel = 1;
    int empty = 0;
    for (int i = 0; i < h->ndim; i++)
        empty |= h->shape[i] == 0;
    char shape[160];
    for (int i = 0; i < h->ndim && !empty; i++) {
        if (ecl_mul_overflow_i64(numel, h->shape[i], &numel))
            return ecl_fail(err, ECL_ERROR_OVERFLOW,
                            ".npy header: shape %s has more elements than fit in 64 bits",
                            ecl_npy_shape_string(h->ndim, h->shape, shape, sizeof shape));
    }
    h->numel = empty ? 0 : numel;
    int64_t bytes;
    if (ecl_mul_overflow_i64(h->numel, (int64_t)ecl_dtype_size(h->dtype), &bytes))
        return ecl_fail(err, ECL_ERROR_OVERFLOW,
                        ".npy header: shape %s of %s needs more bytes than fit in 64 bits",
                        ecl_npy_shape_string(h->ndim, h->shape, shape, sizeof shape),
                        ecl_dtype_name(h->dtype));
    h->data_bytes = (uint64_t)bytes;
    return ECL_SUCCESS;
}

static ecl_status scan_entries(scanner *s, ecl_npy_header *h, span *descr, int *descr_is_string)
{
    int seen[KEY_COUNT] = {0};
    skip_space(s);
    if (peek(s) != '{')
        return expected(s, "'{' opening the header dictionary");
    s->pos++;
    for (;;) {
        skip_space(s);
        if (peek(s) == '}')
            break;
        int key = 0;
        ecl_status st = scan_key(s, &key);
        if (st != ECL_SUCCESS)
            return st;
        if (seen[key])
            return ecl_fail(s->err, ECL_ERROR_FORMAT, ".npy header: duplicate key '%s'",
                            key_names[key]);
        seen[key] = 1;
        skip_space(s);
        if (peek(s) != ':')
            return expected(s, "':' after a key");
        s->pos++;
        skip_space(s);
        if (key == KEY_DESCR)
            st = scan_descr(s, descr, descr_is_string);
        else if (key == KEY_FORTRAN_ORDER)
            st = scan_bool(s, &h->fortran_order);
        else
            st = scan_shape(s, h);
        if (st != ECL_SUCCESS)
            return st;
        skip_space(s);
        if (peek(s) == ',')
            s->pos++;
        else if (peek(s) != '}')
            return expected(s, "',' or '}' after a value");
    }
    s->pos++;
    skip_space(s);
    if (!at_end(s))
        return expected(s, "only whitespace after the header dictionary");
    for (int k = 0; k < KEY_COUNT; k++) {
        if (!seen[k])
            return ecl_fail(s->err, ECL_ERROR_FORMAT, ".npy header: missing key '%s'",
                            key_names[k]);
    }
    return ECL_SUCCESS;
}

ecl_status ecl_npy_parse_dict(const char *text, size_t len, ecl_npy_header *out, ecl_error *err)
{
    scanner s = {text, len, 0, err};
    ecl_npy_header h;
    memset(&h, 0, sizeof h);
    span descr = {NULL, 0};
    int descr_is_string = 0;
    ecl_status st = scan_entries(&s, &h, &descr, &descr_is_string);
    if (st == ECL_SUCCESS)
        st = check_descr(&descr, descr_is_string, &h, err);
    if (st == ECL_SUCCESS)
        st = compute_sizes(&h, err);
    if (st != ECL_SUCCESS)
        return st;
    out->dtype = h.dtype;
    out->ndim = h.ndim;
    memcpy(out->shape, h.shape, sizeof h.shape);
    out->fortran_order = h.fortran_order;
    out->numel = h.numel;
    out->data_bytes = h.data_bytes;
    return ECL_SUCCESS;
}

