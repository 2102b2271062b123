/* The local account state that keeps an account out of self-service reset. */
#include <grp.h>
#include <pwd.h>
#include <shadow.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "sspr/common/config.h"
#include "sspr/common/gate.h"

#define DAY (24 * 60 * 60)

static const time_t now = (time_t)20000 * DAY + 3600; /* day 20000 */

/* An ordinary entry: a hash, changed 10 days ago, no expiry. */
static struct spwd
entry(char *hash)
{
	struct spwd sp = {
		.sp_namp = "alice",
		.sp_pwdp = hash,
		.sp_lstchg = 19990,
		.sp_min = 0,
		.sp_max = 99999,
		.sp_warn = 7,
		.sp_inact = -1,
		.sp_expire = -1,
	};

	return sp;
}

static void
test_usable(void)
{
	char hash[] = "$y$j9T$abc$def";
	char empty[] = "";
	struct spwd sp = entry(hash);

	CHECK(sspr_account_refusal(&sp, now) == NULL);
	/* passwd -e: must change at next login, which a reset does. */
	sp.sp_lstchg = 0;
	CHECK(sspr_account_refusal(&sp, now) == NULL);
	/* Past sp_max but within the inactive period: the same. */
	sp = entry(hash);
	sp.sp_max = 5;
	sp.sp_inact = 30;
	CHECK(sspr_account_refusal(&sp, now) == NULL);
	/* Expires tomorrow: still usable today. */
	sp = entry(hash);
	sp.sp_expire = 20001;
	CHECK(sspr_account_refusal(&sp, now) == NULL);
	/* No password at all (nullok) is not a lock. */
	sp = entry(empty);
	CHECK(sspr_account_refusal(&sp, now) == NULL);
}

static void
test_locked(void)
{
	char passwd_l[] = "!$y$j9T$abc$def";
	char never[] = "*";
	char disabled[] = "!*";
	char bang[] = "!";
	struct spwd sp = entry(passwd_l);

	CHECK_STR(sspr_account_refusal(&sp, now), "the account is locked");
	sp.sp_pwdp = never;
	CHECK_STR(sspr_account_refusal(&sp, now), "the account is locked");
	sp.sp_pwdp = disabled;
	CHECK_STR(sspr_account_refusal(&sp, now), "the account is locked");
	sp.sp_pwdp = bang;
	CHECK_STR(sspr_account_refusal(&sp, now), "the account is locked");
}

static void
test_expired(void)
{
	char hash[] = "$y$j9T$abc$def";
	struct spwd sp = entry(hash);

	/* chage -E 0 */
	sp.sp_expire = 0;
	CHECK_STR(sspr_account_refusal(&sp, now), "the account has expired");
	/* Expiring today counts, as in pam_unix. */
	sp.sp_expire = 20000;
	CHECK_STR(sspr_account_refusal(&sp, now), "the account has expired");
	/* Password past sp_max + sp_inact: pam_unix's "account expired". */
	sp = entry(hash);
	sp.sp_max = 5;
	sp.sp_inact = 2;
	CHECK_STR(sspr_account_refusal(&sp, now),
		  "the password is past its inactive period");
}

static void
test_no_entry(void)
{
	struct spwd sp = entry(NULL);

	CHECK_STR(sspr_account_refusal(NULL, now), "no /etc/shadow entry");
	CHECK_STR(sspr_account_refusal(&sp, now), "no /etc/shadow entry");
}

/*
 * The gate runs inside login, su and sudo: the host's own getpwnam() and
 * getgrnam() results must survive it. (root and daemon, and their
 * groups, are in every Debian passwd and group file.)
 */
static void
test_gate_keeps_host_lookups(void)
{
	char group_list[] = "nosuchgroup daemon";
	struct sspr_cfg cfg = { .enable = SSPR_ENABLE_ALL };
	const struct passwd *pw = getpwnam("root");
	const struct group *gr = getgrnam("root");

	CHECK(pw != NULL && gr != NULL);
	if (pw == NULL || gr == NULL)
		return;
	CHECK(sspr_gate_allowed(NULL, &cfg, "daemon"));
	CHECK(!sspr_gate_allowed(NULL, &cfg, "root"));
	CHECK(!sspr_gate_allowed(NULL, &cfg, "nosuchuser-sspr"));
	cfg.enable = SSPR_ENABLE_GROUP;
	cfg.enable_group = group_list;
	CHECK(sspr_gate_allowed(NULL, &cfg, "daemon"));
	CHECK_STR(pw->pw_name, "root");
	CHECK_STR(gr->gr_name, "root");
	cfg.enable = SSPR_ENABLE_NONE;
	CHECK(!sspr_gate_allowed(NULL, &cfg, "daemon"));
}

int
main(void)
{
	RUN(test_usable);
	RUN(test_locked);
	RUN(test_expired);
	RUN(test_no_entry);
	RUN(test_gate_keeps_host_lookups);
	CHECK_EXIT();
}
