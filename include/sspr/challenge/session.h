/*
 * One person proving or registering a method: who, under which
 * configuration, over which conversation, where the admin's log lines go
 * and how privileges are raised around the store and the mail. The reset
 * (reset/) and the enrollment dialogues (enroll/) both run in one; this
 * file holds the steps they share: the record in short locked steps, the
 * mail, the failure count of the reset and its lockout.
 */
#ifndef SSPR_CHALLENGE_SESSION_H
#define SSPR_CHALLENGE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <security/pam_modules.h>

#include "sspr/common/config.h"
#include "sspr/common/store.h"
#include "sspr/common/ui.h"

/* What the codes are for: their record slot, mail and wording. */
enum sspr_purpose { SSPR_PURPOSE_RESET, SSPR_PURPOSE_ENROLL };

struct sspr_session {
	pam_handle_t *pamh; /* NULL outside a PAM stack (the sspr command) */
	const struct sspr_cfg *cfg;
	const char *user;
	struct sspr_ui ui;
	enum sspr_purpose purpose;
	/*
	 * The admin's log, one line at a time, never a secret. NULL:
	 * pam_syslog() on pamh, or syslog() without one.
	 */
	void (*log)(void *ctx, int prio, const char *line);
	void *log_ctx;
	/*
	 * Around every store access and mail delivery. The setuid sspr
	 * command runs as the caller otherwise; inside PAM both are NULL
	 * (the process is root already). raise: 0 or a negative errno.
	 */
	int (*raise)(void);
	void (*lower)(void);
	time_t locked_until; /* the reset's lockout last seen in the record */
};

/* "reset" or "enroll": the purpose as sspr/auth/otp_code.h names it. */
const char *sspr_purpose_name(enum sspr_purpose purpose);

/* Where the person is (PAM_TTY), for the mails that say so; or NULL. */
const char *sspr_session_origin(const struct sspr_session *s);

int sspr_session_raise(const struct sspr_session *s);
void sspr_session_lower(const struct sspr_session *s);

/*
 * One line of the audit log (audit_log), with privileges: event, the
 * method or NULL, result "ok" or "failed", reason fixed words or NULL.
 * user is the account, or NULL when the name typed is no account (it may
 * be someone's password).
 */
void sspr_session_audit(const struct sspr_session *s, const char *user,
			const char *event, const char *method,
			const char *result, const char *reason);

/* The same for an event the caller filled (request ids, say). */
struct sspr_audit_event;
void sspr_session_audit_event(const struct sspr_session *s,
			      struct sspr_audit_event *ev);

/* One line for the admin's log. */
void sspr_session_log(const struct sspr_session *s, int prio, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

/*
 * Raise privileges, lock and load the user's record (missing = empty).
 * sspr_session_record_close() saves when save is true, unlocks, lowers
 * privileges and empties *rec. Both log their failures.
 */
int sspr_session_record_open(const struct sspr_session *s,
			     struct sspr_record *rec, int *ret_lock);
int sspr_session_record_close(const struct sspr_session *s,
			      struct sspr_record *rec, int lock, bool save);

/*
 * Read the record without the lock (a save is an atomic rename, so a
 * read never sees half of one); missing = empty. *rec is the caller's to
 * sspr_record_done().
 */
int sspr_session_record_read(const struct sspr_session *s,
			     struct sspr_record *rec);

/*
 * Tell the person that nothing could be saved and why (a store error),
 * and log "cannot WHAT for USER: why".
 */
void sspr_session_store_failed(const struct sspr_session *s, int r,
			       const char *what);

/* Send a prepared mail with privileges; 0 or -errno with err for the log. */
struct sspr_mail_text;
int sspr_session_send(const struct sspr_session *s, const char *to,
		      const struct sspr_mail_text *text, char *err,
		      size_t errlen);

/*
 * The same, logging a failure as "cannot mail WHAT for USER: why"; 0 or
 * a negative errno.
 */
int sspr_session_mail(const struct sspr_session *s, const char *to,
		      const struct sspr_mail_text *text, const char *what);

/*
 * Count a wrong reset code in rec, inside the locked step that checked
 * it (so parallel sessions get no extra checks); true when this failure
 * locked the branch. The caller saves the record, closes it, then calls
 * sspr_session_failed().
 */
bool sspr_session_count_failure(struct sspr_session *s,
				struct sspr_record *rec);

/*
 * After a counted wrong code: the failure delay, and when it locked the
 * branch the admin's log line, the sentence for the person and a mail to
 * notice_to (may be NULL). 0, or -EPERM when locked.
 */
int sspr_session_failed(struct sspr_session *s, bool locked,
			const char *notice_to);

/* "Too many failed attempts", with the lockout time. */
void sspr_session_say_locked(const struct sspr_session *s);

#endif
