/* TOTP (RFC 6238) over HOTP (RFC 4226) with OpenSSL HMAC. */
#include "sspr/auth/totp.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "sspr/common/config.h"
#include "sspr/common/encode.h"
#include "sspr/common/util.h"

#define TOTP_DIGITS_MIN 6
#define TOTP_DIGITS_MAX 8
#define TOTP_WINDOW_MAX 10

static const uint32_t powers_of_ten[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

static const EVP_MD *
alg_md(unsigned alg)
{
	switch (alg) {
	case SSPR_TOTP_SHA1:
		return EVP_sha1();
	case SSPR_TOTP_SHA256:
		return EVP_sha256();
	case SSPR_TOTP_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

static const char *
alg_uri_name(unsigned alg)
{
	switch (alg) {
	case SSPR_TOTP_SHA1:
		return "SHA1";
	case SSPR_TOTP_SHA256:
		return "SHA256";
	case SSPR_TOTP_SHA512:
		return "SHA512";
	default:
		return NULL;
	}
}

int
sspr_hotp(const uint8_t *key, size_t key_len, unsigned alg, uint64_t counter,
	  unsigned digits, uint32_t *ret_code)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char msg[8];
	unsigned int md_len = 0;
	const EVP_MD *evp = alg_md(alg);
	unsigned off;
	uint32_t bin;
	int i;

	if (evp == NULL || key == NULL || key_len == 0 || key_len > INT_MAX ||
	    digits < TOTP_DIGITS_MIN || digits > TOTP_DIGITS_MAX)
		return -EINVAL;
	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(evp, key, (int)key_len, msg, sizeof(msg), md, &md_len) ==
		NULL ||
	    md_len < 20) {
		sspr_wipe(md, sizeof(md));
		return -EIO;
	}
	/* RFC 4226 section 5.3, dynamic truncation */
	off = md[md_len - 1] & 0x0f;
	bin = ((uint32_t)(md[off] & 0x7f) << 24) |
	      ((uint32_t)md[off + 1] << 16) | ((uint32_t)md[off + 2] << 8) |
	      (uint32_t)md[off + 3];
	*ret_code = bin % powers_of_ten[digits];
	sspr_wipe(md, sizeof(md));
	sspr_wipe(&bin, sizeof(bin));
	return 0;
}

time_t
sspr_now(void)
{
	/* Tests pass their own "now" to the functions that take one. */
	return time(NULL);
}

int
sspr_totp_verify(struct sspr_record *rec, const char *code, time_t now,
		 unsigned window)
{
	char typed[TOTP_DIGITS_MAX + 1];
	char want[TOTP_DIGITS_MAX + 1];
	uint8_t *key = NULL;
	size_t key_len = 0;
	uint64_t counter;
	uint64_t step;
	uint64_t first;
	uint64_t matched = 0;
	bool found = false;
	unsigned digits;
	int r;

	if (rec == NULL || code == NULL || rec->totp_secret == NULL ||
	    rec->totp_period == 0 || now < 0 || window > TOTP_WINDOW_MAX)
		return -EINVAL;
	digits = rec->totp_digits;
	if (digits < TOTP_DIGITS_MIN || digits > TOTP_DIGITS_MAX ||
	    alg_md(rec->totp_algorithm) == NULL)
		return -EINVAL;
	r = sspr_normalize_code(code, digits, typed);
	if (r < 0)
		goto out;
	r = sspr_base32_decode(rec->totp_secret, &key, &key_len);
	if (r < 0)
		goto out;
	if (key_len == 0) {
		r = -EINVAL;
		goto out;
	}

	counter = (uint64_t)now / rec->totp_period;
	first = counter >= window ? counter - window : 0;
	/* Every step of the window is computed: no early exit on a match. */
	for (step = first; step <= counter + window; step++) {
		uint32_t value;
		bool eq;

		r = sspr_hotp(key, key_len, rec->totp_algorithm, step, digits,
			      &value);
		if (r < 0)
			goto out;
		snprintf(want, sizeof(want), "%0*u", (int)digits,
			 (unsigned)value);
		sspr_wipe(&value, sizeof(value));
		eq = sspr_consttime_eq(want, typed, digits);
		/* Of several matching steps the latest counts (fewest replays).
		 */
		if (eq && step > rec->totp_last_step) {
			matched = step;
			found = true;
		}
	}
	if (found) {
		rec->totp_last_step = matched;
		r = 0;
	} else {
		r = -EACCES;
	}
out:
	sspr_wipe(typed, sizeof(typed));
	sspr_wipe(want, sizeof(want));
	sspr_freezero(key, key_len);
	return r;
}

int
sspr_totp_new_secret(char **ret_base32)
{
	uint8_t key[SSPR_TOTP_KEY_BYTES];
	char *b32;

	if (RAND_bytes(key, sizeof(key)) != 1) {
		sspr_wipe(key, sizeof(key));
		return -EIO;
	}
	b32 = sspr_base32_encode(key, sizeof(key));
	sspr_wipe(key, sizeof(key));
	if (b32 == NULL)
		return -ENOMEM;
	*ret_base32 = b32;
	return 0;
}

char *
sspr_totp_uri(const char *issuer, const char *user, const char *secret_b32,
	      unsigned alg, unsigned digits)
{
	static const char scheme[] = "otpauth://totp/";
	const char *alg_name = alg_uri_name(alg);
	char *secret = NULL;
	char *uri = NULL;
	char *enc_issuer = NULL;
	char *enc_user = NULL;
	size_t ilen;
	size_t ulen;
	size_t slen = 0;
	size_t size;
	const char *p;
	int n;

	if (issuer == NULL || user == NULL || secret_b32 == NULL ||
	    alg_name == NULL || digits < TOTP_DIGITS_MIN ||
	    digits > TOTP_DIGITS_MAX)
		return NULL;
	/* every byte may become %XX */
	enc_issuer = malloc(3 * strlen(issuer) + 1);
	enc_user = malloc(3 * strlen(user) + 1);
	secret = malloc(strlen(secret_b32) + 1);
	if (enc_issuer == NULL || enc_user == NULL || secret == NULL)
		goto out;
	/* RFC 3986 percent-encoding: only the unreserved characters stay */
	ilen = sspr_form_escape(issuer, enc_issuer);
	ulen = sspr_form_escape(user, enc_user);
	/* upper case, no padding, no spaces; nothing else is base32 */
	for (p = secret_b32; *p != '\0'; p++) {
		char c = *p;

		if (c == '=' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')))
			goto out;
		secret[slen++] = c;
	}
	secret[slen] = '\0';
	if (slen == 0)
		goto out;

	size = sizeof(scheme) + 2 * ilen + ulen + slen + 96;
	uri = malloc(size);
	if (uri == NULL)
		goto out;
	n = snprintf(uri, size,
		     "%s%s:%s?secret=%s&issuer=%s&algorithm=%s&digits=%u"
		     "&period=%d",
		     scheme, enc_issuer, enc_user, secret, enc_issuer, alg_name,
		     digits, SSPR_TOTP_PERIOD);
	if (n < 0 || (size_t)n >= size) {
		sspr_freezero(uri, size);
		uri = NULL;
	}
out:
	free(enc_issuer);
	free(enc_user);
	if (secret != NULL)
		sspr_freezero(secret, strlen(secret_b32) + 1);
	return uri;
}
