/* The gate: whether a user is one of those self-service reset is for. */
#include "sspr/common/gate.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <security/pam_modules.h>
#include <security/pam_modutil.h>

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

/*
 * Inside a PAM host (login, su, sudo, sshd, gdm) the host's own
 * getpwnam() result must not be overwritten under it, and threaded
 * hosts share that static buffer: with a pamh the lookups go through
 * pam_modutil, whose results live as long as the handle. Without one
 * (the sspr command) they are the reentrant getpwnam_r()/getgrnam_r(),
 * with a buffer that doubles on ERANGE up to a bound (a group with many
 * members is large).
 */
#define LOOKUP_BUF_MIN 1024
#define LOOKUP_BUF_MAX (1024 * 1024)

/*
 * pam_modutil keeps its results with the handle (pam_set_data()), which
 * only a module may do: asked by an application, such as the unit tests
 * that drive the flow directly, Linux-PAM's pam_modutil_getpwnam() tries
 * data names until INT_MAX. pam_get_data() tells the two apart: it
 * answers PAM_SYSTEM_ERR to an application only.
 */
static bool
in_module(pam_handle_t *pamh)
{
	const void *data = NULL;

	return pamh != NULL &&
	       pam_get_data(pamh, "pam_sspr_gate", &data) != PAM_SYSTEM_ERR;
}

/* A user's uid and primary gid, or (group) a group's gid; 0 or -errno. */
static int
lookup_r(const char *name, bool group, uid_t *ret_uid, gid_t *ret_gid)
{
	struct passwd pwbuf;
	struct passwd *pw = NULL;
	struct group grbuf;
	struct group *gr = NULL;
	size_t size;
	char *buf = NULL;
	int r = -ENOENT;

	for (size = LOOKUP_BUF_MIN; size <= LOOKUP_BUF_MAX; size *= 2) {
		char *grown = realloc(buf, size);
		int e;

		if (grown == NULL) {
			r = -ENOMEM;
			break;
		}
		buf = grown;
		e = group ? getgrnam_r(name, &grbuf, buf, size, &gr)
			  : getpwnam_r(name, &pwbuf, buf, size, &pw);
		if (e == ERANGE)
			continue;
		if (e == 0 && pw != NULL) {
			*ret_uid = pw->pw_uid;
			*ret_gid = pw->pw_gid;
			r = 0;
		} else if (e == 0 && gr != NULL) {
			*ret_gid = gr->gr_gid;
			r = 0;
		}
		break;
	}
	free(buf);
	return r;
}

static int
lookup_user(pam_handle_t *pamh, const char *user, uid_t *ret_uid,
	    gid_t *ret_gid)
{
	const struct passwd *pw;

	if (!in_module(pamh))
		return lookup_r(user, false, ret_uid, ret_gid);
	pw = pam_modutil_getpwnam(pamh, user);
	if (pw == NULL)
		return -ENOENT;
	*ret_uid = pw->pw_uid;
	*ret_gid = pw->pw_gid;
	return 0;
}

static int
lookup_group(pam_handle_t *pamh, const char *name, gid_t *ret_gid)
{
	const struct group *gr;
	uid_t unused;

	if (!in_module(pamh))
		return lookup_r(name, true, &unused, ret_gid);
	gr = pam_modutil_getgrnam(pamh, name);
	if (gr == NULL)
		return -ENOENT;
	*ret_gid = gr->gr_gid;
	return 0;
}

/* Is the user in one of the space-separated groups of list? */
static bool
in_any_group(pam_handle_t *pamh, const char *user, gid_t primary,
	     const char *list)
{
	char name[256];
	const char *p = list;

	while (*p != '\0') {
		gid_t gid;
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n > 0 && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			if (lookup_group(pamh, name, &gid) == 0 &&
			    in_group(user, primary, gid))
				return true;
		}
		p += n;
	}
	return false;
}

bool
sspr_gate_allowed(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		  const char *user)
{
	uid_t uid;
	gid_t gid;

	if (cfg->enable == SSPR_ENABLE_NONE)
		return false;
	/* root's password stays the administrators' business. */
	if (lookup_user(pamh, user, &uid, &gid) < 0 || uid == 0)
		return false;
	if (cfg->enable == SSPR_ENABLE_ALL)
		return true;
	return in_any_group(pamh, user, gid, cfg->enable_group);
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
