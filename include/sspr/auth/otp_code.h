/*
 * One-time codes sent by email. Only a keyed hash (HMAC-SHA256 under a
 * host key in state_dir) is stored in the user's record, with expiry,
 * attempts left and resend accounting, so a code survives a /bin/login
 * that timed out.
 */
#ifndef SSPR_OTP_CODE_H
#define SSPR_OTP_CODE_H

#include <stddef.h>
#include <time.h>

#include "sspr/common/config.h"
#include "sspr/common/store.h"

/*
 * Purposes are "reset" and "enroll"; each has a slot of its own in the
 * record (a pending code, its sends), so one never touches the other.
 */

/*
 * May a new code for purpose be sent now? 0, or -EAGAIN with *ret_wait
 * seconds until the next send is allowed: resend_interval after a code
 * that can still be typed (not one that was used, has expired or has no
 * attempts left), and resend_per_hour codes sent (a used or unsent one
 * given back). -EINVAL for an unknown purpose.
 */
int sspr_code_may_send(const struct sspr_cfg *cfg,
		       const struct sspr_record *rec, const char *purpose,
		       time_t now, unsigned *ret_wait);

/*
 * The mail with the code just issued to address could not be sent: drop
 * the code and give its send back, so it delays nothing. The caller
 * saves the record.
 */
void sspr_code_unsent(struct sspr_record *rec, const char *purpose,
		      const char *address);

/*
 * Make a fresh code of cfg->code_length digits from the CSPRNG, store its
 * hash and address in the purpose's slot of rec (replacing the code
 * pending there) and count the send. *ret_code is a malloc'd string for the
 * mail only; free it with sspr_free_secret(). The caller saves the record.
 */
int sspr_code_issue(const struct sspr_cfg *cfg, struct sspr_record *rec,
		    const char *user, const char *purpose, const char *address,
		    time_t now, char **ret_code);

/* Is there a pending, unexpired code with attempts left for purpose? */
int sspr_code_pending(const struct sspr_record *rec, const char *purpose,
		      time_t now);

/*
 * Check a typed code. 0 when it matches (the code is then consumed and
 * its send given back);
 * -EACCES wrong (one attempt used); -ETIMEDOUT expired; -ENOENT no code
 * pending; -EMLINK no attempts left. The caller saves the record.
 */
int sspr_code_verify(const struct sspr_cfg *cfg, struct sspr_record *rec,
		     const char *user, const char *purpose, const char *typed,
		     time_t now);

#endif
