/*
 * Registering verification methods: the dialogues shared by the sspr
 * command (after sign-in) and the "protect your account" offer at
 * sign-in. Each writes only the given user's record.
 */
#ifndef SSPR_ENROLL_H
#define SSPR_ENROLL_H

#include <stddef.h>

#include <security/pam_modules.h>

#include "sspr/common/config.h"
#include "sspr/common/ui.h"

/*
 * Send a code to address and register it once the person types it back.
 * 0, or a negative errno after telling the person why (-ECANCELED when
 * they chose not to go on). log (may be NULL) gets one line for the
 * admin's log either way, never a secret.
 */
int sspr_enroll_email(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		      const char *user, const char *address, char *log,
		      size_t loglen);

/*
 * Create a key, show it as a QR code plus the otpauth:// URI, and register
 * it once the person types a valid current code. Same results as above.
 */
int sspr_enroll_totp(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		     const char *user, char *log, size_t loglen);

/*
 * The sign-in offer (enroll_at_login = offer | require); a PAM code.
 * offer: Enter skips, and the question comes back after
 * enroll_remind_days. require: no skip; when nothing could be registered
 * PAM_SESSION_ERR ends this login with a sentence saying what to do (the
 * next login asks again, so nobody is locked out for good).
 */
int sspr_enroll_at_login(pam_handle_t *pamh, const struct sspr_cfg *cfg,
			 const char *user);

struct sspr_method_change;

/*
 * A registered method changed: mail a notice (no secret in it) to the
 * backup address registered before (old_address) and the one registered
 * now (new_address); either may be NULL, the same address is mailed once.
 * A failed mail does not undo the change. log gets " (notice mailed to
 * ...)" or why not appended, for the one log line of the change.
 */
void sspr_enroll_notify(const struct sspr_cfg *cfg, const char *user,
			const struct sspr_method_change *change,
			const char *old_address, const char *new_address,
			char *log, size_t loglen);

/*
 * Privilege hooks around every store access and mail delivery. The setuid
 * sspr command installs them so that it runs as the caller otherwise;
 * inside PAM there are none (the process is root already). raise returns
 * 0 or a negative errno.
 */
void sspr_enroll_set_privilege_hooks(int (*raise)(void), void (*lower)(void));

#endif
