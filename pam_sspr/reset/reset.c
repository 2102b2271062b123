/*
 * The "forgot password" branch, stage by stage: who may reset
 * (available.c), the methods and their challenge (methods.c), the new
 * password with its change locally and in Microsoft 365 (new_password.c)
 * and what follows (result.c). Nothing else happens here.
 */
#include "sspr/reset/reset.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "sspr/change/local_password.h"
#include "sspr/common/audit.h"
#include "sspr/common/conv.h"
#include "sspr/reset/stages.h"

/* *ret_stage: the stage that ended the reset, for the audit log. */
static int
run(struct sspr_reset *r, const struct passwd *pw, const char **ret_stage)
{
	int rv;

	*ret_stage = "not available";
	rv = sspr_reset_available(r, pw);
	if (rv != PAM_SUCCESS)
		return rv;
	*ret_stage = "challenge";
	rv = sspr_reset_challenge(r);
	if (rv != PAM_SUCCESS)
		return rv;
	*ret_stage = "new password";
	rv = sspr_reset_new_password(r);
	if (rv != PAM_SUCCESS)
		return rv;
	*ret_stage = NULL;
	return sspr_reset_result(r);
}

/* The methods passed, as the audit log names them ("email totp"). */
static const char *
methods_used(const struct sspr_reset *r, char *buf, size_t len)
{
	static const char *const name[SSPR_M_COUNT] = { "email", "totp",
							"sms" };
	size_t pos = 0;
	unsigned m;

	buf[0] = '\0';
	for (m = 0; m < SSPR_M_COUNT; m++)
		if (r->used[m] && pos + strlen(name[m]) + 2 <= len)
			pos += (size_t)snprintf(buf + pos, len - pos, "%s%s",
						pos > 0 ? " " : "", name[m]);
	return pos > 0 ? buf : NULL;
}

/* One line: who (a known account only), how, and where it ended. */
static void
audit(struct sspr_reset *r, bool known, int rv, const char *stage)
{
	char used[32];
	struct sspr_audit_event ev = {
		.user = known ? r->session.user : NULL,
		.event = "reset",
		.method = methods_used(r, used, sizeof(used)),
		.result = rv == PAM_SUCCESS ? "ok" : "failed",
		.reason = stage,
		.request_ids = { r->ids.client[0] != '\0' ? r->ids.client
							  : NULL,
				 r->ids.server[0] != '\0' ? r->ids.server
							  : NULL },
	};

	if (ev.request_ids[0] == NULL)
		ev.request_ids[0] = ev.request_ids[1];
	sspr_session_audit_event(&r->session, &ev);
}

int
sspr_reset_run(struct sspr_reset *r)
{
	const struct passwd *pw;
	const char *stage = NULL;
	int rv;

	r->session.purpose = SSPR_PURPOSE_RESET;
	/* pam_modutil_getpwnam() for the host: kept until pam_end(). */
	pw = r->local->account(r->session.pamh, r->session.user);
	/* A mistyped name may be someone's password: only known names. */
	if (pw != NULL)
		sspr_session_log(&r->session, LOG_NOTICE,
				 "password reset started for '%s'",
				 r->session.user);
	else
		sspr_session_log(&r->session, LOG_NOTICE,
				 "password reset started");
	rv = run(r, pw, &stage);
	audit(r, pw != NULL, rv, stage);
	free(r->email);
	r->email = NULL;
	free(r->phone);
	r->phone = NULL;
	return rv;
}

int
sspr_flow_reset(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		const char *user)
{
	struct sspr_reset r = {
		.session = { .pamh = pamh, .cfg = cfg, .user = user },
		.local = &sspr_local_password_host,
		.faillock = "/usr/sbin/faillock",
	};

	sspr_conv_ui(pamh, &r.session.ui);
	return sspr_reset_run(&r);
}
