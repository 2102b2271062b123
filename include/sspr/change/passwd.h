/*
 * pam_sm_chauthtok with sync_on_passwd = yes (change/passwd.c).
 */
#ifndef SSPR_PASSWD_H
#define SSPR_PASSWD_H

#include <security/pam_modules.h>

#include "sspr/common/config.h"

/* passwd with sync_on_passwd; a PAM code. */
int sspr_passwd_chauthtok(pam_handle_t *pamh, int flags,
			  const struct sspr_cfg *cfg, const char *user);

#endif
