/* RFC 4648 base32 for TOTP keys: upper case out, forgiving in. */
#include "sspr/base32.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/util.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

char *
sspr_base32_encode(const uint8_t *data, size_t len)
{
	char *out;
	size_t outlen;
	size_t i;
	size_t o = 0;
	unsigned buffer = 0;
	unsigned bits = 0;

	if (len > (SIZE_MAX - 1) / 8 * 5)
		return NULL;
	outlen = (len * 8 + 4) / 5;
	out = malloc(outlen + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		buffer = (buffer << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = alphabet[(buffer >> bits) & 0x1f];
		}
	}
	if (bits > 0)
		out[o++] = alphabet[(buffer << (5 - bits)) & 0x1f];
	out[o] = '\0';
	/* buffer held key bits */
	sspr_wipe(&buffer, sizeof(buffer));
	return out;
}

/* Value of one base32 character, or -1. */
static int
b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
sspr_base32_decode(const char *text, uint8_t **ret_data, size_t *ret_len)
{
	uint8_t *out;
	size_t cap;
	size_t o = 0;
	size_t nchars = 0;
	const char *p;
	unsigned buffer = 0;
	unsigned bits = 0;
	int padding = 0;
	int r = -EINVAL;

	if (text == NULL)
		return -EINVAL;
	cap = strlen(text) * 5 / 8 + 1;
	out = malloc(cap);
	if (out == NULL)
		return -ENOMEM;
	for (p = text; *p != '\0'; p++) {
		int v;

		if (*p == ' ')
			continue;
		if (*p == '=') {
			padding = 1;
			continue;
		}
		/* Data after padding is not base32. */
		if (padding)
			goto out;
		v = b32_value(*p);
		if (v < 0)
			goto out;
		nchars++;
		buffer = ((buffer << 5) | (unsigned)v) & 0x1fff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(buffer >> bits);
		}
	}
	/*
	 * 1, 3 or 6 characters in the last group cannot come from an
	 * encoder, and neither can left-over bits that are not zero.
	 */
	switch (nchars % 8) {
	case 1:
	case 3:
	case 6:
		goto out;
	default:
		break;
	}
	if ((buffer & ((1u << bits) - 1)) != 0)
		goto out;
	*ret_data = out;
	*ret_len = o;
	out = NULL;
	r = 0;
out:
	sspr_wipe(&buffer, sizeof(buffer));
	sspr_freezero(out, cap);
	return r;
}
