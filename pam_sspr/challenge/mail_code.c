/*
 * The dialogue of a code sent by mail or text message
 * (sspr/challenge/mail_code.h): issue or reuse, send, ask, check, with
 * one sentence per state for both purposes and both channels.
 */
#include "sspr/challenge/mail_code.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "sspr/auth/otp_code.h"
#include "sspr/auth/ratelimit.h"
#include "sspr/common/address.h"
#include "sspr/common/i18n.h"
#include "sspr/common/phone.h"
#include "sspr/common/util.h"
#include "sspr/mail/text.h"
#include "sspr/sms/send.h"

/* What one locked step of take_code() found and did. */
struct take {
	char *code;    /* a new code to mail; NULL when reused */
	unsigned wait; /* -EAGAIN: seconds until the next send */
	bool pending;  /* a code for the address can still be typed */
};

/* The method's name in the admin's log lines. */
static const char *
channel_name(const struct sspr_mail_code *mc)
{
	return mc->channel == SSPR_CODE_BY_SMS ? "sms" : "email";
}

static bool
same_address(const struct sspr_code_slot *slot, const char *address)
{
	return slot->address != NULL && strcmp(slot->address, address) == 0;
}

/*
 * One locked step: reuse the code pending for the address (unless fresh)
 * or issue a new one, hashed in the record.
 */
static int
take_code(struct sspr_session *s, const char *address, bool fresh,
	  struct take *t)
{
	const char *purpose = sspr_purpose_name(s->purpose);
	struct sspr_record rec = { 0 };
	time_t now = time(NULL);
	int lock;
	int r;

	r = sspr_session_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	t->pending =
	    sspr_code_pending(&rec, purpose, now) &&
	    same_address(sspr_record_code_slot(&rec, purpose), address);
	if (t->pending && !fresh)
		return sspr_session_record_close(s, &rec, lock, false);
	r = sspr_code_may_send(s->cfg, &rec, purpose, now, &t->wait);
	if (r == 0)
		r = sspr_code_issue(s->cfg, &rec, s->user, purpose, address,
				    now, &t->code);
	if (sspr_session_record_close(s, &rec, lock, r == 0) < 0 && r == 0)
		r = -EIO;
	return r;
}

/* An unsent code must not count against the person, nor delay the next. */
static void
forget_code(struct sspr_session *s, const char *address)
{
	const char *purpose = sspr_purpose_name(s->purpose);
	struct sspr_record rec = { 0 };
	bool ours;
	int lock;

	if (sspr_session_record_open(s, &rec, &lock) < 0)
		return;
	ours = same_address(sspr_record_code_slot(&rec, purpose), address);
	if (ours)
		sspr_code_unsent(&rec, purpose, address);
	sspr_session_record_close(s, &rec, lock, ours);
}

/*
 * A text message: short, the host that asked, the code and its lifetime.
 * Every message costs money: each one is an audit line.
 */
static int
sms_code(struct sspr_session *s, const char *number, const char *code)
{
	char host[HOST_NAME_MAX + 1] = "localhost";
	char err[SSPR_ERR_MAX] = "";
	char *text;
	int r;

	if (gethostname(host, sizeof(host) - 1) < 0)
		sspr_strlcpy(host, "localhost", sizeof(host));
	text = sspr_sms_code_text(sspr_purpose_name(s->purpose), code,
				  s->cfg->code_lifetime, host);
	if (text == NULL)
		return -ENOMEM;
	/* Root may be needed for the key or secret file. */
	r = sspr_session_raise(s);
	if (r == 0) {
		r = sspr_sms_send(s->cfg, number, text, err, sizeof(err));
		sspr_session_lower(s);
	} else {
		snprintf(err, sizeof(err), "cannot raise privileges: %s",
			 strerror(-r));
	}
	sspr_free_secret(text);
	if (r < 0)
		sspr_session_log(
		    s, LOG_ERR, "cannot send %s by text message for '%s': %s",
		    s->purpose == SSPR_PURPOSE_RESET ? "a reset code"
						     : "an enrollment code",
		    s->user, err);
	sspr_session_audit(
	    s, s->user, "message", "sms", r == 0 ? "ok" : "failed",
	    s->purpose == SSPR_PURPOSE_RESET ? "reset code"
					     : "enrollment code");
	return r;
}

