/* Who may use self-service reset: enable = all | group | none. */
#ifndef SSPR_GATE_H
#define SSPR_GATE_H

#include <shadow.h>
#include <stdbool.h>
#include <time.h>

#include <security/pam_appl.h>

#include "sspr/common/config.h"

/*
 * True when user exists and the configuration lets them reset: enable =
 * all, or enable = group and they belong to enable_group (as primary or
 * supplementary group). pamh is the PAM handle when running inside a PAM
 * host (the lookups then leave the host's getpwnam() buffer alone), NULL
 * elsewhere (the sspr command).
 */
bool sspr_gate_allowed(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		       const char *user);

/*
 * Why the local account must not be reset, for the log, or NULL when it
 * may be. sp is the account's /etc/shadow entry (NULL: none). Refused:
 * a locked password field ("!" from passwd -l or usermod -L, "*" for
 * accounts that never had a password), an account past its expiry date
 * (chage -E), and a password past its inactive period; each is what
 * pam_unix's auth or account stage would refuse. A password that must
 * merely be changed (passwd -e, past sp_max) is no reason to refuse.
 */
const char *sspr_account_refusal(const struct spwd *sp, time_t now);

#endif
