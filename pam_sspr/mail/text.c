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

/*
 * A mail is written in the language of the session that asked for it:
 * the process locale (login's or sspr's setlocale(LC_ALL, "")). The
 * console may have switched this thread to English (lang.c), because the
 * kernel font cannot draw kanji; the mail is read elsewhere, so it keeps
 * the session's language, unless the event names another (the request to
 * the administrator, admin_language).
 */
struct mail_language {
	locale_t saved; /* to put back */
	locale_t ours;	/* newlocale() of ev->language, to free */
};

static void
mail_language_begin(struct mail_language *m, const struct sspr_mail_event *ev)
{
	m->ours = (locale_t)0;
	if (ev != NULL && ev->language != NULL)
		m->ours = newlocale(LC_ALL_MASK, ev->language, (locale_t)0);
	m->saved =
	    uselocale(m->ours != (locale_t)0 ? m->ours : LC_GLOBAL_LOCALE);
}

static void
mail_language_end(struct mail_language *m)
{
	if (m->saved != (locale_t)0)
		uselocale(m->saved);
	if (m->ours != (locale_t)0)
		freelocale(m->ours);
}

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

/*
 * The host name and the date of an event as the mail body shows it. The
 * format is the translator's; it is applied in the C locale, so a format
 * without %a or %b (names) reads the same on every host.
 */
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
	/*
	 * TRANSLATORS: the date and time in a mail body, a strftime(3)
	 * format applied in the C locale (so %a and %b give English names;
	 * use numbers instead). Keep the time zone (%z).
	 */
	strftime_l(date, datelen, _("%a, %d %b %Y %H:%M:%S %z"), &tm, c_locale);
	freelocale(c_locale);
}

/*
 * " This came from tty1.", a sentence of its own after the one saying
 * what happened, or "" when the terminal is not known. The translation
 * carries the space between sentences, if its language has one.
 */
static int
origin_sentence(const struct sspr_mail_event *ev, char **ret)
{
	if (ev->origin == NULL || ev->origin[0] == '\0')
		return text_printf(ret, "%s", "");
	/*
	 * TRANSLATORS: a sentence of its own in a mail, after the one that
	 * says what happened; %s is the terminal or the remote host it was
	 * done from, such as "tty1", "pts/0" or "192.0.2.7". It starts
	 * with the space that separates sentences, if your language has
	 * one.
	 */
	return text_printf(ret, _(" This came from %s."), ev->origin);
}

/*
 * What every mail text starts from: the event's computer and date, the
 * "This came from ..." sentence, and the mail's language switched on
 * until mail_draft_end().
 */
struct mail_draft {
	struct sspr_mail_text t;
	struct mail_language lang;
	char host[HOST_NAME_MAX + 1];
	char date[64];
	char *origin;
};

static int
mail_draft_begin(struct mail_draft *d, const struct sspr_mail_event *ev)
{
	*d = (struct mail_draft){ .t = { NULL, NULL } };
	mail_language_begin(&d->lang, ev);
	event_where_when(ev, d->host, sizeof(d->host), d->date,
			 sizeof(d->date));
	return origin_sentence(ev, &d->origin);
}

/* The language back; on r == 0 the text is the caller's in *ret. */
static int
mail_draft_end(struct mail_draft *d, int r, struct sspr_mail_text *ret)
{
	free(d->origin);
	d->origin = NULL;
	mail_language_end(&d->lang);
	if (r < 0) {
		sspr_mail_text_done(&d->t);
		return r;
	}
	*ret = d->t;
	return 0;
}

