/*
 * Registering a backup email address: a code is mailed there, and the
 * address is stored once the person types the code back.
 */
#include "sspr/enroll/enroll.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sspr/common/address.h"
#include "sspr/enroll/internal.h"
#include "sspr/common/i18n.h"
#include "sspr/mail/mail.h"
#include "sspr/mail/text.h"
#include "sspr/auth/otp_code.h"
#include "sspr/common/store.h"
#include "sspr/m365/upn.h"
#include "sspr/common/util.h"

#define PURPOSE "enroll"

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
	if (sspr_enroll_raise() < 0)
		return false;
	if (sspr_upn_for_user(cfg, user, &upn, err, sizeof(err)) < 0)
		upn = NULL;
	sspr_enroll_lower();
	if (upn == NULL)
		return false;
	same = sspr_ascii_casecmp(upn, address) == 0;
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
	r = sspr_enroll_raise();
	if (r == 0) {
		r = sspr_mail_send(cfg, &mail, err, errlen);
		sspr_enroll_lower();
	}
	sspr_mail_text_done(&text);
	return r;
}

/*
 * Drop a pending enrollment code for address after a failed send, and
 * give its send back: it must not delay the next one.
 */
static void
forget_code(const struct sspr_cfg *cfg, const char *user, const char *address)
{
	struct sspr_record rec = { 0 };
	int lock = -1;

	if (sspr_enroll_record_open(cfg, user, &rec, &lock) < 0)
		return;
	if (rec.enroll_code.address != NULL &&
	    strcmp(rec.enroll_code.address, address) == 0) {
		sspr_code_unsent(&rec, PURPOSE, address);
		sspr_enroll_record_close(cfg, user, &rec, lock, true);
	} else {
		sspr_enroll_record_close(cfg, user, &rec, lock, false);
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

	r = sspr_enroll_record_open(cfg, user, &rec, &lock);
	if (r < 0) {
		sspr_enroll_store_failed(ui, r, log, loglen, "read the record");
		return r;
	}
	reuse = sspr_code_pending(&rec, PURPOSE, now) &&
		rec.enroll_code.address != NULL &&
		strcmp(rec.enroll_code.address, address) == 0;
	if (!reuse) {
		r = sspr_code_may_send(cfg, &rec, PURPOSE, now, &wait);
		if (r == 0)
			r = sspr_code_issue(cfg, &rec, user, PURPOSE, address,
					    now, &code);
	}
	*ret_expires = rec.enroll_code.expires;
	if (reuse || r < 0)
		sspr_enroll_record_close(cfg, user, &rec, lock, false);
	else
		r = sspr_enroll_record_close(cfg, user, &rec, lock, true);
	sspr_record_done(&rec);

	masked = sspr_address_mask(address);
	if (r == -EAGAIN) {
		sspr_ui_error(ui,
			      _("Too many codes were sent in a short time. "
				"Wait %u seconds, then run this again."),
			      wait);
		sspr_enroll_log(log, loglen, "code not sent: resend limit");
		goto out;
	}
	if (r < 0) {
		sspr_enroll_store_failed(ui, r, log, loglen, "save the code");
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
		sspr_enroll_log(log, loglen, "cannot send the code: %s", err);
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

	r = sspr_enroll_record_open(cfg, user, &rec, &lock);
	if (r < 0) {
		sspr_enroll_store_failed(ui, r, log, loglen, "read the record");
		return r;
	}
	if (rec.enroll_code.address == NULL ||
	    strcmp(rec.enroll_code.address, address) != 0) {
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
		}
	}
	left = rec.enroll_code.attempts_left;
	if (r == -ENOENT || r == -ENOMEM)
		save = false;
	if (save) {
		int s = sspr_enroll_record_close(cfg, user, &rec, lock, true);

		if (s < 0 && r == 0)
			r = s;
		if (s < 0) {
			sspr_record_done(&rec);
			sspr_enroll_store_failed(ui, s, log, loglen,
						 "save the record");
			return s;
		}
	} else {
		sspr_enroll_record_close(cfg, user, &rec, lock, false);
	}
	sspr_record_done(&rec);

	switch (r) {
	case 0:
		sspr_enroll_log(log, loglen, "backup email address registered");
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
		sspr_enroll_log(log, loglen, "wrong code, no attempts left");
		return -EACCES;
	case -EMLINK:
		sspr_ui_error(ui,
			      _("No attempts are left for this code. Run the "
				"command again to get a new one."));
		sspr_enroll_log(log, loglen, "no attempts left");
		return -EACCES;
	case -ETIMEDOUT:
		sspr_ui_error(ui,
			      _("The code has expired. Run the command again "
				"to get a new one."));
		sspr_enroll_log(log, loglen, "code expired");
		return -ETIMEDOUT;
	case -ENOENT:
		sspr_ui_error(ui, _("This code is no longer valid, because a "
				    "newer one was asked for. Run the command "
				    "again."));
		sspr_enroll_log(log, loglen,
				"code replaced by a newer request");
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
		sspr_enroll_log(log, loglen, "cannot check the code: %s",
				strerror(-r));
		return r;
	}
}

int
sspr_enroll_email(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		  const char *user, const char *address, char *log,
		  size_t loglen)
{
	struct sspr_record rec = { 0 };
	struct sspr_method_change change = { .method = SSPR_CHANGE_EMAIL };
	char *masked = NULL;
	char *answer = NULL;
	char *old = NULL;
	time_t expires = 0;
	unsigned rounds;
	bool yes = false;
	int r;

	sspr_enroll_log(log, loglen, "not registered");
	if ((cfg->methods & SSPR_METHOD_EMAIL) == 0) {
		sspr_ui_error(ui,
			      _("Email codes are not used on this computer."));
		sspr_enroll_log(log, loglen, "email method not enabled");
		return -ENOTSUP;
	}
	if (sspr_address_ok(address) < 0) {
		sspr_ui_error(ui, _("That is not an email address that can be "
				    "used here. Write it like "
				    "name@example.org."));
		sspr_enroll_log(log, loglen, "unusable address");
		return -EINVAL;
	}
	if (is_upn_address(cfg, user, address)) {
		sspr_ui_error(ui,
			      _("This is the address of your Microsoft 365 "
				"account. Choose a different one: the backup "
				"address has to work when you cannot sign in "
				"there."));
		sspr_enroll_log(log, loglen, "address is the user's own UPN");
		return -EINVAL;
	}

	r = sspr_enroll_record_read(cfg, user, &rec);
	if (r < 0) {
		sspr_enroll_store_failed(ui, r, log, loglen, "read the record");
		return r;
	}
	if (rec.email != NULL && sspr_ascii_casecmp(rec.email, address) == 0) {
		sspr_record_done(&rec);
		sspr_ui_info(ui, _("This address is registered already."));
		sspr_enroll_log(log, loglen, "address was registered already");
		return 0;
	}
	if (rec.email != NULL) {
		masked = sspr_address_mask(rec.email);
		r = sspr_ui_confirm(ui, false, &yes,
				    _("The address %s is registered now. "
				      "Replace it with the new one? [y/N] "),
				    masked != NULL ? masked : "");
		free(masked);
		masked = NULL;
		if (r < 0 || !yes) {
			sspr_record_done(&rec);
			sspr_ui_info(ui, _("Nothing was changed."));
			sspr_enroll_log(log, loglen, "kept the old address");
			return -ECANCELED;
		}
		/* Told of the change, below, at the address it replaces. */
		old = sspr_strdup(rec.email);
		if (old == NULL) {
			sspr_record_done(&rec);
			sspr_enroll_store_failed(ui, -ENOMEM, log, loglen,
						 "read the record");
			return -ENOMEM;
		}
	}
	sspr_record_done(&rec);

	r = start_email_code(cfg, ui, user, address, log, loglen, &expires);
	if (r < 0)
		goto out;

	/* A few extra rounds for answers that are not codes at all. */
	for (rounds = 0; rounds < cfg->code_attempts + 3; rounds++) {
		r = sspr_ui_ask(ui, true, &answer, _("Code from the mail: "));
		if (r < 0 || answer[0] == '\0') {
			sspr_free_secret(answer);
			sspr_ui_info(ui,
				     _("Nothing was registered. The code stays "
				       "valid until it expires, so you can "
				       "run this again and type it."));
			sspr_enroll_log(log, loglen,
					"cancelled at the code prompt");
			r = -ECANCELED;
			goto out;
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
		sspr_enroll_log(log, loglen, "no usable code typed");
		r = -EACCES;
		goto out;
	}
	if (r < 0)
		goto out;
	/* Mailed before the person hears it is done and goes on. */
	change.action = old != NULL ? SSPR_CHANGE_REPLACED : SSPR_CHANGE_ADDED;
	sspr_enroll_notify(cfg, user, &change, old, address, log, loglen);
	masked = sspr_address_mask(address);
	sspr_ui_info(ui,
		     _("Your backup email address %s is registered. If you "
		       "forget your password, you can have a code sent "
		       "there at the login prompt."),
		     masked != NULL ? masked : "");
	free(masked);
out:
	free(old);
	return r;
}
