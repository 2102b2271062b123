/*
 * The one symbol sspr-flow.so exports: the table pam_sspr.so looks up.
 * Each entry first makes the process non-dumpable: from here on it holds
 * codes, keys, tokens and passwords that must never land in a core file.
 * (The flag is reset when login executes the user's shell.)
 *
 * Each entry also keeps its HTTPS connections for the whole call (see
 * sspr_http_keep_begin): the user lookup before "New password:" opens
 * the connection the PATCH after the last keystroke uses. They are closed
 * before the call returns, so no socket reaches the user's session; the
 * one exception is a synced passwd's preliminary pass, which hands its
 * connection to the update pass (change/passwd.c), closed at pam_end at
 * the latest.
 */
#include <sys/prctl.h>

#include "sspr/change/passwd.h"
#include "sspr/change/reconcile.h"
#include "sspr/enroll/enroll.h"
#include "sspr/flow_api.h"
#include "sspr/net/http.h"
#include "sspr/reset/reset.h"

static void
no_core_dumps(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int
entry_reset(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	int rv;

	no_core_dumps();
	sspr_http_keep_begin();
	rv = sspr_flow_reset(pamh, cfg, user);
	sspr_http_keep_end();
	return rv;
}

static int
entry_enroll(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	int rv;

	no_core_dumps();
	sspr_http_keep_begin();
	rv = sspr_enroll_at_login(pamh, cfg, user);
	sspr_http_keep_end();
	return rv;
}

static int
entry_chauthtok(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg,
		const char *user)
{
	int rv;

	no_core_dumps();
	sspr_http_keep_begin();
	rv = sspr_passwd_chauthtok(pamh, flags, cfg, user);
	sspr_http_keep_end();
	return rv;
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
