/*
 * What the enrollment dialogues share (enroll.c) and nothing outside
 * them uses: the admin's log line of a dialogue and how a store error is
 * told. The public interface is sspr/enroll/enroll.h.
 */
#ifndef SSPR_ENROLL_INTERNAL_H
#define SSPR_ENROLL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sspr/challenge/session.h"

/* Write the admin's log line (log may be NULL). */
void sspr_enroll_log(char *log, size_t loglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Tell the person that nothing could be saved and why, and log "cannot
 * <what>: <why>".
 */
void sspr_enroll_store_failed(const struct sspr_session *s, int r, char *log,
			      size_t loglen, const char *what);

/* Read the record (missing = empty), telling a failure as above. */
int sspr_enroll_read(const struct sspr_session *s, struct sspr_record *rec,
		     char *log, size_t loglen);

/*
 * reconfirm.c: show the registered methods masked and ask whether they
 * are still the person's. Yes is recorded (confirmed_at) and audited
 * ("methods confirmed"); a record older than confirmed_at is stamped
 * without asking. *ret_change is true when the person said no: the
 * caller offers the registration dialogues. 0 or a negative errno (the
 * conversation or the record failed; logged).
 */
int sspr_enroll_reconfirm(const struct sspr_session *s,
			  const struct sspr_record *rec, bool *ret_change);

/*
 * The code dialogue of an enrollment (mc as sspr_mail_code_dialogue()
 * takes it), what Enter means told, and the admin's log line: registered
 * when it worked, else what happened. 0 or the dialogue's error.
 */
struct sspr_mail_code;
int sspr_enroll_prove(struct sspr_session *s, struct sspr_mail_code *mc,
		      const char *registered, char *log, size_t loglen);

#endif
