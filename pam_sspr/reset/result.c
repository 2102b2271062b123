/*
 * The last stage of the reset: pam_faillock's tally cleared, the notice
 * mailed, the sentence for the person. And, for an account that cannot
 * be reset, the request to the administrator instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "sspr/common/i18n.h"
#include "sspr/common/lang.h"
#include "sspr/common/util.h"
#include "sspr/mail/text.h"
#include "sspr/reset/stages.h"

#define ADMIN_REQUEST_INTERVAL 3600 /* seconds */

/*
 * One "KEY = VALUE" setting of pam_faillock's faillock.conf ("dir",
 * which the faillock command of Debian 12 does not read by itself, or
 * "deny" for sspr admin unlock).
 */
bool
sspr_faillock_setting(const char *key, char *value, size_t size)
{
	FILE *f = fopen("/etc/security/faillock.conf", "re");
	char line[512];
	bool found = false;

	if (f == NULL)
		return false;
	/* Read by hand: sscanf's blanks would follow the host's locale. */
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		const char *p = line;
		size_t n;

		while (sspr_ascii_space(*p))
			p++;
		p = sspr_skip_prefix(p, key);
		if (p == NULL)
			continue;
		while (sspr_ascii_space(*p))
			p++;
		if (*p++ != '=')
			continue;
		while (sspr_ascii_space(*p))
			p++;
		for (n = 0; p[n] != '\0' && !sspr_ascii_space(p[n]); n++)
			;
		if (n > 0 && n < size) {
			memcpy(value, p, n);
			value[n] = '\0';
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool
faillock_dir(char *dir, size_t size)
{
	return sspr_faillock_setting("dir", dir, size) && dir[0] == '/';
}

/* After a reset the account is unlocked: clear pam_faillock's tally. */
static void
reset_faillock(struct sspr_reset *r)
{
	const char *argv[] = { r->faillock, "--user", r->session.user,
			       "--reset",   NULL,     NULL,
			       NULL };
	char *const envp[] = { NULL };
	char dir[512];
	pid_t pid;

	if (r->faillock == NULL || access(r->faillock, X_OK) != 0)
		return;
	if (faillock_dir(dir, sizeof(dir))) {
		argv[4] = "--dir";
		argv[5] = dir;
	}
	pid = fork();
	if (pid == 0) {
		execve(r->faillock, (char *const *)argv, envp);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static void
notify_changed(struct sspr_reset *r)
{
	struct sspr_mail_event ev = { .user = r->session.user };
	struct sspr_mail_text text = { 0 };
	bool synced = r->session.cfg->sync == SSPR_SYNC_REQUIRED;

	if (r->email == NULL)
		return;
	if (sspr_mail_text_password_changed(&ev, synced, &text) == 0)
		sspr_session_mail(&r->session, r->email, &text,
				  "the change notice");
	sspr_mail_text_done(&text);
}

int
sspr_reset_result(struct sspr_reset *r)
{
	const struct sspr_session *s = &r->session;
	bool synced = s->cfg->sync == SSPR_SYNC_REQUIRED;

	sspr_session_log(s, LOG_NOTICE, "password of '%s' reset%s", s->user,
			 synced ? " on this host and in Microsoft 365"
				: " on this host");
	reset_faillock(r);
	notify_changed(r);
	sspr_ui_info(&s->ui, "%s",
		     synced ? _("Your password was changed on this computer "
				"and in Microsoft 365.")
			    : _("Your password was changed."));
	if (s->cfg->after_reset == SSPR_AFTER_RELOGIN) {
		sspr_ui_info(&s->ui, "%s",
			     _("Please sign in again with your new password."));
		return PAM_AUTH_ERR;
	}
	return PAM_SUCCESS;
}

/*
 * Anyone at the prompt can ask on behalf of any account: at most one
 * request an hour per account reaches the administrator. 0 when this
 * request may be mailed, -EALREADY when one was, or a read error.
 */
static int
admin_request_claim(struct sspr_reset *r)
{
	struct sspr_record rec = { 0 };
	time_t now = time(NULL);
	bool allowed;
	int lock;
	int e;

	e = sspr_session_record_open(&r->session, &rec, &lock);
	if (e < 0)
		return e;
	allowed = rec.admin_request_sent == 0 ||
		  now - rec.admin_request_sent >= ADMIN_REQUEST_INTERVAL ||
		  now < rec.admin_request_sent;
	if (allowed)
		rec.admin_request_sent = now;
	e = sspr_session_record_close(&r->session, &rec, lock, allowed);
	if (e < 0)
		return e;
	return allowed ? 0 : -EALREADY;
}

static int
mail_admin_request(struct sspr_reset *r, const char *reason)
{
	struct sspr_mail_event ev = {
		.user = r->session.user,
		.origin = sspr_session_origin(&r->session),
	};
	struct sspr_mail_text text = { 0 };
	char language[128];
	int e;

	/* Written for the administrator, in their language. */
	if (r->session.cfg->admin_language != NULL)
		sspr_strlcpy(language, r->session.cfg->admin_language,
			     sizeof(language));
	else
		sspr_lang_host_default(language, sizeof(language));
	ev.language = language;
	e = sspr_mail_text_admin_request(&ev, reason, &text);
	if (e == 0)
		e = sspr_session_mail(&r->session,
				      r->session.cfg->admin_contact, &text,
				      "a reset request to the administrator");
	sspr_mail_text_done(&text);
	return e;
}

/* Mail the request if it may be; only the log tells what happened. */
static void
send_admin_request(struct sspr_reset *r, bool known, const char *reason)
{
	const struct sspr_session *s = &r->session;
	int e;

	if (!known) {
		sspr_session_log(s, LOG_NOTICE,
				 "reset request for an unknown user not "
				 "mailed");
		return;
	}
	if (reason == NULL) {
		sspr_session_log(s, LOG_NOTICE,
				 "reset request of '%s' not mailed: reset is "
				 "not available for this account",
				 s->user);
		return;
	}
	e = admin_request_claim(r);
	if (e == -EALREADY)
		sspr_session_log(s, LOG_NOTICE,
				 "reset request of '%s' not mailed: one was "
				 "sent within the last hour",
				 s->user);
	if (e == 0)
		e = mail_admin_request(r, reason);
	if (e == 0)
		sspr_session_log(s, LOG_NOTICE,
				 "reset request of '%s' mailed to the "
				 "administrator",
				 s->user);
}

/*
 * Wait until fail_delay seconds after start. A "not available" answer
 * and the answer to an administrator request take at least that long,
 * however much work (the record, Microsoft 365, the mail server) was
 * behind them, so the time they take does not tell which accounts exist.
 * Work that takes longer than the floor still shows (README, Security).
 */
void
sspr_reset_wait_floor(const struct sspr_reset *r, const struct timespec *start)
{
	struct timespec until = *start;

	until.tv_sec += (time_t)r->session.cfg->fail_delay;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) ==
	       EINTR)
		;
}

/*
 * Without self-service reset, ask the administrator (as Microsoft 365).
 * reason explains the request in the mail; NULL when there is nothing to
 * ask for (no such account, or one the administrator locked). Whatever
 * happens, the person hears the same sentence after the same time: only
 * the log tells which it was.
 */
void
sspr_reset_offer_admin_request(struct sspr_reset *r, bool known,
			       const char *reason)
{
	struct timespec start;
	bool yes = false;

	if (r->session.cfg->admin_contact == NULL)
		return;
	if (sspr_ui_confirm(&r->session.ui, false, &yes, "%s",
			    _("Send your administrator a request to reset "
			      "your password? [y/N]: ")) < 0 ||
	    !yes)
		return;
	clock_gettime(CLOCK_MONOTONIC, &start);
	send_admin_request(r, known, reason);
	sspr_reset_wait_floor(r, &start);
	sspr_ui_info(&r->session.ui, "%s",
		     _("Your request has been recorded. If your administrator "
		       "does not get back to you soon, please contact them "
		       "directly."));
}
