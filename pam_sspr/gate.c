/* The gate: whether a user is one of those self-service reset is for. */
#include "sspr/gate.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static bool
in_group(const char *user, gid_t primary, gid_t wanted)
{
	gid_t *groups = NULL;
	int n = 32;
	int tries;
	bool found = false;

	if (primary == wanted)
		return true;
	/* getgrouplist tells how many groups there are when n is too small. */
	for (tries = 0; tries < 2; tries++) {
		int got = n;
		int i;

		free(groups);
		groups = calloc((size_t)n, sizeof(*groups));
		if (groups == NULL)
			return false;
		if (getgrouplist(user, primary, groups, &got) < 0) {
			n = got;
			continue;
		}
		for (i = 0; i < got; i++)
			if (groups[i] == wanted)
				found = true;
		break;
	}
	free(groups);
	return found;
}

/* Is the user in one of the space-separated groups of list? */
static bool
in_any_group(const char *user, gid_t primary, const char *list)
{
	char name[256];
	const char *p = list;

	while (*p != '\0') {
		const struct group *gr;
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n > 0 && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			gr = getgrnam(name);
			if (gr != NULL && in_group(user, primary, gr->gr_gid))
				return true;
		}
		p += n;
	}
	return false;
}

bool
sspr_gate_allowed(const struct sspr_cfg *cfg, const char *user)
{
	const struct passwd *pw;

	if (cfg->enable == SSPR_ENABLE_NONE)
		return false;
	pw = getpwnam(user);
	/* root's password stays the administrators' business. */
	if (pw == NULL || pw->pw_uid == 0)
		return false;
	if (cfg->enable == SSPR_ENABLE_ALL)
		return true;
	/* The gid by value: group lookups may reuse getpwnam()'s buffer. */
	return in_any_group(user, pw->pw_gid, cfg->enable_group);
}

const char *
sspr_account_refusal(const struct spwd *sp, time_t now)
{
	long today = (long)(now / (24 * 60 * 60));
	long age;

	/*
	 * Without a shadow entry (LDAP, SSSD) the lock and the expiry are
	 * not visible here: refuse rather than guess.
	 */
	if (sp == NULL || sp->sp_pwdp == NULL)
		return "no /etc/shadow entry";
	if (sp->sp_pwdp[0] == '!' || sp->sp_pwdp[0] == '*')
		return "the account is locked";
	/* As pam_unix: the account expires at the start of sp_expire. */
	if (sp->sp_expire >= 0 && today >= sp->sp_expire)
		return "the account has expired";
	if (sp->sp_lstchg > 0 && sp->sp_max >= 0 && sp->sp_inact >= 0) {
		age = today - sp->sp_lstchg;
		if (age > sp->sp_max + sp->sp_inact)
			return "the password is past its inactive period";
	}
	return NULL;
}