const char *
sspr_mail_text_duration(unsigned seconds, char *buf, size_t len)
{
	unsigned n;

	/* Durations go into sentences: "The code expires in %s". */
	if (seconds >= 7200 && seconds % 3600 == 0) {
		n = seconds / 3600;
		snprintf(
		    buf, len,
		    /* TRANSLATORS: a duration, put into "It expires in %s." */
		    dngettext(SSPR_TEXT_DOMAIN, "%u hour", "%u hours", n), n);
	} else if (seconds >= 120 || (seconds >= 60 && seconds % 60 == 0)) {
		/* Never promise more time than there is: round down. */
		n = seconds / 60;
		snprintf(
		    buf, len,
		    /* TRANSLATORS: a duration, put into "It expires in %s." */
		    dngettext(SSPR_TEXT_DOMAIN, "%u minute", "%u minutes", n),
		    n);
	} else {
		snprintf(
		    buf, len,
		    /* TRANSLATORS: a duration, put into "It expires in %s." */
		    dngettext(SSPR_TEXT_DOMAIN, "%u second", "%u seconds",
			      seconds),
		    seconds);
	}
	return buf;
}

/*
 * Long on purpose: the two mails (reset, enrollment) are each one whole
 * translatable message with its TRANSLATORS note.
 */
int
sspr_mail_text_code(const struct sspr_mail_event *ev, const char *purpose,
		    const char *code, unsigned lifetime,
		    struct sspr_mail_text *ret)
{
	struct mail_draft d;
	char life[64];
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
	r = mail_draft_begin(&d, ev);
	sspr_mail_text_duration(lifetime, life, sizeof(life));
	if (r == 0 && reset)
		r = text_printf(
		    &d.t.subject,
		    /* TRANSLATORS: mail subject; %1$s user, %2$s computer. */
		    _("Password reset code for %1$s on %2$s"), ev->user,
		    d.host);
	if (r == 0 && reset)
		r = text_printf(
		    &d.t.body,
		    /*
		     * TRANSLATORS: the mail with a reset code. %1$s is the
		     * user name, %2$s the computer, %3$s the date (see its
		     * format), %4$s the sentence "This came from ..." or
		     * nothing, %5$s the code (digits), %6$s a duration
		     * such as "10 minutes". Keep "Your code is: %5$s" on a
		     * line of its own; lines stay under 998 bytes.
		     */
		    _("Hello,\n"
		      "\n"
		      "A password reset was requested for the account "
		      "\"%1$s\" on the computer \"%2$s\" on %3$s.%4$s\n"
		      "\n"
		      "Your code is: %5$s\n"
		      "\n"
		      "The code expires in %6$s and works only once. Type it "
		      "where you were asked for it.\n"
		      "\n"
		      "If this was not you, do not give this code to anyone: "
		      "your password has not been changed. Tell your "
		      "administrator, because someone may be trying to get "
		      "into your account.\n"
		      "\n"
		      "This mail was sent automatically; replies are not "
		      "read.\n"),
		    ev->user, d.host, d.date, d.origin, code, life);
	if (r == 0 && !reset)
		r = text_printf(
		    &d.t.subject,
		    /* TRANSLATORS: mail subject; %1$s user, %2$s computer. */
		    _("Confirm your backup email address for %1$s on %2$s"),
		    ev->user, d.host);
	if (r == 0 && !reset)
		r = text_printf(
		    &d.t.body,
		    /*
		     * TRANSLATORS: the mail that confirms a new backup
		     * address. %1$s is the user name, %2$s the computer,
		     * %3$s the sentence "This came from ..." or nothing,
		     * %4$s the date, %5$s the code (digits), %6$s a
		     * duration such as "10 minutes". Keep "Your code is:
		     * %5$s" on a line of its own.
		     */
		    _("Hello,\n"
		      "\n"
		      "The account \"%1$s\" on the computer \"%2$s\" asked on "
		      "%4$s to register this address for resetting its "
		      "password.%3$s\n"
		      "\n"
		      "Your code is: %5$s\n"
		      "\n"
		      "The code expires in %6$s and works only once. Type it "
		      "where you were asked for it.\n"
		      "\n"
		      "If this was not you, ignore this mail: nothing is "
		      "registered until the code is typed back. You may want "
		      "to tell your administrator.\n"
		      "\n"
		      "This mail was sent automatically; replies are not "
		      "read.\n"),
		    ev->user, d.host, d.origin, d.date, code, life);
	return mail_draft_end(&d, r, ret);
}

