/*
 * Apply a new password: locally through the host's password stack, then
 * in Microsoft 365. The local change goes first because it alone can be
 * undone exactly (the shadow fields it replaces are kept); the Microsoft
 * 365 password can be set but never read back, so it is changed last.
 *
 * A synced change is written down before it starts, in the user's
 * journal of intent (include/sspr/common/journal.h), and the journal follows
 * every stage: if the process dies anywhere in between, reconciliation
 * (reconcile.c) finishes the change from it and both passwords agree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "sspr/change/apply.h"
#include "sspr/change/local_password.h"
#include "sspr/change/sync.h"
#include "sspr/common/i18n.h"
#include "sspr/common/journal.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

static const char *
trouble_sentence(void)
{
	return _("Your password could not be changed because of a problem on "
		 "this computer. Please contact your administrator.");
}

/* The journal could not be locked, written or removed. */
static void
journal_failed(pam_handle_t *pamh, const char *what, const char *user, int r)
{
	pam_syslog(pamh, LOG_ERR,
		   "cannot %s the password change journal of '%s': %s", what,
		   user, strerror(-r));
}

int
sspr_change_begin(pam_handle_t *pamh, struct sspr_change *c,
		  const struct sspr_cfg *cfg,
		  const struct sspr_local_password *local, const char *user,
		  unsigned path, char *msg, size_t msglen)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->local = local;
	c->lock = -1;
	c->state_dir = sspr_strdup(cfg->state_dir);
	c->user = sspr_strdup(user);
	if (c->state_dir == NULL || c->user == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	/* Nobody else changes or reconciles this user's password now. */
	r = sspr_journal_lock(c->state_dir, user, 0);
	if (r < 0) {
		journal_failed(pamh, "lock", user, r);
		goto fail;
	}
	c->lock = r;
	/* What an earlier write of an entry left is ours to remove now. */
	(void)sspr_journal_remove_temps(c->state_dir, user);
	if (sspr_journal_exists(c->state_dir, user)) {
		/* Its undo information would be lost: finish it first. */
		pam_syslog(pamh, LOG_ERR,
			   "password of '%s' not changed: an earlier change "
			   "is still unresolved (sspr admin show %s)",
			   user, user);
		snprintf(msg, msglen, "%s",
			 _("An earlier change of your password has not been "
			   "finished yet, so it cannot be changed now. Please "
			   "try again later or contact your administrator."));
		r = -EBUSY;
		goto out;
	}
	r = c->local->read(user, &c->j.old_local);
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR,
			   "cannot read the shadow entry of '%s': %s", user,
			   strerror(-r));
		goto fail;
	}
	c->j.path = path;
	c->j.stage = SSPR_JOURNAL_PREPARED;
	c->j.started = time(NULL);
	/* Durable before anything changes: the next run finishes from it. */
	r = sspr_journal_save(c->state_dir, user, &c->j);
	if (r < 0) {
		journal_failed(pamh, "write", user, r);
		goto fail;
	}
	c->active = true;
	return 0;
fail:
	snprintf(msg, msglen, "%s", trouble_sentence());
out:
	sspr_change_end(c);
	return r;
}

void
sspr_change_end(struct sspr_change *c)
{
	if (c->lock >= 0)
		sspr_store_unlock(c->lock);
	c->lock = -1;
	free(c->state_dir);
	free(c->user);
	c->state_dir = NULL;
	c->user = NULL;
	c->active = false;
	sspr_wipe(&c->j, sizeof(c->j));
}

/* Both sides agree: the entry goes. */
static void
finished(pam_handle_t *pamh, struct sspr_change *c)
{
	int r;

	r = sspr_journal_remove(c->state_dir, c->user);
	if (r < 0)
		journal_failed(pamh, "remove", c->user, r);
	c->active = false;
}

int
sspr_change_abandon(pam_handle_t *pamh, struct sspr_change *c)
{
	struct sspr_shadow_fields cur;
	int r;

	if (!c->active)
		return 0;
	r = c->local->read(c->user, &cur);
	/*
	 * The stack may have written the new hash and failed afterwards:
	 * put back what it replaced, and only that.
	 */
	if (r == 0 && !sspr_shadow_fields_eq(&cur, &c->j.old_local)) {
		r = c->local->swap(c->user, &cur, &c->j.old_local);
		if (r == 0)
			pam_syslog(pamh, LOG_NOTICE,
				   "local password of '%s' put back after a "
				   "failed change",
				   c->user);
	}
	sspr_wipe(&cur, sizeof(cur));
	if (r < 0) {
		pam_syslog(pamh, LOG_CRIT,
			   "cannot check or put back the local password of "
			   "'%s' (%s): left for reconciliation",
			   c->user, strerror(-r));
		c->active = false;
		return r;
	}
	finished(pamh, c);
	return 0;
}

