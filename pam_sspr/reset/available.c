/*
 * The first stage of the reset: may this account be reset now? Unknown
 * users, users the gate leaves out (root among them), accounts the
 * administrator locked or let expire, users locked after failed
 * attempts, users outside enable_entra_group (or whose membership
 * Microsoft 365 could not tell) and users without a method all hear
 * say_not_available(), after the same time (sspr_reset_wait_floor(),
 * result.c): the prompt does not tell which it is.
 */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "sspr/change/entra_group.h"
#include "sspr/change/local_password.h"
#include "sspr/common/gate.h"
#include "sspr/common/i18n.h"
#include "sspr/common/store.h"
#include "sspr/reset/stages.h"

/*
 * Every "not available" case hears this one sentence, so the answer does
 * not tell which of them an account is.
 */
static void
say_not_available(struct sspr_reset *r)
{
	sspr_ui_error(&r->session.ui, "%s",
		      _("Password reset is not available for this account "
			"right now. If you have not registered a verification "
			"method, sign in and run \"sspr enroll\" to register "
			"one; otherwise please contact your administrator."));
}

/*
 * Why the local account must not be reset (for the log), or NULL.
 *
 * The shadow entry is checked here, before any challenge, rather than by
 * running the account stage of the host's stack on a nested handle: that
 * stage runs for a name anyone can type, and its modules act as well as
 * check (pam_faillock's account stage clears the failed-login tally, so a
 * stranger answering "y" would wipe the count that protects the
 * password; pam_sss and pam_ldap ask a server, whose answer time tells
 * which names exist). What pam_unix refuses, locked or expired, is all
 * here; login still runs its own account stage after a reset.
 */
static const char *
account_refusal(struct sspr_reset *r)
{
	return sspr_account_refusal(
	    r->local->shadow(r->session.pamh, r->session.user), time(NULL));
}

/*
 * enable_entra_group, after every local check (it costs a Graph request
 * when the cache has no answer), and never for a name that is no
 * account: it may be someone's password. Why not, or NULL; for an
 * outage, Graph's details go into detail for the one log line. The
 * person hears the same sentence either way.
 */
static const char *
entra_refusal(struct sspr_reset *r, const char **ret_reason, char *detail,
	      size_t detail_len)
{
	bool cached = false;
	int e;

	if (r->session.cfg->enable_entra_group == NULL)
		return NULL;
	e = sspr_entra_member(r->session.cfg, r->session.user, &cached, detail,
			      detail_len);
	if (e > 0)
		return NULL;
	if (e == 0) {
		detail[0] = '\0';
		*ret_reason = N_("Self-service password reset is not "
				 "enabled for this account.");
		return "not in the Entra groups";
	}
	return "Microsoft 365 unreachable";
}

/*
 * Why the reset is not available (for the log), or NULL; *ret_reason
 * explains an administrator request, NULL when there is nothing to ask
 * for. -errno when the record could not be read.
 */
static int
refusal(struct sspr_reset *r, bool known, const char **ret_why,
	const char **ret_reason, char *detail, size_t detail_len)
{
	bool locked = false;
	int e;

	*ret_why = NULL;
	*ret_reason = NULL;
	if (!known) {
		*ret_why = "unknown user";
		return 0;
	}
	/* Locked by the administrator: nothing to ask them for. */
	*ret_why = account_refusal(r);
	if (*ret_why != NULL)
		return 0;
	if (!sspr_gate_allowed(r->session.pamh, r->session.cfg,
			       r->session.user)) {
		*ret_why = "not enabled for this user";
		*ret_reason = N_("Self-service password reset is not enabled "
				 "for this account.");
		return 0;
	}
	*ret_why = entra_refusal(r, ret_reason, detail, detail_len);
	if (*ret_why != NULL)
		return 0;
	e = sspr_reset_load_methods(r, &locked);
	if (e < 0)
		return e;
	if (locked) {
		*ret_why = "locked after failed attempts";
	} else if (sspr_reset_methods_left(r) <
		   r->session.cfg->methods_required) {
		*ret_why = "not enough registered methods";
		*ret_reason = N_("No verification method is registered for "
				 "this account.");
	}
	return 0;
}

int
sspr_reset_available(struct sspr_reset *r, const struct passwd *pw)
{
	/*
	 * Only the account's own spelling: a case-insensitive directory
	 * would otherwise give "ALICE" a record (and limits) of its own.
	 */
	bool known = pw != NULL && strcmp(pw->pw_name, r->session.user) == 0 &&
		     sspr_store_name_ok(r->session.user);
	const char *why;		/* not available, for the log */
	const char *reason;		/* for the administrator request mail */
	char detail[SSPR_ERR_MAX] = ""; /* more for the log, or "" */
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (refusal(r, known, &why, &reason, detail, sizeof(detail)) < 0) {
		sspr_ui_error(&r->session.ui, "%s",
			      _("Password reset is not available because of a "
				"problem on this computer. Please contact "
				"your administrator."));
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (why == NULL)
		return PAM_SUCCESS;
	/* A mistyped name may be someone's password: not logged. */
	if (!known)
		sspr_session_log(&r->session, LOG_NOTICE,
				 "reset not available: %s", why);
	else
		/* With details: Microsoft 365 failed, the admin's concern. */
		sspr_session_log(
		    &r->session, detail[0] != '\0' ? LOG_ERR : LOG_NOTICE,
		    "reset not available for '%s': %s%s%s", r->session.user,
		    why, detail[0] != '\0' ? ": " : "", detail);
	/* The floor, in place of pam_fail_delay's random delay. */
	sspr_reset_wait_floor(r, &start);
	say_not_available(r);
	sspr_reset_offer_admin_request(r, known, reason);
	return PAM_AUTH_ERR;
}

/*
 * The administrator may lock the account while the person proves who
 * they are or types the new password: look again right before the change.
 */
int
sspr_reset_still_available(struct sspr_reset *r)
{
	const char *why = account_refusal(r);

	if (why == NULL)
		return 0;
	sspr_session_log(&r->session, LOG_NOTICE,
			 "reset of '%s' stopped before the change: %s",
			 r->session.user, why);
	say_not_available(r);
	return -EPERM;
}
