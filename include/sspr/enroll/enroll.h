/*
 * Registering verification methods: the dialogues shared by the sspr
 * command (after sign-in) and the "protect your account" offer at
 * sign-in. Each writes only the given user's record.
 */
#ifndef SSPR_ENROLL_H
#define SSPR_ENROLL_H

#include <stddef.h>

#include <security/pam_modules.h>

#include "sspr/challenge/session.h"
#include "sspr/common/config.h"

/*
 * Each dialogue runs in a session (sspr/challenge/session.h) for
 * s->user, over s->ui, with s->raise and s->lower around the store and
 * the mail; it sets s->purpose to SSPR_PURPOSE_ENROLL.
 */

/*
 * Send a code to address and register it once the person types it back.
 * 0, or a negative errno after telling the person why (-ECANCELED when
 * they chose not to go on). log (may be NULL) gets one line for the
 * admin's log either way, never a secret.
 */
int sspr_enroll_email(struct sspr_session *s, const char *address, char *log,
		      size_t loglen);

/*
 * The same for a mobile number (typed as people write it, made E.164):
 * a code by text message, the number registered once it is typed back
 * (methods = ... sms, phone_source local or both).
 */
int sspr_enroll_sms(struct sspr_session *s, const char *number, char *log,
		    size_t loglen);

/*
 * Create a key, show it as a QR code plus the otpauth:// URI, and register
 * it once the person types a valid current code. Same results as above.
 */
int sspr_enroll_totp(struct sspr_session *s, char *log, size_t loglen);

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
 * A registered method of s->user changed: mail a notice (no secret in it) to
 * the backup address registered before (old_address) and the one registered now
 * (new_address); either may be NULL, the same address is mailed once. A failed
 * mail does not undo the change. log gets " (notice mailed to
 * ...)" or why not appended, for the one log line of the change.
 */
void sspr_enroll_notify(const struct sspr_session *s,
			const struct sspr_method_change *change,
			const char *old_address, const char *new_address,
			char *log, size_t loglen);

#endif
