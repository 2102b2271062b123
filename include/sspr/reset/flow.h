/*
 * The "forgot password" branch inside sspr-flow.so: gate, methods,
 * challenge, new password, apply, result. Internal to the library.
 */
#ifndef SSPR_FLOW_H
#define SSPR_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <security/pam_modules.h>

#include "sspr/change/apply.h"
#include "sspr/change/passwd.h"
#include "sspr/change/reconcile.h"
#include "sspr/common/config.h"
#include "sspr/common/journal.h"
#include "sspr/common/store.h"
#include "sspr/common/ui.h"

enum sspr_method { SSPR_M_EMAIL, SSPR_M_TOTP };

struct sspr_local_password;

struct sspr_reset {
	pam_handle_t *pamh;
	const struct sspr_cfg *cfg;
	const char *user;
	struct sspr_ui ui;
	/* how the local password changes: the host's, or a test's */
	const struct sspr_local_password *local;
	/* pam_faillock's command, to clear the tally; NULL: none */
	const char *faillock;
	char *email; /* address codes go to: local or Entra */
	bool has_totp;
	bool used[2];	     /* methods already passed (indexed by enum) */
	time_t locked_until; /* the lockout last seen in the record */
};

/* The whole branch over the PAM conversation; a PAM code. */
int sspr_flow_reset(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		    const char *user);

/*
 * The same over s->ui, with s->local and s->faillock as given (the
 * fields after them start empty); a PAM code. s->email is freed.
 */
int sspr_reset_run(struct sspr_reset *s);

/*
 * The value of KEY in /etc/security/faillock.conf, as pam_faillock reads
 * it; false when it is not set there.
 */
bool sspr_faillock_setting(const char *key, char *value, size_t size);

/*
 * Lock and load the user's record (missing = empty); *ret_lock is passed
 * to sspr_reset_record_close(), which saves when save is true.
 */
int sspr_reset_record_open(const struct sspr_reset *s, struct sspr_record *rec,
			   int *ret_lock);
int sspr_reset_record_close(const struct sspr_reset *s, struct sspr_record *rec,
			    int lock, bool save);

/*
 * Count a wrong code in rec, inside the locked step that checked it (so
 * parallel sessions get no extra checks); true when this failure locked
 * the branch. The caller saves the record, closes it, then calls
 * sspr_reset_failed().
 */
bool sspr_reset_count_failure(struct sspr_reset *s, struct sspr_record *rec);

/*
 * After a counted wrong code: the failure delay, and when it locked the
 * branch the admin's log line, the sentence for the person and a mail to
 * the account's owner. 0, or -EPERM when locked.
 */
int sspr_reset_failed(struct sspr_reset *s, bool locked);

/* "Too many failed attempts", with the lockout time. */
void sspr_reset_say_locked(struct sspr_reset *s);

/* Send a prepared mail, logging a failure; 0 or a negative errno. */
struct sspr_mail_text;
int sspr_reset_mail(struct sspr_reset *s, const char *to,
		    const struct sspr_mail_text *text, const char *what);

/* One challenge with the method; 0 when passed. */
int sspr_challenge_email(struct sspr_reset *s);
int sspr_challenge_totp(struct sspr_reset *s);

#endif
