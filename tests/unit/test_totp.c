/* TOTP/HOTP: RFC 4226 and RFC 6238 vectors, window, replay, input. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sspr/auth/totp.h"
#include "sspr/common/config.h"
#include "sspr/common/encode.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

/* RFC 6238 Appendix B: one ASCII seed per hash, sized to its output. */
static const char seed_sha1[] = "12345678901234567890";
static const char seed_sha256[] = "12345678901234567890123456789012";
static const char seed_sha512[] =
	"1234567890123456789012345678901234567890123456789012345678901234";

static const char *
seed_for(unsigned alg)
{
	return alg == SSPR_TOTP_SHA1     ? seed_sha1
	       : alg == SSPR_TOTP_SHA256 ? seed_sha256
					 : seed_sha512;
}

static void
test_rfc4226_hotp(void)
{
	static const uint32_t want[] = {
		755224, 287082, 359152, 969429, 338314,
		254676, 287922, 162583, 399871, 520489,
	};
	uint64_t c;

	for (c = 0; c < 10; c++) {
		uint32_t v = 0;

		CHECK(sspr_hotp((const uint8_t *)seed_sha1, 20, SSPR_TOTP_SHA1,
				c, 6, &v) == 0);
		CHECK(v == want[c]);
	}
}

static const struct {
	time_t t;
	unsigned alg;
	const char *code;
} rfc6238[] = {
	{ 59, SSPR_TOTP_SHA1, "94287082" },
	{ 59, SSPR_TOTP_SHA256, "46119246" },
	{ 59, SSPR_TOTP_SHA512, "90693936" },
	{ 1111111109, SSPR_TOTP_SHA1, "07081804" },
	{ 1111111109, SSPR_TOTP_SHA256, "68084774" },
	{ 1111111109, SSPR_TOTP_SHA512, "25091201" },
	{ 1111111111, SSPR_TOTP_SHA1, "14050471" },
	{ 1111111111, SSPR_TOTP_SHA256, "67062674" },
	{ 1111111111, SSPR_TOTP_SHA512, "99943326" },
	{ 1234567890, SSPR_TOTP_SHA1, "89005924" },
	{ 1234567890, SSPR_TOTP_SHA256, "91819424" },
	{ 1234567890, SSPR_TOTP_SHA512, "93441116" },
	{ 2000000000, SSPR_TOTP_SHA1, "69279037" },
	{ 2000000000, SSPR_TOTP_SHA256, "90698825" },
	{ 2000000000, SSPR_TOTP_SHA512, "38618901" },
	{ (time_t)20000000000LL, SSPR_TOTP_SHA1, "65353130" },
	{ (time_t)20000000000LL, SSPR_TOTP_SHA256, "77737706" },
	{ (time_t)20000000000LL, SSPR_TOTP_SHA512, "47863826" },
};

/* A record holding the given raw key, as enrollment would write it. */
static void
make_record(struct sspr_record *rec, const char *key, size_t len,
	    unsigned alg, unsigned digits)
{
	memset(rec, 0, sizeof(*rec));
	rec->totp_secret = sspr_base32_encode((const uint8_t *)key, len);
	rec->totp_algorithm = alg;
	rec->totp_digits = digits;
	rec->totp_period = 30;
}

static void
test_rfc6238_hotp_values(void)
{
	size_t i;

	for (i = 0; i < SSPR_ARRAY_SIZE(rfc6238); i++) {
		const char *seed = seed_for(rfc6238[i].alg);
		uint32_t v = 0;
		char got[16];

		CHECK(sspr_hotp((const uint8_t *)seed, strlen(seed),
				rfc6238[i].alg,
				(uint64_t)rfc6238[i].t / 30, 8, &v) == 0);
		snprintf(got, sizeof(got), "%08u", (unsigned)v);
		CHECK_STR(got, rfc6238[i].code);
	}
}

static void
test_rfc6238_verify(void)
{
	size_t i;

	for (i = 0; i < SSPR_ARRAY_SIZE(rfc6238); i++) {
		const char *seed = seed_for(rfc6238[i].alg);
		struct sspr_record rec;

		make_record(&rec, seed, strlen(seed), rfc6238[i].alg, 8);
		CHECK(sspr_totp_verify(&rec, rfc6238[i].code, rfc6238[i].t,
				       0) == 0);
		CHECK(rec.totp_last_step == (uint64_t)rfc6238[i].t / 30);
		sspr_record_done(&rec);

		/* The wrong hash never matches these codes. */
		make_record(&rec, seed, strlen(seed),
			    (rfc6238[i].alg + 1) % 3, 8);
		CHECK(sspr_totp_verify(&rec, rfc6238[i].code, rfc6238[i].t,
				       1) == -EACCES);
		CHECK(rec.totp_last_step == 0);
		sspr_record_done(&rec);
	}
}

