/*
 * The second stage of the reset: which registered methods the person
 * has, a choice between them, and the challenge with each (the mailed
 * code and the authenticator code of pam_sspr/challenge/).
 */
#include <errno.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "sspr/auth/otp_code.h"
#include "sspr/auth/ratelimit.h"
#include "sspr/challenge/app_code.h"
#include "sspr/challenge/mail_code.h"
#include "sspr/change/sync.h"
#include "sspr/common/address.h"
#include "sspr/common/i18n.h"
#include "sspr/common/util.h"
#include "sspr/reset/stages.h"

static bool
wants(const struct sspr_reset *r, unsigned method)
{
	return (r->session.cfg->methods & method) != 0;
}

/* The address from Microsoft 365, when the record has none. */
static void
load_entra_email(struct sspr_reset *r)
{
	char log[SSPR_ERR_MAX] = "";

	if (sspr_sync_entra_email(r->session.cfg, r->session.user, &r->email,
				  log, sizeof(log)) < 0)
		sspr_session_log(&r->session, LOG_ERR,
				 "cannot read the Microsoft 365 email method "
				 "of '%s': %s",
				 r->session.user, log);
}

int
sspr_reset_load_methods(struct sspr_reset *r, bool *ret_locked)
{
	unsigned source = r->session.cfg->email_source;
	struct sspr_record rec = { 0 };
	int lock;
	int e;

	e = sspr_session_record_open(&r->session, &rec, &lock);
	if (e < 0)
		return e;
	*ret_locked = sspr_is_locked(&rec, time(NULL));
	if (wants(r, SSPR_METHOD_TOTP))
		r->has_totp = rec.totp_secret != NULL;
	if (wants(r, SSPR_METHOD_EMAIL) && rec.email != NULL &&
	    source != SSPR_EMAIL_ENTRA)
		r->email = sspr_strdup(rec.email);
	sspr_session_record_close(&r->session, &rec, lock, false);
	if (wants(r, SSPR_METHOD_EMAIL) && r->email == NULL &&
	    source != SSPR_EMAIL_LOCAL && !*ret_locked)
		load_entra_email(r);
	return 0;
}

unsigned
sspr_reset_methods_left(const struct sspr_reset *r)
{
	return (unsigned)(r->email != NULL && !r->used[SSPR_M_EMAIL]) +
	       (unsigned)(r->has_totp && !r->used[SSPR_M_TOTP]);
}

/* A short menu when more than one method is left; 0 with *ret_method. */
static int
choose_method(struct sspr_reset *r, enum sspr_method *ret_method)
{
	enum sspr_method options[2];
	char *masked = NULL;
	char *answer = NULL;
	unsigned n = 0;
	unsigned long pick = 1;
	int e;

	if (r->email != NULL && !r->used[SSPR_M_EMAIL])
		options[n++] = SSPR_M_EMAIL;
	if (r->has_totp && !r->used[SSPR_M_TOTP])
		options[n++] = SSPR_M_TOTP;
	if (n == 1) {
		*ret_method = options[0];
		return 0;
	}
	masked = sspr_address_mask(r->email);
	sspr_ui_info(&r->session.ui,
		     /* TRANSLATORS: %s is the masked address. */
		     _("Verify your identity with one of your "
		       "registered methods:\n  1) Email code to %s\n"
		       "  2) Authenticator app code"),
		     masked != NULL ? masked : "");
	free(masked);
	for (;;) {
		e = sspr_ui_ask(&r->session.ui, true, &answer, "%s",
				_("Choice [1]: "));
		if (e < 0)
			return e;
		e = answer[0] == '\0' ? 0
				      : sspr_parse_uint(answer, 1, n, &pick);
		free(answer);
		if (e == 0)
			break;
		sspr_ui_error(&r->session.ui,
			      _("Please type a number from 1 to %u."), n);
	}
	*ret_method = options[pick - 1];
	return 0;
}

static int
pass_method(struct sspr_reset *r, enum sspr_method m)
{
	struct sspr_mail_code mc = { .address = r->email,
				     .notice_to = r->email };

	if (m == SSPR_M_EMAIL)
		return sspr_mail_code_dialogue(&r->session, &mc);
	return sspr_app_code_dialogue(&r->session, NULL,
				      r->session.cfg->code_attempts, r->email);
}

/* Identity proven: failed challenges no longer count, the code is spent. */
static void
forget_failed_challenges(struct sspr_reset *r)
{
	struct sspr_record rec = { 0 };
	int lock;

	if (sspr_session_record_open(&r->session, &rec, &lock) == 0) {
		sspr_clear_failures(&rec);
		sspr_code_slot_clear(&rec.reset_code);
		sspr_session_record_close(&r->session, &rec, lock, true);
	}
}

int
sspr_reset_challenge(struct sspr_reset *r)
{
	enum sspr_method m;
	int e;

	while ((unsigned)r->used[SSPR_M_EMAIL] +
		   (unsigned)r->used[SSPR_M_TOTP] <
	       r->session.cfg->methods_required) {
		e = choose_method(r, &m);
		if (e == 0)
			e = pass_method(r, m);
		if (e < 0)
			return e == -ECANCELED ? PAM_CONV_ERR : PAM_AUTH_ERR;
		r->used[m] = true;
	}
	forget_failed_challenges(r);
	return PAM_SUCCESS;
}
