/* base32: RFC 4648 section 10 vectors, round trips, rejects. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "check.h"
#include "sspr/common/encode.h"

static const struct {
	const char *plain;
	const char *encoded;
} vectors[] = {
	{ "", "" },
	{ "f", "MY" },
	{ "fo", "MZXQ" },
	{ "foo", "MZXW6" },
	{ "foob", "MZXW6YQ" },
	{ "fooba", "MZXW6YTB" },
	{ "foobar", "MZXW6YTBOI" },
};

static void
test_rfc4648_encode(void)
{
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char *e = sspr_base32_encode(
			(const uint8_t *)vectors[i].plain,
			strlen(vectors[i].plain));

		CHECK_STR(e, vectors[i].encoded);
		free(e);
	}
}

static void
test_rfc4648_decode(void)
{
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint8_t *d = NULL;
		size_t n = 99;
		size_t want = strlen(vectors[i].plain);

		CHECK(sspr_base32_decode(vectors[i].encoded, &d, &n) == 0);
		CHECK(n == want);
		CHECK(d != NULL && memcmp(d, vectors[i].plain, want) == 0);
		free(d);
	}
}

/* The padded forms from RFC 4648, lower case, and spaced groups. */
static void
test_padded_lower_spaced(void)
{
	static const struct {
		const char *text;
		const char *plain;
	} ok[] = {
		{ "MY======", "f" },
		{ "MZXQ====", "fo" },
		{ "MZXW6===", "foo" },
		{ "MZXW6YQ=", "foob" },
		{ "MZXW6YTBOI======", "foobar" },
		{ "mzxw6ytboi", "foobar" },
		{ "mZxW 6yTb oI", "foobar" },
		{ "  MZXW6YTBOI  ", "foobar" },
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint8_t *d = NULL;
		size_t n = 0;
		int r = sspr_base32_decode(ok[i].text, &d, &n);

		CHECK(r == 0);
		if (r != 0)
			fprintf(stderr, "  refused '%s'\n", ok[i].text);
		CHECK(n == strlen(ok[i].plain));
		CHECK(d != NULL && memcmp(d, ok[i].plain, n) == 0);
		free(d);
	}
}

static void
test_rejects(void)
{
	static const char *const bad[] = {
		"M",		/* 1 char: 5 bits, not a byte */
		"MZX",		/* 3 chars */
		"MZXW6Y",	/* 6 chars */
		"MZXW6YTBO",	/* 9 = 8 + 1 */
		"MZ0Q",		/* '0' is not base32 */
		"MZ1Q",		/* nor '1' */
		"MZ8Q",		/* nor '8' */
		"MZXQ!",
		"MZ-XQ",
		"MZ\tXQ",
		"MZ\nXQ",
		"MY==MY",	/* data after padding */
		"MZ\xc3\xa9Q",	/* non-ASCII */
		"MZ",		/* left-over bits not zero ('Z' = 25) */
		"MZXR",		/* left-over bits not zero */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *d = (uint8_t *)"untouched";
		size_t n = 42;
		int r = sspr_base32_decode(bad[i], &d, &n);

		CHECK(r == -EINVAL);
		if (r != -EINVAL)
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
		CHECK(n == 42);
	}
	CHECK(sspr_base32_decode(NULL, NULL, NULL) == -EINVAL);
}

static void
test_round_trips(void)
{
	uint8_t buf[200];
	size_t len;
	int i;

	for (i = 0; i < 500; i++) {
		char *e;
		uint8_t *d = NULL;
		size_t n = 0;
		size_t j;

		CHECK(RAND_bytes((unsigned char *)&len, sizeof(len)) == 1);
		len %= sizeof(buf) + 1;
		CHECK(RAND_bytes(buf, sizeof(buf)) == 1);
		e = sspr_base32_encode(buf, len);
		CHECK(e != NULL);
		if (e == NULL)
			return;
		CHECK(strlen(e) == (len * 8 + 4) / 5);
		for (j = 0; e[j] != '\0'; j++)
			CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
				     e[j]) != NULL);
		CHECK(sspr_base32_decode(e, &d, &n) == 0);
		CHECK(n == len && (len == 0 || memcmp(d, buf, len) == 0));
		free(d);
		free(e);
	}
}

int
main(void)
{
	RUN(test_rfc4648_encode);
	RUN(test_rfc4648_decode);
	RUN(test_padded_lower_spaced);
	RUN(test_rejects);
	RUN(test_round_trips);
	CHECK_EXIT();
}