int
sspr_mail_text_password_changed(const struct sspr_mail_event *ev,
				bool microsoft365, struct sspr_mail_text *ret)
{
	struct mail_draft d;
	int r;

	if (ev == NULL || ev->user == NULL)
		return -EINVAL;
	r = mail_draft_begin(&d, ev);
	if (r == 0)
		r = text_printf(
		    &d.t.subject,
		    /* TRANSLATORS: mail subject; %1$s user, %2$s computer. */
		    _("The password of %1$s on %2$s was changed"), ev->user,
		    d.host);
	if (r == 0)
		r = text_printf(
		    &d.t.body,
		    /*
		     * TRANSLATORS: the mail after a reset. %1$s is the user
		     * name, %2$s the computer, %3$s the date, %4$s the
		     * sentence "This came from ..." or nothing, %5$s the
		     * sentence "Your Microsoft 365 password was changed
		     * too." or nothing.
		     */
		    _("Hello,\n"
		      "\n"
		      "The password of the account \"%1$s\" on the computer "
		      "\"%2$s\" was reset on %3$s with a code or an "
		      "authenticator app.%4$s%5$s\n"
		      "\n"
		      "If this was you, there is nothing more to do.\n"
		      "\n"
		      "If this was not you, contact your administrator right "
		      "away: someone else may have taken over your account.\n"
		      "\n"
		      "This mail was sent automatically; replies are not "
		      "read.\n"),
		    ev->user, d.host, d.date, d.origin,
		    /*
		     * TRANSLATORS: a sentence added to the mail above; it
		     * starts with the space between sentences, if any.
		     */
		    microsoft365 ? _(" Your Microsoft 365 password was "
				     "changed too.")
				 : "");
	return mail_draft_end(&d, r, ret);
}

int
sspr_mail_text_admin_request(const struct sspr_mail_event *ev,
			     const char *reason, struct sspr_mail_text *ret)
{
	struct mail_draft d;
	char *para = NULL;
	int r;

	if (ev == NULL || ev->user == NULL)
		return -EINVAL;
	r = mail_draft_begin(&d, ev);
	if (r == 0)
		r = reason != NULL ? text_printf(&para, "%s\n\n", _(reason))
				   : text_printf(&para, "%s", "");
	if (r == 0)
		r = text_printf(
		    &d.t.subject,
		    /* TRANSLATORS: mail subject; %1$s user, %2$s computer. */
		    _("Password reset request from %1$s on %2$s"), ev->user,
		    d.host);
	if (r == 0)
		r = text_printf(
		    &d.t.body,
		    /*
		     * TRANSLATORS: the mail to the administrator. %1$s is
		     * the user name, %2$s the computer, %3$s the date, %4$s
		     * the sentence "This came from ..." or nothing, %5$s a
		     * paragraph saying why the user could not reset by
		     * themselves (it ends with a blank line) or nothing.
		     */
		    _("Hello,\n"
		      "\n"
		      "The user \"%1$s\" asked for help with their password at "
		      "the login prompt of the computer \"%2$s\" on "
		      "%3$s.%4$s\n"
		      "\n"
		      "%5$s"
		      "Before you reset the password, make sure it is really "
		      "this person who is asking, for example by calling them "
		      "back on a number you already know.\n"
		      "\n"
		      "If nobody should have asked, someone may be trying to "
		      "get into this account.\n"
		      "\n"
		      "This mail was sent automatically; replies are not "
		      "read.\n"),
		    ev->user, d.host, d.date, d.origin, para);
	free(para);
	return mail_draft_end(&d, r, ret);
}

