/*
 * Registering a backup email address or an authenticator app, over any
 * struct sspr_ui: the sspr command's terminal or the PAM conversation at
 * sign-in. A method is stored only after the person proved they control
 * it (typed back the mailed code, or a current code from the app).
 *
 * This file holds what the dialogues share: email.c, totp.c and
 * login.c (the sign-in offer) hold the dialogues, over the session steps
 * of pam_sspr/challenge/.
 */
#include "sspr/enroll/enroll.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sspr/challenge/mail_code.h"
#include "sspr/common/address.h"
#include "sspr/common/errors.h"
#include "sspr/common/i18n.h"
#include "sspr/common/store.h"
#include "sspr/enroll/internal.h"
#include "sspr/mail/text.h"

void
sspr_enroll_log(char *log, size_t loglen, const char *fmt, ...)
{
	va_list ap;

	if (log == NULL || loglen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(log, loglen, fmt, ap);
	va_end(ap);
}

void
sspr_enroll_store_failed(const struct sspr_session *s, int r, char *log,
			 size_t loglen, const char *what)
{
	sspr_session_store_failed(s, r, what);
	sspr_enroll_log(log, loglen, "cannot %s: %s", what,
			sspr_store_strerror(r));
}

int
sspr_enroll_read(const struct sspr_session *s, struct sspr_record *rec,
		 char *log, size_t loglen)
{
	int r = sspr_session_record_read(s, rec);

	if (r < 0)
		sspr_enroll_store_failed(s, r, log, loglen, "read the record");
	return r;
}

/* --- telling the owner ------------------------------------------------- */

/* Append to the log line. */
static void log_append(char *log, size_t loglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
log_append(char *log, size_t loglen, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (log == NULL || loglen == 0)
		return;
	used = strnlen(log, loglen);
	if (used >= loglen - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(log + used, loglen - used, fmt, ap);
	va_end(ap);
}

/* One notice to one address; 0 or -errno with err for the log. */
static int
notify_one(const struct sspr_session *s,
	   const struct sspr_method_change *change, const char *to, bool to_old,
	   const char *new_masked, char *err, size_t errlen)
{
	struct sspr_mail_event ev = { .user = s->user };
	struct sspr_mail_text text = { NULL, NULL };
	int r;

	r = sspr_mail_text_method_changed(&ev, change, to_old, new_masked,
					  &text);
	if (r < 0)
		snprintf(err, errlen, "cannot write the mail: %s",
			 strerror(-r));
	else
		r = sspr_session_send(s, to, &text, err, errlen);
	sspr_mail_text_done(&text);
	return r;
}

/* Every change of a method is an audit event, mailed or not. */
static void
audit_change(const struct sspr_session *s,
	     const struct sspr_method_change *change)
{
	static const char *const method[] = {
		[SSPR_CHANGE_EMAIL] = "email",
		[SSPR_CHANGE_TOTP] = "totp",
		[SSPR_CHANGE_ALL] = NULL,
		[SSPR_CHANGE_PHONE] = "sms",
	};
	static const char *const event[] = {
		[SSPR_CHANGE_ADDED] = "method added",
		[SSPR_CHANGE_REPLACED] = "method replaced",
		[SSPR_CHANGE_REMOVED] = "method removed",
	};

	sspr_session_audit(s, s->user, event[change->action],
			   method[change->method], "ok",
			   change->by_admin ? "by the administrator" : NULL);
}

void
sspr_enroll_notify(const struct sspr_session *s,
		   const struct sspr_method_change *change,
		   const char *old_address, const char *new_address, char *log,
		   size_t loglen)
{
	const char *to[2] = { old_address, new_address };
	/* The log names no address: root can look it up, others need not. */
	const char *label[2] = { "the backup address", "the new address" };
	char err[2][SSPR_ERR_MAX] = { "", "" };
	int r[2] = { -ENOENT, -ENOENT };
	char *new_masked = NULL;
	unsigned i;

	audit_change(s, change);
	if (new_address != NULL && old_address != NULL &&
	    strcasecmp(new_address, old_address) == 0)
		to[1] = NULL;
	if (to[0] == NULL && to[1] == NULL) {
		log_append(log, loglen, " (no notice: no address to mail)");
		return;
	}
	if (to[0] != NULL && to[1] != NULL)
		label[0] = "the previous address";
	if (new_address != NULL)
		new_masked = sspr_address_mask(new_address);
	for (i = 0; i < 2; i++)
		if (to[i] != NULL)
			/* the old address of a replaced one: "changed from
			 * here" */
			r[i] = notify_one(s, change, to[i],
					  i == 0 && to[1] != NULL, new_masked,
					  err[i], sizeof(err[i]));
	free(new_masked);
	if (r[0] == 0 && r[1] == 0)
		log_append(log, loglen, " (notice mailed to %s and %s)",
			   label[0], label[1]);
	else if (r[0] == 0 || r[1] == 0)
		log_append(log, loglen, " (notice mailed to %s)",
			   label[r[0] == 0 ? 0 : 1]);
	for (i = 0; i < 2; i++)
		if (to[i] != NULL && r[i] < 0)
			log_append(log, loglen,
				   " (notice not mailed to %s: %s)", label[i],
				   err[i]);
}

/* The admin's log line for what the code dialogue came to. */
static void
log_code_result(const struct sspr_mail_code *mc, int r, const char *registered,
		char *log, size_t loglen)
{
	switch (r) {
	case 0:
		sspr_enroll_log(log, loglen, "%s", registered);
		break;
	case -ECANCELED:
		sspr_enroll_log(log, loglen, "cancelled at the code prompt");
		break;
	case -EACCES:
		sspr_enroll_log(log, loglen, "wrong code, no attempts left");
		break;
	case -EMLINK:
		sspr_enroll_log(log, loglen, "no attempts left");
		break;
	case -ETIMEDOUT:
		sspr_enroll_log(log, loglen, "code expired");
		break;
	case -ENOENT:
		sspr_enroll_log(log, loglen,
				"code replaced by a newer request");
		break;
	case -EAGAIN:
		sspr_enroll_log(log, loglen, "code not sent: resend limit");
		break;
	default:
		sspr_enroll_log(log, loglen, "cannot %s the code: %s",
				mc->unsent ? "send" : "save or check",
				mc->unsent ? strerror(-r)
					   : sspr_store_strerror(r));
	}
}

int
sspr_enroll_prove(struct sspr_session *s, struct sspr_mail_code *mc,
		  const char *registered, char *log, size_t loglen)
{
	int r = sspr_mail_code_dialogue(s, mc);

	if (r == -ECANCELED)
		sspr_ui_info(&s->ui, "%s",
			     _("Nothing was registered. The code stays valid "
			       "until it expires, so you can run this again "
			       "and type it."));
	log_code_result(mc, r, registered, log, loglen);
	return r;
}
