/*
 * pam_sspr: self-service password reset at the console login prompt.
 *
 * Entry points only. This object is loaded into every login, su, sudo and
 * sshd process whose stack names it, so it stays lean: it reads the
 * configuration, decides whether the person is offered the "forgot
 * password" branch (or enrollment after sign-in), and only then loads
 * sspr-flow.so, where network, crypto and JSON work lives.
 *
 * sspr-flow.so is loaded and runs only with the environment that steers
 * libcurl and OpenSSL hidden (sspr/common/env.h): the host may be setuid passwd
 * or su, running as root with the caller's variables. The host gets its
 * environment back when the call returns.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "sspr/common/config.h"
#include "sspr/common/conv.h"
#include "sspr/common/env.h"
#include "sspr/common/gate.h"
#include "sspr/common/i18n.h"
#include "sspr/common/lang.h"
#include "sspr/common/journal.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"
#include "sspr/module/loader.h"

#define UNUSED __attribute__((unused))
/* Built with -fvisibility=hidden: only the entry points are exported. */
#define EXPORT __attribute__((visibility("default")))

/*
 * Load the configuration; on failure log it and tell the person once.
 * Returns a PAM code.
 */
static int
load_config(pam_handle_t *pamh, int flags, int argc, const char **argv,
	    bool speak, struct sspr_cfg *cfg)
{
	char err[SSPR_ERR_MAX];

	if (sspr_cfg_load(cfg, argc, argv, err, sizeof(err)) == 0)
		return PAM_SUCCESS;
	pam_syslog(pamh, LOG_ERR, "configuration error: %s", err);
	if (speak && (flags & (int)PAM_SILENT) == 0)
		pam_error(pamh, "%s",
			  _("Password reset is unavailable because of a "
			    "configuration problem. Please contact your "
			    "administrator."));
	return PAM_SERVICE_ERR;
}

/* Only the services the admin listed, and only with someone to talk to. */
static bool
offered_here(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg)
{
	const void *service = NULL;
	const void *conv = NULL;

	if ((flags & (int)PAM_SILENT) != 0 || cfg->enable == SSPR_ENABLE_NONE)
		return false;
	if (pam_get_item(pamh, PAM_SERVICE, &service) != PAM_SUCCESS ||
	    service == NULL || !sspr_cfg_service_listed(cfg, service))
		return false;
	return pam_get_item(pamh, PAM_CONV, &conv) == PAM_SUCCESS &&
	       conv != NULL;
}

static bool
service_is(pam_handle_t *pamh, const char *name)
{
	const void *service = NULL;

	return pam_get_item(pamh, PAM_SERVICE, &service) == PAM_SUCCESS &&
	       service != NULL && strcmp(service, name) == 0;
}

static int
load_flow(pam_handle_t *pamh, const struct sspr_flow_api **ret_api, bool speak)
{
	char err[SSPR_ERR_MAX];
	int r;

	r = sspr_flow_load(ret_api, err, sizeof(err));
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot load the reset library: %s",
			   err);
		if (speak)
			pam_error(pamh, "%s",
				  _("Password reset is unavailable on this "
				    "computer right now. Please contact your "
				    "administrator."));
		return PAM_SERVICE_ERR;
	}
	return PAM_SUCCESS;
}

/*
 * The language switch of lang.c, made the first time an entry point is
 * about to speak: the session stage of a plain login never does.
 */
struct voice {
	struct sspr_lang lang;
	unsigned mode; /* console_language */
	bool on;
};

static void
voice_on(struct voice *v)
{
	if (v->on)
		return;
	sspr_lang_begin(&v->lang, v->mode);
	v->on = true;
}

/*
 * Before anything else for this user: a synced password change that a
 * dead process left half done is finished, so that the person meets one
 * password. Costs one stat() when there is nothing to do. Only root can
 * read the journal (a screen locker running as the user cannot). True
 * when the local password changed.
 */
static bool
reconcile_first(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg,
		struct voice *voice)
{
	const struct sspr_flow_api *api = NULL;
	struct sspr_env env = { .active = false };
	const void *item = NULL;
	bool changed = false;
	const char *user;

	if (geteuid() != 0 ||
	    pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || item == NULL)
		return false;
	user = item;
	if (!sspr_store_name_ok(user) ||
	    !sspr_journal_exists(cfg->state_dir, user))
		return false;
	if (voice != NULL)
		voice_on(voice);
	sspr_env_scrub(&env);
	if (load_flow(pamh, &api, false) == PAM_SUCCESS)
		changed = api->reconcile(pamh, cfg, user,
					 (flags & (int)PAM_SILENT) == 0) > 0;
	sspr_env_restore(&env);
	return changed;
}

