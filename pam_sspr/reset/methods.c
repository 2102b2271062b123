/*
 * The second stage of the reset: which registered methods the person
 * has, a choice between them, and the challenge with each (the code by
 * mail or text message and the authenticator code of
 * pam_sspr/challenge/).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "sspr/auth/otp_code.h"
#include "sspr/auth/ratelimit.h"
#include "sspr/challenge/app_code.h"
#include "sspr/challenge/mail_code.h"
#include "sspr/change/sync.h"
#include "sspr/common/address.h"
#include "sspr/common/i18n.h"
#include "sspr/common/phone.h"
#include "sspr/common/util.h"
#include "sspr/reset/stages.h"

static bool
wants(const struct sspr_reset *r, unsigned method)
{
	return (r->session.cfg->methods & method) != 0;
}

/* The address or number from Microsoft 365, when the record has none. */
static void
load_entra(struct sspr_reset *r, bool phone)
{
	char log[SSPR_ERR_MAX] = "";
	int e;

	e = phone ? sspr_sync_entra_phone(r->session.cfg, r->session.user,
					  &r->phone, log, sizeof(log))
		  : sspr_sync_entra_email(r->session.cfg, r->session.user,
					  &r->email, log, sizeof(log));
	if (e < 0)
		sspr_session_log(&r->session, LOG_ERR,
				 "cannot read the Microsoft 365 %s method "
				 "of '%s': %s",
				 phone ? "phone" : "email", r->session.user,
				 log);
}

int
sspr_reset_load_methods(struct sspr_reset *r, bool *ret_locked)
{
	unsigned source = r->session.cfg->email_source;
	unsigned phones = r->session.cfg->phone_source;
	struct sspr_record rec = { 0 };
	int lock;
	int e;

	e = sspr_session_record_open(&r->session, &rec, &lock);
	if (e < 0)
		return e;
	*ret_locked = sspr_is_locked(&rec, time(NULL));
	if (wants(r, SSPR_METHOD_TOTP))
		r->has_totp = rec.totp_secret != NULL;
	if (wants(r, SSPR_METHOD_EMAIL) && rec.email != NULL &&
	    source != SSPR_EMAIL_ENTRA)
		r->email = sspr_strdup(rec.email);
	if (wants(r, SSPR_METHOD_SMS) && rec.phone != NULL &&
	    phones != SSPR_PHONE_ENTRA)
		r->phone = sspr_strdup(rec.phone);
	sspr_session_record_close(&r->session, &rec, lock, false);
	if (wants(r, SSPR_METHOD_EMAIL) && r->email == NULL &&
	    source != SSPR_EMAIL_LOCAL && !*ret_locked)
		load_entra(r, false);
	if (wants(r, SSPR_METHOD_SMS) && r->phone == NULL &&
	    phones != SSPR_PHONE_LOCAL && !*ret_locked)
		load_entra(r, true);
	return 0;
}

/* Has the person method m, not passed yet? */
static bool
left(const struct sspr_reset *r, enum sspr_method m)
{
	bool has = m == SSPR_M_EMAIL  ? r->email != NULL
		   : m == SSPR_M_TOTP ? r->has_totp
				      : r->phone != NULL;

	return has && !r->used[m];
}

unsigned
sspr_reset_methods_left(const struct sspr_reset *r)
{
	unsigned n = 0;
	unsigned m;

	for (m = 0; m < SSPR_M_COUNT; m++)
		n += (unsigned)left(r, (enum sspr_method)m);
	return n;
}

/* One line of the menu: "  2) Text message code to +81 ••• •••• 5678". */
static void
menu_line(const struct sspr_reset *r, enum sspr_method m, unsigned n, char *buf,
	  size_t len, size_t *pos)
{
	char *masked = m == SSPR_M_EMAIL ? sspr_address_mask(r->email)
		       : m == SSPR_M_SMS ? sspr_phone_mask(r->phone)
					 : NULL;
	const char *shown = masked != NULL ? masked : "";
	int k;

	k = snprintf(buf + *pos, len - *pos, "\n  %u) ", n);
	if (k > 0 && (size_t)k < len - *pos)
		*pos += (size_t)k;
	/* TRANSLATORS: menu lines; %s is the masked address or number. */
	if (m == SSPR_M_EMAIL)
		k = snprintf(buf + *pos, len - *pos, _("Email code to %s"),
			     shown);
	else if (m == SSPR_M_SMS)
		k = snprintf(buf + *pos, len - *pos,
			     _("Text message code to %s"), shown);
	else
		k = snprintf(buf + *pos, len - *pos, "%s",
			     _("Authenticator app code"));
	if (k > 0 && (size_t)k < len - *pos)
		*pos += (size_t)k;
	free(masked);
}

