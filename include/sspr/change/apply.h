/*
 * Apply a new password: locally and, with sync, in Microsoft 365, both
 * or neither (change/apply.c). The steps are shared by the reset and by
 * passwd (change/passwd.c), so the remote-or-restore step exists once.
 */
#ifndef SSPR_APPLY_H
#define SSPR_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include <security/pam_modules.h>

#include "sspr/change/sync.h"
#include "sspr/common/config.h"
#include "sspr/common/journal.h"

struct sspr_local_password;

/*
 * Set the new password locally and, with sync, in Microsoft 365: both or
 * neither. 0, -EINVAL when this password was refused (another may work),
 * other -errno when nothing will work now. msg gets the sentence for the
 * person; ids (may be NULL) the ids of the Microsoft 365 request.
 */
int sspr_apply_password(pam_handle_t *pamh, const struct sspr_cfg *cfg,
			const struct sspr_local_password *local,
			const char *user, const char *password, char *msg,
			size_t msglen, struct sspr_sync_ids *ids);

/*
 * One synced password change, step by step, with its journal of intent
 * (include/sspr/common/journal.h): shared by the reset and passwd. Each step
 * logs its own failures; msg gets the sentence for the person.
 */
struct sspr_change {
	const struct sspr_local_password *local;
	char *state_dir;
	char *user;
	int lock;    /* the journal lock, held from begin to end */
	bool active; /* the entry is ours to finish */
	struct sspr_journal j;
	struct sspr_sync_ids ids; /* of the request that carried it */
};

/*
 * Lock, refuse when an earlier change is unresolved (-EBUSY), save the
 * shadow fields and write the entry (stage prepared), fsynced, before
 * the local change. On failure nothing is held.
 */
int sspr_change_begin(pam_handle_t *pamh, struct sspr_change *c,
		      const struct sspr_cfg *cfg,
		      const struct sspr_local_password *local, const char *user,
		      unsigned path, char *msg, size_t msglen);

/* The local change is done: note its fields (stage sending). */
int sspr_change_local_done(pam_handle_t *pamh, struct sspr_change *c);

/* Set the password in Microsoft 365 and finish: both or neither. */
int sspr_change_sync(pam_handle_t *pamh, struct sspr_change *c,
		     const struct sspr_cfg *cfg, const char *password,
		     char *msg, size_t msglen);

/* Nothing is sent: put the old local fields back (stage refused). */
int sspr_change_undo(pam_handle_t *pamh, struct sspr_change *c, char *msg,
		     size_t msglen);

/* The local change failed: put back whatever it wrote, drop the entry. */
int sspr_change_abandon(pam_handle_t *pamh, struct sspr_change *c);

/* Release the lock and forget (the entry stays if unresolved). */
void sspr_change_end(struct sspr_change *c);

#endif
