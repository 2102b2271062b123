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

#include "sspr/config.h"
#include "sspr/store.h"
#include "sspr/ui.h"

enum sspr_method { SSPR_M_EMAIL, SSPR_M_TOTP };

struct sspr_reset {
	pam_handle_t *pamh;
	const struct sspr_cfg *cfg;
	const char *user;
	struct sspr_ui ui;
	char *email; /* address codes go to: local or Entra */
	bool has_totp;
	bool used[2];	     /* methods already passed (indexed by enum) */
	time_t locked_until; /* the lockout last seen in the record */
};

/* The whole branch; a PAM code. */
int sspr_flow_reset(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		    const char *user);

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

/*
 * Set the new password locally and, with sync, in Microsoft 365: both or
 * neither. 0, -EINVAL when this password was refused (another may work),
 * other -errno when nothing will work now. msg gets the sentence for the
 * person.
 */
int sspr_apply_password(pam_handle_t *pamh, const struct sspr_cfg *cfg,
			const char *user, const char *password, char *msg,
			size_t msglen);

/* passwd with sync_on_passwd; a PAM code. */
int sspr_passwd_chauthtok(pam_handle_t *pamh, int flags,
			  const struct sspr_cfg *cfg, const char *user);

#endif
