/*
 * The "help us protect your account" offer at sign-in (PAM session):
 * a menu of the methods still missing, a reminder when skipped, and with
 * enroll_at_login = require no session without one.
 */
#include "sspr/enroll/enroll.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "sspr/common/conv.h"
#include "sspr/enroll/internal.h"
#include "sspr/common/i18n.h"
#include "sspr/common/store.h"

#define LOGIN_ROUNDS 3

static int
set_reminder(const struct sspr_cfg *cfg, const char *user, time_t when)
{
	struct sspr_record rec = { 0 };
	int lock = -1;
	int r;

	r = sspr_enroll_record_open(cfg, user, &rec, &lock);
	if (r < 0)
		return r;
	rec.remind_after = when;
	r = sspr_enroll_record_close(cfg, user, &rec, lock, true);
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
	r = sspr_enroll_record_read(cfg, user, &rec);
	if (r < 0) {
		/* Never keep someone out because of our own data. */
		pam_syslog(pamh, LOG_ERR,
			   "enrollment for '%s' skipped: cannot "
			   "read the record: %s",
			   user, sspr_enroll_store_problem(r));
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
					   user, sspr_enroll_store_problem(r));
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
		r = sspr_enroll_record_read(cfg, user, &rec);
		if (r < 0) {
			pam_syslog(pamh, LOG_ERR,
				   "cannot read the record of "
				   "'%s': %s",
				   user, sspr_enroll_store_problem(r));
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
