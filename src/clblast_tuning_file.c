/*
 * Reads one result file of CLBlast's tuner (the format of the .json files in data/clblast/) at run time, for
 * ECL_CLBLAST_TUNING_FILE: only the top-level string fields before "results" are needed, so this
 * scans for them rather than parsing JSON in full. cmake/embed_clblast_tuning.cmake reads the
 * same fields at build time for the built-in table.
 */
#include "clblast_tuning.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BYTES (64L << 20)

static char *slurp(const char *path, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_cap, "cannot open tuning file %s", path);
        return NULL;
    }
    char *buf = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size >= 0 && size <= MAX_BYTES && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = ecl_malloc((size_t)size + 1)) && fread(buf, 1, (size_t)size, f) == (size_t)size) {
        buf[size] = '\0';
    } else {
        ecl_free(buf);
        buf = NULL;
        snprintf(why, why_cap, "cannot read tuning file %s (or it is over %ld bytes)", path,
                 MAX_BYTES);
    }
    fclose(f);
    return buf;
}

/* The value of "key": "value" in text; *len its length. NULL when absent or not a plain string. */
static const char *field(const char *text, const char *key, size_t *len)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    for (const char *p = strstr(text, quoted); p; p = strstr(p + 1, quoted)) {
        const char *q = p + strlen(quoted);
        q += strspn(q, " \t\r\n");
        if (*q != ':')
            continue;
        q++;
        q += strspn(q, " \t\r\n");
        if (*q != '"')
            return NULL;
        q++;
        *len = strcspn(q, "\"\\");
        return q[*len] == '"' ? q : NULL;
    }
    return NULL;
}

int ecl_tuning_read_file(const char *path, ecl_clblast_tuning_entry *entry, char **storage,
                         char *why, size_t why_cap)
{
    static const char *const keys[] = {"device_vendor", "clblast_device_name", "kernel_family",
                                       "precision", "best_time", "best_parameters"};
    enum { NKEYS = sizeof keys / sizeof keys[0] };
    *storage = NULL;
    char *text = slurp(path, why, why_cap);
    if (!text)
        return -1;
    char *results = strstr(text, "\"results\"");
    if (results)
        *results = '\0';
    const char *value[NKEYS];
    size_t len[NKEYS], total = strlen(path) + 1;
    for (int i = 0; i < NKEYS; i++) {
        value[i] = field(text, keys[i], &len[i]);
        if (!value[i]) {
            snprintf(why, why_cap, "tuning file %s: no string field \"%s\" before \"results\"",
                     path, keys[i]);
            ecl_free(text);
            return -1;
        }
        total += len[i] + 1;
    }
    char *out = ecl_malloc(total), *w = out;
    if (!out) {
        snprintf(why, why_cap, "tuning file %s: out of memory", path);
        ecl_free(text);
        return -1;
    }
    const char *copy[NKEYS + 1];
    for (int i = 0; i <= NKEYS; i++) {
        size_t n = i < NKEYS ? len[i] : strlen(path);
        memcpy(w, i < NKEYS ? value[i] : path, n);
        w[n] = '\0';
        copy[i] = w;
        w += n + 1;
    }
    ecl_free(text);
    char *pend, *end;
    long precision = strtol(copy[3], &pend, 10);
    double best_time = strtod(copy[4], &end);
    if (*pend || (precision != 16 && precision != 32 && precision != 64 && precision != 3232 &&
                  precision != 6464)) {
        snprintf(why, why_cap, "tuning file %s: precision \"%s\" is not one CLBlast knows", path,
                 copy[3]);
        ecl_free(out);
        return -1;
    }
    if (end == copy[4] || *end || best_time < 0) {
        snprintf(why, why_cap, "tuning file %s: best_time \"%s\" is not a number", path, copy[4]);
        ecl_free(out);
        return -1;
    }
    *entry = (ecl_clblast_tuning_entry){copy[0], copy[1], copy[2], (int)precision, best_time,
                                        copy[5], copy[6]};
    *storage = out;
    return 0;
}
