/*
 * E.164 numbers: one rule for a number typed at enrollment, read from
 * Microsoft 365 or kept in a record. Plain libc.
 */
#include "sspr/common/phone.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/util.h"

#define DIGITS_MIN 8
#define DIGITS_MAX 15
#define SHOWN 4
#define BULLET "\xe2\x80\xa2" /* U+2022 */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The two-digit country codes of ITU-T E.164's list; besides them only
 * 1 and 7 are one digit long, and every other code has three.
 */
static const char *const two_digit_codes[] = {
	"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41",
	"43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
	"55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
	"81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
};

size_t
sspr_phone_country_len(const char *digits)
{
	size_t i;

	if (digits[0] == '1' || digits[0] == '7')
		return 1;
	for (i = 0; i < SSPR_ARRAY_SIZE(two_digit_codes); i++)
		if (strncmp(digits, two_digit_codes[i], 2) == 0)
			return 2;
	return 3;
}

int
sspr_phone_ok(const char *number)
{
	size_t n;

	if (number == NULL || number[0] != '+' || number[1] == '0')
		return -EINVAL;
	for (n = 0; number[1 + n] != '\0'; n++)
		if (!is_digit(number[1 + n]))
			return -EINVAL;
	return n >= DIGITS_MIN && n <= DIGITS_MAX ? 0 : -EINVAL;
}

int
sspr_phone_canonical(const char *typed, char out[SSPR_PHONE_MAX])
{
	const char *p = typed;
	size_t n = 0;

	while (*p == ' ')
		p++;
	if (*p != '+')
		return -EINVAL;
	out[n++] = *p++;
	for (; *p != '\0'; p++) {
		if (is_digit(*p)) {
			if (n + 1 >= SSPR_PHONE_MAX)
				return -EINVAL;
			out[n++] = *p;
		} else if (strchr(" -.()", *p) == NULL) {
			return -EINVAL;
		}
	}
	out[n] = '\0';
	return sspr_phone_ok(out);
}

char *
sspr_phone_mask(const char *number)
{
	/* Same width for every number: its length is not shown either. */
	const char *dot = sspr_locale_is_utf8() ? BULLET : "*";
	size_t cc;
	size_t len;
	char *out;

	if (sspr_phone_ok(number) < 0)
		return NULL;
	cc = sspr_phone_country_len(number + 1);
	len = strlen(number);
	if (asprintf(&out, "+%.*s %s%s%s %s%s%s%s %s", (int)cc, number + 1, dot,
		     dot, dot, dot, dot, dot, dot, number + len - SHOWN) < 0)
		return NULL;
	return out;
}
