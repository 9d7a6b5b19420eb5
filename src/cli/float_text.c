/*
 * Shortest round-trip decimal digits of float32/float64 values (found by printing with increasing
 * precision until strtof/strtod reads the value back) and their positional and scientific layouts.
 */
#include "float_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Number of significant digits of the shortest "%.*e" text that reads back as x. */
static int shortest_digits(double x, int is_f32)
{
    int max_digits = is_f32 ? 9 : 17;
    char buf[64];
    for (int digits = 1; digits < max_digits; digits++) {
        snprintf(buf, sizeof buf, "%.*e", digits - 1, x);
        if (is_f32 ? strtof(buf, NULL) == (float)x : strtod(buf, NULL) == x)
            return digits;
    }
    return max_digits;
}

static void trim_zeros(char *digits)
{
    size_t len = strlen(digits);
    while (len > 0 && digits[len - 1] == '0')
        digits[--len] = '\0';
}

/* Splits "[-]ddd[.ddd]" into the parts before and after the point. */
static void split_point(const char *text, char *int_part, size_t int_size, char *frac_part,
                        size_t frac_size)
{
    const char *point = strchr(text, '.');
    size_t int_len = point ? (size_t)(point - text) : strlen(text);
    snprintf(int_part, int_size, "%.*s", (int)int_len, text);
    snprintf(frac_part, frac_size, "%s", point ? point + 1 : "");
}

void ecl_float_positional(double x, int is_f32, int max_frac, ecl_pos_text *out)
{
    char sci[64];
    int digits = shortest_digits(x, is_f32);
    snprintf(sci, sizeof sci, "%.*e", digits - 1, x);
    int exponent = atoi(strchr(sci, 'e') + 1);
    int frac = digits - 1 - exponent;
    if (frac < 0)
        frac = 0;
    if (max_frac >= 0 && frac > max_frac)
        frac = max_frac;
    if (frac > (int)sizeof out->frac_part - 1)
        frac = (int)sizeof out->frac_part - 1;
    char text[sizeof out->int_part + sizeof out->frac_part + 2];
    snprintf(text, sizeof text, "%.*f", frac, x);
    split_point(text, out->int_part, sizeof out->int_part, out->frac_part, sizeof out->frac_part);
    trim_zeros(out->frac_part);
}

/* Fills out from "%.*e" text with `frac` digits after the point. */
static void sci_parts(double x, int frac, int trim, ecl_sci_text *out)
{
    char sci[64];
    if (frac > (int)sizeof out->frac_part - 1)
        frac = (int)sizeof out->frac_part - 1;
    snprintf(sci, sizeof sci, "%.*e", frac, x);
    char *e = strchr(sci, 'e');
    out->exponent = atoi(e + 1);
    out->exp_digits = (int)strlen(e + 2); /* after the sign: at least two digits */
    *e = '\0';
    split_point(sci, out->int_part, sizeof out->int_part, out->frac_part, sizeof out->frac_part);
    if (trim)
        trim_zeros(out->frac_part);
}

void ecl_float_sci(double x, int is_f32, int max_frac, ecl_sci_text *out)
{
    int frac = shortest_digits(x, is_f32) - 1;
    if (max_frac >= 0 && frac > max_frac)
        frac = max_frac;
    sci_parts(x, frac, 1, out);
}

void ecl_float_sci_digits(double x, int frac, ecl_sci_text *out)
{
    sci_parts(x, frac, 0, out);
}
