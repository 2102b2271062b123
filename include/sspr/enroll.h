/*
 * Registering verification methods: the dialogues shared by the sspr
 * command (after sign-in) and the "protect your account" offer at
 * sign-in. Each writes only the given user's record.
 */
#ifndef SSPR_ENROLL_H
#define SSPR_ENROLL_H

#include <security/pam_modules.h>

#include "sspr/config.h"
#include "sspr/ui.h"

/*
 * Send a code to address and register it once the person types it back.
 * 0, or a negative errno after telling the person why.
 */
int sspr_enroll_email(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		      const char *user, const char *address);

/*
 * Create a key, show it as a QR code plus the otpauth:// URI, and register
 * it once the person types a valid current code.
 */
int sspr_enroll_totp(const struct sspr_cfg *cfg, const struct sspr_ui *ui,
		     const char *user);

/* The sign-in offer (enroll_at_login = offer | require); a PAM code. */
int sspr_enroll_at_login(pam_handle_t *pamh, const struct sspr_cfg *cfg,
			 const char *user);

#endif
