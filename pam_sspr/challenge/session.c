/*
 * The steps every dialogue of a session shares: privileges, the admin's
 * log, the record in short locked steps (never held while waiting for the
 * person, so a login of the same account at the same time is not held
 * up), the mail, and the reset's failure count.
 */
#include "sspr/challenge/session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "sspr/auth/ratelimit.h"
#include "sspr/common/audit.h"
#include "sspr/common/errors.h"
#include "sspr/common/i18n.h"
#include "sspr/mail/mail.h"
#include "sspr/mail/text.h"

const char *
sspr_purpose_name(enum sspr_purpose purpose)
{
	return purpose == SSPR_PURPOSE_RESET ? "reset" : "enroll";
}

const char *
sspr_session_origin(const struct sspr_session *s)
{
	const void *tty = NULL;

	if (s->pamh == NULL || pam_get_item(s->pamh, PAM_TTY, &tty) != 0)
		return NULL;
	return tty;
}

int
sspr_session_raise(const struct sspr_session *s)
{
	return s->raise != NULL ? s->raise() : 0;
}

void
sspr_session_lower(const struct sspr_session *s)
{
	if (s->lower != NULL)
		s->lower();
}

void
sspr_session_log(const struct sspr_session *s, int prio, const char *fmt, ...)
{
	char line[SSPR_ERR_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (s->log != NULL)
		s->log(s->log_ctx, prio, line);
	else if (s->pamh != NULL)
		pam_syslog(s->pamh, prio, "%s", line);
	else
		syslog(LOG_AUTHPRIV | prio, "%s", line);
}

void
sspr_session_audit(const struct sspr_session *s, const char *user,
		   const char *event, const char *method, const char *result,
		   const char *reason)
{
	struct sspr_audit_event ev = {
		.user = user,
		.event = event,
		.method = method,
		.result = result,
		.reason = reason,
	};

	sspr_session_audit_event(s, &ev);
}

void
sspr_session_audit_event(const struct sspr_session *s,
			 struct sspr_audit_event *ev)
{
	if (s->pamh == NULL && ev->service == NULL)
		ev->service = "sspr";
	if (s->cfg->audit_log == NULL || sspr_session_raise(s) < 0)
		return;
	sspr_audit(s->pamh, s->cfg, ev);
	sspr_session_lower(s);
}

int
sspr_session_record_open(const struct sspr_session *s, struct sspr_record *rec,
			 int *ret_lock)
{
	int r;

	r = sspr_session_raise(s);
	if (r < 0)
		return r;
	r = sspr_store_open_locked(s->cfg->state_dir, s->user, rec, ret_lock);
	if (r < 0) {
		sspr_session_lower(s);
		sspr_session_log(s, LOG_ERR,
				 "cannot read the %s record of '%s' in %s: %s",
				 sspr_purpose_name(s->purpose), s->user,
				 s->cfg->state_dir, sspr_store_strerror(r));
	}
	return r;
}

int
sspr_session_record_close(const struct sspr_session *s, struct sspr_record *rec,
			  int lock, bool save)
{
	int r;

	r = sspr_store_close_locked(s->cfg->state_dir, s->user, rec, lock,
				    save);
	sspr_session_lower(s);
	if (r < 0)
		sspr_session_log(s, LOG_ERR,
				 "cannot write the %s record of '%s': %s",
				 sspr_purpose_name(s->purpose), s->user,
				 sspr_store_strerror(r));
	sspr_record_done(rec);
	return r;
}

int
sspr_session_record_read(const struct sspr_session *s, struct sspr_record *rec)
{
	int r;

	r = sspr_session_raise(s);
	if (r < 0)
		return r;
	r = sspr_store_load(s->cfg->state_dir, s->user, rec);
	sspr_session_lower(s);
	return r == -ENOENT ? 0 : r;
}

void
sspr_session_store_failed(const struct sspr_session *s, int r, const char *what)
{
	sspr_ui_error(&s->ui,
		      /* TRANSLATORS: %s says why, e.g. "the saved data of
		       * this account is busy". */
		      _("Nothing could be saved: %s. Try again in a moment, "
			"or contact your administrator."),
		      sspr_store_strerror(r));
	sspr_session_log(s, LOG_ERR, "cannot %s for '%s': %s", what, s->user,
			 sspr_store_strerror(r));
}

int
sspr_session_send(const struct sspr_session *s, const char *to,
		  const struct sspr_mail_text *text, char *err, size_t errlen)
{
	struct sspr_mail mail = {
		.to = to,
		.subject = text->subject,
		.body = text->body,
	};
	int r;

	/* Root may be needed for smtp_password_file. */
	r = sspr_session_raise(s);
	if (r < 0) {
		snprintf(err, errlen, "cannot raise privileges: %s",
			 strerror(-r));
		return r;
	}
	r = sspr_mail_send(s->cfg, &mail, err, errlen);
	sspr_session_lower(s);
	return r;
}

int
sspr_session_mail(const struct sspr_session *s, const char *to,
		  const struct sspr_mail_text *text, const char *what)
{
	char err[SSPR_ERR_MAX] = "";
	int r;

	r = sspr_session_send(s, to, text, err, sizeof(err));
	if (r < 0)
		sspr_session_log(s, LOG_ERR, "cannot mail %s for '%s': %s",
				 what, s->user, err);
	return r;
}

bool
sspr_session_count_failure(struct sspr_session *s, struct sspr_record *rec)
{
	bool locked = sspr_count_failure(s->cfg, rec, time(NULL));

	if (locked)
		s->locked_until = rec->locked_until;
	return locked;
}

/* "10 minutes", "3 hours": how long is left, rounded up. */
static const char *
lock_left(const struct sspr_session *s, char *buf, size_t len)
{
	time_t now = time(NULL);
	unsigned left =
	    s->locked_until > now ? (unsigned)(s->locked_until - now) : 0;

	if (left > 7200)
		left = (left + 3599) / 3600 * 3600;
	else
		left = (left + 59) / 60 * 60;
	return sspr_mail_text_duration(left, buf, len);
}

/*
 * The account's owner hears of a lockout at once, from the mail they
 * registered: if it was not them, someone is guessing their codes.
 */
static void
notify_locked(const struct sspr_session *s, const char *to)
{
	struct sspr_mail_event ev = { .user = s->user,
				      .origin = sspr_session_origin(s) };
	struct sspr_mail_text text = { 0 };

	if (to == NULL) {
		sspr_session_log(s, LOG_NOTICE,
				 "lockout of '%s' not mailed: no address to "
				 "mail",
				 s->user);
		return;
	}
	if (sspr_mail_text_locked(&ev, s->locked_until, &text) == 0 &&
	    sspr_session_mail(s, to, &text, "the lockout notice") == 0)
		sspr_session_log(s, LOG_NOTICE,
				 "lockout notice mailed to the owner of '%s'",
				 s->user);
	sspr_mail_text_done(&text);
}

int
sspr_session_failed(struct sspr_session *s, bool locked, const char *notice_to)
{
	if (s->pamh != NULL)
		pam_fail_delay(s->pamh, s->cfg->fail_delay * 1000000u);
	if (!locked)
		return 0;
	sspr_session_log(s, LOG_WARNING,
			 "password reset locked for '%s' for %lld seconds "
			 "after too many failed attempts",
			 s->user, (long long)(s->locked_until - time(NULL)));
	sspr_session_audit(s, s->user, "lockout", NULL, "failed",
			   "too many wrong codes");
	notify_locked(s, notice_to);
	sspr_session_say_locked(s);
	return -EPERM;
}

void
sspr_session_say_locked(const struct sspr_session *s)
{
	char left[32];

	sspr_ui_error(&s->ui,
		      /* TRANSLATORS: %s is a duration, e.g. "10 minutes". */
		      _("Too many failed attempts. Password reset is locked "
			"for this account for %s."),
		      lock_left(s, left, sizeof(left)));
}
