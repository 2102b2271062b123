/*
 * The "forgot password" branch: who may reset, which methods, the
 * challenge, the new password, and the result.
 */
#include "sspr/reset/flow.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modutil.h>

#include "sspr/common/address.h"
#include "sspr/common/conv.h"
#include "sspr/common/gate.h"
#include "sspr/common/i18n.h"
#include "sspr/change/local_password.h"
#include "sspr/mail/mail.h"
#include "sspr/mail/text.h"
#include "sspr/auth/policy.h"
#include "sspr/auth/ratelimit.h"
#include "sspr/change/sync.h"
#include "sspr/common/util.h"

#define MSG_MAX 1024
#define ADMIN_REQUEST_INTERVAL 3600 /* seconds */

int
sspr_reset_record_open(const struct sspr_reset *s, struct sspr_record *rec,
		       int *ret_lock)
{
	int r;

	r = sspr_store_open_locked(s->cfg->state_dir, s->user, rec, ret_lock);
	if (r < 0)
		pam_syslog(s->pamh, LOG_ERR,
			   "cannot read the reset record of '%s' in %s: %s",
			   s->user, s->cfg->state_dir, strerror(-r));
	return r;
}

int
sspr_reset_record_close(const struct sspr_reset *s, struct sspr_record *rec,
			int lock, bool save)
{
	int r;

	r = sspr_store_close_locked(s->cfg->state_dir, s->user, rec, lock,
				    save);
	if (r < 0)
		pam_syslog(s->pamh, LOG_ERR,
			   "cannot write the reset record of '%s': %s", s->user,
			   strerror(-r));
	sspr_record_done(rec);
	return r;
}

bool
sspr_reset_count_failure(struct sspr_reset *s, struct sspr_record *rec)
{
	bool locked = sspr_count_failure(s->cfg, rec, time(NULL));

	if (locked)
		s->locked_until = rec->locked_until;
	return locked;
}

/* "10 minutes", "3 hours": how long is left, rounded up. */
static const char *
lock_left(const struct sspr_reset *s, char *buf, size_t len)
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
notify_locked(struct sspr_reset *s)
{
	struct sspr_mail_event ev = { .user = s->user };
	struct sspr_mail_text text = { 0 };
	const void *tty = NULL;

	if (s->email == NULL) {
		pam_syslog(s->pamh, LOG_NOTICE,
			   "lockout of '%s' not mailed: no address to mail",
			   s->user);
		return;
	}
	pam_get_item(s->pamh, PAM_TTY, &tty);
	ev.origin = tty;
	if (sspr_mail_text_locked(&ev, s->locked_until, &text) == 0 &&
	    sspr_reset_mail(s, s->email, &text, "the lockout notice") == 0)
		pam_syslog(s->pamh, LOG_NOTICE,
			   "lockout notice mailed to the owner of '%s'",
			   s->user);
	sspr_mail_text_done(&text);
}

int
sspr_reset_failed(struct sspr_reset *s, bool locked)
{
	pam_fail_delay(s->pamh, s->cfg->fail_delay * 1000000u);
	if (!locked)
		return 0;
	pam_syslog(s->pamh, LOG_WARNING,
		   "password reset locked for '%s' for %lld seconds after too "
		   "many failed attempts",
		   s->user, (long long)(s->locked_until - time(NULL)));
	notify_locked(s);
	sspr_reset_say_locked(s);
	return -EPERM;
}

void
sspr_reset_say_locked(struct sspr_reset *s)
{
	char left[32];

	sspr_ui_error(&s->ui,
		      _("Too many failed attempts. Password reset is locked "
			"for this account for %s."),
		      lock_left(s, left, sizeof(left)));
}

/*
 * Every "not available" case hears this one sentence (see run()), so the
 * answer does not tell which of them an account is.
 */
static void
say_not_available(struct sspr_reset *s)
{
	sspr_ui_error(&s->ui, "%s",
		      _("Password reset is not available for this account "
			"right now. If you have not registered a verification "
			"method, sign in and run \"sspr enroll\" to register "
			"one; otherwise please contact your administrator."));
}

