/*
 * The dialogue of a code sent by a message, once for the reset and the
 * enrollment, by mail or by text message (mc->channel): a code is sent
 * (or the one still pending for the address or number is reused), the
 * person types it back. The code rules, hashing, lifetime, attempts,
 * resend limits and lockout are the same for both channels; only the
 * delivery, the mask and a few words differ. The two differ only where the
 * purpose must (sspr/challenge/session.h, s->purpose): the record slot and the
 * mail, and what Enter at the prompt does (reset: another code; enroll: stop,
 * the command can be run again). Wrong codes count towards the lockout
 * of the reset only.
 */
#ifndef SSPR_CHALLENGE_MAIL_CODE_H
#define SSPR_CHALLENGE_MAIL_CODE_H

#include <stdbool.h>

#include "sspr/challenge/session.h"

/* How the code travels. */
enum sspr_code_channel { SSPR_CODE_BY_MAIL, SSPR_CODE_BY_SMS };

struct sspr_mail_code {
	enum sspr_code_channel channel;
	const char *address;   /* where the code goes: address or number */
	const char *notice_to; /* who hears of a lockout; may be NULL */
	/*
	 * Called inside the locked step that found the typed code right,
	 * before the record is saved (enroll: store the address with it);
	 * 0 or a negative errno, and then nothing is saved. May be NULL.
	 */
	int (*accept)(struct sspr_record *rec, void *ctx);
	void *ctx;
	bool unsent; /* out: the code could not be sent */
};

/*
 * 0 when the person typed the code. Otherwise a negative errno after
 * telling the person why: -ECANCELED (enroll: Enter), -EACCES (wrong,
 * no attempts left), -ETIMEDOUT, -EMLINK, -ENOENT (a newer code
 * replaced it), -EPERM (the reset is locked), -EAGAIN (too soon for a
 * code), or a store, mail or conversation error.
 */
int sspr_mail_code_dialogue(struct sspr_session *s, struct sspr_mail_code *mc);

#endif
