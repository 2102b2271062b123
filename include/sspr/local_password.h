/*
 * Setting the local password through the host's own password stack: a
 * nested pam_start(cfg->passwd_service) + pam_chauthtok() whose
 * conversation answers with the new password, so pam_pwquality,
 * pam_pwhistory and the host's hash method apply. The previous shadow
 * entry is kept so the change can be undone exactly.
 */
#ifndef SSPR_LOCAL_PASSWORD_H
#define SSPR_LOCAL_PASSWORD_H

#include <stddef.h>

#include "sspr/config.h"

struct sspr_shadow_backup {
	char *line; /* the user's whole /etc/shadow line, wiped on free */
};

/* Save the user's current shadow line. */
int sspr_shadow_backup(const char *user, struct sspr_shadow_backup *ret);

/* Put the saved line back exactly (lckpwdf, temp file, rename). */
int sspr_shadow_restore(const char *user,
			const struct sspr_shadow_backup *backup);

void sspr_shadow_backup_done(struct sspr_shadow_backup *backup);

/*
 * Change the password. Returns 0 or a negative errno; on failure msg
 * holds what the host's stack said (e.g. pam_pwquality's reason) for
 * the user, and the PAM error for the log.
 */
int sspr_local_password_set(const struct sspr_cfg *cfg, const char *user,
			    const char *password, char *msg, size_t msglen);

/*
 * The local password as the apply step sees it: set (the host's stack),
 * keep and put back the previous entry. A table the caller passes in, so
 * that a unit test can give its own without root or /etc/shadow.
 */
struct sspr_local_password {
	int (*set)(const struct sspr_cfg *cfg, const char *user,
		   const char *password, char *msg, size_t msglen);
	int (*backup)(const char *user, struct sspr_shadow_backup *ret);
	int (*restore)(const char *user,
		       const struct sspr_shadow_backup *backup);
};

/* The host's: nested pam_chauthtok, /etc/shadow. */
extern const struct sspr_local_password sspr_local_password_host;

#endif