int
sspr_change_local_done(pam_handle_t *pamh, struct sspr_change *c)
{
	int r;

	r = c->local->read(c->user, &c->j.new_local);
	if (r == 0 && sspr_shadow_fields_eq(&c->j.new_local, &c->j.old_local))
		r = -ENOENT;
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR,
			   "the local password of '%s' did not change in "
			   "/etc/shadow (%s): nothing sent to Microsoft 365",
			   c->user, strerror(-r));
		return r;
	}
	c->j.has_new = true;
	c->j.stage = SSPR_JOURNAL_SENDING;
	/* Microsoft 365 shows a change from now on as ours. */
	c->j.sent = time(NULL);
	r = sspr_journal_save(c->state_dir, c->user, &c->j);
	if (r < 0) {
		journal_failed(pamh, "write", c->user, r);
		(void)sspr_change_abandon(pamh, c);
	}
	return r;
}

/*
 * Put back the local fields the change replaced. When that fails, the
 * two passwords differ (or may, when Microsoft 365 may have the new one):
 * the one state we promise never to leave, so say it loudly; the entry
 * stays for reconciliation. 0 or -EIO.
 */
static int
restore_local(pam_handle_t *pamh, struct sspr_change *c, bool maybe, char *msg,
	      size_t msglen)
{
	int r;

	r = c->local->swap(c->user, &c->j.new_local, &c->j.old_local);
	if (r == 0)
		return 0;
	pam_syslog(pamh, LOG_CRIT,
		   "cannot restore the previous local password of '%s' (%s): "
		   "local and Microsoft 365 passwords %s",
		   c->user,
		   r == -ESTALE ? "the shadow entry changed since"
				: strerror(-r),
		   maybe ? "may differ" : "differ");
	snprintf(msg, msglen, "%s",
		 _("Your password was changed on this computer but not in "
		   "Microsoft 365. Please contact your administrator."));
	c->active = false;
	return -EIO;
}

int
sspr_change_undo(pam_handle_t *pamh, struct sspr_change *c, char *msg,
		 size_t msglen)
{
	c->j.stage = SSPR_JOURNAL_REFUSED;
	/* Reconciliation then needs no answer from Microsoft 365. */
	(void)sspr_journal_save(c->state_dir, c->user, &c->j);
	if (restore_local(pamh, c, false, msg, msglen) < 0)
		return -EIO;
	finished(pamh, c);
	return 0;
}

int
sspr_change_sync(pam_handle_t *pamh, struct sspr_change *c,
		 const struct sspr_cfg *cfg, const char *password, char *msg,
		 size_t msglen)
{
	char log[SSPR_ERR_MAX] = "";
	int r;

	r = sspr_sync_password(cfg, c->user, password, msg, msglen, log,
			       sizeof(log), &c->ids);
	if (r == 0) {
		pam_syslog(pamh, LOG_NOTICE,
			   "Microsoft 365 password of '%s' changed (%s)",
			   c->user, sspr_journal_path_name(c->j.path));
		finished(pamh, c);
		return 0;
	}
	pam_syslog(pamh, LOG_ERR,
		   "Microsoft 365 refused the new password of '%s' (%s); "
		   "restoring the previous local password",
		   c->user, log);
	if (r != -EINPROGRESS) {
		if (sspr_change_undo(pamh, c, msg, msglen) < 0)
			return -EIO;
		return r;
	}
	if (restore_local(pamh, c, true, msg, msglen) < 0)
		return -EIO;
	/* The PATCH may still land: reconciliation asks again later. */
	c->j.stage = SSPR_JOURNAL_UNCONFIRMED;
	(void)sspr_journal_save(c->state_dir, c->user, &c->j);
	c->active = false;
	pam_syslog(pamh, LOG_CRIT,
		   "Microsoft 365 did not confirm the new password of '%s': "
		   "the local password was restored, Microsoft 365 may have "
		   "the new one (kept for reconciliation)",
		   c->user);
	return r;
}

int
sspr_apply_password(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		    const struct sspr_local_password *local, const char *user,
		    const char *password, char *msg, size_t msglen,
		    struct sspr_sync_ids *ids)
{
	struct sspr_change c = { .lock = -1 };
	char stack_msg[512] = "";
	bool sync = cfg->sync == SSPR_SYNC_REQUIRED;
	int r;

	if (sync) {
		r = sspr_change_begin(pamh, &c, cfg, local, user,
				      SSPR_JOURNAL_RESET, msg, msglen);
		if (r < 0)
			return r;
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
		if (sync && sspr_change_abandon(pamh, &c) < 0) {
			snprintf(msg, msglen, "%s", trouble_sentence());
			r = -EIO;
		}
		goto out;
	}
	pam_syslog(pamh, LOG_NOTICE, "local password of '%s' changed", user);
	if (!sync)
		goto out;
	r = sspr_change_local_done(pamh, &c);
	if (r < 0) {
		snprintf(msg, msglen, "%s", trouble_sentence());
		r = -EIO;
		goto out;
	}
	r = sspr_change_sync(pamh, &c, cfg, password, msg, msglen);
	if (ids != NULL)
		*ids = c.ids;
out:
	if (sync)
		sspr_change_end(&c);
	return r;
}
