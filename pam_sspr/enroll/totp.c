/*
 * Registering an authenticator app: a new key shown as a QR code, the
 * key by hand and the otpauth:// URI, stored once the person types a
 * current code from the app.
 */
#include "sspr/enroll/enroll.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sspr/auth/qr.h"
#include "sspr/auth/totp.h"
#include "sspr/challenge/app_code.h"
#include "sspr/common/i18n.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"
#include "sspr/enroll/internal.h"
#include "sspr/mail/text.h"

#define TOTP_TRIES 3

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
save_totp(const struct sspr_session *s, const struct sspr_record *tmp)
{
	struct sspr_record rec = { 0 };
	char *copy;
	int lock = -1;
	int r;

	r = sspr_session_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	copy = sspr_strdup(tmp->totp_secret);
	if (copy == NULL) {
		sspr_session_record_close(s, &rec, lock, false);
		return -ENOMEM;
	}
	sspr_free_secret(rec.totp_secret);
	rec.totp_secret = copy;
	rec.totp_algorithm = tmp->totp_algorithm;
	rec.totp_digits = tmp->totp_digits;
	rec.totp_period = tmp->totp_period;
	/* The code just typed must not work a second time. */
	rec.totp_last_step = tmp->totp_last_step;
	/* Registering is confirming (reconfirm_days counts from here). */
	rec.confirmed_at = time(NULL);
	return sspr_session_record_close(s, &rec, lock, true);
}

static void
show_totp(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
	  const char *secret, const char *uri)
{
	const char *alg =
	    sspr_cfg_choice_name("totp_algorithm", cfg->totp_algorithm);
	char *qr = sspr_qr_render(uri, sspr_locale_is_utf8());
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

/*
 * Is an app registered, and may it be replaced? 0 to go on (*ret_action
 * and *ret_notify_to, the backup address that hears of it, set), or a
 * negative errno after telling the person.
 */
static int
check_replace(struct sspr_session *s, enum sspr_change_action *ret_action,
	      char **ret_notify_to, char *log, size_t loglen)
{
	struct sspr_record rec = { 0 };
	bool yes = false;
	int r;

	r = sspr_enroll_read(s, &rec, log, loglen);
	if (r < 0)
		return r;
	*ret_action = SSPR_CHANGE_ADDED;
	if (rec.totp_secret != NULL) {
		r = sspr_ui_confirm(&s->ui, false, &yes, "%s",
				    _("An authenticator app is registered "
				      "already. Replace it with a new one? The "
				      "old one stops working. [y/N] "));
		if (r < 0 || !yes) {
			sspr_ui_info(&s->ui, "%s", _("Nothing was changed."));
			sspr_enroll_log(log, loglen,
					"kept the old authenticator app");
			r = -ECANCELED;
			goto out;
		}
		*ret_action = SSPR_CHANGE_REPLACED;
	}
	/* The backup address, if any, hears of the new app. */
	*ret_notify_to = rec.email != NULL ? sspr_strdup(rec.email) : NULL;
out:
	sspr_record_done(&rec);
	return r;
}

/* A new key and its otpauth:// URI, named for this computer by default. */
static int
make_key(const struct sspr_session *s, char **ret_secret, char **ret_uri)
{
	const char *issuer = s->cfg->issuer;
	char host[256] = "";
	int r;

	if (issuer == NULL) {
		if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
			sspr_strlcpy(host, "pam_sspr", sizeof(host));
		issuer = host;
	}
	r = sspr_totp_new_secret(ret_secret);
	if (r < 0)
		return r;
	*ret_uri = sspr_totp_uri(issuer, s->user, *ret_secret,
				 s->cfg->totp_algorithm, s->cfg->totp_digits);
	return *ret_uri != NULL ? 0 : -ENOMEM;
}

/*
 * Show the key and take a current code from the app; 0, or a negative
 * errno after telling the person.
 */
static int
prove_app(struct sspr_session *s, struct sspr_record *tmp, char *log,
	  size_t loglen)
{
	int r;

	r = sspr_app_code_dialogue(s, tmp, TOTP_TRIES, NULL);
	if (r == -ECANCELED) {
		sspr_ui_info(&s->ui, "%s",
			     _("Nothing was registered. Remove this entry "
			       "from the app; run the command again for a new "
			       "key."));
		sspr_enroll_log(log, loglen, "cancelled at the code prompt");
	} else if (r < 0) {
		sspr_ui_error(
		    &s->ui, "%s",
		    _("The code was not accepted, so nothing was "
		      "registered. Check that the clock of the device "
		      "with the app is right, remove the entry from "
		      "the app and run the command again."));
		sspr_enroll_log(log, loglen, "wrong codes from the app");
		r = -EACCES;
	}
	return r;
}

int
sspr_enroll_totp(struct sspr_session *s, char *log, size_t loglen)
{
	struct sspr_record tmp = { 0 };
	struct sspr_method_change change = { .method = SSPR_CHANGE_TOTP };
	char *notify_to = NULL;
	char *secret = NULL;
	char *uri = NULL;
	int r;

	s->purpose = SSPR_PURPOSE_ENROLL;
	sspr_enroll_log(log, loglen, "not registered");
	if ((s->cfg->methods & SSPR_METHOD_TOTP) == 0) {
		sspr_ui_error(&s->ui, "%s",
			      _("Authenticator apps are not used on this "
				"computer."));
		sspr_enroll_log(log, loglen, "totp method not enabled");
		return -ENOTSUP;
	}
	r = check_replace(s, &change.action, &notify_to, log, loglen);
	if (r < 0)
		return r;
	r = make_key(s, &secret, &uri);
	if (r < 0) {
		sspr_ui_error(&s->ui, _("No key could be made: %s."),
			      strerror(-r));
		sspr_enroll_log(log, loglen, "cannot make a key: %s",
				strerror(-r));
		goto out;
	}
	show_totp(s->cfg, &s->ui, secret, uri);
	tmp.totp_secret = secret;
	tmp.totp_algorithm = s->cfg->totp_algorithm;
	tmp.totp_digits = s->cfg->totp_digits;
	tmp.totp_period = SSPR_TOTP_PERIOD;
	r = prove_app(s, &tmp, log, loglen);
	if (r < 0)
		goto out;
	r = save_totp(s, &tmp);
	if (r < 0) {
		sspr_enroll_store_failed(s, r, log, loglen, "save the record");
		goto out;
	}
	/* Mailed before the person hears it is done and goes on. */
	sspr_enroll_log(log, loglen, "authenticator app registered");
	sspr_enroll_notify(s, &change, notify_to, NULL, log, loglen);
	sspr_ui_info(&s->ui, "%s",
		     _("Your authenticator app is registered. If you forget "
		       "your password, you can use a code from the app at "
		       "the login prompt."));
out:
	free(notify_to);
	sspr_free_secret(uri);
	sspr_free_secret(secret);
	sspr_wipe(&tmp, sizeof(tmp));
	return r;
}
