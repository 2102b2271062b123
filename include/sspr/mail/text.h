/*
 * The wording of every mail pam_sspr sends, in one place: a code for a
 * reset or an enrollment, "your password was changed", and the request
 * to the administrator. Each mail says who asked, on which host and when,
 * and what to do if it was not them. None ever contains a password.
 */
#ifndef SSPR_MAIL_TEXT_H
#define SSPR_MAIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* What happened, for the mail's "who, where, when" lines. */
struct sspr_mail_event {
	const char *user;   /* the account concerned */
	const char *host;   /* NULL: this computer's name */
	const char *origin; /* NULL, or where it came from ("tty1") */
	time_t when;	    /* 0: now */
	/* the locale this mail is written in; NULL: the session's */
	const char *language;
};

/* A subject and a body; the body may hold a code, so it is wiped. */
struct sspr_mail_text {
	char *subject;
	char *body;
};

/*
 * A one-time code: purpose is "reset" or "enroll" (as in otp_code.h),
 * lifetime in seconds. 0, -EINVAL (unknown purpose, missing field) or
 * -ENOMEM.
 */
int sspr_mail_text_code(const struct sspr_mail_event *ev, const char *purpose,
			const char *code, unsigned lifetime,
			struct sspr_mail_text *ret);

/*
 * "Your password was changed": microsoft365 says whether the Microsoft 365
 * password changed too.
 */
int sspr_mail_text_password_changed(const struct sspr_mail_event *ev,
				    bool microsoft365,
				    struct sspr_mail_text *ret);

/*
 * A user who cannot reset by themselves asks the administrator for help.
 * reason (NULL or one sentence) says why self-service was not possible.
 */
int sspr_mail_text_admin_request(const struct sspr_mail_event *ev,
				 const char *reason,
				 struct sspr_mail_text *ret);

/*
 * To the account's owner: wrong codes locked the reset of the account
 * until the time until; if it was not them, someone is trying.
 */
int sspr_mail_text_locked(const struct sspr_mail_event *ev, time_t until,
			  struct sspr_mail_text *ret);

/* A registered method that was added, replaced or removed. */
enum sspr_change_method {
	SSPR_CHANGE_EMAIL, /* the backup email address */
	SSPR_CHANGE_TOTP,  /* the authenticator app */
	SSPR_CHANGE_ALL,   /* every method (the whole record) */
	SSPR_CHANGE_PHONE, /* the mobile number for text messages */
};
enum sspr_change_action {
	SSPR_CHANGE_ADDED,
	SSPR_CHANGE_REPLACED,
	SSPR_CHANGE_REMOVED,
};
struct sspr_method_change {
	enum sspr_change_method method;
	enum sspr_change_action action;
	bool by_admin; /* root changed it, not the user */
};

/*
 * The notice of a changed method, as Microsoft 365 mails one when
 * security info changes. to_old: this mail goes to the backup address
 * that was replaced (new_masked, the masked new one, may be named).
 * Never holds a code, a key or a password.
 */
int sspr_mail_text_method_changed(const struct sspr_mail_event *ev,
				  const struct sspr_method_change *change,
				  bool to_old, const char *new_masked,
				  struct sspr_mail_text *ret);

/* Wipe and free both strings; the text is empty afterwards. */
void sspr_mail_text_done(struct sspr_mail_text *text);

/*
 * "10 minutes", "45 seconds", "2 hours", "1 minute": for mails and for
 * "It expires in ..." on screen. Returns buf.
 */
const char *sspr_mail_text_duration(unsigned seconds, char *buf, size_t len);

#endif
