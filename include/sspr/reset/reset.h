/*
 * The "forgot password" branch inside sspr-flow.so, one file per stage
 * in pam_sspr/reset/: available.c (who may reset), methods.c (which
 * methods, the challenge), new_password.c (ask, check, apply), result.c
 * (what follows a reset, and the administrator request). reset.c runs
 * them in that order.
 */
#ifndef SSPR_RESET_RESET_H
#define SSPR_RESET_RESET_H

#include <stdbool.h>
#include <stddef.h>

#include <security/pam_modules.h>

#include "sspr/challenge/session.h"
#include "sspr/change/sync.h"
#include "sspr/common/config.h"

enum sspr_method { SSPR_M_EMAIL, SSPR_M_TOTP, SSPR_M_SMS, SSPR_M_COUNT };

struct sspr_local_password;

struct sspr_reset {
	/* pamh, cfg, user and ui; the purpose is SSPR_PURPOSE_RESET */
	struct sspr_session session;
	/* how the local password changes: the host's, or a test's */
	const struct sspr_local_password *local;
	/* pam_faillock's command, to clear the tally; NULL: none */
	const char *faillock;
	char *email; /* address codes go to: local or Entra */
	char *phone; /* number text messages go to: local or Entra */
	bool has_totp;
	bool used[SSPR_M_COUNT]; /* methods already passed (by enum) */
	/* of the Microsoft 365 change, for the audit log */
	struct sspr_sync_ids ids;
};

/* The whole branch over the PAM conversation; a PAM code. */
int sspr_flow_reset(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		    const char *user);

/*
 * The same over r->session.ui, with r->local and r->faillock as given
 * (the fields after them start empty); a PAM code. r->email and
 * r->phone are freed.
 */
int sspr_reset_run(struct sspr_reset *r);

/*
 * The value of KEY in /etc/security/faillock.conf, as pam_faillock reads
 * it; false when it is not set there.
 */
bool sspr_faillock_setting(const char *key, char *value, size_t size);

#endif
