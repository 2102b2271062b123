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

#include "sspr/challenge/mail_code.h"
#include "sspr/common/address.h"
#include "sspr/common/errors.h"
#include "sspr/common/i18n.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"
#include "sspr/enroll/internal.h"
#include "sspr/m365/upn.h"
#include "sspr/mail/text.h"

/*
 * A backup address must not be the Microsoft 365 address itself: it has
 * to work when that account is the one the person cannot get into.
 */
static bool
is_upn_address(const struct sspr_session *s, const char *address)
{
	const struct sspr_cfg *cfg = s->cfg;
	char err[SSPR_ERR_MAX];
	char *upn = NULL;
	bool same;

	if ((cfg->upn_format == NULL || strchr(cfg->upn_format, '@') == NULL) &&
	    cfg->upn_map_file == NULL)
		return false;
	if (sspr_session_raise(s) < 0)
		return false;
	if (sspr_upn_for_user(cfg, s->user, &upn, err, sizeof(err)) < 0)
		upn = NULL;
	sspr_session_lower(s);
	if (upn == NULL)
		return false;
	same = sspr_ascii_casecmp(upn, address) == 0;
	free(upn);
	return same;
}

/* The address is registered in the same locked step as the code is spent. */
static int
take_address(struct sspr_record *rec, void *ctx)
{
	char *copy = sspr_strdup(ctx);

	if (copy == NULL)
		return -ENOMEM;
	free(rec->email);
	rec->email = copy;
	/* Registering is confirming (reconfirm_days counts from here). */
	rec->confirmed_at = time(NULL);
	return 0;
}

/*
 * Mail a code and take it back; 0 when the address is registered, else
 * a negative errno after telling the person.
 */
static int
prove_address(struct sspr_session *s, const char *address, char *log,
	      size_t loglen)
{
	struct sspr_mail_code mc = {
		.address = address,
		.accept = take_address,
		.ctx = (void *)address,
	};

	return sspr_enroll_prove(s, &mc, "backup email address registered", log,
				 loglen);
}

/*
 * Is address usable, and new? 0 to go on (*ret_old gets the address it
 * replaces, or NULL), 1 when it is registered already, else a negative
 * errno after telling the person.
 */
static int
check_address(struct sspr_session *s, const char *address, char **ret_old,
	      char *log, size_t loglen)
{
	struct sspr_record rec = { 0 };
	char *masked = NULL;
	bool yes = false;
	int r;

	*ret_old = NULL;
	if (sspr_address_ok(address) < 0) {
		sspr_ui_error(&s->ui, "%s",
			      _("That is not an email address that can be "
				"used here. Write it like name@example.org."));
		sspr_enroll_log(log, loglen, "unusable address");
		return -EINVAL;
	}
	if (is_upn_address(s, address)) {
		sspr_ui_error(&s->ui, "%s",
			      _("This is the address of your Microsoft 365 "
				"account. Choose a different one: the backup "
				"address has to work when you cannot sign in "
				"there."));
		sspr_enroll_log(log, loglen, "address is the user's own UPN");
		return -EINVAL;
	}
	r = sspr_enroll_read(s, &rec, log, loglen);
	if (r < 0)
		return r;
	if (rec.email != NULL && sspr_ascii_casecmp(rec.email, address) == 0) {
		sspr_ui_info(&s->ui, "%s",
			     _("This address is registered already."));
		sspr_enroll_log(log, loglen, "address was registered already");
		r = 1;
		goto out;
	}
	if (rec.email == NULL)
		goto out;
	masked = sspr_address_mask(rec.email);
	r = sspr_ui_confirm(&s->ui, false, &yes,
			    /* TRANSLATORS: %s is the masked address. */
			    _("The address %s is registered now. Replace it "
			      "with the new one? [y/N] "),
			    masked != NULL ? masked : "");
	free(masked);
	if (r < 0 || !yes) {
		sspr_ui_info(&s->ui, "%s", _("Nothing was changed."));
		sspr_enroll_log(log, loglen, "kept the old address");
		r = -ECANCELED;
		goto out;
	}
	/* Told of the change, below, at the address it replaces. */
	*ret_old = sspr_strdup(rec.email);
	r = *ret_old != NULL ? 0 : -ENOMEM;
	if (r < 0)
		sspr_enroll_store_failed(s, r, log, loglen, "read the record");
out:
	sspr_record_done(&rec);
	return r;
}

int
sspr_enroll_email(struct sspr_session *s, const char *address, char *log,
		  size_t loglen)
{
	struct sspr_method_change change = { .method = SSPR_CHANGE_EMAIL };
	char *masked = NULL;
	char *old = NULL;
	int r;

	s->purpose = SSPR_PURPOSE_ENROLL;
	sspr_enroll_log(log, loglen, "not registered");
	if ((s->cfg->methods & SSPR_METHOD_EMAIL) == 0) {
		sspr_ui_error(&s->ui, "%s",
			      _("Email codes are not used on this computer."));
		sspr_enroll_log(log, loglen, "email method not enabled");
		return -ENOTSUP;
	}
	r = check_address(s, address, &old, log, loglen);
	if (r != 0)
		return r > 0 ? 0 : r;
	r = prove_address(s, address, log, loglen);
	if (r < 0)
		goto out;
	/* Mailed before the person hears it is done and goes on. */
	change.action = old != NULL ? SSPR_CHANGE_REPLACED : SSPR_CHANGE_ADDED;
	sspr_enroll_notify(s, &change, old, address, log, loglen);
	masked = sspr_address_mask(address);
	sspr_ui_info(&s->ui,
		     /* TRANSLATORS: %s is the masked address. */
		     _("Your backup email address %s is registered. If you "
		       "forget your password, you can have a code sent "
		       "there at the login prompt."),
		     masked != NULL ? masked : "");
	free(masked);
out:
	free(old);
	return r;
}
