/*
 * The wording of pam_sspr's mails. Each says who asked, on which host and
 * when, what to do if it was not them, and never contains a password.
 */
#include "sspr/mail/text.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sspr/common/i18n.h"
#include "sspr/common/util.h"

#define FOOTER "This mail was sent automatically; replies are not read.\n"

/* Print into an exactly sized buffer (no realloc leaves copies behind). */
static int __attribute__((format(printf, 2, 3)))
text_printf(char **ret, const char *fmt, ...)
{
	va_list ap;
	char *buf;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	buf = malloc((size_t)n + 1);
	if (buf == NULL)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(buf, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*ret = buf;
	return 0;
}

/* The host name and RFC 2822 date (C locale) of an event. */
static void
event_where_when(const struct sspr_mail_event *ev, char *host, size_t hostlen,
		 char *date, size_t datelen)
{
	locale_t c_locale;
	time_t when = ev->when != 0 ? ev->when : time(NULL);
	struct tm tm;

	if (ev->host != NULL) {
		sspr_strlcpy(host, ev->host, hostlen);
	} else if (gethostname(host, hostlen) < 0) {
		sspr_strlcpy(host, "localhost", hostlen);
	} else {
		host[hostlen - 1] = '\0';
	}
	date[0] = '\0';
	if (localtime_r(&when, &tm) == NULL)
		return;
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (c_locale == (locale_t)0)
		return;
	strftime_l(date, datelen, "%a, %d %b %Y %H:%M:%S %z", &tm, c_locale);
	freelocale(c_locale);
}

/* " (from tty1)" or "". */
static void
origin_phrase(const struct sspr_mail_event *ev, char *buf, size_t len)
{
	if (ev->origin != NULL && ev->origin[0] != '\0')
		snprintf(buf, len, " (from %s)", ev->origin);
	else
		buf[0] = '\0';
}

const char *
sspr_mail_text_duration(unsigned seconds, char *buf, size_t len)
{
	if (seconds >= 7200 && seconds % 3600 == 0)
		snprintf(buf, len, "%u hours", seconds / 3600);
	else if (seconds == 60)
		snprintf(buf, len, "1 minute");
	else if (seconds >= 60 && seconds % 60 == 0)
		snprintf(buf, len, "%u minutes", seconds / 60);
	else if (seconds >= 120)
		/* Never promise more time than there is. */
		snprintf(buf, len, "%u minutes", seconds / 60);
	else if (seconds == 1)
		snprintf(buf, len, "1 second");
	else
		snprintf(buf, len, "%u seconds", seconds);
	return buf;
}

int
sspr_mail_text_code(const struct sspr_mail_event *ev, const char *purpose,
		    const char *code, unsigned lifetime,
		    struct sspr_mail_text *ret)
{
	struct sspr_mail_text t = { NULL, NULL };
	char host[HOST_NAME_MAX + 1];
	char date[64];
	char origin[96];
	char life[32];
	bool reset;
	int r;

	if (ev == NULL || ev->user == NULL || purpose == NULL || code == NULL)
		return -EINVAL;
	if (strcmp(purpose, "reset") == 0)
		reset = true;
	else if (strcmp(purpose, "enroll") == 0)
		reset = false;
	else
		return -EINVAL;
	event_where_when(ev, host, sizeof(host), date, sizeof(date));
	origin_phrase(ev, origin, sizeof(origin));
	sspr_mail_text_duration(lifetime, life, sizeof(life));

	if (reset) {
		r = text_printf(&t.subject,
				_("Password reset code for %s on %s"), ev->user,
				host);
		if (r == 0)
			r = text_printf(
			    &t.body,
			    _("Hello,\n\n"
			      "A password reset was requested for the account "
			      "\"%s\" on the computer \"%s\"%s on %s.\n\n"
			      "Your code is: %s\n\n"
			      "The code expires in %s and works only once. "
			      "Type it where you were asked for it.\n\n"
			      "If this was not you, do not give this code to "
			      "anyone: your password has not been changed. "
			      "Tell your administrator, because someone may "
			      "be trying to get into your account.\n\n" FOOTER),
			    ev->user, host, origin, date, code, life);
	} else {
		r = text_printf(
		    &t.subject,
		    _("Confirm your backup email address for %s on %s"),
		    ev->user, host);
		if (r == 0)
			r = text_printf(
			    &t.body,
			    _("Hello,\n\n"
			      "The account \"%s\" on the computer \"%s\"%s "
			      "asked on %s to register this address for "
			      "resetting its password.\n\n"
			      "Your code is: %s\n\n"
			      "The code expires in %s and works only once. "
			      "Type it where you were asked for it.\n\n"
			      "If this was not you, ignore this mail: nothing "
			      "is registered until the code is typed back. "
			      "You may want to tell your "
			      "administrator.\n\n" FOOTER),
			    ev->user, host, origin, date, code, life);
	}
	sspr_wipe(host, sizeof(host));
	if (r < 0) {
		sspr_mail_text_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}

int
sspr_mail_text_password_changed(const struct sspr_mail_event *ev,
				bool microsoft365, struct sspr_mail_text *ret)
{
	struct sspr_mail_text t = { NULL, NULL };
	char host[HOST_NAME_MAX + 1];
	char date[64];
	char origin[96];
	int r;

	if (ev == NULL || ev->user == NULL)
		return -EINVAL;
	event_where_when(ev, host, sizeof(host), date, sizeof(date));
	origin_phrase(ev, origin, sizeof(origin));
	r = text_printf(&t.subject, _("The password of %s on %s was changed"),
			ev->user, host);
	if (r == 0)
		r = text_printf(
		    &t.body,
		    _("Hello,\n\n"
		      "The password of the account \"%s\" on the computer "
		      "\"%s\"%s was reset on %s with a code or an "
		      "authenticator app.%s\n\n"
		      "If this was you, there is nothing more to do.\n\n"
		      "If this was not you, contact your administrator right "
		      "away: someone else may have taken over your "
		      "account.\n\n" FOOTER),
		    ev->user, host, origin, date,
		    microsoft365 ? " Your Microsoft 365 password was "
				   "changed too."
				 : "");
	if (r < 0) {
		sspr_mail_text_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}

int
sspr_mail_text_admin_request(const struct sspr_mail_event *ev,
			     const char *reason, struct sspr_mail_text *ret)
{
	struct sspr_mail_text t = { NULL, NULL };
	char host[HOST_NAME_MAX + 1];
	char date[64];
	char origin[96];
	int r;

	if (ev == NULL || ev->user == NULL)
		return -EINVAL;
	event_where_when(ev, host, sizeof(host), date, sizeof(date));
	origin_phrase(ev, origin, sizeof(origin));
	r = text_printf(&t.subject, _("Password reset request from %s on %s"),
			ev->user, host);
	if (r == 0)
		r = text_printf(
		    &t.body,
		    _("Hello,\n\n"
		      "The user \"%s\" asked for help with their password at "
		      "the login prompt of the computer \"%s\"%s on %s.\n"
		      "%s%s"
		      "\n"
		      "Before you reset the password, make sure it is really "
		      "this person who is asking, for example by calling them "
		      "back on a number you already know.\n\n"
		      "If nobody should have asked, someone may be trying to "
		      "get into this account.\n\n" FOOTER),
		    ev->user, host, origin, date, reason != NULL ? reason : "",
		    reason != NULL ? "\n" : "");
	if (r < 0) {
		sspr_mail_text_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}

int
sspr_mail_text_locked(const struct sspr_mail_event *ev, time_t until,
		      struct sspr_mail_text *ret)
{
	struct sspr_mail_text t = { NULL, NULL };
	struct sspr_mail_event end = { .host = "-", .when = until };
	char host[HOST_NAME_MAX + 1];
	char date[64];
	char until_date[64];
	char unused[8];
	char origin[96];
	int r;

	if (ev == NULL || ev->user == NULL || until <= 0)
		return -EINVAL;
	event_where_when(ev, host, sizeof(host), date, sizeof(date));
	event_where_when(&end, unused, sizeof(unused), until_date,
			 sizeof(until_date));
	origin_phrase(ev, origin, sizeof(origin));
	r = text_printf(&t.subject,
			_("Password reset of %s on %s is locked: someone "
			  "typed wrong codes"),
			ev->user, host);
	if (r == 0)
		r = text_printf(
		    &t.body,
		    _("Hello,\n\n"
		      "Someone typed wrong verification codes several times "
		      "to reset the password of the account \"%s\" on the "
		      "computer \"%s\"%s, most recently on %s.\n\n"
		      "Password reset for this account is locked until %s. "
		      "Your password has not been changed, and signing in "
		      "with it still works.\n\n"
		      "If this was you, wait until then and try again.\n\n"
		      "If this was not you, someone is trying to get into "
		      "your account: tell your administrator.\n\n" FOOTER),
		    ev->user, host, origin, date, until_date);
	if (r < 0) {
		sspr_mail_text_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}

/* What changed, in one sentence for the mail (ends without a period). */
static const char *
change_sentence(const struct sspr_method_change *c, bool to_old)
{
	switch (c->method) {
	case SSPR_CHANGE_EMAIL:
		if (c->action == SSPR_CHANGE_ADDED)
			return _("this address was registered as the backup "
				 "email address");
		if (c->action == SSPR_CHANGE_REMOVED)
			return _("this address was removed as the backup email "
				 "address: codes are no longer sent here");
		return to_old ? _("the backup email address was changed from "
				  "this address to another one: codes are no "
				  "longer sent here")
			      : _("this address replaced the earlier backup "
				  "email address");
	case SSPR_CHANGE_TOTP:
		if (c->action == SSPR_CHANGE_ADDED)
			return _("an authenticator app was registered");
		if (c->action == SSPR_CHANGE_REMOVED)
			return _("the authenticator app was removed");
		return _("the authenticator app was replaced by a new one; "
			 "the old one no longer works");
	case SSPR_CHANGE_PHONE:
		if (c->action == SSPR_CHANGE_ADDED)
			return _("a mobile number was registered for codes "
				 "by text message");
		if (c->action == SSPR_CHANGE_REMOVED)
			return _("the mobile number for codes by text message "
				 "was removed");
		return _("the mobile number for codes by text message was "
			 "replaced by another one");
	case SSPR_CHANGE_ALL:
	default:
		return _("every registered method (backup email address and "
			 "authenticator app) was removed");
	}
}

int
sspr_mail_text_method_changed(const struct sspr_mail_event *ev,
			      const struct sspr_method_change *change,
			      bool to_old, const char *new_masked,
			      struct sspr_mail_text *ret)
{
	struct sspr_mail_text t = { NULL, NULL };
	char host[HOST_NAME_MAX + 1];
	char date[64];
	char origin[96];
	char *now_there = NULL;
	int r;

	if (ev == NULL || ev->user == NULL || change == NULL)
		return -EINVAL;
	event_where_when(ev, host, sizeof(host), date, sizeof(date));
	origin_phrase(ev, origin, sizeof(origin));
	if (to_old && new_masked != NULL)
		r = text_printf(&now_there, _("Codes now go to %s.\n\n"),
				new_masked);
	else
		r = text_printf(&now_there, "%s", "");
	if (r == 0)
		r = text_printf(&t.subject,
				_("How the password of %s on %s is reset has "
				  "changed"),
				ev->user, host);
	if (r == 0)
		r = text_printf(
		    &t.body,
		    _("Hello,\n\n"
		      "On %s, %s.\n\n"
		      "This is about resetting the password of the account "
		      "\"%s\" on the computer \"%s\"%s.%s\n\n"
		      "%s"
		      "If this was you, there is nothing more to do.\n\n"
		      "If this was not you, contact your administrator right "
		      "away: someone who knows your password may be keeping "
		      "a way into your account, even after you change "
		      "it.\n\n" FOOTER),
		    date, change_sentence(change, to_old), ev->user, host,
		    origin,
		    change->by_admin ? _(" The administrator made this change.")
				     : "",
		    now_there);
	free(now_there);
	if (r < 0) {
		sspr_mail_text_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}

void
sspr_mail_text_done(struct sspr_mail_text *text)
{
	if (text == NULL)
		return;
	free(text->subject);
	sspr_free_secret(text->body);
	text->subject = NULL;
	text->body = NULL;
}
