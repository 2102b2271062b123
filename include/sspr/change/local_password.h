/*
 * Setting the local password through the host's own password stack: a
 * nested pam_start(cfg->passwd_service) + pam_chauthtok() whose
 * conversation answers with the new password, so pam_pwquality,
 * pam_pwhistory and the host's hash method apply. The shadow fields it
 * replaces are kept so the change can be undone.
 */
#ifndef SSPR_LOCAL_PASSWORD_H
#define SSPR_LOCAL_PASSWORD_H

#include <pwd.h>
#include <shadow.h>
#include <stddef.h>

#include <security/pam_appl.h>

#include "sspr/common/config.h"
#include "sspr/common/journal.h"

/*
 * The user's hash and day of the last change in /etc/shadow. 0, -ENOENT
 * (no line), -EBADMSG (a line without them), -E2BIG or -errno.
 */
int sspr_shadow_read(const char *user, struct sspr_shadow_fields *ret);

/*
 * Under lckpwdf: if the user's two fields are still from, replace them
 * with to (temp file, fsync, rename, fsync /etc), leaving the rest of the
 * line as it is; else -ESTALE and nothing changes, so that an admin's
 * chage, lock or password set since is never reverted. Leftover copies
 * of /etc/shadow from an interrupted writer are removed first.
 */
int sspr_shadow_swap(const char *user, const struct sspr_shadow_fields *from,
		     const struct sspr_shadow_fields *to);

/* Only the removal of leftover copies, under lckpwdf; 0 or -EBUSY. */
int sspr_shadow_sweep(void);

/*
 * Change the password. Returns 0 or a negative errno; on failure msg
 * holds what the host's stack said (e.g. pam_pwquality's reason) for
 * the user, and the PAM error for the log.
 */
int sspr_local_password_set(const struct sspr_cfg *cfg, const char *user,
			    const char *password, char *msg, size_t msglen);

/*
 * The local side of a reset as one table, so that the dialogues can be
 * tested without root with a fake in its place. The account lookups take
 * the PAM handle because inside a PAM host they are pam_modutil_*'s
 * (getpwnam()'s static buffer belongs to the host application).
 */
struct sspr_local_password {
	/* The account and its shadow entry, or NULL. */
	const struct passwd *(*account)(pam_handle_t *pamh, const char *user);
	const struct spwd *(*shadow)(pam_handle_t *pamh, const char *user);
	/* As sspr_local_password_set(), sspr_shadow_read(), _swap(). */
	int (*set)(const struct sspr_cfg *cfg, const char *user,
		   const char *password, char *msg, size_t msglen);
	int (*read)(const char *user, struct sspr_shadow_fields *ret);
	int (*swap)(const char *user, const struct sspr_shadow_fields *from,
		    const struct sspr_shadow_fields *to);
};

/* The host's: pam_modutil lookups, nested pam_chauthtok, /etc/shadow. */
extern const struct sspr_local_password sspr_local_password_host;

#endif
