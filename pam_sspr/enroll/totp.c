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
#include <unistd.h>

#include "sspr/enroll/internal.h"
#include "sspr/common/i18n.h"
#include "sspr/mail/text.h"
#include "sspr/auth/qr.h"
#include "sspr/common/store.h"
#include "sspr/auth/totp.h"
#include "sspr/common/util.h"

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
save_totp(const struct sspr_cfg *cfg, const char *user,
	  const struct sspr_record *tmp)
{
	struct sspr_record rec = { 0 };
	char *copy;
	int lock = -1;
	int r;

	r = sspr_enroll_record_open(cfg, user, &rec, &lock);
	if (r < 0)
		return r;
	copy = sspr_strdup(tmp->totp_secret);
	if (copy == NULL) {
		sspr_enroll_record_close(cfg, user, &rec, lock, false);
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
	r = sspr_enroll_record_close(cfg, user, &rec, lock, true);
	sspr_record_done(&rec);
	return r;
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

int
sspr_enroll_totp(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		 const char *user, char *log, size_t loglen)
{
	struct sspr_record rec = { 0 };
	struct sspr_record tmp = { 0 };
	struct sspr_method_change change = { .method = SSPR_CHANGE_TOTP,
					     .action = SSPR_CHANGE_ADDED };
	char host[256] = "";
	char *notify_to = NULL;
	const char *issuer;
	char *secret = NULL;
	char *uri = NULL;
	char *answer = NULL;
	bool yes = false;
	unsigned tries;
	int r;

	sspr_enroll_log(log, loglen, "not registered");
	if ((cfg->methods & SSPR_METHOD_TOTP) == 0) {
		sspr_ui_error(ui, _("Authenticator apps are not used on this "
				    "computer."));
		sspr_enroll_log(log, loglen, "totp method not enabled");
		return -ENOTSUP;
	}
	r = sspr_enroll_record_read(cfg, user, &rec);
	if (r < 0) {
		sspr_enroll_store_failed(ui, r, log, loglen, "read the record");
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
			sspr_enroll_log(log, loglen,
					"kept the old authenticator app");
			return -ECANCELED;
		}
		change.action = SSPR_CHANGE_REPLACED;
	}
	/* The backup address, if any, hears of the new app. */
	if (rec.email != NULL)
		notify_to = sspr_strdup(rec.email);
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
		sspr_enroll_log(log, loglen, "cannot make a key: %s",
				strerror(-r));
		goto out;
	}
	uri = sspr_totp_uri(issuer, user, secret, cfg->totp_algorithm,
			    cfg->totp_digits);
	if (uri == NULL) {
		r = -ENOMEM;
		sspr_ui_error(ui, _("No key could be made: %s."), strerror(-r));
		sspr_enroll_log(log, loglen, "cannot make the otpauth URI");
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
			sspr_enroll_log(log, loglen,
					"cancelled at the code prompt");
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
		sspr_enroll_log(log, loglen, "wrong codes from the app");
		r = -EACCES;
		goto out;
	}
	r = save_totp(cfg, user, &tmp);
	if (r < 0) {
		sspr_enroll_store_failed(ui, r, log, loglen, "save the record");
		goto out;
	}
	/* Mailed before the person hears it is done and goes on. */
	sspr_enroll_log(log, loglen, "authenticator app registered");
	sspr_enroll_notify(cfg, user, &change, notify_to, NULL, log, loglen);
	sspr_ui_info(ui,
		     _("Your authenticator app is registered. If you forget "
		       "your password, you can use a code from the app at "
		       "the login prompt."));
out:
	free(notify_to);
	sspr_free_secret(answer);
	sspr_free_secret(uri);
	sspr_free_secret(secret);
	sspr_wipe(&tmp, sizeof(tmp));
	return r;
}
