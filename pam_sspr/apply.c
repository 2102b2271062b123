/*
 * Apply a new password: locally through the host's password stack, then
 * in Microsoft 365. The local change goes first because it alone can be
 * undone exactly (the previous shadow line is kept); the Microsoft 365
 * password can be set but never read back, so it is changed last.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "sspr/flow.h"
#include "sspr/i18n.h"
#include "sspr/local_password.h"
#include "sspr/store.h"
#include "sspr/sync.h"

/*
 * Note in the user's record that the local password is about to change
 * ahead of Microsoft 365 (when != 0), or that both agree again (0): if the
 * process dies in between, the next reset finds the mark and says so.
 */
static int
mark_sync_pending(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		  const char *user, time_t when)
{
	struct sspr_record rec = { 0 };
	int lock;
	int r;

	r = sspr_store_open_locked(cfg->state_dir, user, &rec, &lock);
	if (r == 0) {
		rec.sync_pending = when;
		r = sspr_store_close_locked(cfg->state_dir, user, &rec, lock,
					    true);
	}
	sspr_record_done(&rec);
	if (r < 0)
		pam_syslog(pamh, LOG_ERR,
			   "cannot update the reset record of '%s': %s", user,
			   strerror(-r));
	return r;
}

int
sspr_apply_password(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		    const struct sspr_local_password *local, const char *user,
		    const char *password, char *msg, size_t msglen)
{
	struct sspr_shadow_backup backup = { 0 };
	char stack_msg[512] = "";
	char log[SSPR_ERR_MAX] = "";
	bool sync = cfg->sync == SSPR_SYNC_REQUIRED;
	int r;

	if (sync) {
		r = local->backup(user, &backup);
		/* Without the mark a lost process could go unnoticed. */
		if (r == 0)
			r = mark_sync_pending(pamh, cfg, user, time(NULL));
		else
			pam_syslog(pamh, LOG_ERR,
				   "cannot save the shadow entry of '%s': %s",
				   user, strerror(-r));
		if (r < 0) {
			snprintf(msg, msglen, "%s",
				 _("Your password could not be changed because "
				   "of a problem on this computer. Please "
				   "contact your administrator."));
			goto out;
		}
	}
	r = local->set(cfg, user, password, stack_msg, sizeof(stack_msg));
	if (r < 0) {
		pam_syslog(pamh, LOG_NOTICE,
			   "local password stack refused the new password of "
			   "'%s': %s",
			   user, stack_msg);
		snprintf(msg, msglen, _("This password was not accepted: %s"),
			 stack_msg);
		r = -EINVAL;
		goto agreed;
	}
	pam_syslog(pamh, LOG_NOTICE, "local password of '%s' changed", user);
	if (!sync)
		goto out;
	r = sspr_sync_password(cfg, user, password, msg, msglen, log,
			       sizeof(log));
	if (r == 0) {
		pam_syslog(pamh, LOG_NOTICE,
			   "Microsoft 365 password of '%s' changed", user);
		goto agreed;
	}
	pam_syslog(pamh, LOG_ERR,
		   "Microsoft 365 refused the new password of '%s' (%s); "
		   "restoring the previous local password",
		   user, log);
	if (local->restore(user, &backup) < 0) {
		/* The one state we promise never to leave: say it loudly. */
		pam_syslog(pamh, LOG_CRIT,
			   "cannot restore the previous local password of "
			   "'%s': local and Microsoft 365 passwords differ",
			   user);
		snprintf(msg, msglen, "%s",
			 _("Your password was changed on this computer but "
			   "not in Microsoft 365. Please contact your "
			   "administrator."));
		/* Keep the mark: the two passwords do differ. */
		r = -EIO;
		goto out;
	}
	if (r == -EINPROGRESS) {
		/* The PATCH may still land: keep the mark for the admin. */
		pam_syslog(pamh, LOG_CRIT,
			   "Microsoft 365 did not confirm the new password of "
			   "'%s': the local password was restored, Microsoft "
			   "365 may have the new one",
			   user);
		goto out;
	}
agreed:
	if (sync)
		mark_sync_pending(pamh, cfg, user, 0);
out:
	sspr_shadow_backup_done(&backup);
	return r;
}
