/*
 * Proving who you are with one registered method: a one-time code sent
 * by email, or a code from an authenticator app.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "sspr/reset/flow.h"
#include "sspr/common/address.h"
#include "sspr/common/i18n.h"
#include "sspr/mail/mail.h"
#include "sspr/mail/text.h"
#include "sspr/auth/otp_code.h"
#include "sspr/auth/ratelimit.h"
#include "sspr/auth/totp.h"
#include "sspr/common/util.h"

#define PURPOSE "reset"

static int
send_code_mail(struct sspr_reset *s, const char *code)
{
	struct sspr_mail_event ev = { .user = s->user };
	struct sspr_mail_text text = { 0 };
	int r;

	r = sspr_mail_text_code(&ev, PURPOSE, code, s->cfg->code_lifetime,
				&text);
	if (r == 0)
		r = sspr_reset_mail(s, s->email, &text, "a reset code");
	sspr_mail_text_done(&text);
	return r;
}

/* Make, store (hashed) and send a new code. */
static int
issue_code(struct sspr_reset *s)
{
	struct sspr_record rec = { 0 };
	char *code = NULL;
	char *masked = NULL;
	char lifetime[32];
	unsigned wait = 0;
	int lock;
	int r;

	r = sspr_reset_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	r = sspr_code_may_send(s->cfg, &rec, PURPOSE, time(NULL), &wait);
	if (r == 0)
		r = sspr_code_issue(s->cfg, &rec, s->user, PURPOSE, s->email,
				    time(NULL), &code);
	if (sspr_reset_record_close(s, &rec, lock, r == 0) < 0 && r == 0)
		r = -EIO;
	if (r == -EAGAIN) {
		sspr_ui_error(&s->ui,
			      _("A code was sent recently. Please wait %u "
				"seconds before asking for another one."),
			      wait);
		return r;
	}
	if (r < 0)
		goto out;
	r = send_code_mail(s, code);
	if (r < 0) {
		/* An unsent code must not count against the person. */
		if (sspr_reset_record_open(s, &rec, &lock) == 0) {
			sspr_code_unsent(&rec, PURPOSE, s->email);
			sspr_reset_record_close(s, &rec, lock, true);
		}
		sspr_ui_error(&s->ui, "%s",
			      _("The code could not be sent. Please try again "
				"later or contact your administrator."));
		goto out;
	}
	masked = sspr_address_mask(s->email);
	sspr_ui_info(&s->ui, _("A code was sent to %s. It expires in %s."),
		     masked != NULL ? masked : "",
		     sspr_mail_text_duration(s->cfg->code_lifetime, lifetime,
					     sizeof(lifetime)));
	pam_syslog(s->pamh, LOG_NOTICE, "reset code sent by email for '%s'",
		   s->user);
out:
	free(masked);
	sspr_free_secret(code);
	return r;
}

/*
 * Check a typed code and count a failure in one locked step: between the
 * check and the count no other session can check a code of its own.
 * *ret_locked is true when this failure locked the branch.
 */
static int
verify_code(struct sspr_reset *s, const char *typed, unsigned *ret_left,
	    bool *ret_locked)
{
	struct sspr_record rec = { 0 };
	int lock;
	int r;

	*ret_locked = false;
	r = sspr_reset_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	/* Another session may have locked the branch since this one began. */
	if (sspr_is_locked(&rec, time(NULL))) {
		s->locked_until = rec.locked_until;
		sspr_reset_record_close(s, &rec, lock, false);
		return -EPERM;
	}
	r = sspr_code_verify(s->cfg, &rec, s->user, PURPOSE, typed, time(NULL));
	if (r == -EACCES)
		*ret_locked = sspr_reset_count_failure(s, &rec);
	*ret_left = rec.reset_code.attempts_left;
	if (sspr_reset_record_close(s, &rec, lock, true) < 0)
		return -EIO;
	return r;
}

static bool
code_pending(struct sspr_reset *s)
{
	struct sspr_record rec = { 0 };
	bool pending = false;
	int lock;

	if (sspr_reset_record_open(s, &rec, &lock) < 0)
		return false;
	pending = sspr_code_pending(&rec, PURPOSE, time(NULL)) &&
		  rec.reset_code.address != NULL &&
		  strcmp(rec.reset_code.address, s->email) == 0;
	sspr_reset_record_close(s, &rec, lock, false);
	return pending;
}