/* The menu of n options. */
static void
show_menu(struct sspr_reset *r, const enum sspr_method *options, unsigned n)
{
	char buf[1024];
	char *masked;
	size_t pos;
	unsigned i;

	/* The two methods there were first: the wording translators know. */
	if (n == 2 && options[0] == SSPR_M_EMAIL && options[1] == SSPR_M_TOTP) {
		masked = sspr_address_mask(r->email);
		sspr_ui_info(&r->session.ui,
			     /* TRANSLATORS: %s is the masked address. */
			     _("Verify your identity with one of your "
			       "registered methods:\n  1) Email code to %s\n"
			       "  2) Authenticator app code"),
			     masked != NULL ? masked : "");
		free(masked);
		return;
	}
	pos = (size_t)snprintf(buf, sizeof(buf), "%s",
			       _("Verify your identity with one of your "
				 "registered methods:"));
	if (pos >= sizeof(buf))
		pos = sizeof(buf) - 1;
	for (i = 0; i < n; i++)
		menu_line(r, options[i], i + 1, buf, sizeof(buf), &pos);
	sspr_ui_info(&r->session.ui, "%s", buf);
}

/* A short menu when more than one method is left; 0 with *ret_method. */
static int
choose_method(struct sspr_reset *r, enum sspr_method *ret_method)
{
	static const enum sspr_method order[] = { SSPR_M_EMAIL, SSPR_M_SMS,
						  SSPR_M_TOTP };
	enum sspr_method options[SSPR_M_COUNT];
	char *answer = NULL;
	unsigned n = 0;
	unsigned long pick = 1;
	size_t i;
	int e;

	/* Email before the app, as before; text messages beside email. */
	for (i = 0; i < SSPR_ARRAY_SIZE(order); i++)
		if (left(r, order[i]))
			options[n++] = order[i];
	if (n == 1) {
		*ret_method = options[0];
		return 0;
	}
	show_menu(r, options, n);
	for (;;) {
		e = sspr_ui_ask(&r->session.ui, true, &answer, "%s",
				_("Choice [1]: "));
		if (e < 0)
			return e;
		e = answer[0] == '\0' ? 0
				      : sspr_parse_uint(answer, 1, n, &pick);
		free(answer);
		if (e == 0)
			break;
		sspr_ui_error(&r->session.ui,
			      _("Please type a number from 1 to %u."), n);
	}
	*ret_method = options[pick - 1];
	return 0;
}

static int
pass_method(struct sspr_reset *r, enum sspr_method m)
{
	struct sspr_mail_code mc = { .address = r->email,
				     .notice_to = r->email };

	if (m == SSPR_M_SMS) {
		mc.channel = SSPR_CODE_BY_SMS;
		mc.address = r->phone;
	}
	if (m == SSPR_M_EMAIL || m == SSPR_M_SMS)
		return sspr_mail_code_dialogue(&r->session, &mc);
	return sspr_app_code_dialogue(&r->session, NULL,
				      r->session.cfg->code_attempts, r->email);
}

/* Identity proven: failed challenges no longer count, the code is spent. */
static void
forget_failed_challenges(struct sspr_reset *r)
{
	struct sspr_record rec = { 0 };
	int lock;

	if (sspr_session_record_open(&r->session, &rec, &lock) == 0) {
		sspr_clear_failures(&rec);
		sspr_code_slot_clear(&rec.reset_code);
		sspr_session_record_close(&r->session, &rec, lock, true);
	}
}

int
sspr_reset_challenge(struct sspr_reset *r)
{
	enum sspr_method m;
	int e;

	while ((unsigned)r->used[SSPR_M_EMAIL] +
		   (unsigned)r->used[SSPR_M_TOTP] +
		   (unsigned)r->used[SSPR_M_SMS] <
	       r->session.cfg->methods_required) {
		e = choose_method(r, &m);
		if (e == 0)
			e = pass_method(r, m);
		if (e < 0)
			return e == -ECANCELED ? PAM_CONV_ERR : PAM_AUTH_ERR;
		r->used[m] = true;
	}
	forget_failed_challenges(r);
	return PAM_SUCCESS;
}