/* The 6-digit code of step for the SHA-1 test key. */
static void
code_at(uint64_t step, char *out, size_t size)
{
	uint32_t v = 0;

	CHECK(sspr_hotp((const uint8_t *)seed_sha1, 20, SSPR_TOTP_SHA1, step,
			6, &v) == 0);
	snprintf(out, size, "%06u", (unsigned)v);
}

static void
test_window(void)
{
	const time_t now = 1700000015;	/* mid-step */
	const uint64_t step = (uint64_t)now / 30;
	struct sspr_record rec;
	char code[16];
	int d;

	for (d = -2; d <= 2; d++) {
		int want = (d == -2 || d == 2) ? -EACCES : 0;

		make_record(&rec, seed_sha1, 20, SSPR_TOTP_SHA1, 6);
		code_at(step + (uint64_t)(int64_t)d, code, sizeof(code));
		CHECK(sspr_totp_verify(&rec, code, now, 1) == want);
		if (want == 0)
			CHECK(rec.totp_last_step ==
			      step + (uint64_t)(int64_t)d);
		else
			CHECK(rec.totp_last_step == 0);
		/* window 0: only the current step */
		rec.totp_last_step = 0;
		CHECK(sspr_totp_verify(&rec, code, now, 0) ==
		      (d == 0 ? 0 : -EACCES));
		/* window 2 takes the far ones too */
		rec.totp_last_step = 0;
		CHECK(sspr_totp_verify(&rec, code, now, 2) == 0);
		sspr_record_done(&rec);
	}

	/* Step boundaries: last second of a step, first of the next. */
	make_record(&rec, seed_sha1, 20, SSPR_TOTP_SHA1, 6);
	code_at(step, code, sizeof(code));
	CHECK(sspr_totp_verify(&rec, code, (time_t)(step * 30 + 29), 0) == 0);
	rec.totp_last_step = 0;
	CHECK(sspr_totp_verify(&rec, code, (time_t)(step * 30 + 30), 0) ==
	      -EACCES);
	sspr_record_done(&rec);
}

static void
test_replay(void)
{
	const time_t now = 1700000015;
	const uint64_t step = (uint64_t)now / 30;
	struct sspr_record rec;
	char code[16];
	char earlier[16];

	make_record(&rec, seed_sha1, 20, SSPR_TOTP_SHA1, 6);
	code_at(step, code, sizeof(code));
	CHECK(sspr_totp_verify(&rec, code, now, 1) == 0);
	/* same code again, same time and a step later */
	CHECK(sspr_totp_verify(&rec, code, now, 1) == -EACCES);
	CHECK(sspr_totp_verify(&rec, code, now + 30, 1) == -EACCES);
	CHECK(rec.totp_last_step == step);

	/* An earlier step after a later one was used. */
	code_at(step + 1, code, sizeof(code));
	code_at(step - 1, earlier, sizeof(earlier));
	CHECK(sspr_totp_verify(&rec, code, now, 1) == 0);
	CHECK(rec.totp_last_step == step + 1);
	CHECK(sspr_totp_verify(&rec, earlier, now, 1) == -EACCES);
	CHECK(rec.totp_last_step == step + 1);

	/* last_step from a saved record is honoured just the same */
	sspr_record_done(&rec);
	make_record(&rec, seed_sha1, 20, SSPR_TOTP_SHA1, 6);
	rec.totp_last_step = step;
	code_at(step, code, sizeof(code));
	CHECK(sspr_totp_verify(&rec, code, now, 1) == -EACCES);
	sspr_record_done(&rec);
}

