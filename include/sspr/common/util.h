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

/*
 * ASCII character classes. Those of <ctype.h> follow the locale, and the
 * setuid sspr command runs in its caller's: a file must read the same for
 * it as for the module (in ISO-8859-1, iscntrl() is true for bytes of
 * UTF-8 text; in Turkish, tolower('I') is not 'i').
 */
static inline bool
sspr_ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
sspr_ascii_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static inline bool
sspr_ascii_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static inline bool
sspr_ascii_alnum(char c)
{
	return sspr_ascii_lower(c) || sspr_ascii_upper(c) ||
	       sspr_ascii_digit(c);
}

static inline bool
sspr_ascii_space(char c)
{
	/* '\t' '\n' '\v' '\f' '\r' are 9 to 13 */
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool
sspr_ascii_cntrl(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

static inline char
sspr_ascii_tolower(char c)
{
	return sspr_ascii_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* strncasecmp() for ASCII letters only, whatever the locale. */
int sspr_ascii_ncasecmp(const char *a, const char *b, size_t n);

/* strcasecmp() for ASCII letters only, whatever the locale. */
int sspr_ascii_casecmp(const char *a, const char *b);

/*
 * Does the current locale (as the host application's setlocale() set it)
 * use UTF-8, so that the terminal can show non-ASCII output?
 */
bool sspr_locale_is_utf8(void);

/* Copy at most size-1 bytes and always terminate; returns strlen(src). */
size_t sspr_strlcpy(char *dst, const char *src, size_t size);

/* Lower-case hex of len bytes into out (room for 2 * len + 1). */
void sspr_hex_encode(const void *in, size_t len, char *out);

/*
 * What a Japanese (or Chinese) input method types for digits and blanks,
 * in place: the full-width digits U+FF10..U+FF19 become 0-9 and the
 * ideographic space U+3000 a space. Everything else stays as it was.
 * The string never grows.
 */
void sspr_fold_width(char *s);

/*
 * A one-time code as a person typed it (TOTP or mailed code): blanks
 * around it and one inner space (as in "123 456") are allowed, otherwise
 * exactly digits ASCII digits; full-width digits and spaces count as
 * theirs (sspr_fold_width). Writes them to out (room for digits + 1).
 * 0 or -EINVAL.
 */
int sspr_normalize_code(const char *typed, unsigned digits, char *out);

#endif