/*
 * The stack placed us after pam_unix, which failed. An empty password
 * means "I do not know it" and goes straight to the branch; otherwise ask,
 * defaulting to No so a mistyped password costs one keystroke.
 */
static bool
wants_reset(pam_handle_t *pamh)
{
	const void *authtok = NULL;
	struct sspr_ui ui;
	bool yes = false;

	if (pam_get_item(pamh, PAM_AUTHTOK, &authtok) != PAM_SUCCESS ||
	    authtok == NULL || ((const char *)authtok)[0] == '\0')
		return true;
	sspr_conv_ui(pamh, &ui);
	if (sspr_ui_confirm(&ui, false, &yes, "%s",
			    /*
			     * TRANSLATORS: after a wrong password. Keep
			     * "[y/N]": rpmatch(3) reads the answer, so "y"
			     * and your locale's yes (はい) are yes.
			     */
			    _("Forgot your password? Reset it now [y/N]: ")) <
	    0)
		return false;
	return yes;
}

EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct sspr_flow_api *api = NULL;
	struct sspr_env env = { .active = false };
	struct sspr_lang lang = { 0 };
	struct sspr_cfg cfg = { 0 };
	const char *user = NULL;
	int rv;

	rv = load_config(pamh, flags, argc, argv, true, &cfg);
	if (rv != PAM_SUCCESS)
		goto out;
	sspr_lang_begin(&lang, cfg.console_language);
	/*
	 * pam_unix already judged the password against the entry as it
	 * was: ask for it again rather than offer a reset now.
	 */
	if (reconcile_first(pamh, flags, &cfg, NULL)) {
		rv = PAM_AUTH_ERR;
		goto out;
	}
	rv = PAM_IGNORE;
	if (!offered_here(pamh, flags, &cfg))
		goto out;
	rv = pam_get_user(pamh, &user, NULL);
	if (rv == PAM_CONV_AGAIN) {
		rv = PAM_INCOMPLETE;
		goto out;
	}
	if (rv != PAM_SUCCESS || user == NULL || user[0] == '\0') {
		rv = PAM_IGNORE;
		goto out;
	}
	if (!wants_reset(pamh)) {
		rv = PAM_IGNORE;
		goto out;
	}
	sspr_env_scrub(&env);
	rv = load_flow(pamh, &api, true);
	if (rv != PAM_SUCCESS)
		goto out;
	rv = api->reset(pamh, &cfg, user);
out:
	sspr_env_restore(&env);
	sspr_lang_end(&lang);
	if (cfg.debug)
		pam_syslog(pamh, LOG_DEBUG, "authenticate: %s",
			   pam_strerror(pamh, rv));
	sspr_cfg_done(&cfg);
	return rv;
}

EXPORT int
pam_sm_setcred(pam_handle_t *pamh UNUSED, int flags UNUSED, int argc UNUSED,
	       const char **argv UNUSED)
{
	return PAM_IGNORE;
}

/*
 * Methods the user could be challenged with. An address registered in
 * Microsoft 365 (email_source = entra | both) needs no local record, so
 * it counts here without asking Microsoft 365 on every login.
 */
static unsigned
methods_available(const struct sspr_cfg *cfg, const struct sspr_record *rec)
{
	unsigned n = sspr_record_method_count(rec, cfg->methods);

	if ((cfg->methods & SSPR_METHOD_EMAIL) != 0 && rec->email == NULL &&
	    cfg->email_source != SSPR_EMAIL_LOCAL)
		n++;
	return n;
}

/*
 * Does this sign-in call for "help us protect your account", or for
 * confirming the methods (reconfirm_days)? The record
 * is read before the gate is asked: nearly every login is by someone who
 * has registered, and the gate's account and group lookups cost more than
 * the record (make bench, "login vs pam_google_authenticator").
 */
static bool
needs_enrollment(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		 const char *user)
{
	struct sspr_record rec = { 0 };
	bool needed = false;
	int r;

	r = sspr_store_load(cfg->state_dir, user, &rec);
	if (r < 0 && r != -ENOENT) {
		if (sspr_gate_allowed(pamh, cfg, user))
			pam_syslog(pamh, LOG_ERR,
				   "cannot read the reset record of '%s': %s",
				   user, strerror(-r));
		goto out;
	}
	if (methods_available(cfg, &rec) < cfg->methods_required)
		needed = (cfg->enroll_at_login == SSPR_ENROLL_REQUIRE ||
			  rec.remind_after <= time(NULL)) &&
			 sspr_gate_allowed(pamh, cfg, user);
	/* reconfirm_days: one more comparison, nothing else is read. */
	else if (sspr_record_reconfirm_due(&rec, cfg->methods,
					   cfg->methods_required,
					   cfg->reconfirm_days, time(NULL)))
		needed = sspr_gate_allowed(pamh, cfg, user);
out:
	sspr_record_done(&rec);
	return needed;
}

