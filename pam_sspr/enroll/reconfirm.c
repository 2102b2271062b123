/*
 * reconfirm_days at sign-in, as Microsoft Entra's "number of days before
 * users are asked to reconfirm their authentication information": the
 * methods are shown masked and the person says whether they are still
 * theirs. A "no" leads to the registration dialogues (login.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "sspr/common/address.h"
#include "sspr/common/i18n.h"
#include "sspr/common/store.h"
#include "sspr/enroll/internal.h"

/* The registered methods, as the audit log names them. */
static const char *
methods_named(const struct sspr_cfg *cfg, const struct sspr_record *rec)
{
	bool email =
	    (cfg->methods & SSPR_METHOD_EMAIL) != 0 && rec->email != NULL;
	bool totp =
	    (cfg->methods & SSPR_METHOD_TOTP) != 0 && rec->totp_secret != NULL;

	if (email && totp)
		return "email totp";
	return email ? "email" : totp ? "totp" : NULL;
}

/* confirmed_at = now, in one locked step. */
static int
stamp(const struct sspr_session *s, time_t now)
{
	struct sspr_record rec = { 0 };
	int lock = -1;
	int r;

	r = sspr_session_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	rec.confirmed_at = now;
	return sspr_session_record_close(s, &rec, lock, true);
}

static void
show(const struct sspr_session *s, const struct sspr_record *rec)
{
	char *masked = NULL;

	sspr_ui_info(&s->ui, "%s",
		     _("Are these ways to reset your password still yours?"));
	if ((s->cfg->methods & SSPR_METHOD_EMAIL) != 0 && rec->email != NULL) {
		masked = sspr_address_mask(rec->email);
		/* TRANSLATORS: %s is the masked address, a•••••@example.org */
		sspr_ui_info(&s->ui, _("  Backup email address: %s"),
			     masked != NULL ? masked : "***");
		free(masked);
	}
	if ((s->cfg->methods & SSPR_METHOD_TOTP) != 0 &&
	    rec->totp_secret != NULL)
		sspr_ui_info(&s->ui, "%s", _("  Authenticator app"));
}

int
sspr_enroll_reconfirm(const struct sspr_session *s,
		      const struct sspr_record *rec, bool *ret_change)
{
	const char *methods = methods_named(s->cfg, rec);
	time_t now = time(NULL);
	bool yes = false;
	int r;

	*ret_change = false;
	/*
	 * A record from before reconfirm_days: its registration time is
	 * unknown, so the period starts at this first sign-in that sees it.
	 */
	if (rec->confirmed_at == 0) {
		r = stamp(s, now);
		if (r == 0)
			sspr_session_log(s, LOG_INFO,
					 "methods of '%s' have no confirmation "
					 "time; counting from now",
					 s->user);
		return r;
	}
	show(s, rec);
	r = sspr_ui_confirm(&s->ui, false, &yes, "%s",
			    _("Are they still yours? [y/N]: "));
	if (r < 0)
		return r;
	if (!yes) {
		sspr_session_log(s, LOG_NOTICE,
				 "'%s' did not confirm the registered methods "
				 "at sign-in",
				 s->user);
		sspr_session_audit(s, s->user, "methods confirmed", methods,
				   "failed", "declined");
		*ret_change = true;
		return 0;
	}
	r = stamp(s, now);
	if (r < 0)
		return r;
	sspr_session_log(s, LOG_NOTICE,
			 "'%s' confirmed the registered methods at sign-in",
			 s->user);
	sspr_session_audit(s, s->user, "methods confirmed", methods, "ok",
			   NULL);
	sspr_ui_info(&s->ui, "%s", _("Thank you. They stay as they are."));
	return 0;
}
