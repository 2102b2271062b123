/*
 * New-password rules checked before anything changes: Microsoft 365's
 * (8-256 characters, 3 of 4 classes, allowed characters, not containing
 * the user name) so that the later sync cannot fail on them.
 */
#ifndef SSPR_POLICY_H
#define SSPR_POLICY_H

#include <stddef.h>

/*
 * Returns 0 when the password passes, else -EINVAL and writes one
 * sentence per failed rule (joined with "\n") into msg.
 */
int sspr_policy_check(const char *password, const char *user, char *msg,
		      size_t msglen);

#endif
