/*
 * The verbs any user runs on their own record: status, enroll, remove.
 * They change nothing before the caller has passed the gate and proved
 * who they are (prepare_interactive()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "sspr/challenge/session.h"
#include "sspr/cmd/output.h"
#include "sspr/cmd/priv.h"
#include "sspr/cmd/reauth.h"
#include "sspr/cmd/tty_ui.h"
#include "sspr/cmd/verbs.h"
#include "sspr/common/address.h"
#include "sspr/common/errors.h"
#include "sspr/common/gate.h"
#include "sspr/common/i18n.h"
#include "sspr/common/phone.h"
#include "sspr/common/util.h"
#include "sspr/enroll/enroll.h"
#include "sspr/mail/text.h"

/* Each verb works in a session as its caller, raising privileges as needed. */
static struct sspr_session
session_of(const struct ctx *c, const char *user)
{
	struct sspr_session s = {
		.cfg = &c->cfg,
		.user = user,
		.ui = c->ui,
		.raise = priv_raise,
		.lower = priv_lower,
	};

	return s;
}

int
load_record(const struct ctx *c, const char *user, struct sspr_record *rec)
{
	struct sspr_session s = session_of(c, user);

	return sspr_session_record_read(&s, rec);
}

/* Interactive verbs need a terminal and, for ordinary users, the gate. */
static int
prepare_interactive(struct ctx *c, bool gate)
{
	int r;

	if (!isatty(STDIN_FILENO)) {
		fail(_("this command needs a terminal"));
		return EXIT_FAIL;
	}
	r = sspr_tty_open(&c->tty);
	if (r < 0) {
		fail(_("cannot open the terminal: %s"), strerror(-r));
		return EXIT_FAIL;
	}
	sspr_tty_ui(&c->tty, &c->ui);
	if (c->root)
		return 0;
	if (gate && !sspr_gate_allowed(NULL, &c->cfg, c->user)) {
		fail(_("self-service password reset is not enabled for your "
		       "account; ask your administrator"));
		return EXIT_DENIED;
	}
	return reauthenticate(&c->tty, c->user);
}

int
cmd_status(struct ctx *c, int argc, char **argv)
{
	struct sspr_record rec = { 0 };
	unsigned n;
	char *masked;
	int r;

	(void)argc;
	(void)argv;
	r = load_record(c, c->user, &rec);
	if (r < 0) {
		fail(_("cannot read your record: %s"), sspr_store_strerror(r));
		return EXIT_FAIL;
	}
	if (!sspr_gate_allowed(NULL, &c->cfg, c->user))
		printf(_("Self-service password reset is not enabled for your "
			 "account.\n"));
	n = sspr_record_method_count(&rec, c->cfg.methods);
	if (rec.email == NULL && rec.totp_secret == NULL && rec.phone == NULL) {
		printf(_("No methods are registered for %s.\n"), c->user);
	} else {
		printf(_("Methods registered for %s:\n"), c->user);
		if (rec.email != NULL) {
			masked = sspr_address_mask(rec.email);
			printf(_("  backup email %s\n"), masked ? masked : "?");
			free(masked);
		}
		if (rec.totp_secret != NULL)
			printf(_("  authenticator app (registered)\n"));
		if (rec.phone != NULL) {
			masked = sspr_phone_mask(rec.phone);
			printf(_("  mobile number %s\n"),
			       masked ? masked : "?");
			free(masked);
		}
	}
	if (n < c->cfg.methods_required)
		printf(_("Resetting a forgotten password needs %u registered "
			 "method(s). Register with \"sspr enroll email "
			 "ADDRESS\" or \"sspr enroll totp\".\n"),
		       c->cfg.methods_required);
	sspr_record_done(&rec);
	return EXIT_OK;
}

