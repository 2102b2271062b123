/*
 * Reconciliation of an interrupted synced password change
 * (include/sspr/change/reconcile.h).
 */
#include "sspr/change/reconcile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <security/pam_ext.h>

#include "sspr/change/local_password.h"
#include "sspr/change/sync.h"
#include "sspr/common/audit.h"
#include "sspr/common/i18n.h"
#include "sspr/common/journal.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

#define DAY 86400

/* Which of the module's two states the local fields are in. */
static const char *
local_name(const struct sspr_journal *j, const struct sspr_shadow_fields *cur)
{
	if (sspr_shadow_fields_eq(cur, &j->old_local))
		return "the old password";
	if (j->has_new && sspr_shadow_fields_eq(cur, &j->new_local))
		return "the new password";
	return "a password set by someone else";
}

/*
 * Stage prepared gives no new fields: the process died after the local
 * change, before it wrote them down. The change is taken for the
 * module's when the hash differs from the old one, is not a locked one,
 * and the day of the last change lies between the entry's start and
 * today, as pam_unix writes it.
 */
static bool
looks_like_ours(const struct sspr_journal *j,
		const struct sspr_shadow_fields *cur)
{
	unsigned long day;
	time_t now = time(NULL);

	if (strcmp(cur->hash, j->old_local.hash) == 0 || cur->hash[0] == '!' ||
	    cur->hash[0] == '*' || cur->hash[0] == '\0')
		return false;
	if (sspr_parse_uint(cur->lastchg, 0, ~0UL, &day) < 0)
		return false;
	return day >= (unsigned long)(j->started / DAY) &&
	       day <= (unsigned long)(now / DAY);
}

static void __attribute__((format(printf, 5, 6)))
outcome(struct sspr_reconcile *ret, enum sspr_reconcile_outcome o, int prio,
	const char *head, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	ret->outcome = o;
	ret->priority = prio;
	n = (size_t)snprintf(ret->log, sizeof(ret->log), "%s: ", head);
	if (n >= sizeof(ret->log))
		return;
	va_start(ap, fmt);
	vsnprintf(ret->log + n, sizeof(ret->log) - n, fmt, ap);
	va_end(ap);
}

