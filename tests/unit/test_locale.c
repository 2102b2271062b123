/*
 * The parsers read a file the same way whatever the locale: the setuid
 * sspr command runs in its caller's, the module in the PAM host's. Run in
 * a single-byte Turkish locale, the most hostile one for <ctype.h> (bytes
 * of UTF-8 text are control characters, tolower('I') is not 'i'), made
 * with localedef into a private directory.
 */
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "localedef.h"
#include "sspr/auth/policy.h"
#include "sspr/common/config.h"
#include "sspr/common/util.h"

#define HOSTILE "tr_TR.ISO-8859-9"

static char locdir[] = "/tmp/sspr-locale.XXXXXX";

static int
make_locale(void)
{
	if (test_localedef(locdir, "tr_TR", "ISO-8859-9", HOSTILE) < 0)
		return -1;
	return setlocale(LC_ALL, HOSTILE) != NULL ? 0 : -1;
}

static void
test_locale_is_hostile(void)
{
	/* Without this the other tests would prove nothing. */
	CHECK(iscntrl(0x9e));
	CHECK(tolower('I') != 'i');
}

static void
test_config_utf8_text(void)
{
	/* "İstanbul Şirket": Ş is C5 9E, and 0x9e is a C1 control here. */
	static const char buf[] = "issuer = \xc4\xb0stanbul \xc5\x9eirket\n"
				  "enable = all\n";
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";

	CHECK(sspr_cfg_defaults(&cfg) == 0);
	CHECK(sspr_cfg_parse_buffer(&cfg, "t.conf", buf, strlen(buf), err,
				    sizeof(err)) == 0);
	CHECK_STR(cfg.issuer, "\xc4\xb0stanbul \xc5\x9eirket");
	CHECK(cfg.enable == SSPR_ENABLE_ALL);
	sspr_cfg_done(&cfg);
}

static void
test_policy_user_name(void)
{
	char msg[512];

	/* The user name in capitals is still the user name. */
	CHECK(sspr_policy_check("xxALICE#2024yy", "alice", msg, sizeof(msg)) ==
	      -EINVAL);
	CHECK(strstr(msg, "user name") != NULL);
	CHECK(sspr_policy_check("xxBOB#2024yy", "bob", msg, sizeof(msg)) ==
	      -EINVAL);
}

static void
test_ascii_helpers(void)
{
	CHECK(sspr_ascii_casecmp("Bearer", "bEARER") == 0);
	CHECK(sspr_ascii_casecmp("ALICE", "alice") == 0);
	CHECK(sspr_ascii_casecmp("alice", "alicex") < 0);
	CHECK(sspr_ascii_ncasecmp("ALICEx", "alicey", 5) == 0);
	CHECK(!sspr_ascii_cntrl((char)0x9e));
	CHECK(sspr_ascii_cntrl('\t') && sspr_ascii_cntrl(0x7f));
	CHECK(!sspr_ascii_space((char)0xa0));
	CHECK(!sspr_ascii_lower((char)0xe7) && !sspr_ascii_upper((char)0xdd));
}

int
main(void)
{
	char cmd[600];

	if (make_locale() < 0) {
		printf("FAIL: test_make_locale (localedef, package locales)\n");
		return 1;
	}
	RUN(test_locale_is_hostile);
	RUN(test_config_utf8_text);
	RUN(test_policy_user_name);
	RUN(test_ascii_helpers);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", locdir);
	if (system(cmd) != 0)
		perror("rm");
	CHECK_EXIT();
}