int
sspr_mail_text_locked(const struct sspr_mail_event *ev, time_t until,
		      struct sspr_mail_text *ret)
{
	struct mail_draft d;
	struct sspr_mail_event end = { .host = "-", .when = until };
	char until_date[64];
	char unused[8];
	int r;

	if (ev == NULL || ev->user == NULL || until <= 0)
		return -EINVAL;
	r = mail_draft_begin(&d, ev);
	event_where_when(&end, unused, sizeof(unused), until_date,
			 sizeof(until_date));
	if (r == 0)
		r = text_printf(
		    &d.t.subject,
		    /* TRANSLATORS: mail subject; %1$s user, %2$s computer. */
		    _("Password reset of %1$s on %2$s is locked: "
		      "someone typed wrong codes"),
		    ev->user, d.host);
	if (r == 0)
		r = text_printf(
		    &d.t.body,
		    /*
		     * TRANSLATORS: the mail after too many wrong codes.
		     * %1$s is the user name, %2$s the computer, %3$s the
		     * date of the last wrong code, %4$s the sentence "This
		     * came from ..." or nothing, %5$s the date the lock
		     * ends.
		     */
		    _("Hello,\n"
		      "\n"
		      "Someone typed wrong verification codes several times "
		      "to reset the password of the account \"%1$s\" on the "
		      "computer \"%2$s\", most recently on %3$s.%4$s\n"
		      "\n"
		      "Password reset for this account is locked until %5$s. "
		      "Your password has not been changed, and signing in "
		      "with it still works.\n"
		      "\n"
		      "If this was you, wait until then and try again.\n"
		      "\n"
		      "If this was not you, someone is trying to get into "
		      "your account: tell your administrator.\n"
		      "\n"
		      "This mail was sent automatically; replies are not "
		      "read.\n"),
		    ev->user, d.host, d.date, d.origin, until_date);
	return mail_draft_end(&d, r, ret);
}

/*
 * What changed and when, one whole sentence for the mail: date is the
 * date of the change. Malloc'd into *ret. Long on purpose: one case per
 * method and action, each a whole sentence with its own TRANSLATORS
 * note, rather than fragments a translator could not order.
 */
static int
change_sentence(const struct sspr_method_change *c, bool to_old,
		const char *date, char **ret)
{
	switch (c->method) {
	case SSPR_CHANGE_EMAIL:
		if (c->action == SSPR_CHANGE_ADDED)
			return text_printf(
			    ret,
			    /* TRANSLATORS: first sentence of a notice; %s: the
			       date. */
			    _("On %s, this address was registered as the "
			      "backup email address."),
			    date);
		else if (c->action == SSPR_CHANGE_REMOVED)
			return text_printf(
			    ret,
			    /* TRANSLATORS: first sentence of a notice; %s: the
			       date. */
			    _("On %s, this address was removed as the backup "
			      "email address: codes are no longer sent "
			      "here."),
			    date);
		else if (to_old)
			return text_printf(
			    ret,
			    /* TRANSLATORS: first sentence of a notice; %s: the
			       date. */
			    _("On %s, the backup email address was changed "
			      "from this address to another one: codes are "
			      "no longer sent here."),
			    date);
		else
			return text_printf(
			    ret,
			    /* TRANSLATORS: first sentence of a notice; %s: the
			       date. */
			    _("On %s, this address replaced the earlier "
			      "backup email address."),
			    date);
	case SSPR_CHANGE_TOTP:
		if (c->action == SSPR_CHANGE_ADDED)
			return text_printf(
			    ret,
			    /* TRANSLATORS: first sentence of a notice; %s: the
			       date. */
			    _("On %s, an authenticator app was registered."),
			    date);
		else if (c->action == SSPR_CHANGE_REMOVED)
			return text_printf(
			    ret, /* TRANSLATORS: first sentence of a notice; %s:
				    the date. */
			    _("On %s, the authenticator app was removed."),
			    date);
		else
			return text_printf(
			    ret,
			    /* TRANSLATORS: first sentence of a notice; %s: the
			       date. */
			    _("On %s, the authenticator app was replaced by a "
			      "new one; the old one no longer works."),
			    date);
	case SSPR_CHANGE_PHONE:
		if (c->action == SSPR_CHANGE_ADDED)
			return text_printf(
			    ret,
			    /* TRANSLATORS: first sentence of a notice; %s: the
			       date. */
			    _("On %s, a mobile number was registered for codes "
			      "by text message."),
			    date);
		else if (c->action == SSPR_CHANGE_REMOVED)
			return text_printf(
			    ret,
			    /* TRANSLATORS: first sentence of a notice; %s: the
			       date. */
			    _("On %s, the mobile number for codes by text "
			      "message was removed."),
			    date);
		else
			return text_printf(
			    ret,
			    /* TRANSLATORS: first sentence of a notice; %s: the
			       date. */
			    _("On %s, the mobile number for codes by text "
			      "message was replaced by another one."),
			    date);
	case SSPR_CHANGE_ALL:
	default:
		return text_printf(
		    ret,
		    /* TRANSLATORS: first sentence of a notice; %s: the date. */
		    _("On %s, every registered method (backup email address "
		      "and authenticator app) was removed."),
		    date);
	}
}

