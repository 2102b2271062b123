/*
 * Registering a backup email address or an authenticator app, over any
 * struct sspr_ui: the sspr command's terminal or the PAM conversation at
 * sign-in. A method is stored only after the person proved they control
 * it (typed back the mailed code, or a current code from the app).
 *
 * This file holds what the dialogues share: enroll_email.c,
 * enroll_totp.c and enroll_login.c (the sign-in offer) hold the
 * dialogues.
 *
 * The store is locked only for short read-modify-write steps, never while
 * waiting for the person, so a login running at the same time (say, a
 * reset of the same account) is not held up.
 */
#include "sspr/enroll/enroll.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sspr/common/address.h"
#include "sspr/enroll/internal.h"
#include "sspr/common/i18n.h"
#include "sspr/mail/mail.h"
#include "sspr/mail/text.h"
#include "sspr/common/store.h"

static int (*priv_raise)(void);
static void (*priv_lower)(void);

void
sspr_enroll_set_privilege_hooks(int (*raise)(void), void (*lower)(void))
{
	priv_raise = raise;
	priv_lower = lower;
}

int
sspr_enroll_raise(void)
{
	return priv_raise != NULL ? priv_raise() : 0;
}

void
sspr_enroll_lower(void)
{
	if (priv_lower != NULL)
		priv_lower();
}

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

/* --- the store, in short locked steps ---------------------------------- */

/* Lock and load (a missing record is an empty one); privileges stay up. */
int
sspr_enroll_record_open(const struct sspr_cfg *cfg, const char *user,
			struct sspr_record *rec, int *ret_lock)
{
	int r;

	r = sspr_enroll_raise();
	if (r < 0)
		return r;
	r = sspr_store_open_locked(cfg->state_dir, user, rec, ret_lock);
	if (r < 0)
		sspr_enroll_lower();
	return r;
}

/* Save when asked, unlock, privileges down; *rec stays the caller's. */
int
sspr_enroll_record_close(const struct sspr_cfg *cfg, const char *user,
			 const struct sspr_record *rec, int lock, bool save)
{
	int r;

	r = sspr_store_close_locked(cfg->state_dir, user, rec, lock, save);
	sspr_enroll_lower();
	return r;
}

/* Read the record without changing it. */
int
sspr_enroll_record_read(const struct sspr_cfg *cfg, const char *user,
			struct sspr_record *rec)
{
	int lock = -1;
	int r;

	r = sspr_enroll_record_open(cfg, user, rec, &lock);
	if (r < 0)
		return r;
	return sspr_enroll_record_close(cfg, user, rec, lock, false);
}

const char *
sspr_enroll_store_problem(int r)
{
	switch (r) {
	case -EBADMSG:
		return _("the saved data of your account is damaged");
	case -EPERM:
		return _(
		    "the saved data of your account has unsafe permissions");
	case -ETIMEDOUT:
		return _("the saved data of your account is busy");
	case -EINVAL:
		return _("this account name cannot be used");
	default:
		return strerror(-r);
	}
}

void
sspr_enroll_store_failed(const struct sspr_ui *ui, int r, char *log,
			 size_t loglen, const char *what)
{
	sspr_ui_error(ui,
		      _("Nothing could be saved: %s. Try again in a "
			"moment, or contact your administrator."),
		      sspr_enroll_store_problem(r));
	sspr_enroll_log(log, loglen, "cannot %s: %s", what,
			sspr_enroll_store_problem(r));
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
notify_one(const struct sspr_cfg *cfg, const char *user,
	   const struct sspr_method_change *change, const char *to, bool to_old,
	   const char *new_masked, char *err, size_t errlen)
{
	struct sspr_mail_event ev = { .user = user };
	struct sspr_mail_text text = { NULL, NULL };
	struct sspr_mail mail = { .to = to };
	int r;

	r = sspr_mail_text_method_changed(&ev, change, to_old, new_masked,
					  &text);
	if (r < 0) {
		snprintf(err, errlen, "cannot write the mail: %s",
			 strerror(-r));
		return r;
	}
	mail.subject = text.subject;
	mail.body = text.body;
	/* Root may be needed for smtp_password_file. */
	r = sspr_enroll_raise();
	if (r == 0) {
		r = sspr_mail_send(cfg, &mail, err, errlen);
		sspr_enroll_lower();
	}
	sspr_mail_text_done(&text);
	return r;
}

void
sspr_enroll_notify(const struct sspr_cfg *cfg, const char *user,
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
			r[i] = notify_one(cfg, user, change, to[i],
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