int
sspr_challenge_email(struct sspr_reset *s)
{
	char *typed = NULL;
	unsigned left = 0;
	bool locked = false;
	int r;

	/*
	 * A code from an earlier attempt survives a login that timed out:
	 * the person may type it instead of waiting for another mail.
	 */
	if (code_pending(s)) {
		sspr_ui_info(&s->ui, "%s",
			     _("A code was already sent to you and is still "
			       "valid. Type it, or just press Enter to get a "
			       "new one."));
	} else {
		r = issue_code(s);
		if (r < 0)
			return r;
	}
	for (;;) {
		r = sspr_ui_ask(&s->ui, true, &typed, "%s", _("Code: "));
		if (r < 0)
			return r;
		if (typed[0] == '\0') {
			sspr_free_secret(typed);
			typed = NULL;
			r = issue_code(s);
			/* Too soon for another: the pending code still works.
			 */
			if (r == -EAGAIN && code_pending(s))
				continue;
			if (r < 0)
				return r;
			continue;
		}
		r = verify_code(s, typed, &left, &locked);
		sspr_free_secret(typed);
		typed = NULL;
		switch (r) {
		case 0:
			pam_syslog(s->pamh, LOG_NOTICE,
				   "email code accepted for '%s'", s->user);
			return 0;
		case -EACCES:
			pam_syslog(s->pamh, LOG_NOTICE,
				   "wrong email code for '%s'", s->user);
			if (sspr_reset_failed(s, locked) < 0)
				return -EPERM;
			if (left == 0) {
				sspr_ui_error(&s->ui, "%s",
					      _("That code is not correct, and "
						"no attempts are left. Start "
						"again to get a new code."));
				return -EACCES;
			}
			sspr_ui_error(&s->ui,
				      _("That code is not correct. %u "
					"attempts left."),
				      left);
			break;
		case -ETIMEDOUT:
			sspr_ui_error(&s->ui, "%s",
				      _("That code has expired. Start again "
					"to get a new code."));
			return r;
		case -EPERM:
			sspr_reset_say_locked(s);
			return r;
		case -EMLINK:
		case -ENOENT:
			sspr_ui_error(&s->ui, "%s",
				      _("That code can no longer be used. "
					"Start again to get a new code."));
			return r;
		default:
			return r;
		}
	}
}

/*
 * Check an authenticator code and count a failure in one locked step, as
 * verify_code() does.
 */
static int
verify_totp(struct sspr_reset *s, const char *typed, bool *ret_locked)
{
	struct sspr_record rec = { 0 };
	int lock;
	int r;

	*ret_locked = false;
	r = sspr_reset_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	if (sspr_is_locked(&rec, time(NULL))) {
		s->locked_until = rec.locked_until;
		sspr_reset_record_close(s, &rec, lock, false);
		return -EPERM;
	}
	r = sspr_totp_verify(&rec, typed, time(NULL), s->cfg->totp_window);
	/* Saved on success (the accepted step is spent) and on a failure. */
	if (r == -EACCES || r == -EINVAL)
		*ret_locked = sspr_reset_count_failure(s, &rec);
	if (r == 0 || r == -EACCES || r == -EINVAL) {
		if (sspr_reset_record_close(s, &rec, lock, true) < 0)
			return -EIO;
	} else {
		sspr_reset_record_close(s, &rec, lock, false);
	}
	return r;
}

int
sspr_challenge_totp(struct sspr_reset *s)
{
	char *typed = NULL;
	unsigned tries;
	bool locked = false;
	int r = -EACCES;

	for (tries = 0; tries < s->cfg->code_attempts; tries++) {
		r = sspr_ui_ask(&s->ui, true, &typed, "%s",
				_("Code from your authenticator app: "));
		if (r < 0)
			return r;
		r = verify_totp(s, typed, &locked);
		sspr_free_secret(typed);
		typed = NULL;
		if (r == 0) {
			pam_syslog(s->pamh, LOG_NOTICE,
				   "authenticator code accepted for '%s'",
				   s->user);
			return 0;
		}
		if (r == -EPERM)
			sspr_reset_say_locked(s);
		if (r != -EACCES && r != -EINVAL)
			return r;
		pam_syslog(s->pamh, LOG_NOTICE,
			   "wrong authenticator code for '%s'", s->user);
		if (sspr_reset_failed(s, locked) < 0)
			return -EPERM;
		sspr_ui_error(&s->ui, "%s",
			      _("That code is not correct. Check that the "
				"clock of your phone is right and use the "
				"newest code."));
	}
	return -EACCES;
}
