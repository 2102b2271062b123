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

#include "sspr/config.h"
#include "sspr/store.h"

/*
 * May a new code be sent now? 0, or -EAGAIN with *ret_wait seconds until
 * the next send is allowed (resend_interval / resend_per_hour).
 */
int sspr_code_may_send(const struct sspr_cfg *cfg,
		       const struct sspr_record *rec, time_t now,
		       unsigned *ret_wait);

/*
 * Make a fresh code of cfg->code_length digits from the CSPRNG, store its
 * hash, purpose and address in rec (replacing any pending code) and count
 * the send. *ret_code is a malloc'd string for the mail only; free it with
 * sspr_free_secret(). The caller saves the record.
 */
int sspr_code_issue(const struct sspr_cfg *cfg, struct sspr_record *rec,
		    const char *user, const char *purpose, const char *address,
		    time_t now, char **ret_code);

/* Is there a pending, unexpired code with attempts left for purpose? */
int sspr_code_pending(const struct sspr_record *rec, const char *purpose,
		      time_t now);

/*
 * Check a typed code. 0 when it matches (the code is then consumed);
 * -EACCES wrong (one attempt used); -ETIMEDOUT expired; -ENOENT no code
 * pending; -EMLINK no attempts left. The caller saves the record.
 */
int sspr_code_verify(const struct sspr_cfg *cfg, struct sspr_record *rec,
		     const char *user, const char *purpose, const char *typed,
		     time_t now);

#endif
