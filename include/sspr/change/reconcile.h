/*
 * Reconciliation: finish a synced password change that a dead process
 * left in the user's journal of intent (include/sspr/common/journal.h), so that
 * the local and the Microsoft 365 password agree again.
 *
 * Deterministic and idempotent. Which password Microsoft 365 has follows
 * from the stage (nothing was sent, or it refused) or, once the PATCH may
 * have been sent, from the account's lastPasswordChangeDateTime since the
 * entry's "sent" time. The local shadow fields are then moved to match,
 * but only from a state the module itself wrote; anything else is someone
 * else's change and is left alone (LOG_CRIT, the entry kept for the
 * admin). When Microsoft 365 cannot be asked the entry is kept too, for
 * the next run.
 */
#ifndef SSPR_RECONCILE_H
#define SSPR_RECONCILE_H

#include <stdbool.h>
#include <syslog.h>

#include <security/pam_modules.h>

#include "sspr/common/config.h"

enum sspr_reconcile_outcome {
	SSPR_RC_NONE,	     /* no entry */
	SSPR_RC_AGREED,	     /* both already agreed; entry removed */
	SSPR_RC_REPAIRED,    /* local fields moved to match; entry removed */
	SSPR_RC_BUSY,	     /* a change of this user is running now */
	SSPR_RC_UNREACHABLE, /* Microsoft 365 could not be asked; kept */
	SSPR_RC_FOREIGN,     /* the shadow entry was changed since; kept */
	SSPR_RC_FAILED,	     /* a local error or a damaged entry; kept */
};

struct sspr_reconcile {
	enum sspr_reconcile_outcome outcome;
	int priority;	/* of the audit line */
	bool local_new; /* after: the local password is the new one */
	char log[2 * SSPR_ERR_MAX]; /* the audit line, without a prefix */
};

/*
 * Reconcile user's entry, waiting up to wait_ms for its lock. The outcome
 * and the audit line are in *ret; the caller logs it (unless NONE).
 * Returns 0 when nothing is left unresolved, else -EAGAIN.
 */
int sspr_reconcile_user(const struct sspr_cfg *cfg, const char *user,
			unsigned wait_ms, struct sspr_reconcile *ret);

/*
 * Finish an interrupted change of user, if any, before anything else
 * (reconcile.c): logs one audit line and, when speak, tells the person
 * if their local password changed. 1 when it did, 0 when nothing was left
 * or both already agreed, negative when the entry is still unresolved.
 */
int sspr_reconcile_pam(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		       const char *user, bool speak);

#endif
