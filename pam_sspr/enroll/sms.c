/*
 * Registering a mobile number for codes by text message: a code is
 * sent there, and the number is stored once the person types it back.
 * The backup email address, when there is one, hears of the change.
 */
#include "sspr/enroll/enroll.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/challenge/mail_code.h"
#include "sspr/common/i18n.h"
#include "sspr/common/phone.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"
#include "sspr/enroll/internal.h"
#include "sspr/mail/text.h"

/* The number is registered in the same locked step as the code is spent. */
static int
take_phone(struct sspr_record *rec, void *ctx)
{
	char *copy = sspr_strdup(ctx);

	if (copy == NULL)
		return -ENOMEM;
	free(rec->phone);
	rec->phone = copy;
	return 0;
}

/*
 * Is number new? 0 to go on (*ret_had: a number is replaced), 1 when it
 * is registered already, else a negative errno after telling the person.
 * *ret_email gets the backup address, for the notice.
 */
static int
check_number(struct sspr_session *s, const char *number, bool *ret_had,
	     char **ret_email, char *log, size_t loglen)
{
	struct sspr_record rec = { 0 };
	char *masked = NULL;
	bool yes = false;
	int r;

	*ret_had = false;
	r = sspr_enroll_read(s, &rec, log, loglen);
	if (r < 0)
		return r;
	if (rec.email != NULL && (*ret_email = sspr_strdup(rec.email)) == NULL)
		r = -ENOMEM;
	if (r == 0 && rec.phone != NULL && strcmp(rec.phone, number) == 0) {
		sspr_ui_info(&s->ui, "%s",
			     _("This number is registered already."));
		sspr_enroll_log(log, loglen, "number was registered already");
		r = 1;
	} else if (r == 0 && rec.phone != NULL) {
		masked = sspr_phone_mask(rec.phone);
		r = sspr_ui_confirm(&s->ui, false, &yes,
				    /* TRANSLATORS: %s is the masked number. */
				    _("The number %s is registered now. "
				      "Replace it with the new one? [y/N] "),
				    masked != NULL ? masked : "");
		free(masked);
		if (r < 0 || !yes) {
			sspr_ui_info(&s->ui, "%s", _("Nothing was changed."));
			sspr_enroll_log(log, loglen, "kept the old number");
			r = -ECANCELED;
		}
		*ret_had = true;
	}
	sspr_record_done(&rec);
	return r;
}

/* Why this host takes no number from the person, or NULL. */
static const char *
not_offered(const struct sspr_session *s, const char **ret_log)
{
	if ((s->cfg->methods & SSPR_METHOD_SMS) == 0) {
		*ret_log = "sms method not enabled";
		return _("Codes by text message are not used on this "
			 "computer.");
	}
	if (s->cfg->phone_source == SSPR_PHONE_ENTRA) {
		*ret_log = "phone_source = entra";
		return _("Codes by text message go to the mobile number "
			 "registered with your Microsoft 365 account; "
			 "change it there.");
	}
	return NULL;
}

int
sspr_enroll_sms(struct sspr_session *s, const char *typed, char *log,
		size_t loglen)
{
	struct sspr_method_change change = { .method = SSPR_CHANGE_PHONE };
	char number[SSPR_PHONE_MAX];
	struct sspr_mail_code mc = {
		.channel = SSPR_CODE_BY_SMS,
		.address = number,
		.accept = take_phone,
		.ctx = number,
	};
	const char *why_log = NULL;
	const char *why;
	char *email = NULL;
	char *masked = NULL;
	bool had = false;
	int r;

	s->purpose = SSPR_PURPOSE_ENROLL;
	sspr_enroll_log(log, loglen, "not registered");
	why = not_offered(s, &why_log);
	if (why != NULL) {
		sspr_ui_error(&s->ui, "%s", why);
		sspr_enroll_log(log, loglen, "%s", why_log);
		return -ENOTSUP;
	}
	if (sspr_phone_canonical(typed, number) < 0) {
		sspr_ui_error(&s->ui, "%s",
			      _("That is not a mobile number that can be used "
				"here. Write it with + and the country code, "
				"like +81 90 1234 5678."));
		sspr_enroll_log(log, loglen, "unusable number");
		return -EINVAL;
	}
	r = check_number(s, number, &had, &email, log, loglen);
	if (r != 0) {
		free(email);
		return r > 0 ? 0 : r;
	}
	mc.notice_to = email;
	r = sspr_enroll_prove(s, &mc, "mobile number registered", log, loglen);
	if (r < 0)
		goto out;
	change.action = had ? SSPR_CHANGE_REPLACED : SSPR_CHANGE_ADDED;
	sspr_enroll_notify(s, &change, email, NULL, log, loglen);
	masked = sspr_phone_mask(number);
	sspr_ui_info(&s->ui,
		     /* TRANSLATORS: %s is the masked number. */
		     _("Your mobile number %s is registered. If you forget "
		       "your password, you can have a code sent there by "
		       "text message at the login prompt."),
		     masked != NULL ? masked : "");
	free(masked);
out:
	free(email);
	return r;
}
