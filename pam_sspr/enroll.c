/*
 * Registering a backup email address or an authenticator app, over any
 * struct sspr_ui: the sspr command's terminal or the PAM conversation at
 * sign-in. A method is stored only after the person proved they control
 * it (typed back the mailed code, or a current code from the app).
 *
 * The store is locked only for short read-modify-write steps, never while
 * waiting for the person, so a login running at the same time (say, a
 * reset of the same account) is not held up.
 */
#include "sspr/enroll.h"

#include <errno.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "sspr/conv.h"
#include "sspr/i18n.h"
#include "sspr/mail.h"
#include "sspr/mail_text.h"
#include "sspr/otp_code.h"
#include "sspr/qr.h"
#include "sspr/store.h"
#include "sspr/totp.h"
#include "sspr/upn.h"
#include "sspr/util.h"

#define PURPOSE "enroll"
#define TOTP_TRIES 3
#define LOGIN_ROUNDS 3

static int (*priv_raise)(void);
static void (*priv_lower)(void);

void
sspr_enroll_set_privilege_hooks(int (*raise)(void), void (*lower)(void))
{
	priv_raise = raise;
	priv_lower = lower;
}

static int
raise_privileges(void)
{
	return priv_raise != NULL ? priv_raise() : 0;
}

static void
lower_privileges(void)
{
	if (priv_lower != NULL)
		priv_lower();
}