EXPORT int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct sspr_flow_api *api = NULL;
	struct sspr_env env = { .active = false };
	struct voice voice = { .on = false };
	struct sspr_cfg cfg = { 0 };
	const char *user = NULL;
	int rv;

	/* A broken config must not stop people from working: only log. */
	if (load_config(pamh, flags, argc, argv, false, &cfg) != PAM_SUCCESS) {
		rv = PAM_IGNORE;
		goto out;
	}
	/*
	 * The language is switched only where the session stage speaks: a
	 * plain login pays nothing for it.
	 */
	voice.mode = cfg.console_language;
	(void)reconcile_first(pamh, flags, &cfg, &voice);
	rv = PAM_IGNORE;
	if (cfg.enroll_at_login == SSPR_ENROLL_OFF ||
	    !offered_here(pamh, flags, &cfg))
		goto out;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL ||
	    !sspr_store_name_ok(user) || !needs_enrollment(pamh, &cfg, user))
		goto out;
	voice_on(&voice);
	sspr_env_scrub(&env);
	if (load_flow(pamh, &api, true) != PAM_SUCCESS) {
		rv = cfg.enroll_at_login == SSPR_ENROLL_REQUIRE
			 ? PAM_SESSION_ERR
			 : PAM_IGNORE;
		goto out;
	}
	rv = api->enroll_at_login(pamh, &cfg, user);
out:
	sspr_env_restore(&env);
	sspr_lang_end(&voice.lang);
	sspr_cfg_done(&cfg);
	return rv;
}

EXPORT int
pam_sm_close_session(pam_handle_t *pamh UNUSED, int flags UNUSED,
		     int argc UNUSED, const char **argv UNUSED)
{
	return PAM_IGNORE;
}

/*
 * A broken configuration, in the password stack: passwd and chpasswd
 * (root's too) go on as if the module were absent, and the admin gets one
 * line per transaction, not one for each of libpam's two passes.
 */
static void
log_config_error_once(pam_handle_t *pamh, const char *err)
{
	static const char key[] = "pam_sspr:config_error_logged";
	const void *logged = NULL;

	if (pam_get_data(pamh, key, &logged) == PAM_SUCCESS && logged != NULL)
		return;
	pam_syslog(pamh, LOG_ERR,
		   "configuration error, password changes go on without "
		   "pam_sspr: %s",
		   err);
	(void)pam_set_data(pamh, key, (void *)key, NULL);
}

/*
 * With sync_on_passwd, passwd changes Microsoft 365 too. This runs for
 * every password change on the host, so it does nothing unless the sync
 * is validly configured and the user is one it is for.
 */
EXPORT int
pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct sspr_flow_api *api = NULL;
	struct sspr_env env = { .active = false };
	struct sspr_lang lang = { 0 };
	struct sspr_cfg cfg = { 0 };
	char err[SSPR_ERR_MAX];
	const char *user = NULL;
	int rv;

	rv = PAM_IGNORE;
	if (sspr_cfg_load(&cfg, argc, argv, err, sizeof(err)) < 0) {
		log_config_error_once(pamh, err);
		goto out;
	}
	sspr_lang_begin(&lang, cfg.console_language);
	/*
	 * The nested transaction of a reset (passwd_service) runs this
	 * stack too; the reset syncs by itself, so do not sync twice.
	 */
	if (service_is(pamh, cfg.passwd_service))
		goto out;
	/* Before pam_unix's update pass changes anything. */
	if ((flags & PAM_PRELIM_CHECK) != 0)
		(void)reconcile_first(pamh, flags, &cfg, NULL);
	if (!cfg.sync_on_passwd)
		goto out;
	rv = pam_get_user(pamh, &user, NULL);
	if (rv != PAM_SUCCESS || user == NULL) {
		rv = PAM_USER_UNKNOWN;
		goto out;
	}
	/* Only the users reset is for have a Microsoft 365 twin to sync. */
	rv = PAM_IGNORE;
	if (!sspr_gate_allowed(pamh, &cfg, user))
		goto out;
	sspr_env_scrub(&env);
	rv = load_flow(pamh, &api, true);
	if (rv != PAM_SUCCESS)
		goto out;
	rv = api->chauthtok(pamh, flags, &cfg, user);
out:
	sspr_env_restore(&env);
	sspr_lang_end(&lang);
	sspr_cfg_done(&cfg);
	return rv;
}
