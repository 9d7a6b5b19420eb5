/*
 * A growable string for building descriptions; an allocation failure is remembered and reported
 * once at the end (ecl_strbuf_take returns NULL).
 */
#ifndef ECL_STRBUF_H
#define ECL_STRBUF_H

#include <stddef.h>

typedef struct ecl_strbuf {
    char *data;
    size_t len, cap;
    int failed;
} ecl_strbuf;

void ecl_strbuf_printf(ecl_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quoted, escaped). */
void ecl_strbuf_json_string(ecl_strbuf *sb, const char *s);
/* Hands over the string (caller frees), or NULL after an allocation failure. */
char *ecl_strbuf_take(ecl_strbuf *sb);

#endif /* ECL_STRBUF_H */