int
sspr_reset_mail(struct sspr_reset *s, const char *to,
		const struct sspr_mail_text *text, const char *what)
{
	struct sspr_mail mail = {
		.to = to,
		.subject = text->subject,
		.body = text->body,
	};
	char err[SSPR_ERR_MAX] = "";
	int r;

	r = sspr_mail_send(s->cfg, &mail, err, sizeof(err));
	if (r < 0)
		pam_syslog(s->pamh, LOG_ERR, "cannot mail %s for '%s': %s",
			   what, s->user, err);
	return r;
}

/*
 * Anyone at the prompt can ask on behalf of any account: at most one
 * request an hour per account reaches the administrator. 0 when this
 * request may be mailed, -EALREADY when one was, or a read error.
 */
static int
admin_request_claim(struct sspr_reset *s)
{
	struct sspr_record rec = { 0 };
	time_t now = time(NULL);
	bool allowed;
	int lock;
	int r;

	r = sspr_reset_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	allowed = rec.admin_request_sent == 0 ||
		  now - rec.admin_request_sent >= ADMIN_REQUEST_INTERVAL ||
		  now < rec.admin_request_sent;
	if (allowed)
		rec.admin_request_sent = now;
	r = sspr_reset_record_close(s, &rec, lock, allowed);
	if (r < 0)
		return r;
	return allowed ? 0 : -EALREADY;
}

static int
mail_admin_request(struct sspr_reset *s, const char *reason)
{
	struct sspr_mail_event ev = { .user = s->user };
	struct sspr_mail_text text = { 0 };
	const void *tty = NULL;
	int r;

	pam_get_item(s->pamh, PAM_TTY, &tty);
	ev.origin = tty;
	r = sspr_mail_text_admin_request(&ev, reason, &text);
	if (r == 0)
		r = sspr_reset_mail(s, s->cfg->admin_contact, &text,
				    "a reset request to the administrator");
	sspr_mail_text_done(&text);
	return r;
}

/*
 * Wait until fail_delay seconds after start. A "not available" answer
 * and the answer to an administrator request take at least that long,
 * however much work (the record, Microsoft 365, the mail server) was
 * behind them, so the time they take does not tell which accounts exist.
 * Work that takes longer than the floor still shows (README, Security).
 */