/* "interrupted password change of 'USER' (PATH at WHEN, stage STAGE)" */
static void
entry_head(const struct sspr_journal *j, const char *user, char *head,
	   size_t len)
{
	char when[32] = "?";
	struct tm tm;

	if (gmtime_r(&j->started, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(head, len,
		 "interrupted password change of '%s' (%s at %s, stage %s)",
		 user, sspr_journal_path_name(j->path), when,
		 sspr_journal_stage_name(j->stage));
}

/*
 * Which password does Microsoft 365 have? 1 the new one, 0 the old one
 * (*ret_remote says so for the log), or -EAGAIN with ret filled when it
 * could not be asked.
 */
static int
remote_state(const struct sspr_cfg *cfg, const char *user,
	     const struct sspr_journal *j, const char *head, const char *local,
	     const char **ret_remote, struct sspr_reconcile *ret)
{
	char log[SSPR_ERR_MAX] = "";
	int r;

	if (j->stage == SSPR_JOURNAL_PREPARED ||
	    j->stage == SSPR_JOURNAL_REFUSED) {
		*ret_remote =
		    j->stage == SSPR_JOURNAL_PREPARED
			? "Microsoft 365 has the old password (never sent)"
			: "Microsoft 365 has the old password (refused)";
		return 0;
	}
	r = sspr_sync_changed_since(cfg, user, j->sent, log, sizeof(log));
	if (r < 0) {
		outcome(ret, SSPR_RC_UNREACHABLE, LOG_ERR, head,
			"Microsoft 365 could not be asked (%s); this "
			"host has %s; entry kept, to be retried",
			log, local);
		return -EAGAIN;
	}
	*ret_remote = r == 1 ? "Microsoft 365 has the new password"
			     : "Microsoft 365 has the old password";
	return r == 1;
}

/*
 * Bring the local fields to what Microsoft 365 has, when they are one of
 * the module's two states, and drop the entry; ret says what happened.
 */
static void
settle(const struct sspr_cfg *cfg, const char *user,
       const struct sspr_journal *j, const struct sspr_shadow_fields *cur,
       bool remote_new, const char *remote, const char *local, const char *head,
       struct sspr_reconcile *ret)
{
	const struct sspr_shadow_fields *target =
	    remote_new ? &j->new_local : &j->old_local;
	int r;

	if (sspr_shadow_fields_eq(cur, target)) {
		ret->local_new = remote_new;
		outcome(ret, SSPR_RC_AGREED, LOG_NOTICE, head,
			"%s, this host too: nothing to do", remote);
		r = 0;
	} else if (sspr_shadow_fields_eq(cur, &j->old_local) ||
		   (j->has_new && sspr_shadow_fields_eq(cur, &j->new_local)) ||
		   (!remote_new && !j->has_new && looks_like_ours(j, cur))) {
		r = sspr_shadow_swap(user, cur, target);
		if (r == 0) {
			ret->local_new = remote_new;
			outcome(ret, SSPR_RC_REPAIRED, LOG_NOTICE, head,
				"%s, this host had %s: the %s local password "
				"was put back; both agree",
				remote, local, remote_new ? "new" : "previous");
		}
	} else {
		r = -ESTALE;
	}
	if (r == -ESTALE) {
		outcome(ret, SSPR_RC_FOREIGN, LOG_CRIT, head,
			"%s, this host has %s: the shadow entry was changed "
			"by someone else since, so it is left alone; local and "
			"Microsoft 365 passwords may differ (entry kept: sspr "
			"admin forget %s once they agree)",
			remote, "a password set by someone else", user);
		return;
	}
	if (r < 0) {
		outcome(ret, SSPR_RC_FAILED, LOG_CRIT, head,
			"%s, this host has %s: cannot change the shadow entry "
			"(%s); entry kept",
			remote, local, strerror(-r));
		return;
	}
	r = sspr_journal_remove(cfg->state_dir, user);
	if (r < 0)
		outcome(ret, SSPR_RC_FAILED, LOG_ERR, head,
			"both passwords agree, but the entry cannot be "
			"removed (%s)",
			strerror(-r));
}

/* The outcome of an entry that was there, in the audit log. */
static void
audit(const struct sspr_cfg *cfg, const char *user,
      enum sspr_reconcile_outcome outcome)
{
	static const char *const reason[] = {
		[SSPR_RC_AGREED] = "both already agreed",
		[SSPR_RC_REPAIRED] = "local password moved to match",
		[SSPR_RC_UNREACHABLE] = "Microsoft 365 unreachable",
		[SSPR_RC_FOREIGN] = "shadow entry changed since",
		[SSPR_RC_FAILED] = "local error",
	};
	struct sspr_audit_event ev = {
		.user = user,
		.event = "reconcile",
		.result =
		    outcome == SSPR_RC_AGREED || outcome == SSPR_RC_REPAIRED
			? "ok"
			: "failed",
		.reason = reason[outcome],
	};

	if (outcome != SSPR_RC_NONE && outcome != SSPR_RC_BUSY)
		sspr_audit(NULL, cfg, &ev);
}

int
sspr_reconcile_user(const struct sspr_cfg *cfg, const char *user,
		    unsigned wait_ms, struct sspr_reconcile *ret)
{
	struct sspr_journal j;
	struct sspr_shadow_fields cur;
	char head[256];
	const char *remote = NULL;
	const char *local;
	int lock;
	int r;

	memset(ret, 0, sizeof(*ret));
	memset(&j, 0, sizeof(j));
	memset(&cur, 0, sizeof(cur));
	ret->priority = LOG_NOTICE;
	if (!sspr_journal_exists(cfg->state_dir, user))
		return 0;
	lock = sspr_journal_lock(cfg->state_dir, user, wait_ms);
	if (lock < 0) {
		outcome(ret, lock == -ETIMEDOUT ? SSPR_RC_BUSY : SSPR_RC_FAILED,
			LOG_NOTICE, "password change journal",
			"'%s': cannot take its lock (%s)%s", user,
			strerror(-lock),
			lock == -ETIMEDOUT ? ": a change is in progress" : "");
		return -EAGAIN;
	}
	/*
	 * A half-written entry: the process died before it was on disk,
	 * so before the local change. Nothing else to do.
	 */
	(void)sspr_journal_remove_temps(cfg->state_dir, user);
	r = sspr_journal_load(cfg->state_dir, user, &j);
	if (r == -ENOENT)
		goto out; /* or finished by someone else meanwhile */
	if (r < 0) {
		outcome(ret, SSPR_RC_FAILED, LOG_CRIT,
			"password change journal",
			"'%s': cannot read it (%s); local and Microsoft 365 "
			"passwords may differ",
			user, r == -EBADMSG ? "damaged" : strerror(-r));
		goto out;
	}
	entry_head(&j, user, head, sizeof(head));
	(void)sspr_shadow_sweep();
	r = sspr_shadow_read(user, &cur);
	if (r < 0) {
		outcome(ret, SSPR_RC_FAILED, LOG_CRIT, head,
			"cannot read the shadow entry (%s); entry kept",
			strerror(-r));
		goto out;
	}
	local = local_name(&j, &cur);
	if (!j.has_new && looks_like_ours(&j, &cur))
		local = "the new password";
	r = remote_state(cfg, user, &j, head, local, &remote, ret);
	if (r >= 0)
		settle(cfg, user, &j, &cur, r == 1, remote, local, head, ret);
out:
	sspr_store_unlock(lock);
	sspr_wipe(&j, sizeof(j));
	sspr_wipe(&cur, sizeof(cur));
	audit(cfg, user, ret->outcome);
	return ret->outcome == SSPR_RC_NONE || ret->outcome == SSPR_RC_AGREED ||
		       ret->outcome == SSPR_RC_REPAIRED
		   ? 0
		   : -EAGAIN;
}

int
sspr_reconcile_pam(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		   const char *user, bool speak)
{
	struct sspr_reconcile rc;
	int r;

	/* Never wait here: a change in progress finishes by itself. */
	r = sspr_reconcile_user(cfg, user, 0, &rc);
	if (rc.outcome == SSPR_RC_NONE)
		return 0;
	if (rc.outcome == SSPR_RC_BUSY) {
		if (cfg->debug)
			pam_syslog(pamh, LOG_DEBUG, "%s", rc.log);
		return r;
	}
	pam_syslog(pamh, rc.priority, "%s", rc.log);
	if (rc.outcome != SSPR_RC_REPAIRED)
		return r;
	if (speak)
		pam_info(pamh, "%s",
			 rc.local_new
			     ? _("An interrupted change of your password was "
				 "finished: your new password is now valid on "
				 "this computer and in Microsoft 365.")
			     : _("An interrupted change of your password was "
				 "undone: your previous password is valid "
				 "again on this computer and in Microsoft "
				 "365."));
	return 1;
}
