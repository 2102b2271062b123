/*
 * The third stage of the reset: would Microsoft 365 take a password at
 * all, then the new password, asked twice and checked against the
 * policy, and applied locally and (with sync) in Microsoft 365: both or
 * neither (change/apply.c).
 */
#include <errno.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "sspr/auth/policy.h"
#include "sspr/change/apply.h"
#include "sspr/change/sync.h"
#include "sspr/common/i18n.h"
#include "sspr/common/util.h"
#include "sspr/reset/stages.h"

#define MSG_MAX 1024

/* Before the person chooses a password: would Microsoft 365 take one? */
static int
precheck_sync(struct sspr_reset *r)
{
	const struct sspr_session *s = &r->session;
	char msg[MSG_MAX] = "";
	char log[SSPR_ERR_MAX] = "";
	int e;

	if (s->cfg->sync != SSPR_SYNC_REQUIRED)
		return 0;
	e = sspr_sync_precheck(s->cfg, s->user, msg, sizeof(msg), log,
			       sizeof(log));
	if (e < 0) {
		sspr_session_log(s, LOG_ERR,
				 "Microsoft 365 check failed for '%s': %s",
				 s->user, log);
		sspr_ui_error(&s->ui, "%s", msg);
	}
	return e;
}

static int
ask_new_password(struct sspr_reset *r, char **ret_password)
{
	const struct sspr_ui *ui = &r->session.ui;
	char *first = NULL;
	char *second = NULL;
	char msg[MSG_MAX];
	int e;

	e = sspr_ui_ask(ui, false, &first, "%s", _("New password: "));
	if (e < 0)
		return e;
	if (sspr_policy_check(first, r->session.user, msg, sizeof(msg)) < 0) {
		/* TRANSLATORS: %s is the policy's reason, on its own line. */
		sspr_ui_error(ui, _("This password cannot be used:\n%s"), msg);
		e = -EINVAL;
		goto out;
	}
	e = sspr_ui_ask(ui, false, &second, "%s", _("Retype new password: "));
	if (e < 0)
		goto out;
	if (!sspr_consttime_streq(first, second)) {
		sspr_ui_error(ui, "%s", _("The passwords do not match."));
		e = -EINVAL;
		goto out;
	}
	*ret_password = first;
	first = NULL;
out:
	sspr_free_secret(first);
	sspr_free_secret(second);
	return e;
}

/* One try: ask, look at the account again, apply. */
static int
try_password(struct sspr_reset *r)
{
	const struct sspr_session *s = &r->session;
	char *password = NULL;
	char msg[MSG_MAX];
	int e;

	e = ask_new_password(r, &password);
	if (e < 0)
		return e;
	e = sspr_reset_still_available(r);
	if (e < 0)
		goto out;
	e = sspr_apply_password(s->pamh, s->cfg, r->local, s->user, password,
				msg, sizeof(msg), &r->ids);
	if (e == 0 && s->cfg->after_reset == SSPR_AFTER_LOGIN)
		pam_set_item(s->pamh, PAM_AUTHTOK, password);
	if (e < 0)
		sspr_ui_error(&s->ui, "%s", msg);
out:
	sspr_free_secret(password);
	return e;
}

int
sspr_reset_new_password(struct sspr_reset *r)
{
	unsigned tries;
	int e = -EINVAL;

	if (precheck_sync(r) < 0)
		return PAM_AUTHINFO_UNAVAIL;
	/* -EINVAL: this password was refused, another may work. */
	for (tries = 0;
	     tries < r->session.cfg->password_retries && e == -EINVAL; tries++)
		e = try_password(r);
	if (e < 0) {
		sspr_session_log(&r->session, LOG_NOTICE,
				 "reset for '%s' ended without a new password",
				 r->session.user);
		return PAM_AUTHTOK_ERR;
	}
	return PAM_SUCCESS;
}
