/* The authenticator-code prompt (sspr/challenge/app_code.h). */
#include "sspr/challenge/app_code.h"

#include <errno.h>
#include <syslog.h>
#include <time.h>

#include "sspr/auth/ratelimit.h"
#include "sspr/auth/totp.h"
#include "sspr/common/i18n.h"
#include "sspr/common/util.h"

/*
 * Check a code against the record's key and count a failure in one
 * locked step, as the mailed code is checked.
 */
static int
check_stored(struct sspr_session *s, const char *typed, bool *ret_locked)
{
	struct sspr_record rec = { 0 };
	time_t now = sspr_now();
	bool save;
	int lock;
	int r;

	r = sspr_session_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	if (sspr_is_locked(&rec, now)) {
		s->locked_until = rec.locked_until;
		sspr_session_record_close(s, &rec, lock, false);
		return -EPERM;
	}
	r = sspr_totp_verify(&rec, typed, now, s->cfg->totp_window);
	/* Saved on success (the accepted step is spent) and on a failure. */
	if (r == -EACCES || r == -EINVAL)
		*ret_locked = sspr_session_count_failure(s, &rec);
	save = r == 0 || r == -EACCES || r == -EINVAL;
	if (sspr_session_record_close(s, &rec, lock, save) < 0 && save)
		return -EIO;
	return r;
}

int
sspr_app_code_dialogue(struct sspr_session *s, struct sspr_record *pending,
		       unsigned tries, const char *notice_to)
{
	char *typed = NULL;
	bool locked = false;
	unsigned i;
	int r = -EACCES;

	for (i = 0; i < tries; i++) {
		r = sspr_ui_ask(&s->ui, true, &typed, "%s",
				_("Code from your authenticator app: "));
		/* Enrollment: no answer stops, the command can run again. */
		if (pending != NULL && (r < 0 || typed[0] == '\0')) {
			if (r == 0)
				sspr_free_secret(typed);
			return -ECANCELED;
		}
		if (r < 0)
			return r;
		locked = false;
		if (pending != NULL)
			r = sspr_totp_verify(pending, typed, sspr_now(),
					     s->cfg->totp_window);
		else
			r = check_stored(s, typed, &locked);
		sspr_free_secret(typed);
		typed = NULL;
		if (r == 0) {
			sspr_session_log(s, LOG_NOTICE,
					 "authenticator code accepted for '%s'",
					 s->user);
			return 0;
		}
		if (r == -EPERM)
			sspr_session_say_locked(s);
		if (r != -EACCES && r != -EINVAL)
			return r;
		sspr_session_log(s, LOG_NOTICE,
				 "wrong authenticator code for '%s'", s->user);
		if (pending == NULL &&
		    sspr_session_failed(s, locked, notice_to) < 0)
			return -EPERM;
		sspr_ui_error(&s->ui, "%s",
			      _("That code is not correct. Check that the "
				"clock of your phone is right and use the "
				"newest code."));
	}
	return -EACCES;
}
