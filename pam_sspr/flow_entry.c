/*
 * The one symbol sspr-flow.so exports: the table pam_sspr.so looks up.
 * Each entry first makes the process non-dumpable: from here on it holds
 * codes, keys, tokens and passwords that must never land in a core file.
 * (The flag is reset when login executes the user's shell.)
 */
#include <sys/prctl.h>

#include "sspr/enroll.h"
#include "sspr/flow.h"
#include "sspr/flow_api.h"

static void
no_core_dumps(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int
entry_reset(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	no_core_dumps();
	return sspr_flow_reset(pamh, cfg, user);
}

static int
entry_enroll(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	no_core_dumps();
	return sspr_enroll_at_login(pamh, cfg, user);
}

static int
entry_chauthtok(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg,
		const char *user)
{
	no_core_dumps();
	return sspr_passwd_chauthtok(pamh, flags, cfg, user);
}

static int
entry_reconcile(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		const char *user, bool speak)
{
	no_core_dumps();
	return sspr_reconcile_pam(pamh, cfg, user, speak);
}

__attribute__((visibility("default")))
const struct sspr_flow_api sspr_flow_api = {
	.abi = SSPR_FLOW_ABI,
	.cfg_size = sizeof(struct sspr_cfg),
	.reset = entry_reset,
	.enroll_at_login = entry_enroll,
	.chauthtok = entry_chauthtok,
	.reconcile = entry_reconcile,
};
