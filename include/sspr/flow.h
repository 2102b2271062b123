/*
 * The "forgot password" branch inside sspr-flow.so: gate, methods,
 * challenge, new password, apply, result. Internal to the library.
 */
#ifndef SSPR_FLOW_H
#define SSPR_FLOW_H

#include <stdbool.h>
#include <stddef.h>

#include <security/pam_modules.h>

#include "sspr/config.h"
#include "sspr/store.h"
#include "sspr/ui.h"

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
	bool used[2]; /* methods already passed (indexed by enum) */
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
 * Lock and load the user's record (missing = empty); *ret_lock is passed
 * to sspr_reset_record_close(), which saves when save is true.
 */
int sspr_reset_record_open(const struct sspr_reset *s, struct sspr_record *rec,
			   int *ret_lock);
int sspr_reset_record_close(const struct sspr_reset *s, struct sspr_record *rec,
			    int lock, bool save);

/* Count a failed challenge, tell the person when it locks; 0 or -EPERM. */
int sspr_reset_failed(struct sspr_reset *s);

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
			const struct sspr_local_password *local,
			const char *user, const char *password, char *msg,
			size_t msglen);

/* passwd with sync_on_passwd; a PAM code. */
int sspr_passwd_chauthtok(pam_handle_t *pamh, int flags,
			  const struct sspr_cfg *cfg, const char *user);

#endif
