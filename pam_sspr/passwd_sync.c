/*
 * passwd with sync_on_passwd = yes: the module sits after pam_unix in the
 * password stack. The preliminary pass checks Microsoft 365 and keeps the
 * shadow line; the update pass, after pam_unix changed it, sets the same
 * password in Microsoft 365 or puts the old shadow line back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "sspr/flow.h"
#include "sspr/i18n.h"
#include "sspr/local_password.h"
#include "sspr/sync.h"
#include "sspr/util.h"

#define BACKUP_KEY "pam_sspr:shadow_backup"
/* Set when the preliminary pass refused: nothing may change. */
#define REFUSED_KEY "pam_sspr:refused"

static void
drop_backup(pam_handle_t *pamh, void *data, int error)
{
	(void)pamh;
	(void)error;
	sspr_free_secret(data);
}

/* Keep the user's shadow line in the PAM handle for the update pass. */
static int
keep_backup(pam_handle_t *pamh, const char *user)
{
	struct sspr_shadow_backup backup = { 0 };
	int r;

	r = sspr_shadow_backup(user, &backup);
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR,
			   "cannot save the shadow entry of '%s': %s", user,
			   strerror(-r));
		return PAM_AUTHTOK_ERR;
	}
	if (pam_set_data(pamh, BACKUP_KEY, backup.line, drop_backup) !=
	    PAM_SUCCESS) {
		sspr_shadow_backup_done(&backup);
		return PAM_BUF_ERR;
	}
	return PAM_SUCCESS;
}

/*
 * The shadow line is saved before Microsoft 365 is asked: should the
 * admin have made this line "optional", a refusal here does not stop
 * pam_unix, and the update pass must still be able to undo its change.
 */
static int
prelim(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	char msg[512] = "";
	char log[SSPR_ERR_MAX] = "";
	int rv;
	int r;

	rv = keep_backup(pamh, user);
	if (rv != PAM_SUCCESS)
		return rv;
	r = sspr_sync_precheck(cfg, user, msg, sizeof(msg), log, sizeof(log));
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR,
			   "Microsoft 365 check failed for '%s': %s", user,
			   log);
		pam_error(pamh, "%s", msg);
		(void)pam_set_data(pamh, REFUSED_KEY, (void *)REFUSED_KEY,
				   NULL);
		return PAM_AUTHTOK_ERR;
	}
	return PAM_SUCCESS;
}

static int
update(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	struct sspr_shadow_backup backup = { 0 };
	const void *data = NULL;
	const void *authtok = NULL;
	const void *refused = NULL;
	char msg[512] = "";
	char log[SSPR_ERR_MAX] = "";
	int r = -EPERM;

	if (pam_get_data(pamh, BACKUP_KEY, &data) != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR,
			   "password stack misordered: pam_sspr must follow "
			   "pam_unix");
		return PAM_AUTHTOK_ERR;
	}
	if (pam_get_item(pamh, PAM_AUTHTOK, &authtok) != PAM_SUCCESS ||
	    authtok == NULL) {
		/* The local password may have changed: put it back. */
		snprintf(log, sizeof(log), "no new password to send");
		snprintf(msg, sizeof(msg), "%s",
			 _("Microsoft 365 could not be given the new "
			   "password."));
		goto restore;
	}
	if (pam_get_data(pamh, REFUSED_KEY, &refused) == PAM_SUCCESS &&
	    refused != NULL) {
		/* Only reached when the stack ignored our refusal. */
		snprintf(log, sizeof(log), "refused by the preliminary check");
		goto restore;
	}
	r = sspr_sync_password(cfg, user, authtok, msg, sizeof(msg), log,
			       sizeof(log));
	if (r == 0) {
		pam_syslog(pamh, LOG_NOTICE,
			   "Microsoft 365 password of '%s' changed by passwd",
			   user);
		return PAM_SUCCESS;
	}
restore:
	pam_syslog(pamh, LOG_ERR,
		   "Microsoft 365 refused the new password of '%s' (%s); "
		   "restoring the previous local password",
		   user, log);
	backup.line = (char *)data;
	if (sspr_shadow_restore(user, &backup) < 0) {
		pam_syslog(pamh, LOG_CRIT,
			   "cannot restore the previous local password of "
			   "'%s': local and Microsoft 365 passwords differ",
			   user);
		pam_error(pamh, "%s",
			  _("Your password was changed on this computer but "
			    "not in Microsoft 365. Please contact your "
			    "administrator."));
		return PAM_AUTHTOK_ERR;
	}
	if (r == -EINPROGRESS) {
		/* The PATCH may still land there: the admin must know. */
		pam_syslog(pamh, LOG_CRIT,
			   "Microsoft 365 did not confirm the new password of "
			   "'%s': the local password was restored, Microsoft "
			   "365 may have the new one",
			   user);
		pam_error(pamh, "%s", msg);
		return PAM_AUTHTOK_ERR;
	}
	if (refused == NULL)
		pam_error(pamh, "%s", msg);
	pam_error(pamh, "%s", _("Your password was not changed."));
	return PAM_AUTHTOK_ERR;
}

int
sspr_passwd_chauthtok(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg,
		      const char *user)
{
	if ((flags & PAM_PRELIM_CHECK) != 0)
		return prelim(pamh, cfg, user);
	if ((flags & PAM_UPDATE_AUTHTOK) != 0)
		return update(pamh, cfg, user);
	return PAM_IGNORE;
}
