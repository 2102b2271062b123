/*
 * The one rule for an email address, wherever it comes from: typed in at
 * enrollment, read from Microsoft 365, set in sspr.conf or kept in a
 * user's record. Plain libc, so the lean module can use it too.
 */
#include "sspr/common/address.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/lang.h"
#include "sspr/common/util.h"

#define LOCAL_MAX 64
#define BULLET "\xe2\x80\xa2" /* U+2022 */
#define MASK_DOTS 5

int
sspr_address_ok(const char *address)
{
	const char *at;
	const char *domain;
	const char *p;
	size_t len;
	size_t dlen;

	if (address == NULL)
		return -EINVAL;
	len = strlen(address);
	if (len == 0 || len > SSPR_ADDRESS_MAX)
		return -EINVAL;
	at = strchr(address, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return -EINVAL;
	if (at == address || (size_t)(at - address) > LOCAL_MAX)
		return -EINVAL;
	/* Local part: printable ASCII, none of the special characters. */
	for (p = address; p < at; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || strchr("()<>[]\\\",;:#", c))
			return -EINVAL;
	}
	if (address[0] == '.' || at[-1] == '.' || strstr(address, "..") != NULL)
		return -EINVAL;
	/* Domain: letters, digits, '-' and '.', with a dot inside. */
	domain = at + 1;
	dlen = strlen(domain);
	if (dlen == 0 || domain[0] == '.' || domain[0] == '-' ||
	    domain[dlen - 1] == '.' || domain[dlen - 1] == '-' ||
	    strchr(domain, '.') == NULL)
		return -EINVAL;
	for (p = domain; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return -EINVAL;
	return 0;
}

char *
sspr_address_mask(const char *address)
{
	const char *dot = BULLET;
	const char *at;
	size_t first = 1;
	size_t dlen;
	size_t dotlen;
	size_t i;
	char *out;

	if (address == NULL || address[0] == '\0')
		return NULL;
	/*
	 * The bytes of U+2022 would show as junk on any other charset, and
	 * as a double-width dot where ambiguous characters are wide (CJK).
	 */
	if (!sspr_locale_is_utf8() || sspr_lang_wide_ambiguous())
		dot = "*";
	at = strrchr(address, '@');
	if (at == NULL || at == address) {
		/* Not an address: show nothing of it. */
		first = 0;
		at = "";
	} else {
		/* Keep the whole first UTF-8 character. */
		while (first < (size_t)(at - address) &&
		       ((unsigned char)address[first] & 0xc0) == 0x80)
			first++;
	}
	dlen = strlen(at);
	dotlen = strlen(dot);
	out = malloc(first + MASK_DOTS * dotlen + dlen + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, address, first);
	for (i = 0; i < MASK_DOTS; i++)
		memcpy(out + first + i * dotlen, dot, dotlen);
	memcpy(out + first + MASK_DOTS * dotlen, at, dlen + 1);
	return out;
}
