/*
 * The "help us protect your account" offer at sign-in (PAM session):
 * a menu of the methods still missing, a reminder when skipped, and with
 * enroll_at_login = require no session without one.
 */
#include "sspr/enroll/enroll.h"

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "sspr/change/entra_group.h"
#include "sspr/common/conv.h"
#include "sspr/common/errors.h"
#include "sspr/common/i18n.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"
#include "sspr/enroll/internal.h"

#define LOGIN_ROUNDS 3
#define DAY 86400

enum choice { CHOICE_NONE, CHOICE_EMAIL, CHOICE_TOTP, CHOICE_SKIP, CHOICE_SMS };

struct offer {
	struct sspr_session s;
	bool require;
	struct sspr_record rec; /* as last read */
	unsigned have;		/* methods registered */
	bool skipped;
	bool gone; /* the conversation failed */
};

static int
reread(struct offer *o)
{
	int r;

	sspr_record_done(&o->rec);
	r = sspr_session_record_read(&o->s, &o->rec);
	if (r < 0)
		return r;
	o->have = sspr_record_method_count(&o->rec, o->s.cfg->methods);
	return 0;
}

static void
say_later(const struct sspr_ui *ui)
{
	sspr_ui_info(ui, "%s",
		     _("You can do it later with the command \"sspr enroll "
		       "email ADDRESS\" or \"sspr enroll totp\"."));
}

static void
say_why(const struct offer *o)
{
	sspr_ui_info(&o->s.ui, "%s", _("Help us protect your account"));
	sspr_ui_info(&o->s.ui, "%s",
		     _("If you forget your password, you can reset it "
		       "yourself at this login prompt, once you have "
		       "registered a backup email address or an "
		       "authenticator app. It takes about a minute."));
	if (o->require)
		sspr_ui_info(&o->s.ui, "%s",
			     _("Your administrator asks everyone to do this "
			       "before signing in."));
}

/*
 * The methods still missing (with change, every allowed one: the person
 * said the registered ones are not theirs) as a numbered menu, and the
 * person's pick: 0 with *ret (CHOICE_NONE when it was not one of the
 * numbers), or a conversation error.
 */
/* The line of one option. */
static const char *
option_text(enum choice c)
{
	if (c == CHOICE_EMAIL)
		return _("Backup email address (a code is sent there when you "
			 "need one)");
	if (c == CHOICE_SMS)
		return _("Mobile phone (a code is sent there by text message "
			 "when you need one)");
	return _("Authenticator app on your phone (it shows a new code "
		 "every 30 seconds)");
}

static int
menu(const struct offer *o, bool change, enum choice *ret)
{
	const struct sspr_cfg *cfg = o->s.cfg;
	enum choice options[3];
	unsigned long pick = 0;
	char *answer = NULL;
	char text[1024];
	size_t pos = 0;
	unsigned n = 0;
	unsigned i;
	int r;

	if ((cfg->methods & SSPR_METHOD_EMAIL) != 0 &&
	    (change || o->rec.email == NULL))
		options[n++] = CHOICE_EMAIL;
	/* A number from Microsoft 365 is nothing to register here. */
	if ((cfg->methods & SSPR_METHOD_SMS) != 0 &&
	    (change || o->rec.phone == NULL) &&
	    cfg->phone_source != SSPR_PHONE_ENTRA)
		options[n++] = CHOICE_SMS;
	if ((cfg->methods & SSPR_METHOD_TOTP) != 0 &&
	    (change || o->rec.totp_secret == NULL))
		options[n++] = CHOICE_TOTP;
	*ret = CHOICE_NONE;
	if (n == 0)
		return -ENOENT;
	for (i = 0; i < n && pos < sizeof(text); i++) {
		int k =
		    snprintf(text + pos, sizeof(text) - pos, "%s  %u) %s",
			     i > 0 ? "\n" : "", i + 1, option_text(options[i]));

		pos = k < 0 ? sizeof(text) : pos + (size_t)k;
	}
	sspr_ui_info(&o->s.ui, "%s", text);
	r = sspr_ui_ask(&o->s.ui, true, &answer, "%s",
			o->require && !change
			    ? _("Choose a number: ")
			    : _("Choose a number, or press Enter to "
				"skip: "));
	if (r < 0)
		return r;
	if (answer[0] == '\0' && (!o->require || change))
		*ret = CHOICE_SKIP;
	else if (sspr_parse_uint(answer, 1, n, &pick) == 0)
		*ret = options[pick - 1];
	free(answer);
	return 0;
}

