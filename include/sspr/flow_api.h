/*
 * The boundary between the lean PAM module and sspr-flow.so, the library
 * it loads only when a user takes the reset or enrollment branch. Both are
 * built from the same tree; abi guards against a mismatched pair.
 */
#ifndef SSPR_FLOW_API_H
#define SSPR_FLOW_API_H

#include <stdbool.h>

#include <security/pam_modules.h>

#include "sspr/common/config.h"

#define SSPR_FLOW_ABI 2
#define SSPR_FLOW_SYMBOL "sspr_flow_api"
#define SSPR_FLOW_FILE "pam_sspr/sspr-flow.so"

struct sspr_flow_api {
	unsigned abi;
	size_t cfg_size; /* sizeof(struct sspr_cfg) as compiled */
	/* The "forgot password" branch; returns a PAM code. */
	int (*reset)(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		     const char *user);
	/* "Help us protect your account" after sign-in; a PAM code. */
	int (*enroll_at_login)(pam_handle_t *pamh, const struct sspr_cfg *cfg,
			       const char *user);
	/* pam_sm_chauthtok with sync_on_passwd; a PAM code. */
	int (*chauthtok)(pam_handle_t *pamh, int flags,
			 const struct sspr_cfg *cfg, const char *user);
	/*
	 * Finish the user's interrupted password change (journal of
	 * intent): 1 when the local password changed, 0 when nothing was
	 * left, negative when still unresolved.
	 */
	int (*reconcile)(pam_handle_t *pamh, const struct sspr_cfg *cfg,
			 const char *user, bool speak);
};

#endif
