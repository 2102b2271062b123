/*
 * The authenticator-code prompt, once for the reset and the enrollment:
 * ask for the code the app shows now and check it. Enter stops an
 * enrollment (the command can be run again); in a reset it is a wrong
 * code like any other, counted towards the lockout.
 */
#ifndef SSPR_CHALLENGE_APP_CODE_H
#define SSPR_CHALLENGE_APP_CODE_H

#include "sspr/challenge/session.h"

/*
 * Up to tries answers. With pending (enroll) the code is checked against
 * the key being registered and nothing is stored; with pending NULL
 * (reset) against the record's key, in a locked step that spends the
 * accepted step or counts the failure. 0 when a code was accepted;
 * -ECANCELED (Enter, enroll), -EACCES (none accepted), -EPERM (the
 * reset is locked; told) or another negative errno.
 */
int sspr_app_code_dialogue(struct sspr_session *s, struct sspr_record *pending,
			   unsigned tries, const char *notice_to);

#endif