static int
mail_code(struct sspr_session *s, const char *address, const char *code)
{
	struct sspr_mail_event ev = { .user = s->user };
	struct sspr_mail_text text = { 0 };
	int r;

	r = sspr_mail_text_code(&ev, sspr_purpose_name(s->purpose), code,
				s->cfg->code_lifetime, &text);
	if (r == 0)
		r = sspr_session_mail(s, address, &text,
				      s->purpose == SSPR_PURPOSE_RESET
					  ? "a reset code"
					  : "an enrollment code");
	sspr_mail_text_done(&text);
	return r;
}

static void
say_pending(const struct sspr_session *s, const char *masked)
{
	/* TRANSLATORS: %s is the masked address, e.g. "b***@example.org". */
	sspr_ui_info(&s->ui,
		     _("A code was already sent to %s and is still "
		       "valid."),
		     masked);
	if (s->purpose == SSPR_PURPOSE_RESET)
		sspr_ui_info(&s->ui, "%s",
			     _("Type that code, or just press Enter to get a "
			       "new one."));
}

/*
 * Get a code on its way to mc->address: the pending one (unless fresh)
 * or a new one. 0, or a negative errno after telling the person;
 * *ret_pending as take_code() found it.
 */
static int
send_code(struct sspr_session *s, struct sspr_mail_code *mc, bool fresh,
	  bool *ret_pending)
{
	const char *address = mc->address;
	bool by_sms = mc->channel == SSPR_CODE_BY_SMS;
	struct take t = { 0 };
	char *masked = NULL;
	char life[32];
	int r;

	r = take_code(s, address, fresh, &t);
	*ret_pending = t.pending;
	if (r == -EAGAIN) {
		sspr_ui_error(&s->ui,
			      dngettext("pam_sspr",
					"A code was sent recently. Please wait "
					"%u second before asking for another "
					"one.",
					"A code was sent recently. Please wait "
					"%u seconds before asking for another "
					"one.",
					t.wait),
			      t.wait);
		return r;
	}
	if (r < 0) {
		sspr_session_store_failed(s, r, "save the code");
		return r;
	}
	masked = by_sms ? sspr_phone_mask(address) : sspr_address_mask(address);
	if (t.code == NULL) {
		say_pending(s, masked != NULL ? masked : "");
		goto out;
	}
	r = by_sms ? sms_code(s, address, t.code)
		   : mail_code(s, address, t.code);
	if (r < 0) {
		mc->unsent = true;
		forget_code(s, address);
		sspr_ui_error(&s->ui, "%s",
			      _("The code could not be sent. Please try again "
				"later or contact your administrator."));
		goto out;
	}
	/* TRANSLATORS: "A code was sent to b***@example.org. It expires in
	 * 10 minutes." */
	sspr_ui_info(
	    &s->ui, _("A code was sent to %s. It expires in %s."),
	    masked != NULL ? masked : "",
	    sspr_mail_text_duration(s->cfg->code_lifetime, life, sizeof(life)));
	sspr_session_log(s, LOG_NOTICE, "%s code sent by %s for '%s'",
			 sspr_purpose_name(s->purpose),
			 by_sms ? "text message" : "email", s->user);
out:
	free(masked);
	sspr_free_secret(t.code);
	return r;
}

/*
 * Check a typed code and count a failure in one locked step: between the
 * check and the count no other session can check a code of its own.
 * *ret_locked is true when this failure locked the reset.
 */
static int
check_code(struct sspr_session *s, const struct sspr_mail_code *mc,
	   const char *typed, unsigned *ret_left, bool *ret_locked)
{
	const char *purpose = sspr_purpose_name(s->purpose);
	bool reset = s->purpose == SSPR_PURPOSE_RESET;
	struct sspr_record rec = { 0 };
	struct sspr_code_slot *slot;
	time_t now = time(NULL);
	bool save = true;
	int lock;
	int c;
	int r;

	r = sspr_session_record_open(s, &rec, &lock);
	if (r < 0)
		return r;
	slot = sspr_record_code_slot(&rec, purpose);
	/* Another session may have locked the reset since this one began. */
	if (reset && sspr_is_locked(&rec, now)) {
		s->locked_until = rec.locked_until;
		r = -EPERM;
	} else if (!same_address(slot, mc->address)) {
		r = -ENOENT; /* a newer code went elsewhere */
	} else {
		r = sspr_code_verify(s->cfg, &rec, s->user, purpose, typed,
				     now);
	}
	if (r == 0 && mc->accept != NULL)
		save = (r = mc->accept(&rec, mc->ctx)) == 0;
	else if (r == -EACCES && reset)
		*ret_locked = sspr_session_count_failure(s, &rec);
	else if (r == -EPERM || r == -ENOENT)
		save = false;
	*ret_left = slot->attempts_left;
	c = sspr_session_record_close(s, &rec, lock, save);
	if (save && c < 0) {
		sspr_session_store_failed(s, c, "save the record");
		return c;
	}
	return r;
}

