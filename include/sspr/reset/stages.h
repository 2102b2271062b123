/*
 * The stages of the reset, each in the file of its name, for reset.c
 * (and available.c, which needs the methods and the administrator
 * request). Internal to pam_sspr/reset/; every stage tells the person
 * and logs its own outcome.
 */
#ifndef SSPR_RESET_STAGES_H
#define SSPR_RESET_STAGES_H

#include <stdbool.h>
#include <time.h>

#include "sspr/reset/reset.h"

/*
 * available.c: may this account (pw, as the host knows it, or NULL) be
 * reset now? PAM_SUCCESS, or the code to end with after the one "not
 * available" answer.
 */
struct passwd;
int sspr_reset_available(struct sspr_reset *r, const struct passwd *pw);

/* available.c: is the account still resettable right before the change? */
int sspr_reset_still_available(struct sspr_reset *r);

/* methods.c: read the record once for the methods and the lockout. */
int sspr_reset_load_methods(struct sspr_reset *r, bool *ret_locked);

/* methods.c: how many registered methods are not passed yet. */
unsigned sspr_reset_methods_left(const struct sspr_reset *r);

/* methods.c: pass methods_required methods; a PAM code. */
int sspr_reset_challenge(struct sspr_reset *r);

/* new_password.c: ask for, check and apply the new password; a PAM code. */
int sspr_reset_new_password(struct sspr_reset *r);

/* result.c: after the change, the faillock tally, notice and sentence. */
int sspr_reset_result(struct sspr_reset *r);

/*
 * result.c: without self-service reset, offer to ask the administrator
 * (see offer_admin_request()).
 */
void sspr_reset_offer_admin_request(struct sspr_reset *r, bool known,
				    const char *reason);

/*
 * result.c: wait until fail_delay seconds after start, so that the
 * time of an answer does not tell which accounts exist.
 */
void sspr_reset_wait_floor(const struct sspr_reset *r,
			   const struct timespec *start);

#endif