static void __attribute__((format(printf, 3, 4)))
set_log(char *log, size_t loglen, const char *fmt, ...)
{
	va_list ap;

	if (log == NULL || loglen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(log, loglen, fmt, ap);
	va_end(ap);
}

/* --- the store, in short locked steps ---------------------------------- */

/* Lock and load (a missing record is an empty one); privileges stay up. */
static int
record_open(const struct sspr_cfg *cfg, const char *user,
	    struct sspr_record *rec, int *ret_lock)
{
	int r;

	r = raise_privileges();
	if (r < 0)
		return r;
	r = sspr_store_open_locked(cfg->state_dir, user, rec, ret_lock);
	if (r < 0)
		lower_privileges();
	return r;
}

/* Save when asked, unlock, privileges down; *rec stays the caller's. */
static int
record_close(const struct sspr_cfg *cfg, const char *user,
	     const struct sspr_record *rec, int lock, bool save)
{
	int r;

	r = sspr_store_close_locked(cfg->state_dir, user, rec, lock, save);
	lower_privileges();
	return r;
}

/* Read the record without changing it. */
static int
record_read(const struct sspr_cfg *cfg, const char *user,
	    struct sspr_record *rec)
{
	int lock = -1;
	int r;

	r = record_open(cfg, user, rec, &lock);
	if (r < 0)
		return r;
	return record_close(cfg, user, rec, lock, false);
}

static const char *
store_problem(int r)
{
	switch (r) {
	case -EBADMSG:
		return _("the saved data of your account is damaged");
	case -EPERM:
		return _(
		    "the saved data of your account has unsafe permissions");
	case -ETIMEDOUT:
		return _("the saved data of your account is busy");
	case -EINVAL:
		return _("this account name cannot be used");
	default:
		return strerror(-r);
	}
}

static void
tell_store_problem(const struct sspr_ui *ui, int r)
{
	sspr_ui_error(ui,
		      _("Nothing could be saved: %s. Try again in a "
			"moment, or contact your administrator."),
		      store_problem(r));
}

/* --- email ------------------------------------------------------------- */

/*
 * A backup address must not be the Microsoft 365 address itself: it has
 * to work when that account is the one the person cannot get into.
 */
static bool
is_upn_address(const struct sspr_cfg *cfg, const char *user,
	       const char *address)
{
	char err[SSPR_ERR_MAX];
	char *upn = NULL;
	bool same;

	if ((cfg->upn_format == NULL || strchr(cfg->upn_format, '@') == NULL) &&
	    cfg->upn_map_file == NULL)
		return false;
	if (raise_privileges() < 0)
		return false;
	if (sspr_upn_for_user(cfg, user, &upn, err, sizeof(err)) < 0)
		upn = NULL;
	lower_privileges();
	if (upn == NULL)
		return false;
	same = strcasecmp(upn, address) == 0;
	free(upn);
	return same;
}

static int
send_enroll_mail(const struct sspr_cfg *cfg, const char *user,
		 const char *address, const char *code, char *err,
		 size_t errlen)
{
	struct sspr_mail_event ev = { .user = user };
	struct sspr_mail_text text = { NULL, NULL };
	struct sspr_mail mail;
	int r;

	r = sspr_mail_text_code(&ev, PURPOSE, code, cfg->code_lifetime, &text);
	if (r < 0) {
		snprintf(err, errlen, "cannot write the mail: %s",
			 strerror(-r));
		return r;
	}
	mail.to = address;
	mail.subject = text.subject;
	mail.body = text.body;
	/* Root may be needed for smtp_password_file. */
	r = raise_privileges();
	if (r == 0) {
		r = sspr_mail_send(cfg, &mail, err, errlen);
		lower_privileges();
	}
	sspr_mail_text_done(&text);
	return r;
}

/* Drop a pending enrollment code for address (after a failed send). */
static void
forget_code(const struct sspr_cfg *cfg, const char *user, const char *address)
{
	struct sspr_record rec = { 0 };
	int lock = -1;

	if (record_open(cfg, user, &rec, &lock) < 0)
		return;
	if (rec.code_purpose != NULL &&
	    strcmp(rec.code_purpose, PURPOSE) == 0 &&
	    rec.code_address != NULL &&
	    strcmp(rec.code_address, address) == 0) {
		sspr_record_clear_code(&rec);
		record_close(cfg, user, &rec, lock, true);
	} else {
		record_close(cfg, user, &rec, lock, false);
	}
	sspr_record_done(&rec);
}

/*
 * Get a code on its way to address: a fresh one, or the one still
 * pending for the same address (so running the command again right after
 * a mail does not need a second mail). 0 with *ret_expires, or -errno
 * after telling the person.
 */
static int
start_email_code(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		 const char *user, const char *address, char *log,
		 size_t loglen, time_t *ret_expires)
{
	struct sspr_record rec = { 0 };
	char err[SSPR_ERR_MAX] = "";
	char *code = NULL;
	char *masked = NULL;
	char life[32];
	time_t now = time(NULL);
	unsigned wait = 0;
	bool reuse;
	int lock = -1;
	int r;

	r = record_open(cfg, user, &rec, &lock);
	if (r < 0) {
		tell_store_problem(ui, r);
		set_log(log, loglen, "cannot read the record: %s",
			store_problem(r));
		return r;
	}
	reuse = sspr_code_pending(&rec, PURPOSE, now) &&
		rec.code_address != NULL &&
		strcmp(rec.code_address, address) == 0;
	if (!reuse) {
		r = sspr_code_may_send(cfg, &rec, now, &wait);
		if (r == 0)
			r = sspr_code_issue(cfg, &rec, user, PURPOSE, address,
					    now, &code);
	}
	*ret_expires = rec.code_expires;
	if (reuse || r < 0)
		record_close(cfg, user, &rec, lock, false);
	else
		r = record_close(cfg, user, &rec, lock, true);
	sspr_record_done(&rec);

	masked = sspr_mail_mask(address);
	if (r == -EAGAIN) {
		sspr_ui_error(ui,
			      _("Too many codes were sent in a short time. "
				"Wait %u seconds, then run this again."),
			      wait);
		set_log(log, loglen, "code not sent: resend limit");
		goto out;
	}
	if (r < 0) {
		tell_store_problem(ui, r);
		set_log(log, loglen, "cannot save the code: %s",
			store_problem(r));
		goto out;
	}
	if (reuse) {
		sspr_ui_info(ui,
			     _("A code was already sent to %s and is still "
			       "valid. Type the code from that mail."),
			     masked != NULL ? masked : "");
		goto out;
	}
	r = send_enroll_mail(cfg, user, address, code, err, sizeof(err));
	sspr_free_secret(code);
	code = NULL;
	if (r < 0) {
		forget_code(cfg, user, address);
		sspr_ui_error(ui,
			      _("The mail could not be sent. Try again later "
				"or contact your administrator."));
		set_log(log, loglen, "cannot send the code: %s", err);
		goto out;
	}
	sspr_ui_info(
	    ui, _("A code was sent to %s. It expires in %s."),
	    masked != NULL ? masked : "",
	    sspr_mail_text_duration(cfg->code_lifetime, life, sizeof(life)));
out:
	sspr_free_secret(code);
	free(masked);
	return r;
}

/*
 * Check one typed code. 0 registered; -EAGAIN wrong, ask again; other
 * -errno final (the person has been told).
 */
static int
check_email_code(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		 const char *user, const char *address, const char *typed,
		 char *log, size_t loglen)
{
	struct sspr_record rec = { 0 };
	unsigned left = 0;
	bool save = true;
	char *copy = NULL;
	int lock = -1;
	int r;

	r = record_open(cfg, user, &rec, &lock);
	if (r < 0) {
		tell_store_problem(ui, r);
		set_log(log, loglen, "cannot read the record: %s",
			store_problem(r));
		return r;
	}
	if (rec.code_address == NULL ||
	    strcmp(rec.code_address, address) != 0) {
		r = -ENOENT;
		save = false;
	} else {
		r = sspr_code_verify(cfg, &rec, user, PURPOSE, typed,
				     time(NULL));
	}
	if (r == 0) {
		copy = sspr_strdup(address);
		if (copy == NULL) {
			r = -ENOMEM;
		} else {
			free(rec.email);
			rec.email = copy;
			sspr_record_clear_code(&rec);
		}
	}
	left = rec.code_attempts_left;
	if (r == -ENOENT || r == -ENOMEM)
		save = false;
	if (save) {
		int s = record_close(cfg, user, &rec, lock, true);

		if (s < 0 && r == 0)
			r = s;
		if (s < 0) {
			sspr_record_done(&rec);
			tell_store_problem(ui, s);
			set_log(log, loglen, "cannot save the record: %s",
				store_problem(s));
			return s;
		}
	} else {
		record_close(cfg, user, &rec, lock, false);
	}
	sspr_record_done(&rec);

	switch (r) {
	case 0:
		set_log(log, loglen, "backup email address registered");
		return 0;
	case -EACCES:
		if (left > 0) {
			if (left == 1)
				sspr_ui_error(ui, _("The code is not correct. "
						    "1 attempt left."));
			else
				sspr_ui_error(ui,
					      _("The code is not correct. "
						"%u attempts left."),
					      left);
			return -EAGAIN;
		}
		sspr_ui_error(ui, _("The code is not correct, and no attempts "
				    "are left. Run the command again to get a "
				    "new one."));
		set_log(log, loglen, "wrong code, no attempts left");
		return -EACCES;
	case -EMLINK:
		sspr_ui_error(ui,
			      _("No attempts are left for this code. Run the "
				"command again to get a new one."));
		set_log(log, loglen, "no attempts left");
		return -EACCES;
	case -ETIMEDOUT:
		sspr_ui_error(ui,
			      _("The code has expired. Run the command again "
				"to get a new one."));
		set_log(log, loglen, "code expired");
		return -ETIMEDOUT;
	case -ENOENT:
		sspr_ui_error(ui, _("This code is no longer valid, because a "
				    "newer one was asked for. Run the command "
				    "again."));
		set_log(log, loglen, "code replaced by a newer request");
		return -ENOENT;
	case -EINVAL:
		sspr_ui_error(ui,
			      _("That is not a code: type the %u digits "
				"from the mail."),
			      cfg->code_length);
		return -EAGAIN;
	default:
		sspr_ui_error(ui, _("The code could not be checked: %s."),
			      strerror(-r));
		set_log(log, loglen, "cannot check the code: %s", strerror(-r));
		return r;
	}
}

int
sspr_enroll_email(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		  const char *user, const char *address, char *log,
		  size_t loglen)
{
	struct sspr_record rec = { 0 };
	char *masked = NULL;
	char *answer = NULL;
	time_t expires = 0;
	unsigned rounds;
	bool yes = false;
	int r;

	set_log(log, loglen, "not registered");
	if ((cfg->methods & SSPR_METHOD_EMAIL) == 0) {
		sspr_ui_error(ui,
			      _("Email codes are not used on this computer."));
		set_log(log, loglen, "email method not enabled");
		return -ENOTSUP;
	}
	if (sspr_mail_address_ok(address) < 0) {
		sspr_ui_error(ui, _("That is not an email address that can be "
				    "used here. Write it like "
				    "name@example.org."));
		set_log(log, loglen, "unusable address");
		return -EINVAL;
	}
	if (is_upn_address(cfg, user, address)) {
		sspr_ui_error(ui,
			      _("This is the address of your Microsoft 365 "
				"account. Choose a different one: the backup "
				"address has to work when you cannot sign in "
				"there."));
		set_log(log, loglen, "address is the user's own UPN");
		return -EINVAL;
	}

	r = record_read(cfg, user, &rec);
	if (r < 0) {
		tell_store_problem(ui, r);
		set_log(log, loglen, "cannot read the record: %s",
			store_problem(r));
		return r;
	}
	if (rec.email != NULL && strcasecmp(rec.email, address) == 0) {
		sspr_record_done(&rec);
		sspr_ui_info(ui, _("This address is registered already."));
		set_log(log, loglen, "address was registered already");
		return 0;
	}
	if (rec.email != NULL) {
		masked = sspr_mail_mask(rec.email);
		r = sspr_ui_confirm(ui, false, &yes,
				    _("The address %s is registered now. "
				      "Replace it with the new one? [y/N] "),
				    masked != NULL ? masked : "");
		free(masked);
		masked = NULL;
		if (r < 0 || !yes) {
			sspr_record_done(&rec);
			sspr_ui_info(ui, _("Nothing was changed."));
			set_log(log, loglen, "kept the old address");
			return -ECANCELED;
		}
	}
	sspr_record_done(&rec);

	r = start_email_code(cfg, ui, user, address, log, loglen, &expires);
	if (r < 0)
		return r;

	/* A few extra rounds for answers that are not codes at all. */
	for (rounds = 0; rounds < cfg->code_attempts + 3; rounds++) {
		r = sspr_ui_ask(ui, true, &answer, _("Code from the mail: "));
		if (r < 0 || answer[0] == '\0') {
			sspr_free_secret(answer);
			sspr_ui_info(ui,
				     _("Nothing was registered. The code stays "
				       "valid until it expires, so you can "
				       "run this again and type it."));
			set_log(log, loglen, "cancelled at the code prompt");
			return -ECANCELED;
		}
		r = check_email_code(cfg, ui, user, address, answer, log,
				     loglen);
		sspr_free_secret(answer);
		answer = NULL;
		if (r != -EAGAIN)
			break;
	}
	if (r == -EAGAIN) {
		sspr_ui_error(ui, _("Nothing was registered."));
		set_log(log, loglen, "no usable code typed");
		return -EACCES;
	}
	if (r < 0)
		return r;
	masked = sspr_mail_mask(address);
	sspr_ui_info(ui,
		     _("Your backup email address %s is registered. If you "
		       "forget your password, you can have a code sent "
		       "there at the login prompt."),
		     masked != NULL ? masked : "");
	free(masked);
	return 0;
}

/* --- authenticator app ------------------------------------------------- */

static bool
terminal_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL &&
	       (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* "JBSW Y3DP EHPK ..." for typing by hand; malloc'd secret. */
static char *
group_key(const char *secret)
{
	size_t len = strlen(secret);
	char *out = malloc(len + len / 4 + 1);
	size_t i;
	size_t n = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (i > 0 && i % 4 == 0)
			out[n++] = ' ';
		out[n++] = secret[i];
	}
	out[n] = '\0';
	return out;
}

static int
save_totp(const struct sspr_cfg *cfg, const char *user,
	  const struct sspr_record *tmp)
{
	struct sspr_record rec = { 0 };
	char *copy;
	int lock = -1;
	int r;

	r = record_open(cfg, user, &rec, &lock);
	if (r < 0)
		return r;
	copy = sspr_strdup(tmp->totp_secret);
	if (copy == NULL) {
		record_close(cfg, user, &rec, lock, false);
		sspr_record_done(&rec);
		return -ENOMEM;
	}
	sspr_free_secret(rec.totp_secret);
	rec.totp_secret = copy;
	rec.totp_algorithm = tmp->totp_algorithm;
	rec.totp_digits = tmp->totp_digits;
	rec.totp_period = tmp->totp_period;
	/* The code just typed must not work a second time. */
	rec.totp_last_step = tmp->totp_last_step;
	r = record_close(cfg, user, &rec, lock, true);
	sspr_record_done(&rec);
	return r;
}

static void
show_totp(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
	  const char *secret, const char *uri)
{
	const char *alg =
	    sspr_cfg_choice_name("totp_algorithm", cfg->totp_algorithm);
	char *qr = sspr_qr_render(uri, terminal_is_utf8());
	char *grouped = group_key(secret);
	char *text = NULL;
	size_t len;

	sspr_ui_info(ui, _("Scan this QR code with your authenticator app "
			   "(for example Microsoft Authenticator, Google "
			   "Authenticator or FreeOTP):"));
	if (qr != NULL)
		ui->say(ui->ctx, false, qr);
	if (grouped != NULL)
		sspr_ui_info(ui,
			     _("Or add the account by hand with this key "
			       "(time-based, %s, %u digits):\n  %s"),
			     alg != NULL ? alg : "sha1", cfg->totp_digits,
			     grouped);
	/* The URI may be longer than sspr_ui_info's buffer. */
	len = strlen(uri) + 64;
	text = malloc(len);
	if (text != NULL) {
		snprintf(text, len, "%s\n  %s",
			 _("Or open this link on the "
			   "device that has the app:"),
			 uri);
		ui->say(ui->ctx, false, text);
		sspr_freezero(text, len);
	}
	sspr_free_secret(grouped);
	sspr_free_secret(qr);
}

int
sspr_enroll_totp(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		 const char *user, char *log, size_t loglen)
{
	struct sspr_record rec = { 0 };
	struct sspr_record tmp = { 0 };
	char host[256] = "";
	const char *issuer;
	char *secret = NULL;
	char *uri = NULL;
	char *answer = NULL;
	bool yes = false;
	unsigned tries;
	int r;

	set_log(log, loglen, "not registered");
	if ((cfg->methods & SSPR_METHOD_TOTP) == 0) {
		sspr_ui_error(ui, _("Authenticator apps are not used on this "
				    "computer."));
		set_log(log, loglen, "totp method not enabled");
		return -ENOTSUP;
	}
	r = record_read(cfg, user, &rec);
	if (r < 0) {
		tell_store_problem(ui, r);
		set_log(log, loglen, "cannot read the record: %s",
			store_problem(r));
		return r;
	}
	if (rec.totp_secret != NULL) {
		r = sspr_ui_confirm(ui, false, &yes,
				    _("An authenticator app is registered "
				      "already. Replace it with a new one? The "
				      "old one stops working. [y/N] "));
		if (r < 0 || !yes) {
			sspr_record_done(&rec);
			sspr_ui_info(ui, _("Nothing was changed."));
			set_log(log, loglen, "kept the old authenticator app");
			return -ECANCELED;
		}
	}
	sspr_record_done(&rec);

	issuer = cfg->issuer;
	if (issuer == NULL) {
		if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
			sspr_strlcpy(host, "pam_sspr", sizeof(host));
		issuer = host;
	}
	r = sspr_totp_new_secret(&secret);
	if (r < 0) {
		sspr_ui_error(ui, _("No key could be made: %s."), strerror(-r));
		set_log(log, loglen, "cannot make a key: %s", strerror(-r));
		return r;
	}
	uri = sspr_totp_uri(issuer, user, secret, cfg->totp_algorithm,
			    cfg->totp_digits);
	if (uri == NULL) {
		r = -ENOMEM;
		sspr_ui_error(ui, _("No key could be made: %s."), strerror(-r));
		set_log(log, loglen, "cannot make the otpauth URI");
		goto out;
	}
	show_totp(cfg, ui, secret, uri);

	tmp.totp_secret = secret;
	tmp.totp_algorithm = cfg->totp_algorithm;
	tmp.totp_digits = cfg->totp_digits;
	tmp.totp_period = SSPR_TOTP_PERIOD;
	for (tries = 1; tries <= TOTP_TRIES; tries++) {
		r = sspr_ui_ask(ui, true, &answer,
				_("Type the code the app shows now: "));
		if (r < 0 || answer[0] == '\0') {
			sspr_ui_info(ui,
				     _("Nothing was registered. Remove this "
				       "entry from the app; run the command "
				       "again for a new key."));
			set_log(log, loglen, "cancelled at the code prompt");
			r = -ECANCELED;
			goto out;
		}
		r = sspr_totp_verify(&tmp, answer, sspr_now(),
				     cfg->totp_window);
		sspr_free_secret(answer);
		answer = NULL;
		if (r == 0)
			break;
		if (tries < TOTP_TRIES)
			sspr_ui_error(ui,
				      _("The code is not correct. Type the "
					"code the app shows for this account "
					"(%u digits)."),
				      cfg->totp_digits);
	}
	if (r != 0) {
		sspr_ui_error(ui, _("The code was not accepted, so nothing was "
				    "registered. Check that the clock of the "
				    "device with the app is right, remove the "
				    "entry from the app and run the command "
				    "again."));
		set_log(log, loglen, "wrong codes from the app");
		r = -EACCES;
		goto out;
	}
	r = save_totp(cfg, user, &tmp);
	if (r < 0) {
		tell_store_problem(ui, r);
		set_log(log, loglen, "cannot save the record: %s",
			store_problem(r));
		goto out;
	}
	sspr_ui_info(ui,
		     _("Your authenticator app is registered. If you forget "
		       "your password, you can use a code from the app at "
		       "the login prompt."));
	set_log(log, loglen, "authenticator app registered");
out:
	sspr_free_secret(answer);
	sspr_free_secret(uri);
	sspr_free_secret(secret);
	sspr_wipe(&tmp, sizeof(tmp));
	return r;
}

/* --- at sign-in -------------------------------------------------------- */

static int
set_reminder(const struct sspr_cfg *cfg, const char *user, time_t when)
{
	struct sspr_record rec = { 0 };
	int lock = -1;
	int r;

	r = record_open(cfg, user, &rec, &lock);
	if (r < 0)
		return r;
	rec.remind_after = when;
	r = record_close(cfg, user, &rec, lock, true);
	sspr_record_done(&rec);
	return r;
}

static void
say_later(const struct sspr_ui *ui)
{
	sspr_ui_info(ui, _("You can do it later with the command \"sspr enroll "
			   "email ADDRESS\" or \"sspr enroll totp\"."));
}

int
sspr_enroll_at_login(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		     const char *user)
{
	bool require = cfg->enroll_at_login == SSPR_ENROLL_REQUIRE;
	struct sspr_record rec = { 0 };
	struct sspr_ui ui;
	char log[SSPR_ERR_MAX];
	char *answer = NULL;
	time_t now = time(NULL);
	unsigned have;
	unsigned round;
	int r;

	if (cfg->enroll_at_login == SSPR_ENROLL_OFF)
		return PAM_SUCCESS;
	sspr_conv_ui(pamh, &ui);
	r = record_read(cfg, user, &rec);
	if (r < 0) {
		/* Never keep someone out because of our own data. */
		pam_syslog(pamh, LOG_ERR,
			   "enrollment for '%s' skipped: cannot "
			   "read the record: %s",
			   user, store_problem(r));
		return PAM_SUCCESS;
	}
	have = sspr_record_method_count(&rec, cfg->methods);
	if (have >= cfg->methods_required ||
	    (!require && rec.remind_after > now)) {
		sspr_record_done(&rec);
		return PAM_SUCCESS;
	}

	sspr_ui_info(&ui, _("Help us protect your account"));
	sspr_ui_info(&ui, _("If you forget your password, you can reset it "
			    "yourself at this login prompt, once you have "
			    "registered a backup email address or an "
			    "authenticator app. It takes about a minute."));
	if (require)
		sspr_ui_info(&ui, _("Your administrator asks everyone to do "
				    "this before signing in."));

	for (round = 0; round < LOGIN_ROUNDS && have < cfg->methods_required;
	     round++) {
		bool email_ok = (cfg->methods & SSPR_METHOD_EMAIL) != 0 &&
				rec.email == NULL;
		bool totp_ok = (cfg->methods & SSPR_METHOD_TOTP) != 0 &&
			       rec.totp_secret == NULL;
		char menu[512];
		int choice = 0;
		int n = 0;

		if (!email_ok && !totp_ok)
			break;
		if (email_ok)
			n += snprintf(menu + n, sizeof(menu) - (size_t)n,
				      "  %d) %s\n", 1,
				      _("Backup email address (a code is sent "
					"there when you need one)"));
		if (totp_ok)
			n += snprintf(menu + n, sizeof(menu) - (size_t)n,
				      "  %d) %s\n", email_ok ? 2 : 1,
				      _("Authenticator app on your phone (it "
					"shows a new code every 30 seconds)"));
		if (n > 0)
			menu[n - 1] = '\0';
		sspr_ui_info(&ui, "%s", menu);
		r = sspr_ui_ask(&ui, true, &answer, "%s",
				require ? _("Choose a number: ")
					: _("Choose a number, or press Enter "
					    "to skip: "));
		if (r < 0) {
			answer = NULL;
			if (!require) {
				sspr_record_done(&rec);
				return PAM_SUCCESS;
			}
			break;
		}
		if (answer[0] == '\0' && !require) {
			free(answer);
			answer = NULL;
			r = set_reminder(cfg, user,
					 now + (time_t)cfg->enroll_remind_days *
						   86400);
			if (r < 0)
				pam_syslog(pamh, LOG_ERR,
					   "cannot save the "
					   "reminder of '%s': %s",
					   user, store_problem(r));
			pam_syslog(pamh, LOG_INFO,
				   "'%s' skipped enrollment "
				   "at sign-in",
				   user);
			say_later(&ui);
			sspr_record_done(&rec);
			return PAM_SUCCESS;
		}
		if (strcmp(answer, "1") == 0)
			choice = email_ok ? 1 : 2;
		else if (strcmp(answer, "2") == 0 && email_ok && totp_ok)
			choice = 2;
		free(answer);
		answer = NULL;
		if (choice == 0) {
			sspr_ui_error(&ui, _("Type one of the numbers shown."));
			continue;
		}

		if (choice == 1) {
			r = sspr_ui_ask(&ui, true, &answer,
					_("Your backup email address: "));
			if (r < 0 || answer[0] == '\0') {
				free(answer);
				answer = NULL;
				continue;
			}
			r = sspr_enroll_email(cfg, &ui, user, answer, log,
					      sizeof(log));
			free(answer);
			answer = NULL;
			pam_syslog(pamh, r == 0 ? LOG_NOTICE : LOG_WARNING,
				   "email enrollment at sign-in for '%s': %s",
				   user, log);
		} else {
			r = sspr_enroll_totp(cfg, &ui, user, log, sizeof(log));
			pam_syslog(pamh, r == 0 ? LOG_NOTICE : LOG_WARNING,
				   "authenticator app enrollment at sign-in "
				   "for '%s': %s",
				   user, log);
		}
		sspr_record_done(&rec);
		r = record_read(cfg, user, &rec);
		if (r < 0) {
			pam_syslog(pamh, LOG_ERR,
				   "cannot read the record of "
				   "'%s': %s",
				   user, store_problem(r));
			break;
		}
		have = sspr_record_method_count(&rec, cfg->methods);
		if (have < cfg->methods_required && have > 0)
			sspr_ui_info(&ui, _("One more method is needed."));
	}
	sspr_record_done(&rec);

	if (have >= cfg->methods_required)
		return PAM_SUCCESS;
	if (!require) {
		sspr_ui_info(&ui, _("Nothing more was registered now."));
		say_later(&ui);
		return PAM_SUCCESS;
	}
	/*
	 * require: this login ends, the next one asks again. Nobody is
	 * locked out for good: it is one more try, or the administrator.
	 */
	if (cfg->admin_contact != NULL)
		sspr_ui_error(&ui,
			      _("You cannot sign in until a way to reset "
				"your password is registered, and none "
				"was registered now. Sign in again to "
				"try once more, or ask your administrator "
				"(%s) for help."),
			      cfg->admin_contact);
	else
		sspr_ui_error(&ui, _("You cannot sign in until a way to reset "
				     "your password is registered, and none "
				     "was registered now. Sign in again to "
				     "try once more, or ask your administrator "
				     "for help."));
	pam_syslog(pamh, LOG_WARNING,
		   "'%s' did not complete the required "
		   "enrollment at sign-in; session refused",
		   user);
	return PAM_SESSION_ERR;
}
