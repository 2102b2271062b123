/* Phone numbers: the E.164 rule, typed forms, country codes, the mask. */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sspr/common/phone.h"
#include "sspr/common/util.h"

static void
test_ok(void)
{
	static const char *const good[] = {
		"+819012345678", "+15550100100",     "+4930123456",
		"+12345678",	 "+123456789012345",
	};
	static const char *const bad[] = {
		"",
		"+",
		"819012345678",
		"+0812345678",
		"+1234567",
		"+1234567890123456",
		"+81 90 1234 5678",
		"+81-90-1234-5678",
		"++819012345678",
		"+8190123456a8",
		"+81901234567\n",
	};
	size_t i;

	for (i = 0; i < SSPR_ARRAY_SIZE(good); i++)
		CHECK(sspr_phone_ok(good[i]) == 0);
	for (i = 0; i < SSPR_ARRAY_SIZE(bad); i++)
		CHECK(sspr_phone_ok(bad[i]) == -EINVAL);
	CHECK(sspr_phone_ok(NULL) == -EINVAL);
}

static void
test_canonical(void)
{
	char out[SSPR_PHONE_MAX];

	CHECK(sspr_phone_canonical("+81 90-1234-5678", out) == 0);
	CHECK_STR(out, "+819012345678");
	CHECK(sspr_phone_canonical("  +1 (555) 010.0100", out) == 0);
	CHECK_STR(out, "+15550100100");
	/* A national number: the country is not ours to guess. */
	CHECK(sspr_phone_canonical("090-1234-5678", out) == -EINVAL);
	CHECK(sspr_phone_canonical("+81 90 1234 5678 ext 9", out) == -EINVAL);
	CHECK(sspr_phone_canonical("+1 2345 6789 0123 4567", out) == -EINVAL);
	CHECK(sspr_phone_canonical("+81 90/1234/5678", out) == -EINVAL);
}

static void
test_country(void)
{
	CHECK(sspr_phone_country_len("15550100100") == 1);
	CHECK(sspr_phone_country_len("74951234567") == 1);
	CHECK(sspr_phone_country_len("819012345678") == 2);
	CHECK(sspr_phone_country_len("4930123456") == 2);
	CHECK(sspr_phone_country_len("353861234567") == 3);
	CHECK(sspr_phone_country_len("85291234567") == 3);
}

static void
test_mask(void)
{
	char *m;

	setlocale(LC_ALL, "C.UTF-8");
	m = sspr_phone_mask("+819012345678");
	CHECK_STR(m, "+81 \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 "
		     "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 5678");
	free(m);
	m = sspr_phone_mask("+15550100100");
	CHECK(m != NULL && strncmp(m, "+1 ", 3) == 0);
	CHECK(m != NULL && strcmp(m + strlen(m) - 5, " 0100") == 0);
	free(m);
	CHECK(sspr_phone_mask("819012345678") == NULL);
	CHECK(sspr_phone_mask(NULL) == NULL);
	setlocale(LC_ALL, "C");
	m = sspr_phone_mask("+353861234567");
	CHECK_STR(m, "+353 *** **** 4567");
	free(m);
}

int
main(void)
{
	RUN(test_ok);
	RUN(test_canonical);
	RUN(test_country);
	RUN(test_mask);
	CHECK_EXIT();
}