/* The states after which this code cannot be typed again. */
static const struct {
	int err;
	const char *text;
} final[] = {
	{ -EACCES, N_("That code is not correct, and no attempts are left. "
		      "Start again to get a new code.") },
	{ -ETIMEDOUT,
	  N_("That code has expired. Start again to get a new code.") },
	{ -EMLINK, N_("No attempts are left for that code. Start again to get "
		      "a new code.") },
	{ -ENOENT, N_("That code can no longer be used, because a newer one "
		      "was asked for. Start again to get a new code.") },
};

/*
 * Tell the person what a code that was not accepted came to: -EAGAIN to
 * ask again, else r, final.
 */
static int
say_refused(struct sspr_session *s, int r, unsigned left, bool locked,
	    const struct sspr_mail_code *mc)
{
	size_t i;

	switch (r) {
	case -EACCES:
		sspr_session_log(s, LOG_NOTICE, "wrong %s code for '%s'%s",
				 channel_name(mc), s->user,
				 left == 0 ? ", no attempts left" : "");
		if (s->purpose == SSPR_PURPOSE_RESET &&
		    sspr_session_failed(s, locked, mc->notice_to) < 0)
			return -EPERM;
		if (left > 0) {
			sspr_ui_error(&s->ui,
				      dngettext("pam_sspr",
						"That code is not correct. %u "
						"attempt left.",
						"That code is not correct. %u "
						"attempts left.",
						left),
				      left);
			return -EAGAIN;
		}
		break;
	case -EPERM:
		sspr_session_say_locked(s);
		return r;
	}
	for (i = 0; i < sizeof(final) / sizeof(final[0]); i++)
		if (final[i].err == r)
			sspr_ui_error(&s->ui, "%s", _(final[i].text));
	return r; /* a store error is told by check_code() */
}

int
sspr_mail_code_dialogue(struct sspr_session *s, struct sspr_mail_code *mc)
{
	char *typed = NULL;
	unsigned left = 0;
	bool locked = false;
	bool pending = false;
	int r;

	/*
	 * A code from an earlier attempt survives a login that timed out
	 * or a command run again: the person may type it instead of
	 * waiting for another mail.
	 */
	r = send_code(s, mc, false, &pending);
	if (r < 0)
		return r;
	for (;;) {
		r = sspr_ui_ask(&s->ui, true, &typed, "%s",
				mc->channel == SSPR_CODE_BY_SMS
				    ? _("Code from the text message: ")
				    : _("Code from the mail: "));
		/* Enrollment: no answer stops, the command can run again. */
		if (s->purpose == SSPR_PURPOSE_ENROLL &&
		    (r < 0 || typed[0] == '\0')) {
			if (r == 0)
				sspr_free_secret(typed);
			return -ECANCELED;
		}
		if (r < 0)
			return r;
		if (typed[0] == '\0') {
			sspr_free_secret(typed);
			r = send_code(s, mc, true, &pending);
			/* Too soon for another: the pending code still works.
			 */
			if (r == 0 || (r == -EAGAIN && pending))
				continue;
			return r;
		}
		locked = false;
		r = check_code(s, mc, typed, &left, &locked);
		sspr_free_secret(typed);
		typed = NULL;
		if (r == 0) {
			sspr_session_log(s, LOG_NOTICE,
					 "%s code accepted for '%s'",
					 channel_name(mc), s->user);
			return 0;
		}
		r = say_refused(s, r, left, locked, mc);
		if (r != -EAGAIN)
			return r;
	}
}
