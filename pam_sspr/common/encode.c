/*
 * Encodings with no I/O and no library behind them: RFC 4648 base32 (TOTP
 * keys) and base64url (JWTs), form escaping, random GUIDs.
 */
#include "sspr/common/encode.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/util.h"

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

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
			out[o++] = base32_alphabet[(buffer >> bits) & 0x1f];
		}
	}
	if (bits > 0)
		out[o++] = base32_alphabet[(buffer << (5 - bits)) & 0x1f];
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

size_t
sspr_base64url(const unsigned char *in, size_t len, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i;
	size_t n = 0;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16 |
				  (unsigned long)in[i + 1] << 8 | in[i + 2];

		out[n++] = alphabet[(v >> 18) & 63];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = alphabet[(v >> 6) & 63];
		out[n++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		unsigned long v = (unsigned long)in[i] << 16;

		out[n++] = alphabet[(v >> 18) & 63];
		out[n++] = alphabet[(v >> 12) & 63];
	} else if (len - i == 2) {
		unsigned long v =
		    (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;

		out[n++] = alphabet[(v >> 18) & 63];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = alphabet[(v >> 6) & 63];
	}
	out[n] = '\0';
	return n;
}

int
sspr_base64url_decode(const char *in, size_t len, unsigned char *out,
		      size_t *ret_len)
{
	unsigned acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = in[i];
		unsigned v;

		if (c >= 'A' && c <= 'Z')
			v = (unsigned)(c - 'A');
		else if (c >= 'a' && c <= 'z')
			v = (unsigned)(c - 'a') + 26;
		else if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0') + 52;
		else if (c == '-')
			v = 62;
		else if (c == '_')
			v = 63;
		else
			return -EINVAL;
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	out[n] = '\0';
	*ret_len = n;
	return 0;
}

size_t
sspr_form_escape(const char *s, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	/*
	 * Written into the caller's buffer rather than curl_easy_escape(),
	 * whose growing buffer would leave unwiped copies of a secret on
	 * the heap.
	 */
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0x0f];
		}
	}
	out[n] = '\0';
	return n;
}

int
sspr_guid(char buf[SSPR_GUID_LEN])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(buf, SSPR_GUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

bool
sspr_guid_ok(const char *s, size_t len)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (len != sizeof(shape) - 1)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			   (c >= 'A' && c <= 'F');

		if (shape[i] == '-' ? c != '-' : !hex)
			return false;
	}
	return true;
}
