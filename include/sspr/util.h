/*
 * Small helpers shared by every part of pam_sspr: secret wiping,
 * constant-time comparison and checked number parsing.
 *
 * Library code in pam_sspr returns 0 or a negative errno value; only the
 * PAM entry points translate results into PAM_* codes.
 */
#ifndef SSPR_UTIL_H
#define SSPR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define SSPR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Length of a string literal, for prefix matching without magic numbers. */
#define SSPR_LITERAL_LEN(s) (sizeof("" s "") - 1)

/* Wipe memory that held a secret; never optimised away. */
void sspr_wipe(void *p, size_t len);

/* Wipe then free; NULL is fine. */
void sspr_freezero(void *p, size_t len);

/* Wipe a NUL-terminated secret string by its length, then free it. */
void sspr_free_secret(char *s);

/* Compare two byte strings in time that depends only on the length. */
bool sspr_consttime_eq(const void *a, const void *b, size_t len);

/* Compare two secret strings without an early exit on the first mismatch. */
bool sspr_consttime_streq(const char *a, const char *b);

/*
 * Return the rest of str after prefix, or NULL when str does not start
 * with it.
 */
const char *sspr_skip_prefix(const char *str, const char *prefix);

/*
 * Parse a whole decimal unsigned number in [min, max].
 * Returns 0, -EINVAL (not a number, trailing junk) or -ERANGE.
 */
int sspr_parse_uint(const char *s, unsigned long min, unsigned long max,
		    unsigned long *ret_value);

/* strdup that reports allocation failure as NULL with errno = ENOMEM. */
char *sspr_strdup(const char *s);

/* Copy at most size-1 bytes and always terminate; returns strlen(src). */
size_t sspr_strlcpy(char *dst, const char *src, size_t size);

/* Lower-case hex of len bytes into out (room for 2 * len + 1). */
void sspr_hex_encode(const void *in, size_t len, char *out);

/*
 * A one-time code as a person typed it (TOTP or mailed code): blanks
 * around it and one inner space (as in "123 456") are allowed, otherwise
 * exactly digits ASCII digits. Writes them to out (room for digits + 1).
 * 0 or -EINVAL.
 */
int sspr_normalize_code(const char *typed, unsigned digits, char *out);

#endif
