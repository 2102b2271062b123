/* The gate: whether a user is one of those self-service reset is for. */
#include "sspr/gate.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
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

bool
sspr_gate_allowed(const struct sspr_cfg *cfg, const char *user)
{
	const struct passwd *pw;
	const struct group *gr;

	if (cfg->enable == SSPR_ENABLE_NONE)
		return false;
	pw = getpwnam(user);
	if (pw == NULL)
		return false;
	if (cfg->enable == SSPR_ENABLE_ALL)
		return true;
	gr = getgrnam(cfg->enable_group);
	if (gr == NULL)
		return false;
	return in_group(user, pw->pw_gid, gr->gr_gid);
}