int
sspr_mail_text_method_changed(const struct sspr_mail_event *ev,
			      const struct sspr_method_change *change,
			      bool to_old, const char *new_masked,
			      struct sspr_mail_text *ret)
{
	struct mail_draft d;
	char *what = NULL;
	char *now_there = NULL;
	int r;

	if (ev == NULL || ev->user == NULL || change == NULL)
		return -EINVAL;
	r = mail_draft_begin(&d, ev);
	if (r == 0)
		r = change_sentence(change, to_old, d.date, &what);
	if (r == 0 && to_old && new_masked != NULL)
		/*
		 * TRANSLATORS: a paragraph of the mail below; %s is the new
		 * backup address, masked (a•••••@example.org).
		 */
		r = text_printf(&now_there, _("Codes now go to %s.\n\n"),
				new_masked);
	else if (r == 0)
		r = text_printf(&now_there, "%s", "");
	if (r == 0)
		r = text_printf(
		    &d.t.subject,
		    /* TRANSLATORS: mail subject; %1$s user, %2$s computer. */
		    _("How the password of %1$s on %2$s is reset "
		      "has changed"),
		    ev->user, d.host);
	if (r == 0)
		r = text_printf(
		    &d.t.body,
		    /*
		     * TRANSLATORS: the mail after a change of the registered
		     * methods. %1$s is the sentence "On <date>, <what
		     * changed>.", %2$s the user name, %3$s the computer,
		     * %4$s the sentence "This came from ..." or nothing,
		     * %5$s the sentence "The administrator made this
		     * change." or nothing, %6$s the paragraph "Codes now go
		     * to ..." (with its blank line) or nothing.
		     */
		    _("Hello,\n"
		      "\n"
		      "%1$s\n"
		      "\n"
		      "This is about resetting the password of the account "
		      "\"%2$s\" on the computer \"%3$s\".%4$s%5$s\n"
		      "\n"
		      "%6$s"
		      "If this was you, there is nothing more to do.\n"
		      "\n"
		      "If this was not you, contact your administrator right "
		      "away: someone who knows your password may be keeping "
		      "a way into your account, even after you change it.\n"
		      "\n"
		      "This mail was sent automatically; replies are not "
		      "read.\n"),
		    what, ev->user, d.host, d.origin,
		    /*
		     * TRANSLATORS: a sentence added to the mail above; it
		     * starts with the space between sentences, if any.
		     */
		    change->by_admin ? _(" The administrator made this change.")
				     : "",
		    now_there);
	free(now_there);
	free(what);
	return mail_draft_end(&d, r, ret);
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