/* Enter at the offer: ask again after enroll_remind_days. */
static void
skip(struct offer *o)
{
	struct sspr_record rec = { 0 };
	int lock = -1;
	int r;

	r = sspr_session_record_open(&o->s, &rec, &lock);
	if (r == 0) {
		rec.remind_after =
		    time(NULL) + (time_t)o->s.cfg->enroll_remind_days * DAY;
		sspr_session_record_close(&o->s, &rec, lock, true);
	}
	sspr_session_log(&o->s, LOG_INFO, "'%s' skipped enrollment at sign-in",
			 o->s.user);
	say_later(&o->s.ui);
	o->skipped = true;
}

/* One dialogue of enroll/email.c or enroll/totp.c, logged. */
static void
enroll_one(struct offer *o, enum choice choice)
{
	char log[SSPR_ERR_MAX] = "";
	char *address = NULL;
	int r;

	if (choice == CHOICE_EMAIL || choice == CHOICE_SMS) {
		r = sspr_ui_ask(&o->s.ui, true, &address, "%s",
				choice == CHOICE_EMAIL
				    ? _("Your backup email address: ")
				    : _("Your mobile number, with + and the "
					"country code: "));
		if (r < 0 || address[0] == '\0') {
			free(address);
			return;
		}
		r = choice == CHOICE_EMAIL
			? sspr_enroll_email(&o->s, address, log, sizeof(log))
			: sspr_enroll_sms(&o->s, address, log, sizeof(log));
		free(address);
	} else {
		r = sspr_enroll_totp(&o->s, log, sizeof(log));
	}
	sspr_session_log(&o->s, r == 0 ? LOG_NOTICE : LOG_WARNING,
			 "%s enrollment at sign-in for '%s': %s",
			 choice == CHOICE_EMAIL ? "email"
			 : choice == CHOICE_SMS ? "sms"
						: "authenticator app",
			 o->s.user, log);
}

/*
 * require, and nothing registered: this login ends, the next one asks
 * again. Nobody is locked out for good: it is one more try, or the
 * administrator.
 */
static int
refuse(const struct offer *o)
{
	sspr_ui_error(&o->s.ui, "%s",
		      _("You cannot sign in until a way to reset your "
			"password is registered, and none was registered "
			"now. Sign in again to try once more, or ask your "
			"administrator for help."));
	if (o->s.cfg->admin_contact != NULL)
		/* TRANSLATORS: %s is the administrator's address. */
		sspr_ui_error(&o->s.ui,
			      _("You can reach your administrator "
				"at %s."),
			      o->s.cfg->admin_contact);
	sspr_session_log(&o->s, LOG_WARNING,
			 "'%s' did not complete the required enrollment at "
			 "sign-in; session refused",
			 o->s.user);
	return PAM_SESSION_ERR;
}

/* The rounds of the menu, until enough is registered or it stops. */
static void
rounds(struct offer *o)
{
	unsigned round;
	enum choice choice;
	int r;

	for (round = 0; round < LOGIN_ROUNDS && !o->skipped &&
			o->have < o->s.cfg->methods_required;
	     round++) {
		r = menu(o, false, &choice);
		o->gone = r < 0 && r != -ENOENT;
		if (r < 0)
			break;
		if (choice == CHOICE_SKIP) {
			skip(o);
		} else if (choice == CHOICE_NONE) {
			sspr_ui_error(&o->s.ui, "%s",
				      _("Type one of the numbers shown."));
		} else {
			enroll_one(o, choice);
			r = reread(o);
			if (r < 0) {
				sspr_session_log(&o->s, LOG_ERR,
						 "cannot read the record of "
						 "'%s': %s",
						 o->s.user,
						 sspr_store_strerror(r));
				break;
			}
			if (o->have > 0 && o->have < o->s.cfg->methods_required)
				sspr_ui_info(&o->s.ui, "%s",
					     _("One more method is needed."));
		}
	}
}