static void
test_input_forms(void)
{
	const time_t now = 1700000015;
	const uint64_t step = (uint64_t)now / 30;
	struct sspr_record rec;
	char code[16];
	char typed[32];

	code_at(step, code, sizeof(code));

	/* accepted spellings */
	snprintf(typed, sizeof(typed), "  %.3s %s \n", code, code + 3);
	make_record(&rec, seed_sha1, 20, SSPR_TOTP_SHA1, 6);
	CHECK(sspr_totp_verify(&rec, typed, now, 1) == 0);
	sspr_record_done(&rec);

	/* malformed: never a match, whatever the digits */
	{
		char bad[8][32];
		size_t i;

		snprintf(bad[0], sizeof(bad[0]), "%.5s", code);
		snprintf(bad[1], sizeof(bad[1]), "%s0", code);
		snprintf(bad[2], sizeof(bad[2]), "%.3s  %s", code, code + 3);
		snprintf(bad[3], sizeof(bad[3]), "%.2s %.2s %s", code,
			 code + 2, code + 4);
		snprintf(bad[4], sizeof(bad[4]), "%.5sx", code);
		snprintf(bad[5], sizeof(bad[5]), "+%s", code);
		snprintf(bad[6], sizeof(bad[6]), "%s", "");
		snprintf(bad[7], sizeof(bad[7]), "%.3s-%s", code, code + 3);
		for (i = 0; i < SSPR_ARRAY_SIZE(bad); i++) {
			make_record(&rec, seed_sha1, 20, SSPR_TOTP_SHA1, 6);
			CHECK(sspr_totp_verify(&rec, bad[i], now, 1) ==
			      -EINVAL);
			CHECK(rec.totp_last_step == 0);
			sspr_record_done(&rec);
		}
	}

	/* unusable records */
	make_record(&rec, seed_sha1, 20, SSPR_TOTP_SHA1, 6);
	rec.totp_digits = 5;
	CHECK(sspr_totp_verify(&rec, "12345", now, 1) == -EINVAL);
	rec.totp_digits = 6;
	rec.totp_algorithm = 7;
	CHECK(sspr_totp_verify(&rec, code, now, 1) == -EINVAL);
	rec.totp_algorithm = SSPR_TOTP_SHA1;
	rec.totp_period = 0;
	CHECK(sspr_totp_verify(&rec, code, now, 1) == -EINVAL);
	rec.totp_period = 30;
	sspr_free_secret(rec.totp_secret);
	rec.totp_secret = sspr_strdup("NOT*BASE32");
	CHECK(sspr_totp_verify(&rec, code, now, 1) == -EINVAL);
	sspr_record_done(&rec);
	CHECK(sspr_hotp((const uint8_t *)seed_sha1, 0, SSPR_TOTP_SHA1, 1, 6,
			NULL) == -EINVAL);
	CHECK(sspr_hotp((const uint8_t *)seed_sha1, 20, 3, 1, 6, NULL) ==
	      -EINVAL);
	CHECK(sspr_hotp((const uint8_t *)seed_sha1, 20, 0, 1, 9, NULL) ==
	      -EINVAL);
}

static void
test_new_secret(void)
{
	char *a = NULL;
	char *b = NULL;
	uint8_t *raw = NULL;
	size_t len = 0;

	CHECK(sspr_totp_new_secret(&a) == 0);
	CHECK(sspr_totp_new_secret(&b) == 0);
	CHECK(a != NULL && b != NULL && strcmp(a, b) != 0);
	CHECK(a != NULL && strlen(a) == 32);
	CHECK(sspr_base32_decode(a, &raw, &len) == 0);
	CHECK(len == SSPR_TOTP_KEY_BYTES);
	sspr_freezero(raw, len);
	sspr_free_secret(a);
	sspr_free_secret(b);
}

static void
test_uri(void)
{
	char *u;

	u = sspr_totp_uri("Example Corp", "alice@example.org",
			  "JBSWY3DPEHPK3PXP", SSPR_TOTP_SHA1, 6);
	CHECK_STR(u, "otpauth://totp/Example%20Corp:alice%40example.org"
		     "?secret=JBSWY3DPEHPK3PXP&issuer=Example%20Corp"
		     "&algorithm=SHA1&digits=6&period=30");
	sspr_free_secret(u);

	/* padding dropped, case fixed, odd characters encoded */
	u = sspr_totp_uri("A&B:C", "bob", "mzxw6ytboi======",
			  SSPR_TOTP_SHA512, 8);
	CHECK_STR(u, "otpauth://totp/A%26B%3AC:bob?secret=MZXW6YTBOI"
		     "&issuer=A%26B%3AC&algorithm=SHA512&digits=8&period=30");
	sspr_free_secret(u);

	u = sspr_totp_uri("X", "bob", "MZXW6YTBOI", SSPR_TOTP_SHA256, 7);
	CHECK_STR(u, "otpauth://totp/X:bob?secret=MZXW6YTBOI&issuer=X"
		     "&algorithm=SHA256&digits=7&period=30");
	sspr_free_secret(u);

	CHECK(sspr_totp_uri("X", "bob", "MZXW6YTBOI", 3, 6) == NULL);
	CHECK(sspr_totp_uri("X", "bob", "MZXW6YTBOI", 0, 5) == NULL);
	CHECK(sspr_totp_uri("X", "bob", "MZ&X", 0, 6) == NULL);
	CHECK(sspr_totp_uri("X", "bob", "", 0, 6) == NULL);
	CHECK(sspr_totp_uri(NULL, "bob", "MZXW6YTBOI", 0, 6) == NULL);
}

int
main(void)
{
	RUN(test_rfc4226_hotp);
	RUN(test_rfc6238_hotp_values);
	RUN(test_rfc6238_verify);
	RUN(test_window);
	RUN(test_replay);
	RUN(test_input_forms);
	RUN(test_new_secret);
	RUN(test_uri);
	CHECK_EXIT();
}
