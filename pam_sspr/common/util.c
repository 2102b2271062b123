/* Secret hygiene and small parsing helpers. */
#include "sspr/common/util.h"

#include <errno.h>
#include <langinfo.h>
#include <stdint.h>
#include <stdlib.h>

void
sspr_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}

void
sspr_freezero(void *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

void
sspr_free_secret(char *s)
{
	if (s == NULL)
		return;
	sspr_freezero(s, strlen(s));
}

bool
sspr_consttime_eq(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a;
	const volatile unsigned char *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= (unsigned char)(x[i] ^ y[i]);
	return diff == 0;
}

bool
sspr_consttime_streq(const char *a, const char *b)
{
	size_t la = strlen(a);
	size_t lb = strlen(b);
	size_t i;
	unsigned char diff = (unsigned char)(la != lb);

	/* Walk the longer string fully so timing does not depend on content. */
	for (i = 0; i < (la > lb ? la : lb); i++) {
		unsigned char ca = i < la ? (unsigned char)a[i] : 0;
		unsigned char cb = i < lb ? (unsigned char)b[i] : 0;

		diff |= (unsigned char)(ca ^ cb);
	}
	return diff == 0;
}

const char *
sspr_skip_prefix(const char *str, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(str, prefix, n) == 0 ? str + n : NULL;
}

int
sspr_parse_uint(const char *s, unsigned long min, unsigned long max,
		unsigned long *ret_value)
{
	unsigned long v;
	char *end = NULL;

	/* strtoul accepts leading space and a sign; a config value must not. */
	if (s == NULL || !sspr_ascii_digit(s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s || *end != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret_value = v;
	return 0;
}

int
sspr_ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ca = sspr_ascii_tolower(a[i]);
		char cb = sspr_ascii_tolower(b[i]);

		if (ca != cb)
			return (unsigned char)ca - (unsigned char)cb;
		if (ca == '\0')
			break;
	}
	return 0;
}

int
sspr_ascii_casecmp(const char *a, const char *b)
{
	return sspr_ascii_ncasecmp(a, b, (size_t)-1);
}

bool
sspr_locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL &&
	       (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

char *
sspr_strdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		errno = ENOMEM;
	return d;
}

size_t
sspr_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void
sspr_fold_width(char *s)
{
	const unsigned char *in = (const unsigned char *)s;
	char *out = s;

	while (*in != '\0') {
		/* U+FF10..U+FF19 is EF BC 90..99 in UTF-8. */
		if (in[0] == 0xef && in[1] == 0xbc && in[2] >= 0x90 &&
		    in[2] <= 0x99) {
			*out++ = (char)('0' + (in[2] - 0x90));
			in += 3;
		} else if (in[0] == 0xe3 && in[1] == 0x80 && in[2] == 0x80) {
			/* U+3000 IDEOGRAPHIC SPACE */
			*out++ = ' ';
			in += 3;
		} else {
			*out++ = (char)*in++;
		}
	}
	*out = '\0';
}

/* A code is never longer than this, even typed in full-width digits. */
#define TYPED_CODE_MAX 128

int
sspr_normalize_code(const char *typed, unsigned digits, char *out)
{
	char folded[TYPED_CODE_MAX];
	const char *p = folded;
	const char *end;
	unsigned n = 0;
	bool inner_space = false;
	int r = -EINVAL;

	if (sspr_strlcpy(folded, typed, sizeof(folded)) >= sizeof(folded))
		goto out;
	sspr_fold_width(folded);
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (; p < end; p++) {
		if (*p == ' ' && !inner_space && n > 0) {
			inner_space = true;
			continue;
		}
		if (*p < '0' || *p > '9' || n >= digits)
			goto out;
		out[n++] = *p;
	}
	out[n] = '\0';
	r = n == digits ? 0 : -EINVAL;
out:
	/* It held the code. */
	sspr_wipe(folded, sizeof(folded));
	return r;
}

void
sspr_hex_encode(const void *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = in;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 0x0f];
	}
	out[2 * len] = '\0';
}