/*
 * enable_entra_group, asked only once something is due: the offer is for
 * those who may reset. When Microsoft 365 cannot tell, no offer (and
 * require refuses no session: an outage keeps nobody out).
 */
static bool
entra_allows(const struct offer *o)
{
	char log[SSPR_ERR_MAX] = "";
	bool cached = false;
	int r;

	if (o->s.cfg->enable_entra_group == NULL)
		return true;
	r = sspr_entra_member(o->s.cfg, o->s.user, &cached, log, sizeof(log));
	if (r < 0)
		sspr_session_log(&o->s, LOG_ERR,
				 "enrollment for '%s' skipped: cannot ask "
				 "Microsoft 365 about enable_entra_group: %s",
				 o->s.user, log);
	return r > 0;
}

/*
 * reconfirm_days, for someone with enough methods: confirm them, or
 * (they are not the person's) change one in the registration dialogues.
 * Never refuses the session.
 */
static void
reconfirm(struct offer *o)
{
	enum choice choice = CHOICE_NONE;
	bool change = false;
	bool changed = false;
	time_t before;
	unsigned round;
	int r;

	if (!sspr_record_reconfirm_due(&o->rec, o->s.cfg->methods,
				       o->s.cfg->methods_required,
				       o->s.cfg->reconfirm_days, time(NULL)))
		return;
	/* Stamping a record older than the key asks nothing: no Graph. */
	if (o->rec.confirmed_at != 0 && !entra_allows(o))
		return;
	before = o->rec.confirmed_at;
	r = sspr_enroll_reconfirm(&o->s, &o->rec, &change);
	if (r < 0 || !change)
		return;
	sspr_ui_info(&o->s.ui, "%s",
		     _("Register the methods that are yours; each replaces the "
		       "one shown."));
	/* Each round may change one; Enter ends (both may be wrong). */
	for (round = 0; round < LOGIN_ROUNDS; round++) {
		r = menu(o, true, &choice);
		if (r < 0 || choice == CHOICE_SKIP)
			break;
		if (choice == CHOICE_NONE) {
			sspr_ui_error(&o->s.ui, "%s",
				      _("Type one of the numbers shown."));
			continue;
		}
		enroll_one(o, choice);
		/* A registration sets confirmed_at; a failed one does not. */
		if (reread(o) == 0 && o->rec.confirmed_at != before)
			changed = true;
	}
	if (!changed)
		sspr_ui_info(&o->s.ui, "%s",
			     _("Nothing was changed; you will be asked again "
			       "at your next sign-in."));
}

int
sspr_enroll_at_login(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		     const char *user)
{
	struct offer o = {
		.s = { .pamh = pamh,
		       .cfg = cfg,
		       .user = user,
		       .purpose = SSPR_PURPOSE_ENROLL },
		.require = cfg->enroll_at_login == SSPR_ENROLL_REQUIRE,
	};
	int rv = PAM_SUCCESS;
	int r;

	if (cfg->enroll_at_login == SSPR_ENROLL_OFF)
		return PAM_SUCCESS;
	sspr_conv_ui(pamh, &o.s.ui);
	r = reread(&o);
	if (r < 0) {
		/* Never keep someone out because of our own data. */
		sspr_session_log(&o.s, LOG_ERR,
				 "enrollment for '%s' skipped: cannot read the "
				 "record: %s",
				 user, sspr_store_strerror(r));
		goto out;
	}
	if (o.have >= cfg->methods_required) {
		reconfirm(&o);
		goto out;
	}
	if (!o.require && o.rec.remind_after > time(NULL))
		goto out;
	if (!entra_allows(&o))
		goto out;
	say_why(&o);
	rounds(&o);
	if (o.skipped || o.have >= cfg->methods_required ||
	    (o.gone && !o.require))
		goto out;
	if (o.require) {
		rv = refuse(&o);
	} else {
		sspr_ui_info(&o.s.ui, "%s",
			     _("Nothing more was registered now."));
		say_later(&o.s.ui);
	}
out:
	sspr_record_done(&o.rec);
	return rv;
}
