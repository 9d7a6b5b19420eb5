/*
 * Decimal text of one floating-point value as numpy's dragon4 formatting produces it: the shortest
 * digits that read back as the same value in its dtype (float32 or float64), optionally capped at a
 * number of digits after the point, in positional or scientific notation, split into parts so that
 * the printer can pad them into columns.
 */
#ifndef ECL_CLI_FLOAT_TEXT_H
#define ECL_CLI_FLOAT_TEXT_H

/* Positional: int_part "[-]ddd", frac_part the digits after the point without trailing zeros. */
typedef struct ecl_pos_text {
    char int_part[400];
    char frac_part[64];
} ecl_pos_text;

/* Scientific: int_part "[-]d", frac_part as above, exponent, and the digits of |exponent| (>= 2). */
typedef struct ecl_sci_text {
    char int_part[4];
    char frac_part[32];
    int exponent;
    int exp_digits;
} ecl_sci_text;

/* max_frac caps the digits after the point (rounding); a negative max_frac means no cap. x must be
 * finite. */
void ecl_float_positional(double x, int is_f32, int max_frac, ecl_pos_text *out);
void ecl_float_sci(double x, int is_f32, int max_frac, ecl_sci_text *out);
/* Scientific with exactly `frac` correctly rounded digits after the point (numpy's min_digits). */
void ecl_float_sci_digits(double x, int frac, ecl_sci_text *out);

#endif /* ECL_CLI_FLOAT_TEXT_H */