static void
wait_floor(const struct sspr_reset *s, const struct timespec *start)
{
	struct timespec until = *start;

	until.tv_sec += (time_t)s->cfg->fail_delay;
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
static void
offer_admin_request(struct sspr_reset *s, bool known, const char *reason)
{
	struct timespec start;
	bool yes = false;
	int r;

	if (s->cfg->admin_contact == NULL)
		return;
	if (sspr_ui_confirm(&s->ui, false, &yes, "%s",
			    _("Send your administrator a request to reset "
			      "your password? [y/N]: ")) < 0 ||
	    !yes)
		return;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (!known) {
		pam_syslog(s->pamh, LOG_NOTICE,
			   "reset request for an unknown user not mailed");
	} else if (reason == NULL) {
		pam_syslog(s->pamh, LOG_NOTICE,
			   "reset request of '%s' not mailed: reset is not "
			   "available for this account",
			   s->user);
	} else {
		r = admin_request_claim(s);
		if (r == -EALREADY)
			pam_syslog(s->pamh, LOG_NOTICE,
				   "reset request of '%s' not mailed: one was "
				   "sent within the last hour",
				   s->user);
		if (r == 0)
			r = mail_admin_request(s, reason);
		if (r == 0)
			pam_syslog(s->pamh, LOG_NOTICE,
				   "reset request of '%s' mailed to the "
				   "administrator",
				   s->user);
	}
	wait_floor(s, &start);
	sspr_ui_info(&s->ui, "%s",
		     _("Your request has been recorded. If your administrator "
		       "does not get back to you soon, please contact them "
		       "directly."));
}

/* Read the record once to learn the methods and the lockout state. */
static int
load_methods(struct sspr_reset *s, bool *ret_locked)
{
	struct sspr_record rec = { 0 };
	int lock;
	int r;

	r = sspr_reset_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	*ret_locked = sspr_is_locked(&rec, time(NULL));
	if ((s->cfg->methods & SSPR_METHOD_TOTP) != 0)
		s->has_totp = rec.totp_secret != NULL;
	if ((s->cfg->methods & SSPR_METHOD_EMAIL) != 0 && rec.email != NULL &&
	    s->cfg->email_source != SSPR_EMAIL_ENTRA)
		s->email = sspr_strdup(rec.email);
	sspr_reset_record_close(s, &rec, lock, false);
	if ((s->cfg->methods & SSPR_METHOD_EMAIL) != 0 && s->email == NULL &&
	    s->cfg->email_source != SSPR_EMAIL_LOCAL && !*ret_locked) {
		char log[SSPR_ERR_MAX] = "";

		if (sspr_sync_entra_email(s->cfg, s->user, &s->email, log,
					  sizeof(log)) < 0)
			pam_syslog(s->pamh, LOG_ERR,
				   "cannot read the Microsoft 365 email method "
				   "of '%s': %s",
				   s->user, log);
	}
	return 0;
}

static unsigned
methods_left(const struct sspr_reset *s)
{
	return (unsigned)(s->email != NULL && !s->used[SSPR_M_EMAIL]) +
	       (unsigned)(s->has_totp && !s->used[SSPR_M_TOTP]);
}

/* A short menu when more than one method is left; 0 with *ret_method. */
static int
choose_method(struct sspr_reset *s, enum sspr_method *ret_method)
{
	enum sspr_method options[2];
	char *masked = NULL;
	char *answer = NULL;
	unsigned n = 0;
	unsigned long pick = 1;
	int r;

	if (s->email != NULL && !s->used[SSPR_M_EMAIL])
		options[n++] = SSPR_M_EMAIL;
	if (s->has_totp && !s->used[SSPR_M_TOTP])
		options[n++] = SSPR_M_TOTP;
	if (n == 1) {
		*ret_method = options[0];
		return 0;
	}
	masked = sspr_address_mask(s->email);
	sspr_ui_info(&s->ui,
		     _("Verify your identity with one of your "
		       "registered methods:\n  1) Email code to %s\n"
		       "  2) Authenticator app code"),
		     masked != NULL ? masked : "");
	free(masked);
	for (;;) {
		r = sspr_ui_ask(&s->ui, true, &answer, "%s", _("Choice [1]: "));
		if (r < 0)
			return r;
		r = answer[0] == '\0' ? 0
				      : sspr_parse_uint(answer, 1, n, &pick);
		free(answer);
		if (r == 0)
			break;
		sspr_ui_error(&s->ui, _("Please type a number from 1 to %u."),
			      n);
	}
	*ret_method = options[pick - 1];
	return 0;
}

static int
challenge(struct sspr_reset *s)
{
	while (s->used[SSPR_M_EMAIL] + s->used[SSPR_M_TOTP] <
	       (int)s->cfg->methods_required) {
		enum sspr_method m;
		int r;

		r = choose_method(s, &m);
		if (r < 0)
			return r;
		r = m == SSPR_M_EMAIL ? sspr_challenge_email(s)
				      : sspr_challenge_totp(s);
		if (r < 0)
			return r;
		s->used[m] = true;
	}
	return 0;
}

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

/* Identity proven: failed challenges no longer count, the code is spent. */
static void
forget_failed_challenges(struct sspr_reset *s)
{
	struct sspr_record rec = { 0 };
	int lock;

	if (sspr_reset_record_open(s, &rec, &lock) == 0) {
		sspr_clear_failures(&rec);
		sspr_code_slot_clear(&rec.reset_code);
		sspr_reset_record_close(s, &rec, lock, true);
	}
}

/* After a reset the account is unlocked: clear pam_faillock's tally. */
static void
reset_faillock(struct sspr_reset *s)
{
	const char *argv[] = { s->faillock, "--user", s->user, "--reset",
			       NULL,	    NULL,     NULL };
	char *const envp[] = { NULL };
	char dir[512];
	pid_t pid;

	if (s->faillock == NULL || access(s->faillock, X_OK) != 0)
		return;
	if (faillock_dir(dir, sizeof(dir))) {
		argv[4] = "--dir";
		argv[5] = dir;
	}
	pid = fork();
	if (pid == 0) {
		execve(s->faillock, (char *const *)argv, envp);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static void
notify_changed(struct sspr_reset *s)
{
	struct sspr_mail_event ev = { .user = s->user };
	struct sspr_mail_text text = { 0 };

	if (s->email == NULL)
		return;
	if (sspr_mail_text_password_changed(
		&ev, s->cfg->sync == SSPR_SYNC_REQUIRED, &text) == 0)
		sspr_reset_mail(s, s->email, &text, "the change notice");
	sspr_mail_text_done(&text);
}

static int
ask_new_password(struct sspr_reset *s, char **ret_password)
{
	char *first = NULL;
	char *second = NULL;
	char msg[MSG_MAX];
	int r;

	r = sspr_ui_ask(&s->ui, false, &first, "%s", _("New password: "));
	if (r < 0)
		return r;
	if (sspr_policy_check(first, s->user, msg, sizeof(msg)) < 0) {
		sspr_ui_error(&s->ui, _("This password cannot be used:\n%s"),
			      msg);
		sspr_free_secret(first);
		return -EINVAL;
	}
	r = sspr_ui_ask(&s->ui, false, &second, "%s",
			_("Retype new password: "));
	if (r < 0) {
		sspr_free_secret(first);
		return r;
	}
	if (!sspr_consttime_streq(first, second)) {
		sspr_ui_error(&s->ui, "%s", _("The passwords do not match."));
		sspr_free_secret(first);
		sspr_free_secret(second);
		return -EINVAL;
	}
	sspr_free_secret(second);
	*ret_password = first;
	return 0;
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
account_refusal(struct sspr_reset *s)
{
	return sspr_account_refusal(s->local->shadow(s->pamh, s->user),
				    time(NULL));
}

/*
 * The administrator may lock the account while the person proves who
 * they are or types the new password: look again right before the change.
 */
static int
still_resettable(struct sspr_reset *s)
{
	const char *why = account_refusal(s);

	if (why == NULL)
		return 0;
	pam_syslog(s->pamh, LOG_NOTICE,
		   "reset of '%s' stopped before the change: %s", s->user, why);
	say_not_available(s);
	return -EPERM;
}

/* Ask for and apply the new password, with a bounded number of tries. */
static int
set_new_password(struct sspr_reset *s)
{
	char msg[MSG_MAX];
	unsigned tries;
	int r = -EINVAL;

	for (tries = 0; tries < s->cfg->password_retries && r == -EINVAL;
	     tries++) {
		char *password = NULL;

		r = ask_new_password(s, &password);
		if (r < 0)
			continue;
		r = still_resettable(s);
		if (r < 0) {
			sspr_free_secret(password);
			break;
		}
		r = sspr_apply_password(s->pamh, s->cfg, s->local, s->user,
					password, msg, sizeof(msg));
		if (r == 0 && s->cfg->after_reset == SSPR_AFTER_LOGIN)
			pam_set_item(s->pamh, PAM_AUTHTOK, password);
		sspr_free_secret(password);
		if (r < 0)
			sspr_ui_error(&s->ui, "%s", msg);
	}
	return r;
}

/* Before the person chooses a password: would Microsoft 365 take one? */
static int
precheck_sync(struct sspr_reset *s)
{
	char msg[MSG_MAX] = "";
	char log[SSPR_ERR_MAX] = "";
	int r;

	if (s->cfg->sync != SSPR_SYNC_REQUIRED)
		return 0;
	r = sspr_sync_precheck(s->cfg, s->user, msg, sizeof(msg), log,
			       sizeof(log));
	if (r < 0) {
		pam_syslog(s->pamh, LOG_ERR,
			   "Microsoft 365 check failed for '%s': %s", s->user,
			   log);
		sspr_ui_error(&s->ui, "%s", msg);
	}
	return r;
}

/*
 * Unknown users, users the gate leaves out (root among them), accounts
 * the administrator locked or let expire, users locked after failed
 * attempts and users without a method all hear say_not_available(),
 * after the same time (wait_floor): the prompt does not tell which it is.
 */
static int
run(struct sspr_reset *s)
{
	const struct passwd *pw = s->local->account(s->pamh, s->user);
	/*
	 * Only the account's own spelling: a case-insensitive directory
	 * would otherwise give "ALICE" a record (and limits) of its own.
	 */
	bool known = pw != NULL && strcmp(pw->pw_name, s->user) == 0 &&
		     sspr_store_name_ok(s->user);
	const char *why = NULL;	   /* not available, for the log */
	const char *reason = NULL; /* for the administrator request mail */
	struct timespec start;
	bool locked = false;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (!known) {
		why = "unknown user";
	} else if ((why = account_refusal(s)) != NULL) {
		/* Locked by the administrator: nothing to ask them for. */
	} else if (!sspr_gate_allowed(s->pamh, s->cfg, s->user)) {
		why = "not enabled for this user";
		reason = "Self-service password reset is not enabled for this "
			 "account.";
	} else {
		r = load_methods(s, &locked);
		if (r < 0) {
			sspr_ui_error(&s->ui, "%s",
				      _("Password reset is not available "
					"because of a problem on this "
					"computer. Please contact your "
					"administrator."));
			return PAM_AUTHINFO_UNAVAIL;
		}
		if (locked) {
			why = "locked after failed attempts";
		} else if (methods_left(s) < s->cfg->methods_required) {
			why = "not enough registered methods";
			reason = "No verification method is registered for "
				 "this account.";
		}
	}
	if (why != NULL) {
		/* A mistyped name may be someone's password: not logged. */
		if (!known)
			pam_syslog(s->pamh, LOG_NOTICE,
				   "reset not available: %s", why);
		else
			pam_syslog(s->pamh, LOG_NOTICE,
				   "reset not available for '%s': %s", s->user,
				   why);
		/* The floor, in place of pam_fail_delay's random delay. */
		wait_floor(s, &start);
		say_not_available(s);
		offer_admin_request(s, known, reason);
		return PAM_AUTH_ERR;
	}
	r = challenge(s);
	if (r < 0)
		return r == -ECANCELED ? PAM_CONV_ERR : PAM_AUTH_ERR;
	forget_failed_challenges(s);
	if (precheck_sync(s) < 0)
		return PAM_AUTHINFO_UNAVAIL;
	r = set_new_password(s);
	if (r < 0) {
		pam_syslog(s->pamh, LOG_NOTICE,
			   "reset for '%s' ended without a new password",
			   s->user);
		return PAM_AUTHTOK_ERR;
	}
	pam_syslog(s->pamh, LOG_NOTICE, "password of '%s' reset%s", s->user,
		   s->cfg->sync == SSPR_SYNC_REQUIRED
		       ? " on this host and in Microsoft 365"
		       : " on this host");
	reset_faillock(s);
	notify_changed(s);
	sspr_ui_info(&s->ui, "%s",
		     s->cfg->sync == SSPR_SYNC_REQUIRED
			 ? _("Your password was changed on this computer "
			     "and in Microsoft 365.")
			 : _("Your password was changed."));
	if (s->cfg->after_reset == SSPR_AFTER_RELOGIN) {
		sspr_ui_info(&s->ui, "%s",
			     _("Please sign in again with your new password."));
		return PAM_AUTH_ERR;
	}
	return PAM_SUCCESS;
}

int
sspr_reset_run(struct sspr_reset *s)
{
	int rv;

	/* A mistyped name may be someone's password: only known names. */
	if (s->local->account(s->pamh, s->user) != NULL)
		pam_syslog(s->pamh, LOG_NOTICE,
			   "password reset started for '%s'", s->user);
	else
		pam_syslog(s->pamh, LOG_NOTICE, "password reset started");
	rv = run(s);
	free(s->email);
	s->email = NULL;
	return rv;
}

int
sspr_flow_reset(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		const char *user)
{
	struct sspr_reset s = {
		.pamh = pamh,
		.cfg = cfg,
		.user = user,
		.local = &sspr_local_password_host,
		.faillock = "/usr/sbin/faillock",
	};

	sspr_conv_ui(pamh, &s.ui);
	return sspr_reset_run(&s);
}