int
cmd_enroll(struct ctx *c, int argc, char **argv)
{
	char log[SSPR_ERR_MAX] = "";
	struct sspr_session s;
	int r;

	if (!(argc == 2 && strcmp(argv[0], "email") == 0) &&
	    !(argc == 2 && strcmp(argv[0], "sms") == 0) &&
	    !(argc == 1 && strcmp(argv[0], "totp") == 0)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = prepare_interactive(c, true);
	if (r != 0)
		return r;
	s = session_of(c, c->user);
	if (strcmp(argv[0], "email") == 0)
		r = sspr_enroll_email(&s, argv[1], log, sizeof(log));
	else if (strcmp(argv[0], "sms") == 0)
		r = sspr_enroll_sms(&s, argv[1], log, sizeof(log));
	else
		r = sspr_enroll_totp(&s, log, sizeof(log));
	syslog(LOG_AUTHPRIV | (r == 0 ? LOG_NOTICE : LOG_WARNING),
	       "%s enrollment for '%s': %s", argv[0], c->user, log);
	if (r == -ENOTSUP)
		return EXIT_DENIED; /* the method is not offered here */
	return r == 0 ? EXIT_OK : EXIT_FAIL;
}

int
remove_method(struct ctx *c, const char *user, const char *method,
	      char **ret_email)
{
	struct sspr_record rec = { 0 };
	bool had;
	int lock;
	int r;

	*ret_email = NULL;
	r = priv_raise();
	if (r < 0)
		return r;
	lock = sspr_store_lock(c->cfg.state_dir, user);
	if (lock < 0) {
		priv_lower();
		return lock;
	}
	r = sspr_store_load(c->cfg.state_dir, user, &rec);
	if (method == NULL) {
		/* A damaged record can be removed too: then nobody is told. */
		if (r == 0 && rec.email != NULL)
			*ret_email = sspr_strdup(rec.email);
		r = sspr_store_remove(c->cfg.state_dir, user);
	} else if (r == 0) {
		if (rec.email != NULL)
			*ret_email = sspr_strdup(rec.email);
		if (strcmp(method, "email") == 0) {
			had = rec.email != NULL;
			free(rec.email);
			rec.email = NULL;
		} else if (strcmp(method, "sms") == 0) {
			had = rec.phone != NULL;
			free(rec.phone);
			rec.phone = NULL;
		} else {
			had = rec.totp_secret != NULL;
			sspr_free_secret(rec.totp_secret);
			rec.totp_secret = NULL;
			rec.totp_last_step = 0;
		}
		r = had ? sspr_store_save(c->cfg.state_dir, user, &rec)
			: -ENOENT;
	}
	sspr_store_unlock(lock);
	priv_lower();
	sspr_record_done(&rec);
	if (r < 0) {
		free(*ret_email);
		*ret_email = NULL;
	}
	return r;
}

void
notify_removed(struct ctx *c, const char *user, const char *method,
	       const char *email, bool by_admin, char *log, size_t loglen)
{
	struct sspr_method_change change = {
		.method = method == NULL		 ? SSPR_CHANGE_ALL
			  : strcmp(method, "email") == 0 ? SSPR_CHANGE_EMAIL
			  : strcmp(method, "sms") == 0	 ? SSPR_CHANGE_PHONE
							 : SSPR_CHANGE_TOTP,
		.action = SSPR_CHANGE_REMOVED,
		.by_admin = by_admin,
	};
	struct sspr_session s = session_of(c, user);

	log[0] = '\0';
	sspr_enroll_notify(&s, &change, email, NULL, log, loglen);
}

bool
method_word(const char *w)
{
	return strcmp(w, "email") == 0 || strcmp(w, "totp") == 0 ||
	       strcmp(w, "sms") == 0;
}

int
cmd_remove(struct ctx *c, int argc, char **argv)
{
	char log[SSPR_ERR_MAX];
	char *email = NULL;
	int r;

	if (argc != 1 || !method_word(argv[0])) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = prepare_interactive(c, false);
	if (r != 0)
		return r;
	r = remove_method(c, c->user, argv[0], &email);
	if (r == -ENOENT) {
		printf(strcmp(argv[0], "email") == 0
			   ? _("No backup email address is registered.\n")
		       : strcmp(argv[0], "sms") == 0
			   ? _("No mobile number is registered.\n")
			   : _("No authenticator app is registered.\n"));
		return EXIT_OK;
	}
	if (r < 0) {
		fail(_("cannot change your record: %s"),
		     sspr_store_strerror(r));
		return EXIT_FAIL;
	}
	notify_removed(c, c->user, argv[0], email, false, log, sizeof(log));
	free(email);
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "'%s' removed their %s method%s",
	       c->user, argv[0], log);
	printf(strcmp(argv[0], "email") == 0
		   ? _("Your backup email address was removed.\n")
	       : strcmp(argv[0], "sms") == 0
		   ? _("Your mobile number was removed.\n")
		   : _("Your authenticator app was removed. You can delete "
		       "its entry in the app.\n"));
	return EXIT_OK;
}
