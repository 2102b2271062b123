/*
 * Phone numbers for codes by text message: the one E.164 rule, reading a
 * number as people type it, and the mask for the terminal.
 */
#ifndef SSPR_PHONE_H
#define SSPR_PHONE_H

#include <stddef.h>

/* "+" and at most 15 digits (ITU-T E.164 6.1), and the NUL. */
#define SSPR_PHONE_MAX 17

/*
 * Is number an E.164 number in its canonical form: '+', a country code
 * that does not start with 0, and 8 to 15 digits in all, nothing else?
 * 0 when it is, else -EINVAL.
 */
int sspr_phone_ok(const char *number);

/*
 * Read a number as typed ("+81 90-1234-5678", "+1 (555) 010 0100") into
 * its canonical form in out (SSPR_PHONE_MAX bytes): the leading '+' is
 * required, spaces, '-', '.', '(' and ')' between digits are dropped.
 * 0, or -EINVAL when what is left is not sspr_phone_ok().
 */
int sspr_phone_canonical(const char *typed, char out[SSPR_PHONE_MAX]);

/*
 * The number as the menu shows it: the country code and the last four
 * digits, "+81 ••• •••• 5678" (with '*' for '•' when the locale's
 * character set is not UTF-8); the mask has the same length for every
 * number, so it tells nothing of the number's length. Malloc'd; NULL
 * when number is not sspr_phone_ok() or on no memory.
 */
char *sspr_phone_mask(const char *number);

/*
 * How many digits of number's start are its country code (1 to 3):
 * E.164 country codes are prefix-free, so the first digits decide.
 */
size_t sspr_phone_country_len(const char *digits);

#endif
