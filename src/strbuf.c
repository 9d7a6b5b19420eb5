/*
 * Growable string with printf-style appends, used by the plan descriptions.
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "alloc.h"

static int reserve(ecl_strbuf *sb, size_t extra)
{
    if (sb->failed)
        return 0;
    if (sb->len + extra + 1 <= sb->cap)
        return 1;
    size_t cap = (sb->len + extra + 1) * 2;
    char *p = ecl_realloc(sb->data, cap);
    if (!p) {
        sb->failed = 1;
        return 0;
    }
    sb->data = p;
    sb->cap = cap;
    return 1;
}

void ecl_strbuf_printf(ecl_strbuf *sb, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int need = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (need < 0 || !reserve(sb, (size_t)need))
        return;
    va_start(args, fmt);
    vsnprintf(sb->data + sb->len, (size_t)need + 1, fmt, args);
    va_end(args);
    sb->len += (size_t)need;
}

void ecl_strbuf_json_string(ecl_strbuf *sb, const char *s)
{
    ecl_strbuf_printf(sb, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            ecl_strbuf_printf(sb, "\\%c", c);
        else if (c < 0x20)
            ecl_strbuf_printf(sb, "\\u%04x", c);
        else
            ecl_strbuf_printf(sb, "%c", c);
    }
    ecl_strbuf_printf(sb, "\"");
}

char *ecl_strbuf_take(ecl_strbuf *sb)
{
    if (!reserve(sb, 0)) {
        ecl_free(sb->data);
        sb->data = NULL;
        return NULL;
    }
    sb->data[sb->len] = '\0';
    char *s = sb->data;
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return s;
}
